package presets_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
	// runtime is the base image of the preset's runtime stage. The
	// floor build copies the edited file onto it and does nothing else:
	// no pipeline that rebuilds this image after the edit can be faster
	// than that, so it bounds what any preset could reach.
	runtime string
	// classicVariants are other classic Dockerfiles measured beside
	// Dockerfile.classic: each is made from it by replacing old with new.
	classicVariants []classicVariant
}

// classicVariant is a classic Dockerfile made by one textual edit of
// Dockerfile.classic.
type classicVariant struct {
	name, old, new string
}

func measureCases() []measureCase {
	return []measureCase{
		{"go", e2e.App{Dir: goApp, File: "main.go", Old: "hello from the go preset"}, func() *multistage.Build { return presets.Go(goSample).Build }, "gcr.io/distroless/static-debian12:nonroot", nil},
		{"node-static", e2e.App{Dir: nodeApp, File: "src/index.html", Old: "served by nginx"}, func() *multistage.Build { return presets.NodeStatic(nodeSample).Build }, "nginx:alpine", nil},
		{"node-server", e2e.App{Dir: nodeServerApp, File: "server.js", Old: "hello from the node-server preset"}, func() *multistage.Build { return presets.NodeServer(nodeServerSample).Build }, "node:26-slim", nil},
		{"python", e2e.App{Dir: pythonApp, File: "app.py", Old: "the python preset"}, func() *multistage.Build { return presets.Python(pythonSample).Build }, "python:3.14-slim", nil},
		{"maven", e2e.App{Dir: mavenApp, File: "src/main/java/com/example/app/App.java", Old: "hello from the maven preset"}, func() *multistage.Build { return presets.Maven(mavenSample).Build }, "eclipse-temurin:25-jre",
			// The classic Dockerfile runs the unit tests on every build,
			// as mvn package does by default; the preset skips them
			// (-DskipTests). This variant skips them too, so the table
			// shows how much of the difference is the tests.
			[]classicVariant{{"classic -DskipTests", "RUN mvn -B package", "RUN mvn -B package -DskipTests"}}},
	}
}

// TestMeasure builds every sample app with its classic Dockerfile and with
// its preset, on the real engine, and prints a table: image size (the OCI
// tarball), cold build time (after pruning all of BuildKit's cache, so
// base images are pulled again from the local registry) and warm rebuild
// time after a one-line source edit (the median of three edits). Each app
// also gets a floor row: the preset's runtime base with the edited file
// copied onto it and no build step, the least any pipeline could take to
// rebuild that image after the edit. It runs only with
// MULTISTAGE_MEASURE=1, takes several minutes, and PRUNES THE WHOLE BUILD
// CACHE of the engine:
//
//	MULTISTAGE_MEASURE=1 ./test.sh ./presets -run TestMeasure -v -timeout 30m
//
// MULTISTAGE_MEASURE_ONLY=go,python limits it to some apps.
func TestMeasure(t *testing.T) {
	e2e.SkipUnlessMeasuring(t)
	c := testenv.Client(t)
	only := os.Getenv("MULTISTAGE_MEASURE_ONLY")
	type row struct {
		app, way string
		m        e2e.Measurement
		classic  *e2e.Measurement // what the ratios are against
	}
	var rows []row
	for _, mc := range measureCases() {
		if only != "" && !slices.Contains(strings.Split(only, ","), mc.name) {
			continue
		}
		t.Run(mc.name, func(t *testing.T) {
			classic := e2e.Measure(t, c, mc.app, func(ctx context.Context, dir, out string) error {
				return e2e.SolveDockerfile(ctx, c, dir, "Dockerfile.classic", out)
			})
			add := func(way string, m e2e.Measurement) {
				rows = append(rows, row{mc.name, way, m, &classic})
			}
			add("classic", classic)
			for _, v := range mc.classicVariants {
				add(v.name, e2e.Measure(t, c, mc.app, func(ctx context.Context, dir, out string) error {
					df := filepath.Join(t.TempDir(), "Dockerfile")
					if err := writeVariant(filepath.Join(dir, "Dockerfile.classic"), df, v); err != nil {
						return err
					}
					return e2e.SolveDockerfileAt(ctx, c, dir, df, out)
				}))
			}
			add("preset", e2e.Measure(t, c, mc.app, func(ctx context.Context, dir, out string) error {
				_, err := mc.preset().Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputOCI(out))
				return err
			}))
			add("floor", e2e.Measure(t, c, mc.app, func(ctx context.Context, dir, out string) error {
				b := multistage.New()
				b.Stage("floor").From(mc.runtime).Copy(mc.app.File, "/floor/")
				_, err := b.Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputOCI(out))
				return err
			}))
		})
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "app\tbuild\tcold\twarm\timage\twarm / classic\timage / classic\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t\n", r.app, r.way,
			e2e.Secs(r.m.Cold), e2e.Secs(r.m.MedianWarm()), e2e.MB(r.m.Size),
			r.m.MedianWarm().Seconds()/r.classic.MedianWarm().Seconds(), float64(r.m.Size)/float64(r.classic.Size))
	}
	tw.Flush()
	t.Logf("classic Dockerfile vs preset (warm: median of %d one-line edits):\n%s", e2e.DefaultEdits, b.String())
}

// writeVariant writes to dst the classic Dockerfile at src with v's edit,
// which must apply exactly once.
func writeVariant(src, dst string, v classicVariant) error {
	df, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if n := strings.Count(string(df), v.old); n != 1 {
		return fmt.Errorf("%s: %q occurs %d times, want once", src, v.old, n)
	}
	return os.WriteFile(dst, []byte(strings.Replace(string(df), v.old, v.new, 1)), 0o644)
}

// TestMeasureFloorBases checks that each floor build starts from the
// base image of its preset's runtime stage, so that a preset whose
// runtime base changes cannot leave TestMeasure measuring another image.
func TestMeasureFloorBases(t *testing.T) {
	for _, mc := range measureCases() {
		df, err := mc.preset().Dockerfile()
		if err != nil {
			t.Fatalf("%s: %v", mc.name, err)
		}
		if got := runtimeBase(string(df)); got != mc.runtime {
			t.Errorf("%s: the preset's runtime stage is FROM %q, the floor's FROM %q", mc.name, got, mc.runtime)
		}
	}
}

// runtimeBase returns the image of the stage named runtime in a rendered
// Dockerfile, with the global ARG defaults substituted.
func runtimeBase(dockerfile string) string {
	args := map[string]string{}
	for line := range strings.Lines(dockerfile) {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "ARG":
			if k, v, ok := strings.Cut(f[1], "="); ok {
				args[k] = v
			}
		case len(f) >= 4 && f[0] == "FROM" && f[len(f)-2] == "AS" && f[len(f)-1] == "runtime":
			return os.Expand(f[len(f)-3], func(k string) string { return args[k] })
		}
	}
	return ""
}
