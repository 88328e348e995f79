package multistage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/golden"
	"github.com/multistage/multistage/internal/llbdump"
	"github.com/multistage/multistage/internal/pipelines"
	"github.com/multistage/multistage/internal/testresolver"
)

// update is the -update flag of the golden tests ("go test -update"),
// shared with the other packages' golden tests through internal/golden.
var update = golden.Update

// goldenCase is one golden file: a pipeline and the stage to build.
type goldenCase struct {
	name   string
	reason string
	p      pipelines.Pipeline
	target string // stage name; "" for the last stage
}

func goldenCases() []goldenCase {
	cases := []goldenCase{
		{name: "dotnet", reason: "the classic .NET pipeline: restore and publish on the SDK, run on ASP.NET", p: pipelines.DotNet()},
		{name: "go", reason: "the classic Go pipeline: build on golang, run on alpine", p: pipelines.Go()},
		{name: "node-nginx", reason: "the classic Node pipeline: npm run build, served by nginx", p: pipelines.NodeNginx()},
		{name: "maven", reason: "the classic Maven pipeline: mvn package, run on a JDK", p: pipelines.Maven()},
		{name: "python", reason: "the classic Python pipeline: pip install --prefix, copied into a clean image", p: pipelines.Python()},
		{name: "kitchen", reason: "every instruction and option of the API", p: pipelines.Kitchen()},
		{name: "go-target-builder", reason: "--target: the build stage of the Go pipeline alone", p: pipelines.Go(), target: "builder"},
		{name: "kitchen-target-test", reason: "--target of a stage FROM another stage", p: pipelines.Kitchen(), target: "test"},
		{name: "kitchen-target-build", reason: "--target of a $BUILDPLATFORM stage with ARGs before FROM", p: pipelines.Kitchen(), target: "build"},
	}
	for _, c := range cases {
		if c.reason == "" {
			panic("reason must be provided: " + c.name)
		}
	}
	return cases
}

// linuxAMD64 is the platform of the golden files.
var linuxAMD64 = golden.Platform

// targetOpts returns the Target option of c, if any.
func (c goldenCase) targetOpts(t testing.TB) []multistage.Option {
	if c.target == "" {
		return nil
	}
	s := c.p.Stages[c.target]
	if s == nil {
		t.Fatalf("pipeline %s has no stage %q", c.p.Name, c.target)
	}
	return []multistage.Option{multistage.Target(s)}
}

// compile compiles c as the golden files record it: with the static
// resolver, for linux/amd64.
func (c goldenCase) compile(t testing.TB) *multistage.Compiled {
	t.Helper()
	out, err := c.tryCompile(t)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tryCompile is compile for goroutines other than the test's.
func (c goldenCase) tryCompile(t testing.TB) (*multistage.Compiled, error) {
	opts := append(c.targetOpts(t), multistage.WithMetaResolver(testresolver.New()), multistage.WithPlatform(linuxAMD64))
	return c.p.Build.Compile(context.Background(), opts...)
}

// TestGolden renders and compiles every case, compares the Dockerfile, the
// LLB dump and the image config with testdata/golden/<case>.txtar, and
// checks that BuildKit's Dockerfile frontend compiles the rendered
// Dockerfile to the same LLB and image config. Run "go test -update" to
// rewrite the golden files.
func TestGolden(t *testing.T) {
	ctx := context.Background()
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			if !*update {
				t.Parallel()
			}
			files, out, err := golden.Sections(ctx, c.p.Build, c.targetOpts(t)...)
			if err != nil {
				t.Fatal(err)
			}
			if c.target != "" && out.Target != c.target {
				t.Errorf("Compiled.Target = %q, want %q", out.Target, c.target)
			}
			golden.Check(t, filepath.Join("testdata", "golden", c.name+".txtar"),
				"Golden output of pipeline "+c.p.Name+" (target "+out.Target+"): "+c.reason+".\nRegenerate with go test -update.",
				files)

			var target *multistage.Stage
			if c.target != "" {
				target = c.p.Stages[c.target]
			}
			diff, _, err := crosscheck.Check(ctx, c.p.Build, crosscheck.Options{Target: target, Resolver: testresolver.New(), Platform: &linuxAMD64})
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("Compile and dockerfile2llb disagree:\n%s", diff)
			}
		})
	}
}

// TestGoldenFilesHaveCases fails on a golden file that no case writes, as
// after renaming a case.
func TestGoldenFilesHaveCases(t *testing.T) {
	names := map[string]bool{}
	for _, c := range goldenCases() {
		names[c.name+".txtar"] = true
	}
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !names[filepath.Base(f)] {
			t.Errorf("%s belongs to no golden case: delete it", f)
		}
	}
}

// digests compiles every golden case and returns, per case, the digest of
// the terminal op (which covers the whole graph) and of the Dockerfile.
func digests(t testing.TB) string {
	var b strings.Builder
	for _, c := range goldenCases() {
		out := c.compile(t)
		df, err := c.p.Build.Dockerfile(c.targetOpts(t)...)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %d\n", c.name, head(t, out.Definition), len(df))
	}
	return b.String()
}

// head returns the digest of the last op of def.
func head(t testing.TB, def *llb.Definition) string {
	t.Helper()
	ops, err := llbdump.Ops(def, false)
	if err != nil {
		t.Fatal(err)
	}
	return ops[len(ops)-1].Digest
}

// TestDeterministic compiles every case 100 times, concurrently, and
// requires the same bytes every time: the same Dockerfile, the same LLB
// (every op, so every digest) and the same image config.
func TestDeterministic(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			first := c.compile(t)
			want, err := llbdump.Dump(first.Definition)
			if err != nil {
				t.Fatal(err)
			}
			wantImg, _ := json.Marshal(first.DockerImage)
			wantDF, err := c.p.Build.Dockerfile(c.targetOpts(t)...)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for range 100 {
				wg.Go(func() {
					out, err := c.tryCompile(t)
					if err != nil {
						t.Error(err)
						return
					}
					got, err := llbdump.Dump(out.Definition)
					if err != nil {
						t.Error(err)
						return
					}
					if diff := cmp.Diff(string(want), string(got)); diff != "" {
						t.Errorf("LLB changed between compilations (-first +later):\n%s", diff)
					}
					if img, _ := json.Marshal(out.DockerImage); string(img) != string(wantImg) {
						t.Errorf("image config changed between compilations:\n%s\n%s", wantImg, img)
					}
					df, err := c.p.Build.Dockerfile(c.targetOpts(t)...)
					if err != nil {
						t.Error(err)
						return
					}
					if diff := cmp.Diff(string(wantDF), string(df)); diff != "" {
						t.Errorf("Dockerfile changed between renderings (-first +later):\n%s", diff)
					}
				})
			}
			wg.Wait()
		})
	}
}

// TestDeterministicAcrossProcesses compiles every case in this process and
// in a second one (this test binary, run again), which has other map seeds
// and other addresses, and requires the same digests. The golden files,
// written by an earlier process, check the same across runs.
func TestDeterministicAcrossProcesses(t *testing.T) {
	if os.Getenv("MULTISTAGE_PRINT_DIGESTS") == "1" {
		fmt.Print("DIGESTS\n" + digests(t) + "END\n")
		return
	}
	if testing.Short() {
		t.Skip("starts a second process")
	}
	want := digests(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeterministicAcrossProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MULTISTAGE_PRINT_DIGESTS=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("second process: %v\n%s", err, out)
	}
	s := string(out)
	i, j := strings.Index(s, "DIGESTS\n"), strings.Index(s, "END\n")
	if i < 0 || j < i {
		t.Fatalf("second process printed no digests:\n%s", out)
	}
	if diff := cmp.Diff(want, s[i+len("DIGESTS\n"):j]); diff != "" {
		t.Errorf("digests differ between processes (-this +second):\n%s", diff)
	}
}
