package multistage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/e2e"
	"github.com/multistage/multistage/internal/pipelines"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// TestMeasureRoutes builds each pipeline whose toolchain exists offline by
// both routes, the compiled LLB (Solve) and the rendered Dockerfile
// (BuildKit's frontend), and prints a table of cold build time, warm
// rebuild time after a one-line edit and image size. The
// two routes solve the same LLB, so they should be equal within noise. It
// runs only with MULTISTAGE_MEASURE=1 and prunes the engine's whole cache:
//
//	MULTISTAGE_MEASURE=1 ./test.sh -run TestMeasureRoutes -v .
func TestMeasureRoutes(t *testing.T) {
	e2e.SkipUnlessMeasuring(t)
	c := testenv.Client(t)
	cases := []struct {
		name string
		b    *multistage.Build
		app  e2e.App
	}{
		{"go (classic)", pipelines.Go().Build, e2e.App{Dir: "testdata/apps/go", File: "main.go", Old: "hello from go", Edits: 1}},
		{"node-nginx (classic)", pipelines.NodeNginx().Build, e2e.App{Dir: "testdata/apps/node-nginx", File: "src/index.html", Old: "Hello from node-nginx", Edits: 1}},
		{"python (preset)", presets.Python(presets.PythonOptions{FindLinks: "wheels", NoIndex: true}).Build, e2e.App{Dir: "examples/python/app", File: "app.py", Old: "the python preset", Edits: 1}},
		{"maven (preset)", presets.Maven(presets.MavenOptions{}).Build, e2e.App{Dir: "examples/maven/app", File: "src/main/java/com/example/app/App.java", Old: "hello from the maven preset", Edits: 1}},
	}
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pipeline\tLLB cold\tLLB warm\tLLB size\tDockerfile cold\tDockerfile warm\tDockerfile size\t")
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			df, err := tc.b.Dockerfile()
			if err != nil {
				t.Fatal(err)
			}
			llb := func() e2e.Measurement {
				return e2e.Measure(t, c, tc.app, func(ctx context.Context, dir, out string) error {
					_, err := tc.b.Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputOCI(out))
					return err
				})
			}
			dockerfile := func() e2e.Measurement {
				return e2e.Measure(t, c, tc.app, func(ctx context.Context, dir, out string) error {
					// Outside the context, so that it is not part of it.
					name := filepath.Join(filepath.Dir(dir), "multistage.Dockerfile")
					if err := os.WriteFile(name, df, 0o644); err != nil {
						return err
					}
					return e2e.SolveDockerfileAt(ctx, c, dir, name, out)
				})
			}
			// Which route goes first alternates from case to case, so that
			// what a prune leaves behind favours neither.
			var llbRoute, dfRoute e2e.Measurement
			if i%2 == 0 {
				llbRoute, dfRoute = llb(), dockerfile()
			} else {
				dfRoute, llbRoute = dockerfile(), llb()
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", tc.name,
				e2e.Secs(llbRoute.Cold), e2e.Secs(llbRoute.MedianWarm()), e2e.MB(llbRoute.Size),
				e2e.Secs(dfRoute.Cold), e2e.Secs(dfRoute.MedianWarm()), e2e.MB(dfRoute.Size))
		})
	}
	tw.Flush()
	t.Logf("LLB route vs Dockerfile route (warm: after %d one-line edit):\n%s", 1, table.String())
}
