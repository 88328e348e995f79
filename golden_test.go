package multistage_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/golden"
	"github.com/multistage/multistage/internal/llbdump"
	"github.com/multistage/multistage/internal/pipelines"
	"github.com/multistage/multistage/internal/testresolver"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

type goldenCase struct {
	name   string
	p      pipelines.Pipeline
	target string // stage name; "" for the last stage
}

func goldenCases() []goldenCase {
	var cases []goldenCase
	for _, p := range pipelines.All() {
		cases = append(cases, goldenCase{name: p.Name, p: p})
	}
	cases = append(cases,
		goldenCase{name: "go-target-builder", p: pipelines.Go(), target: "builder"},
		goldenCase{name: "kitchen-target-test", p: pipelines.Kitchen(), target: "test"},
		goldenCase{name: "kitchen-target-build", p: pipelines.Kitchen(), target: "build"},
	)
	return cases
}

// linuxAMD64 pins the platform so golden files do not depend on the
// machine that runs the tests.
var linuxAMD64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// TestGolden renders and compiles every pipeline, compares the Dockerfile,
// the LLB dump and the image config with testdata/golden/<case>.txtar, and
// checks that BuildKit's Dockerfile frontend compiles the rendered
// Dockerfile to the same LLB and config.
func TestGolden(t *testing.T) {
	ctx := context.Background()
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			if !*golden.Update {
				t.Parallel()
			}
			var opts []multistage.Option
			var target *multistage.Stage
			if c.target != "" {
				target = c.p.Stages[c.target]
				opts = append(opts, multistage.Target(target))
			}
			df, err := c.p.Build.Dockerfile(opts...)
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.p.Build.Compile(ctx, append(opts, multistage.WithMetaResolver(testresolver.New()), multistage.WithPlatform(linuxAMD64))...)
			if err != nil {
				t.Fatal(err)
			}
			dump, err := llbdump.Dump(out.Definition)
			if err != nil {
				t.Fatal(err)
			}
			img, err := json.MarshalIndent(out.DockerImage, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", c.name+".txtar"),
				"Golden output of pipeline "+c.p.Name+" (target "+out.Target+"); regenerate with go test -update.",
				[]golden.File{{Name: "Dockerfile", Data: df}, {Name: "llb.json", Data: dump}, {Name: "image.json", Data: append(img, '\n')}})

			diff, _, err := crosscheck.Check(ctx, c.p.Build, crosscheck.Options{Target: target, Resolver: testresolver.New()})
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("Compile and dockerfile2llb disagree:\n%s", diff)
			}
		})
	}
}
