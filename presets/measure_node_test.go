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
	"time"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/e2e"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// EnvNodeApps names the directory that holds real open-source Node.js
// applications, one directory each, for TestMeasureNodeApps. They are
// fetched by whoever measures, never committed.
const EnvNodeApps = "MULTISTAGE_NODE_APPS"

// realNodeApp is a real application measured by TestMeasureNodeApps.
type realNodeApp struct {
	name string // its directory under $MULTISTAGE_NODE_APPS
	dir  string // where Detect runs, relative to it ("." for the root)
	// file contains old once: the one-line edit of the warm rebuilds,
	// relative to the build context.
	file, old string
	// dockerfile is the application's own Dockerfile, relative to the
	// build context, measured beside the preset; "" when it has none.
	dockerfile string
	// edits make the app's own Dockerfile build on the test machines,
	// each applied once; the README says why.
	edits []classicVariant
	// fix sets the options Detect could not know, if any.
	fix func(d *presets.Detection)
}

// realNodeApps are the applications of the README's table that have a
// Dockerfile of their own, so that the preset can be compared with it.
var realNodeApps = []realNodeApp{
	// node:alpine is Node.js 26 now, whose images have no Yarn: the
	// Dockerfile fails as it is, everywhere; it was written for an image
	// that had Yarn 1.
	{name: "node-express-boilerplate", dir: ".", file: "src/app.js", old: "// set security HTTP headers", dockerfile: "Dockerfile",
		edits: []classicVariant{{"Node.js 24, which has Yarn 1", "FROM node:alpine", "FROM node:24-alpine"}}},
	// The test machines have node:24-alpine (a Debian stand-in, with
	// bash) but not its patch tags, and no Alpine package mirror.
	{name: "nestjs-boilerplate", dir: ".", file: "src/main.ts", old: "// ResolvePromisesInterceptor is used to resolve promises in responses", dockerfile: "Dockerfile",
		edits: []classicVariant{{"node:24-alpine", "FROM node:24.14.1-alpine", "FROM node:24-alpine"}, {"no apk", "RUN apk add --no-cache bash\n", ""}}},
}

// TestMeasureNodeApps builds real Node.js applications with their own
// Dockerfile and with the preset Detect chooses, on the real engine, with
// their real dependencies from the npm registry, and prints, as
// TestMeasure does for the sample apps: image size, cold build (after
// pruning all build cache), warm rebuild after a one-line source edit (the
// median of e2e.DefaultEdits), and the floor (the preset's runtime base
// plus the edited file, no build step). It runs only with
// MULTISTAGE_MEASURE=1 and MULTISTAGE_NODE_APPS set to the directory of
// the fetched applications, and PRUNES THE WHOLE BUILD CACHE of the
// engine:
//
//	MULTISTAGE_MEASURE=1 MULTISTAGE_NODE_APPS=/work/realapps ./test.sh ./presets -run TestMeasureNodeApps -v -timeout 60m
//
// MULTISTAGE_MEASURE_ONLY=nestjs-boilerplate limits it to some apps.
func TestMeasureNodeApps(t *testing.T) {
	e2e.SkipUnlessMeasuring(t)
	root := os.Getenv(EnvNodeApps)
	if root == "" {
		t.Skipf("set %s to the directory of the fetched applications", EnvNodeApps)
	}
	c := testenv.Client(t)
	only := os.Getenv("MULTISTAGE_MEASURE_ONLY")
	type row struct {
		app, way   string
		m, classic e2e.Measurement
	}
	var rows []row
	for _, ra := range realNodeApps {
		if only != "" && !slices.Contains(strings.Split(only, ","), ra.name) {
			continue
		}
		t.Run(ra.name, func(t *testing.T) {
			found, err := presets.Detect(filepath.Join(root, ra.name, ra.dir))
			if err != nil || len(found) == 0 {
				t.Fatalf("Detect: %v, %d detections", err, len(found))
			}
			d := found[0]
			if ra.fix != nil {
				ra.fix(&d)
			}
			t.Logf("%s: %s", d.Preset, d.Reason)
			df, err := d.Build().Dockerfile()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("Dockerfile of the preset:\n%s", df)
			app := e2e.App{Dir: d.Context, File: ra.file, Old: ra.old}
			var classic e2e.Measurement
			if ra.dockerfile != "" {
				own := filepath.Join(d.Context, ra.dockerfile)
				if len(ra.edits) > 0 {
					data, err := os.ReadFile(own)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range ra.edits {
						if n := strings.Count(string(data), e.old); n != 1 {
							t.Fatalf("%s: %q occurs %d times, want once", own, e.old, n)
						}
						data = []byte(strings.Replace(string(data), e.old, e.new, 1))
					}
					own = filepath.Join(t.TempDir(), "Dockerfile")
					if err := os.WriteFile(own, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				classic = e2e.Measure(t, c, app, func(ctx context.Context, dir, out string) error {
					return e2e.SolveDockerfileAt(ctx, c, dir, own, out)
				})
				rows = append(rows, row{ra.name, "own Dockerfile", classic, classic})
			}
			preset := e2e.Measure(t, c, app, func(ctx context.Context, dir, out string) error {
				_, err := d.Build().Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputOCI(out))
				return err
			})
			if ra.dockerfile == "" {
				classic = preset
			}
			rows = append(rows, row{ra.name, "preset", preset, classic})
			base := runtimeBase(string(df))
			floor := e2e.Measure(t, c, app, func(ctx context.Context, dir, out string) error {
				b := multistage.New()
				b.Stage("floor").From(base).Copy(ra.file, "/floor/")
				_, err := b.Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputOCI(out))
				return err
			})
			rows = append(rows, row{ra.name, "floor (" + base + ")", floor, classic})
		})
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "app\tbuild\tcold\twarm\timage\twarm / own\timage / own\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t\n", r.app, r.way,
			e2e.Secs(r.m.Cold), e2e.Secs(r.m.MedianWarm()), e2e.MB(r.m.Size),
			r.m.MedianWarm().Seconds()/r.classic.MedianWarm().Seconds(), float64(r.m.Size)/float64(r.classic.Size))
	}
	tw.Flush()
	t.Logf("real Node.js applications, own Dockerfile vs preset (warm: median of %d one-line edits):\n%s", e2e.DefaultEdits, b.String())
}

// TestServeNodeApps builds real Node.js applications that need no
// database as Detect sees them, starts each and asks it for / over HTTP:
// the preset's image runs them. It runs only with MULTISTAGE_NODE_APPS set
// (see TestMeasureNodeApps), on the test engine.
func TestServeNodeApps(t *testing.T) {
	root := os.Getenv(EnvNodeApps)
	if root == "" {
		t.Skipf("set %s to the directory of the fetched applications", EnvNodeApps)
	}
	c := testenv.Client(t)
	for _, a := range []struct{ name, dir, want string }{
		// The others of the README's table need a database, or fetch
		// fonts or data at build from hosts these machines cannot reach.
		{"vue3-realworld-example-app", ".", "<div id=\"app\">"},
	} {
		t.Run(a.name, func(t *testing.T) {
			if only := os.Getenv("MULTISTAGE_MEASURE_ONLY"); only != "" && !slices.Contains(strings.Split(only, ","), a.name) {
				t.Skip("not in MULTISTAGE_MEASURE_ONLY")
			}
			found, err := presets.Detect(filepath.Join(root, a.name, a.dir))
			if err != nil || len(found) == 0 {
				t.Fatalf("Detect: %v, %d detections", err, len(found))
			}
			d := found[0]
			port := freePort(t)
			switch {
			case d.NodeServer != nil:
				d.NodeServer.Port = port
			case d.NodeStatic != nil:
				d.NodeStatic.Port = port
			}
			rootfs, cfg := build(t, c, d.Build(), d.Context, false)
			ctr, stop := testenv.StartRootfs(context.Background(), t, rootfs, cfg, nil)
			defer stop()
			wantContains(t, "GET /", testenv.WaitHTTP(t, ctr, fmt.Sprintf("http://127.0.0.1:%d/", port), 90*time.Second), a.want)
		})
	}
}
