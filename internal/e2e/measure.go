package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/fsutil"
)

// EnvMeasure turns the measuring tests on: MULTISTAGE_MEASURE=1. They
// prune the engine's whole build cache, so they are off by default.
const EnvMeasure = "MULTISTAGE_MEASURE"

// SkipUnlessMeasuring skips t unless MULTISTAGE_MEASURE=1.
func SkipUnlessMeasuring(t *testing.T) {
	t.Helper()
	if os.Getenv(EnvMeasure) != "1" {
		t.Skipf("set %s=1 to measure (prunes the engine's whole build cache)", EnvMeasure)
	}
}

// App is a sample application to measure, and the edit a warm rebuild
// makes: File (slash-separated, relative to Dir) contains Old exactly
// once, and each edit inserts ", edit N" after it.
type App struct {
	Dir, File, Old string
	// Edits is the number of warm rebuilds, each after an edit; 0 means
	// DefaultEdits.
	Edits int
}

// Measurement is how one way of building one app performed.
type Measurement struct {
	Cold time.Duration   // after pruning all build cache
	Warm []time.Duration // one per one-line edit
	Size int64           // bytes of the OCI image tarball
}

// MedianWarm is the median warm rebuild time.
func (m Measurement) MedianWarm() time.Duration {
	w := slices.Clone(m.Warm)
	slices.Sort(w)
	return w[len(w)/2]
}

// DefaultEdits is the number of warm rebuilds a measurement makes by
// default.
const DefaultEdits = 3

// BuildFunc builds the app in dir and writes its image as an OCI tarball
// to out.
type BuildFunc func(ctx context.Context, dir, out string) error

// Measure builds a fresh copy of app cold, after pruning all of the
// engine's build cache (so base images are pulled again from the local
// registry), then after each of app.Edits one-line edits.
func Measure(t *testing.T, c *client.Client, app App, build BuildFunc) Measurement {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "app")
	if err := os.CopyFS(dir, os.DirFS(app.Dir)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "image.tar")
	if err := c.Prune(ctx, nil, client.PruneAll); err != nil {
		t.Fatalf("prune: %v", err)
	}
	var m Measurement
	start := time.Now()
	if err := build(ctx, dir, out); err != nil {
		t.Fatalf("cold build: %v", err)
	}
	m.Cold = time.Since(start)
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	m.Size = fi.Size()
	src := filepath.Join(dir, filepath.FromSlash(app.File))
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(orig), app.Old) != 1 {
		t.Fatalf("%s must contain %q exactly once", app.File, app.Old)
	}
	edits := app.Edits
	if edits == 0 {
		edits = DefaultEdits
	}
	for i := range edits {
		edited := strings.Replace(string(orig), app.Old, fmt.Sprintf("%s, edit %d", app.Old, i+1), 1)
		if err := os.WriteFile(src, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := build(ctx, dir, out); err != nil {
			t.Fatalf("warm build %d: %v", i+1, err)
		}
		m.Warm = append(m.Warm, time.Since(start))
	}
	t.Logf("cold %s, warm %v, %d bytes", Secs(m.Cold), m.Warm, m.Size)
	return m
}

// SolveDockerfile builds the Dockerfile at dir/filename with BuildKit's
// Dockerfile frontend, dir as the context, and writes the image as an OCI
// tarball to out.
func SolveDockerfile(ctx context.Context, c *client.Client, dir, filename, out string) error {
	return SolveDockerfileAt(ctx, c, dir, filepath.Join(dir, filename), out)
}

// SolveDockerfileAt is SolveDockerfile for a Dockerfile at any path.
func SolveDockerfileAt(ctx context.Context, c *client.Client, dir, dockerfile, out string) error {
	ctxFS, err := fsutil.NewFS(dir)
	if err != nil {
		return err
	}
	dfFS, err := fsutil.NewFS(filepath.Dir(dockerfile))
	if err != nil {
		return err
	}
	_, err = c.Solve(ctx, nil, client.SolveOpt{
		Frontend:      "dockerfile.v0",
		FrontendAttrs: map[string]string{"filename": filepath.Base(dockerfile)},
		LocalMounts:   map[string]fsutil.FS{"context": ctxFS, "dockerfile": dfFS},
		Exports: []client.ExportEntry{{Type: client.ExporterOCI, Output: func(map[string]string) (io.WriteCloser, error) {
			return os.Create(out)
		}}},
	}, nil)
	return err
}

// Secs formats d in seconds, for tables.
func Secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// MB formats a size in megabytes, for tables.
func MB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
