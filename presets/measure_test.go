package presets_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
	"github.com/tonistiigi/fsutil"
)

// EnvMeasure turns TestMeasure on: MULTISTAGE_MEASURE=1.
const EnvMeasure = "MULTISTAGE_MEASURE"

// measureCase is a sample app built both with its classic Dockerfile and
// with its preset.
type measureCase struct {
	name   string
	app    string
	preset func() *multistage.Build
	// file is the source file a warm rebuild edits; old is a fragment of a
	// string in it, found once, after which the edit inserts ", edit N".
	file, old string
}

func measureCases() []measureCase {
	return []measureCase{
		{"go", goApp, func() *multistage.Build { return presets.Go(goSample).Build }, "main.go", "hello from the go preset"},
		{"node-static", nodeApp, func() *multistage.Build { return presets.NodeStatic(nodeSample).Build }, "src/index.html", "served by nginx"},
		{"node-server", nodeServerApp, func() *multistage.Build { return presets.NodeServer(nodeServerSample).Build }, "server.js", "hello from the node-server preset"},
		{"python", pythonApp, func() *multistage.Build { return presets.Python(pythonSample).Build }, "app.py", "the python preset"},
		{"maven", mavenApp, func() *multistage.Build { return presets.Maven(mavenSample).Build }, "src/main/java/com/example/app/App.java", "hello from the maven preset"},
	}
}

// measurement is one build flavour of one app.
type measurement struct {
	cold time.Duration
	warm []time.Duration // one per edit
	size int64           // bytes of the OCI image tarball
}

func (m measurement) medianWarm() time.Duration {
	w := slices.Clone(m.warm)
	slices.Sort(w)
	return w[len(w)/2]
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
	if os.Getenv(EnvMeasure) != "1" {
		t.Skipf("set %s=1 to measure the presets against the classic Dockerfiles (prunes the engine's build cache)", EnvMeasure)
	}
	c := testenv.Client(t)
	only := os.Getenv("MULTISTAGE_MEASURE_ONLY")
	type row struct {
		name            string
		classic, preset measurement
	}
	var rows []row
	for _, mc := range measureCases() {
		if only != "" && !slices.Contains(strings.Split(only, ","), mc.name) {
			continue
		}
		t.Run(mc.name, func(t *testing.T) {
			r := row{name: mc.name}
			r.classic = measure(t, c, mc, func(ctx context.Context, dir, out string) error {
				return solveClassic(ctx, c, dir, out)
			})
			r.preset = measure(t, c, mc, func(ctx context.Context, dir, out string) error {
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
			secs(r.classic.cold), secs(r.classic.medianWarm()), mb(r.classic.size),
			secs(r.preset.cold), secs(r.preset.medianWarm()), mb(r.preset.size),
			r.preset.medianWarm().Seconds()/r.classic.medianWarm().Seconds(), float64(r.preset.size)/float64(r.classic.size),
			r.preset.size-r.classic.size)
	}
	tw.Flush()
	t.Logf("classic Dockerfile vs preset (warm: median of %d one-line edits):\n%s", warmEdits, b.String())
}

const warmEdits = 3

// measure builds a fresh copy of the app cold (after pruning all build
// cache), then after each of warmEdits one-line edits.
func measure(t *testing.T, c *client.Client, mc measureCase, build func(ctx context.Context, dir, out string) error) measurement {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "app")
	if err := os.CopyFS(dir, os.DirFS(mc.app)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "image.tar")
	if err := c.Prune(ctx, nil, client.PruneAll); err != nil {
		t.Fatalf("prune: %v", err)
	}
	var m measurement
	start := time.Now()
	if err := build(ctx, dir, out); err != nil {
		t.Fatalf("cold build: %v", err)
	}
	m.cold = time.Since(start)
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	m.size = fi.Size()
	src := filepath.Join(dir, filepath.FromSlash(mc.file))
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(orig), mc.old) != 1 {
		t.Fatalf("%s must contain %q exactly once", mc.file, mc.old)
	}
	for i := range warmEdits {
		edited := strings.Replace(string(orig), mc.old, fmt.Sprintf("%s, edit %d", mc.old, i+1), 1)
		if err := os.WriteFile(src, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := build(ctx, dir, out); err != nil {
			t.Fatalf("warm build %d: %v", i+1, err)
		}
		m.warm = append(m.warm, time.Since(start))
	}
	t.Logf("cold %s, warm %v, %d bytes", secs(m.cold), m.warm, m.size)
	return m
}

// solveClassic builds dir/Dockerfile.classic with BuildKit's Dockerfile
// frontend and writes the image as an OCI tarball to out.
func solveClassic(ctx context.Context, c *client.Client, dir, out string) error {
	fs, err := fsutil.NewFS(dir)
	if err != nil {
		return err
	}
	_, err = c.Solve(ctx, nil, client.SolveOpt{
		Frontend:      "dockerfile.v0",
		FrontendAttrs: map[string]string{"filename": "Dockerfile.classic"},
		LocalMounts:   map[string]fsutil.FS{"context": fs, "dockerfile": fs},
		Exports: []client.ExportEntry{{Type: client.ExporterOCI, Output: func(map[string]string) (io.WriteCloser, error) {
			return os.Create(out)
		}}},
	}, nil)
	return err
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
