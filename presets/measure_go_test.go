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

// EnvGoApps names the directory that holds real open-source Go
// applications, one directory each, named owner+repo as the fetch tool
// names them, for TestServeGoApps and TestMeasureGoApps. They are fetched
// by whoever measures, never committed.
const EnvGoApps = "MULTISTAGE_GO_APPS"

// realGoApp is a real Go application built with the preset Detect
// chooses (its first detection).
type realGoApp struct {
	name string // its directory under $MULTISTAGE_GO_APPS
	// fix sets what Detect could not know (the README's "option that
	// fixed it"); port is the port the test makes it listen on.
	fix func(d *presets.Detection, port int)
	// dockerignore, when set, replaces the application's .dockerignore in
	// a copy of it, for applications whose .dockerignore leaves out the
	// UI the preset builds.
	dockerignore *string
	path, want   string // a GET that answers 200 with want in the body
	// file contains old once: the one-line edit of the warm rebuilds.
	file, old string
}

// realGoApps are the applications of the README's Go table that build
// with the modules the Go module proxy here serves.
func realGoApps() []realGoApp {
	noUIIgnore := "/.git/\n"
	return []realGoApp{
		{name: "filebrowser+filebrowser", path: "/", want: "File Browser",
			file: "cmd/root.go", old: `"address to listen on`,
			fix: func(d *presets.Detection, port int) {
				// Go 1.25 is not among the stand-ins; 1.26 builds it.
				d.Go.Version = "1.26"
				d.Go.Port = port
				d.Go.Args = []string{"--address", "0.0.0.0", "--port", fmt.Sprint(port)}
			}},
		{name: "gotify+server", path: "/version", want: `"version"`,
			file: "app.go", old: `Msg("Gotify`,
			fix: func(d *presets.Detection, port int) {
				d.Go.Version = "1.26"
				d.Go.Port = port
				d.Go.Steps.Runtime = func(s *multistage.Stage) { s.Env("GOTIFY_SERVER_PORT", fmt.Sprint(port)) }
			}},
		{name: "usememos+memos", dockerignore: &noUIIgnore, path: "/", want: "<html",
			file: "cmd/memos/main.go", old: `"address of server`,
			fix: func(d *presets.Detection, port int) {
				d.Go.Port = port
				d.Go.WritableDirs = []string{"/var/opt/memos"}
				d.Go.Args = []string{"--port", fmt.Sprint(port)}
			}},
	}
}

// goAppDetection copies the application when it needs a changed
// .dockerignore, runs Detect on it and applies the fix.
func goAppDetection(t *testing.T, root string, a realGoApp, port int) presets.Detection {
	t.Helper()
	dir := filepath.Join(root, a.name)
	if a.dockerignore != nil {
		cp := filepath.Join(t.TempDir(), a.name)
		if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cp, ".dockerignore"), []byte(*a.dockerignore), 0o644); err != nil {
			t.Fatal(err)
		}
		dir = cp
	}
	found, err := presets.Detect(dir)
	if err != nil || len(found) == 0 || found[0].Go == nil {
		t.Fatalf("Detect: %v, %d detections", err, len(found))
	}
	d := found[0]
	t.Logf("%s: %s", d.Preset, d.Reason)
	a.fix(&d, port)
	return d
}

func onlyApps(t *testing.T, name string) {
	if only := os.Getenv("MULTISTAGE_MEASURE_ONLY"); only != "" && !slices.Contains(strings.Split(only, ","), name) {
		t.Skip("not in MULTISTAGE_MEASURE_ONLY")
	}
}

// TestServeGoApps builds real Go applications as Detect sees them (with
// the options of the README's table), with their real dependencies from
// the Go module proxy and the npm registry, starts each and asks it over
// HTTP. It runs only with MULTISTAGE_GO_APPS set, on the test engine:
//
//	MULTISTAGE_GO_APPS=/tmp/real ./test.sh ./presets -run TestServeGoApps -v -timeout 60m
func TestServeGoApps(t *testing.T) {
	root := os.Getenv(EnvGoApps)
	if root == "" {
		t.Skipf("set %s to the directory of the fetched applications", EnvGoApps)
	}
	c := testenv.Client(t)
	for _, a := range realGoApps() {
		t.Run(a.name, func(t *testing.T) {
			onlyApps(t, a.name)
			port := freePort(t)
			d := goAppDetection(t, root, a, port)
			rootfs, cfg := build(t, c, d.Build(), d.Context, false)
			ctr, stop := testenv.StartRootfs(context.Background(), t, rootfs, cfg, nil)
			defer stop()
			wantContains(t, "GET "+a.path, testenv.WaitHTTP(t, ctr, fmt.Sprintf("http://127.0.0.1:%d%s", port, a.path), 90*time.Second), a.want)
		})
	}
}

// TestMeasureGoApps builds the applications of TestServeGoApps with the
// preset and measures, as TestMeasure does for the sample apps: image
// size, cold build (after pruning all build cache), warm rebuild after a
// one-line edit (the median of e2e.DefaultEdits), beside the floor (the
// preset's runtime base plus the edited file). None of their own
// Dockerfiles builds here (they need images or downloads this machine
// cannot reach, or a binary built beforehand), so none is measured. It
// runs only with MULTISTAGE_MEASURE=1 and MULTISTAGE_GO_APPS, and PRUNES
// THE WHOLE BUILD CACHE of the engine:
//
//	MULTISTAGE_MEASURE=1 MULTISTAGE_GO_APPS=/tmp/real ./test.sh ./presets -run TestMeasureGoApps -v -timeout 120m
func TestMeasureGoApps(t *testing.T) {
	e2e.SkipUnlessMeasuring(t)
	root := os.Getenv(EnvGoApps)
	if root == "" {
		t.Skipf("set %s to the directory of the fetched applications", EnvGoApps)
	}
	c := testenv.Client(t)
	type row struct {
		app, way string
		m        e2e.Measurement
	}
	var rows []row
	for _, a := range realGoApps() {
		t.Run(a.name, func(t *testing.T) {
			onlyApps(t, a.name)
			d := goAppDetection(t, root, a, 8080)
			df, err := d.Build().Dockerfile()
			if err != nil {
				t.Fatal(err)
			}
			app := e2e.App{Dir: d.Context, File: a.file, Old: a.old}
			rows = append(rows, row{a.name, "preset", e2e.Measure(t, c, app, func(ctx context.Context, dir, out string) error {
				_, err := d.Build().Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputOCI(out))
				return err
			})})
			base := runtimeBase(string(df))
			rows = append(rows, row{a.name, "floor (" + base + ")", e2e.Measure(t, c, app, func(ctx context.Context, dir, out string) error {
				b := multistage.New()
				b.Stage("floor").From(base).Copy(a.file, "/floor/")
				_, err := b.Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputOCI(out))
				return err
			})})
		})
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "app\tbuild\tcold\twarm\timage\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.app, r.way, e2e.Secs(r.m.Cold), e2e.Secs(r.m.MedianWarm()), e2e.MB(r.m.Size))
	}
	tw.Flush()
	t.Logf("real Go applications, preset vs floor (warm: median of %d one-line edits):\n%s", e2e.DefaultEdits, b.String())
}
