package multistage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/testresolver"
)

// corpusFile is a Dockerfile of testdata/dockerfiles with what its header
// comments expect:
//
//	# want-unsupported: N   ParseDockerfile fails with ErrUnsupported at line N
//	# want-warning: N       ParseDockerfile warns about line N
//	# want-error: N         ParseDockerfile fails with ErrDockerfileSyntax at line N, as BuildKit does
type corpusFile struct {
	name        string
	data        []byte
	unsupported int
	syntaxErr   int
	warnings    []int
}

var wantRe = regexp.MustCompile(`(?m)^# want-(unsupported|warning|error): (\d+)\r?$`)

func loadCorpus(t testing.TB) []corpusFile {
	t.Helper()
	paths, err := filepath.Glob("testdata/dockerfiles/*.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no corpus files")
	}
	var out []corpusFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := corpusFile{name: strings.TrimSuffix(filepath.Base(p), ".Dockerfile"), data: data}
		for _, m := range wantRe.FindAllSubmatch(data, -1) {
			n, _ := strconv.Atoi(string(m[2]))
			switch string(m[1]) {
			case "unsupported":
				f.unsupported = n
			case "error":
				f.syntaxErr = n
			default:
				f.warnings = append(f.warnings, n)
			}
		}
		out = append(out, f)
	}
	return out
}

// targets returns the named stages of a Dockerfile, and "" for the default
// target (the last stage), as BuildKit's parser reads them.
func targets(t testing.TB, data []byte) []string {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	stages, _, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{""}
	for _, s := range stages {
		if s.Name != "" {
			out = append(out, s.Name)
		}
	}
	return out
}

// TestParseCorpus imports every corpus Dockerfile and checks, for every
// named target and the default one, that Compile gives op for op the LLB
// and the image config that BuildKit's Dockerfile frontend gives for the
// original file; that the rendered Dockerfile agrees with Compile (the
// core cross-check); and that rendering and parsing again is a fixed
// point. Files that use what the API cannot express must fail with
// ErrUnsupported at the line their header names.
func TestParseCorpus(t *testing.T) {
	ctx := context.Background()
	files := loadCorpus(t)
	var nFiles, nTargets, nUnsupported, nRefused int
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			var warnings []int
			selected := map[string]*multistage.Stage{}
			b, err := multistage.ParseDockerfile(f.data, multistage.ParseWarnings(func(w multistage.ParseWarning) {
				warnings = append(warnings, w.Line)
			}), multistage.ParseTargets(func(target string, s *multistage.Stage) { selected[target] = s }))
			if f.unsupported > 0 {
				var ue *multistage.UnsupportedError
				if !errors.Is(err, multistage.ErrUnsupported) || !errors.As(err, &ue) {
					t.Fatalf("ParseDockerfile: got error %v, want ErrUnsupported at line %d", err, f.unsupported)
				}
				if ue.Line != f.unsupported {
					t.Fatalf("ErrUnsupported at line %d, want line %d: %v", ue.Line, f.unsupported, err)
				}
				nUnsupported++
				return
			}
			if f.syntaxErr > 0 {
				var se *multistage.SyntaxError
				if !errors.As(err, &se) || se.Line != f.syntaxErr {
					t.Fatalf("ParseDockerfile: got error %v, want a SyntaxError at line %d", err, f.syntaxErr)
				}
				refused := false
				for _, target := range targets(t, f.data) {
					if _, _, ferr := crosscheck.Frontend(context.Background(), f.data, target, crosscheck.Options{}); ferr != nil {
						refused = true
					}
				}
				if !refused {
					t.Fatalf("dockerfile2llb accepts every target of the file that ParseDockerfile refuses")
				}
				nRefused++
				return
			}
			if err != nil {
				t.Fatalf("ParseDockerfile: %v", err)
			}
			if d := cmp.Diff(f.warnings, warnings); d != "" {
				t.Errorf("warning lines (-want +got):\n%s", d)
			}
			for _, target := range targets(t, f.data) {
				var stage *multistage.Stage
				if target != "" {
					if stage = selected[target]; stage == nil {
						t.Fatalf("no stage for target %q after import", target)
					}
				}
				if !checkTarget(ctx, t, f.data, b, target, stage) {
					continue
				}
				nTargets++
			}
			df1, err := b.Dockerfile()
			if err != nil {
				t.Fatalf("Dockerfile: %v", err)
			}
			b2, err := multistage.ParseDockerfile(df1)
			if err != nil {
				t.Fatalf("ParseDockerfile(Dockerfile()): %v\n%s", err, df1)
			}
			df2, err := b2.Dockerfile()
			if err != nil {
				t.Fatalf("second Dockerfile: %v", err)
			}
			if d := cmp.Diff(string(df1), string(df2)); d != "" {
				t.Errorf("Dockerfile is not a fixed point (-first +second):\n%s", d)
			}
			nFiles++
		})
	}
	t.Logf("%d corpus files: %d round-trip with %d targets, %d refused with ErrUnsupported, %d refused as BuildKit refuses them", len(files), nFiles, nTargets, nUnsupported, nRefused)
	if len(files) < 60 {
		t.Errorf("corpus has %d files, want at least 60", len(files))
	}
}

// checkTarget compares Compile of the imported build with dockerfile2llb
// of the original Dockerfile for one target, and the rendered Dockerfile
// with Compile (crosscheck.Check). The image history is compared only in
// the second check: an instruction that sets several values (ENV A=1 B=2)
// is one history entry in the original and one per value once imported.
func checkTarget(ctx context.Context, t *testing.T, original []byte, b *multistage.Build, target string, stage *multistage.Stage) bool {
	t.Helper()
	r := testresolver.New()
	var opts []multistage.Option
	if stage != nil {
		opts = append(opts, multistage.Target(stage))
	}
	compiled, err := b.Compile(ctx, append(opts, multistage.WithMetaResolver(r))...)
	if err != nil {
		t.Errorf("target %q: Compile: %v", target, err)
		return false
	}
	def, img, err := crosscheck.Frontend(ctx, original, target, crosscheck.Options{Resolver: r})
	if err != nil {
		t.Errorf("target %q: %v", target, err)
		return false
	}
	diff, err := compareImport(def, img, compiled)
	if err != nil {
		t.Errorf("target %q: compare: %v", target, err)
		return false
	}
	if diff != "" {
		t.Errorf("target %q: original Dockerfile and imported build differ:\n%s", target, diff)
		return false
	}
	diff, res, err := crosscheck.Check(ctx, b, crosscheck.Options{Target: stage})
	if err != nil {
		t.Errorf("target %q: crosscheck: %v", target, err)
		return false
	}
	if diff != "" {
		t.Errorf("target %q: rendered Dockerfile and Compile differ:\n%s\n%s", target, diff, res.Dockerfile)
		return false
	}
	return true
}

func TestParseDockerfileErrors(t *testing.T) {
	for _, tc := range []struct {
		reason string
		df     string
		want   error
		line   int
	}{
		{"ONBUILD copying from a stage index", "FROM alpine AS a\nFROM alpine\n\nONBUILD COPY --from=0 /x /x\n", multistage.ErrUnsupported, 4},
		{"variable in a mount's type", "FROM alpine\nARG T=cache\nRUN --mount=type=$T,target=/c true\n", multistage.ErrUnsupported, 3},
		{"variable in --from, which BuildKit refuses", "FROM alpine\nARG S=x\nCOPY --from=$S /a /a\n", multistage.ErrDockerfileSyntax, 3},
		{"no FROM", "ARG A=1\n", multistage.ErrDockerfileSyntax, 0},
		{"unknown instruction", "FROM alpine\nFOO bar\n", multistage.ErrDockerfileSyntax, 2},
		{"bad stage name", "FROM alpine AS 1x\n", multistage.ErrDockerfileSyntax, 1},
		{"a word the shell lexer refuses", "FROM alpine\nCOPY <<EOF \"/a b\"\nx\nEOF\n", multistage.ErrDockerfileSyntax, 2},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			_, err := multistage.ParseDockerfile([]byte(tc.df))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var ue *multistage.UnsupportedError
			var se *multistage.SyntaxError
			switch {
			case errors.As(err, &ue):
				if ue.Line != tc.line {
					t.Errorf("line %d, want %d", ue.Line, tc.line)
				}
			case errors.As(err, &se):
				if se.Line != tc.line {
					t.Errorf("line %d, want %d: %v", se.Line, tc.line, err)
				}
			}
		})
	}
}

// TestParseDockerfileForms imports the forms that ParseDockerfile once
// refused, and checks each against BuildKit's Dockerfile frontend as
// TestParseCorpus does.
func TestParseDockerfileForms(t *testing.T) {
	for _, tc := range []struct {
		reason string
		df     string
	}{
		{"ADD of a URL", "FROM alpine\nADD https://example.com/a /a\n"},
		{"ADD --unpack of a URL", "FROM alpine\nADD --unpack=true https://example.com/a.tgz /a\n"},
		{"ADD --unpack=false of a local archive", "FROM alpine\nADD --unpack=false a.tgz /a\n"},
		{"ONBUILD", "FROM alpine AS base\n\nONBUILD RUN true\nFROM base\n"},
		{"MAINTAINER", "FROM alpine\nMAINTAINER me\n"},
		{"shell-form CMD", "FROM alpine\nCMD ./app\n"},
		{"shell-form ENTRYPOINT", "FROM alpine\nENTRYPOINT ./app\n"},
		{"heredoc COPY", "FROM alpine\nCOPY <<EOF /a\nhi\nEOF\n"},
		{"symbolic chmod", "FROM alpine\nCOPY --chmod=u+x a /a\n"},
		{"variable in USER", "FROM alpine\nARG U=app\nUSER $U\n"},
		{"heredoc with an interpreter", "FROM alpine\nRUN python3 <<EOF\nprint(1)\nEOF\n"},
		{"one-line heredoc runs with its newline", "FROM alpine\nRUN <<EOF\necho hi\nEOF\n"},
		{"ENV referring to a variable it sets", "FROM alpine\nENV A=1 B=$A\n"},
		{"variable in a LABEL value", "FROM alpine\nARG V=1\nLABEL v=$V\n"},
		{"variable in a mount target", "FROM alpine\nARG T=/c\nRUN --mount=type=cache,target=$T true\n"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			b, err := multistage.ParseDockerfile([]byte(tc.df))
			if err != nil {
				t.Fatalf("ParseDockerfile: %v", err)
			}
			checkTarget(context.Background(), t, []byte(tc.df), b, "", nil)
		})
	}
}

func TestParseWarnings(t *testing.T) {
	df := "ARG X=1 # the default\nFROM alpine AS build\nFROM alpine\nCOPY --from=set /a /a\nCOPY --from=build /b /b\n"
	var got []multistage.ParseWarning
	b, err := multistage.ParseDockerfile([]byte(df), multistage.ParseWarnings(func(w multistage.ParseWarning) { got = append(got, w) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Line != 1 || got[1].Line != 4 {
		t.Fatalf("warnings %v, want lines 1 and 4", got)
	}
	if b.Lookup("build") == nil || len(b.Stages()) != 2 {
		t.Fatalf("stages %v", b.Stages())
	}
}

// TestParseFromUndeclaredVariable: a FROM that refers only to variables
// no ARG before the first stage declares is the same in every build, so it
// is imported as its value, a stage here, with a warning; a declared arg
// keeps the word a template.
func TestParseFromUndeclaredVariable(t *testing.T) {
	var warnings []multistage.ParseWarning
	b, err := multistage.ParseDockerfile([]byte("FROM alpine AS base\nFROM base$X AS app\n"),
		multistage.ParseWarnings(func(w multistage.ParseWarning) { warnings = append(warnings, w) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || warnings[0].Line != 2 || !strings.Contains(warnings[0].Message, "no ARG before the first stage declares") {
		t.Fatalf("warnings %v, want one on line 2", warnings)
	}
	df, err := b.Dockerfile()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(df), "FROM base AS app") {
		t.Errorf("FROM base$X is not imported as the stage base:\n%s", df)
	}
	b, err = multistage.ParseDockerfile([]byte("ARG X\nFROM alpine AS base\nFROM base$X AS app\n"))
	if err != nil {
		t.Fatal(err)
	}
	if df, _ := b.Dockerfile(); !strings.Contains(string(df), "FROM base$X AS app") && !strings.Contains(string(df), "FROM base${X} AS app") {
		t.Errorf("with ARG X declared, FROM base$X is no longer a template:\n%s", df)
	}
}

// TestParseKeepGoing imports a Dockerfile with stages that cannot be
// imported: without ParseKeepGoing the import fails; with it, those stages
// and the stages that use them are left out and reported, and every other
// target compiles as BuildKit compiles it.
func TestParseKeepGoing(t *testing.T) {
	df := []byte(`FROM alpine AS ok
RUN echo ok > /ok

FROM alpine AS bad
COPY --from=later /x /x

FROM alpine AS later
ONBUILD COPY --from=0 /x /x

FROM bad AS uses-bad
RUN true

FROM alpine AS other
COPY --from=ok /ok /ok
`)
	if _, err := multistage.ParseDockerfile(df); !errors.Is(err, multistage.ErrDockerfileSyntax) {
		t.Fatalf("without ParseKeepGoing: got %v, want ErrDockerfileSyntax", err)
	}
	var skipped []multistage.SkippedStage
	selected := map[string]string{}
	b, err := multistage.ParseDockerfile(df,
		multistage.ParseKeepGoing(func(s multistage.SkippedStage) { skipped = append(skipped, s) }),
		multistage.ParseTargets(func(target string, s *multistage.Stage) { selected[target] = s.Name() }))
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 3 {
		t.Fatalf("skipped %v, want bad, later and uses-bad", skipped)
	}
	for i, want := range []struct {
		name  string
		index int
		line  int
		err   error
	}{
		{"bad", 1, 4, multistage.ErrDockerfileSyntax},
		{"later", 2, 7, multistage.ErrUnsupported},
		{"uses-bad", 3, 10, multistage.ErrUnsupported},
	} {
		s := skipped[i]
		if s.Name != want.name || s.Index != want.index || s.Line != want.line || !errors.Is(s.Err, want.err) {
			t.Errorf("skipped[%d] = %+v, want %s, index %d, line %d, %v", i, s, want.name, want.index, want.line, want.err)
		}
	}
	if d := cmp.Diff(map[string]string{"": "other", "ok": "ok", "other": "other"}, selected); d != "" {
		t.Errorf("targets (-want +got):\n%s", d)
	}
	if got := len(b.Stages()); got != 2 {
		t.Errorf("%d stages, want ok and other", got)
	}
	// BuildKit converts "later" (it records the trigger), which the API
	// cannot express; the other targets compile alike.
	r := checkImport(context.Background(), df)
	if d := cmp.Diff([]string{"", "ok", "other"}, r.matched); d != "" || len(r.converted) != 4 {
		t.Errorf("targets %q converted by BuildKit; imported and compiled alike (-want +got):\n%s", r.converted, d)
	}

	// When no stage is left, each is still reported, and the error is the
	// first stage's.
	skipped = nil
	_, err = multistage.ParseDockerfile([]byte("FROM alpine\nCOPY --from=later /x /x\nFROM alpine AS later\nENV A=\"\x00\"\n"),
		multistage.ParseKeepGoing(func(s multistage.SkippedStage) { skipped = append(skipped, s) }))
	if !errors.Is(err, multistage.ErrDockerfileSyntax) || len(skipped) != 2 || skipped[1].Name != "later" || !errors.Is(skipped[1].Err, multistage.ErrUnsafeValue) {
		t.Errorf("nothing left: got %v and skipped %+v, want ErrDockerfileSyntax and both stages, later with ErrUnsafeValue", err, skipped)
	}
}
