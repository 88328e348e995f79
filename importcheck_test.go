package multistage_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/testresolver"
)

// importResult is what importing one Dockerfile gave, target by target,
// against BuildKit's Dockerfile frontend.
type importResult struct {
	// parsed: BuildKit's parser and instructions.Parse accept the file.
	parsed bool
	// converted are the targets ("" the default) that dockerfile2llb
	// converts.
	converted []string
	// matched are the converted targets that import and compile op for
	// op to what dockerfile2llb gives.
	matched []string
	// importErr is ParseDockerfile's error.
	importErr error
	// failures are the reasons of the converted targets that did not
	// match, by target, and failureErrs the errors of the import or of
	// Compile behind them.
	failures    map[string]string
	failureErrs map[string]error
	// panicked is a panic of the import or the compile, with its stack.
	panicked string
}

// allMatched reports whether every target BuildKit converts imports and
// compiles identically.
func (r importResult) allMatched() bool {
	return r.panicked == "" && len(r.matched) == len(r.converted)
}

// stageTargets returns the targets of a Dockerfile as BuildKit's parser
// reads them: "" for the default target and every named stage, or false
// when the parser refuses the file.
func stageTargets(data []byte) ([]string, bool) {
	stages := buildkitStages(data)
	if len(stages) == 0 {
		return nil, false
	}
	out := []string{""}
	for _, s := range stages {
		if s.Name != "" && !slices.Contains(out, s.Name) {
			out = append(out, s.Name)
		}
	}
	return out, true
}

// buildkitStages returns the stages BuildKit's parser reads in data, none
// when it refuses it.
func buildkitStages(data []byte) []instructions.Stage {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	stages, _, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil
	}
	return stages
}

// compareImport compares, op for op, the LLB and image config that
// dockerfile2llb gave (def, img) with the Compile of the imported build,
// leaving out the image history, which the import writes one entry per
// call.
func compareImport(def *llb.Definition, img *dockerspec.DockerOCIImage, compiled *multistage.Compiled) (string, error) {
	want := *img
	want.History = nil
	got := *compiled
	got.DockerImage.History = nil
	got.Image.History = nil
	return crosscheck.Compare(def, &want, &got)
}

// checkImport imports data with ParseDockerfile (keeping going past the
// stages it cannot import) and compares every target that dockerfile2llb
// converts, op for op, with the imported build's Compile.
func checkImport(ctx context.Context, data []byte, opts ...multistage.ParseOption) (r importResult) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	r.failures = map[string]string{}
	r.failureErrs = map[string]error{}
	targets, ok := stageTargets(data)
	if !ok {
		return r
	}
	r.parsed = true
	for _, target := range targets {
		if _, _, err := crosscheck.Frontend(ctx, data, target, crosscheck.Options{}); err == nil {
			r.converted = append(r.converted, target)
		}
	}
	if len(r.converted) == 0 {
		return r
	}
	selected := map[string]*multistage.Stage{}
	var skipped []string
	var skipErrs []error
	opts = append(opts, multistage.ParseTargets(func(target string, s *multistage.Stage) { selected[target] = s }),
		multistage.ParseKeepGoing(func(s multistage.SkippedStage) {
			skipped = append(skipped, fmt.Sprintf("stage %d (%q, line %d) left out: %v", s.Index, s.Name, s.Line, s.Err))
			skipErrs = append(skipErrs, s.Err)
		}))
	b, err := multistage.ParseDockerfile(data, opts...)
	r.importErr = err
	if b == nil {
		for _, target := range r.converted {
			r.failures[target] = "import: " + err.Error()
			r.failureErrs[target] = err
		}
		return r
	}
	for _, target := range r.converted {
		stage, ok := selected[target]
		if !ok {
			r.failures[target] = "not imported: " + strings.Join(skipped, "; ")
			r.failureErrs[target] = firstOwnError(skipErrs)
			continue
		}
		if target == "" {
			stage = nil // the default target: Compile without Target
		}
		if err := compareTarget(ctx, data, b, target, stage); err != nil {
			r.failures[target] = err.Error()
			r.failureErrs[target] = err
			continue
		}
		r.matched = append(r.matched, target)
	}
	return r
}

// firstOwnError is the first of the errors of stages left out that is not
// about using another stage left out: the reason a target was not
// imported.
func firstOwnError(errs []error) error {
	for _, err := range errs {
		var ue *multistage.UnsupportedError
		if !errors.As(err, &ue) && errors.Is(err, multistage.ErrUnsupported) {
			continue // "uses stage ..., which is left out"
		}
		return err
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// compareTarget compares Compile of the imported build with dockerfile2llb
// of the original Dockerfile for one target, without the image history
// (an instruction that sets several values, ENV A=1 B=2, is one history
// entry in the original and one per value once imported).
func compareTarget(ctx context.Context, original []byte, b *multistage.Build, target string, stage *multistage.Stage) error {
	r := testresolver.New()
	var opts []multistage.Option
	if stage != nil {
		opts = append(opts, multistage.Target(stage))
	}
	compiled, err := b.Compile(ctx, append(opts, multistage.WithMetaResolver(r))...)
	if err != nil {
		return fmt.Errorf("Compile: %w", err)
	}
	def, img, err := crosscheck.Frontend(ctx, original, target, crosscheck.Options{Resolver: r})
	if err != nil {
		return err
	}
	diff, err := compareImport(def, img, compiled)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if diff != "" {
		return fmt.Errorf("original Dockerfile and imported build differ:\n%s", diff)
	}
	return nil
}

// TestRealWorldDockerfiles measures the import on a directory of real
// Dockerfiles that MULTISTAGE_REALWORLD_DIR names, one subdirectory per
// repository, and logs per repository how many files and targets import
// and recompile op for op. It is a measurement, not a check run in CI: the
// files are not part of the project (CI's proof is testdata/dockerfiles and
// TestBuildKitFrontendCorpus).
func TestRealWorldDockerfiles(t *testing.T) {
	dir := os.Getenv("MULTISTAGE_REALWORLD_DIR")
	if dir == "" {
		t.Skip("MULTISTAGE_REALWORLD_DIR is not set")
	}
	repos, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type count struct{ files, parsed, converting, allMatched, targets, matched, panics int }
	var total count
	reasons := map[string]int{}
	for _, repo := range repos {
		if !repo.IsDir() {
			continue
		}
		var c count
		root := filepath.Join(dir, repo.Name())
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			c.files++
			r := checkImport(ctx, data)
			if r.panicked != "" {
				c.panics++
				t.Logf("%s: PANIC %s", p, r.panicked)
				return nil
			}
			if !r.parsed {
				return nil
			}
			c.parsed++
			if len(r.converted) == 0 {
				return nil
			}
			c.converting++
			c.targets += len(r.converted)
			c.matched += len(r.matched)
			if r.allMatched() {
				c.allMatched++
			}
			for _, target := range slices.Sorted(maps.Keys(r.failures)) {
				reason := r.failures[target]
				t.Logf("%s: target %q: %s", strings.TrimPrefix(p, dir+"/"), target, firstLines(reason, 6))
				reasons[reasonKey(reason)]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("REPO %-24s files %3d, parsed %3d, with targets BuildKit converts %3d, all targets import %3d; targets %4d, import and recompile %4d; panics %d",
			repo.Name(), c.files, c.parsed, c.converting, c.allMatched, c.targets, c.matched, c.panics)
		total.files += c.files
		total.parsed += c.parsed
		total.converting += c.converting
		total.allMatched += c.allMatched
		total.targets += c.targets
		total.matched += c.matched
		total.panics += c.panics
	}
	t.Logf("TOTAL files %d, parsed %d, with targets BuildKit converts %d, all targets import %d; targets %d, import and recompile %d; panics %d",
		total.files, total.parsed, total.converting, total.allMatched, total.targets, total.matched, total.panics)
	keys := slices.SortedFunc(maps.Keys(reasons), func(a, b string) int {
		return cmp.Or(reasons[b]-reasons[a], strings.Compare(a, b))
	})
	for _, k := range keys {
		t.Logf("REASON %4d %s", reasons[k], k)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// reasonKey is a failure without its line number, to count alike ones.
func reasonKey(s string) string {
	s = firstLines(s, 1)
	if i := strings.Index(s, "line "); i >= 0 {
		if j := strings.Index(s[i:], ": "); j >= 0 {
			s = s[:i] + s[i+j+2:]
		}
	}
	if len(s) > 140 {
		s = s[:140]
	}
	return s
}
