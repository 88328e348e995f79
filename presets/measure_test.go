package presets_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/e2e"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// measureCase is a sample app built both with its classic Dockerfile and
// with its preset.
type measureCase struct {
	name   string
	app    e2e.App
	preset func() *multistage.Build
}

func measureCases() []measureCase {
	return []measureCase{
		{"go", e2e.App{Dir: goApp, File: "main.go", Old: "hello from the go preset"}, func() *multistage.Build { return presets.Go(goSample).Build }},
		{"node-static", e2e.App{Dir: nodeApp, File: "src/index.html", Old: "served by nginx"}, func() *multistage.Build { return presets.NodeStatic(nodeSample).Build }},
		{"node-server", e2e.App{Dir: nodeServerApp, File: "server.js", Old: "hello from the node-server preset"}, func() *multistage.Build { return presets.NodeServer(nodeServerSample).Build }},
		{"python", e2e.App{Dir: pythonApp, File: "app.py", Old: "the python preset"}, func() *multistage.Build { return presets.Python(pythonSample).Build }},
		{"maven", e2e.App{Dir: mavenApp, File: "src/main/java/com/example/app/App.java", Old: "hello from the maven preset"}, func() *multistage.Build { return presets.Maven(mavenSample).Build }},
	}
}

// TestMeasure builds every sample app with its classic Dockerfile and with
// its preset, on the real engine, and prints a table: image size (the OCI
// tarball), cold build time (after pruning all of BuildKit's cache, so
// base images are pulled again from the local registry) and warm rebuild
// time after a one-line source edit (the median of three edits). It runs
// only with MULTISTAGE_MEASURE=1, takes several minutes, and PRUNES THE
// WHOLE BUILD CACHE of the engine:
//
//	MULTISTAGE_MEASURE=1 ./test.sh ./presets -run TestMeasure -v -timeout 30m
//
// MULTISTAGE_MEASURE_ONLY=go,python limits it to some apps.
func TestMeasure(t *testing.T) {
	e2e.SkipUnlessMeasuring(t)
	c := testenv.Client(t)
	only := os.Getenv("MULTISTAGE_MEASURE_ONLY")
	type row struct {
		name            string
		classic, preset e2e.Measurement
	}
	var rows []row
	for _, mc := range measureCases() {
		if only != "" && !slices.Contains(strings.Split(only, ","), mc.name) {
			continue
		}
		t.Run(mc.name, func(t *testing.T) {
			r := row{name: mc.name}
			r.classic = e2e.Measure(t, c, mc.app, func(ctx context.Context, dir, out string) error {
				return e2e.SolveDockerfile(ctx, c, dir, "Dockerfile.classic", out)
			})
			r.preset = e2e.Measure(t, c, mc.app, func(ctx context.Context, dir, out string) error {
				_, err := mc.preset().Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputOCI(out))
				return err
			})
			rows = append(rows, r)
		})
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "app\tclassic cold\tclassic warm\tclassic size\tpreset cold\tpreset warm\tpreset size\twarm ratio\tsize ratio\tsize Δ bytes\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%+d\t\n", r.name,
			e2e.Secs(r.classic.Cold), e2e.Secs(r.classic.MedianWarm()), e2e.MB(r.classic.Size),
			e2e.Secs(r.preset.Cold), e2e.Secs(r.preset.MedianWarm()), e2e.MB(r.preset.Size),
			r.preset.MedianWarm().Seconds()/r.classic.MedianWarm().Seconds(), float64(r.preset.Size)/float64(r.classic.Size),
			r.preset.Size-r.classic.Size)
	}
	tw.Flush()
	t.Logf("classic Dockerfile vs preset (warm: median of %d one-line edits):\n%s", e2e.DefaultEdits, b.String())
}
