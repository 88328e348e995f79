//go:build linux

package multistage_test

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
)

// The end-to-end tests of issue 19: an export that breaks off (the daemon
// killed, the context cancelled) leaves the previous output as it was and
// no temporary file, and builds to one path at the same time leave one
// whole output. The daemon that is killed is one of the test's own
// (testenv.StartDaemon), never the shared one.

// outputKind is one of the options that write files or directories.
type outputKind struct {
	name string
	ext  string // of the destination
	dir  bool
	opt  func(dest string) multistage.SolveOption
}

var outputKinds = []outputKind{
	{name: "OCI", ext: ".tar", opt: func(p string) multistage.SolveOption { return multistage.OutputOCI(p) }},
	{name: "Docker", ext: ".tar", opt: func(p string) multistage.SolveOption { return multistage.OutputDocker(p, "example.com/blob:1") }},
	{name: "Tar", ext: ".tar", opt: func(p string) multistage.SolveOption { return multistage.OutputTar(p) }},
	{name: "Local", dir: true, opt: func(p string) multistage.SolveOption { return multistage.OutputLocal(p) }},
}

// blobBuild is a build of one stage from scratch with the files blob and
// version of the context.
func blobBuild() *multistage.Build {
	b := multistage.New()
	b.Stage("blob").From("scratch").Copy("blob", "/blob").Copy("version", "/version")
	return b
}

// blobContext writes a build context for blobBuild: size bytes that do not
// compress (so exports take a while), from seed.
func blobContext(t *testing.T, size int64, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "blob"))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	if _, err := io.CopyN(f, r, size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "version"), []byte(fmt.Sprintf("seed %d size %d\n", seed, size)), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// solveBlob builds blobBuild from ctxDir to dest.
func solveBlob(ctx context.Context, c *client.Client, k outputKind, ctxDir, dest string) error {
	_, err := blobBuild().Solve(ctx, c, multistage.ContextDir(ctxDir), k.opt(dest))
	return err
}

// snapshot is what is at dest: the digest of a file, or the tree of a
// directory.
func snapshot(t *testing.T, k outputKind, dest string) any {
	t.Helper()
	if k.dir {
		tree, err := testenv.TreeDigest(dest)
		if err != nil {
			t.Fatal(err)
		}
		return tree
	}
	data, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return fmt.Sprintf("%d bytes, sha256:%s", len(data), hex.EncodeToString(sum[:]))
}

// version is the version file of the output at dest: what build wrote it.
func version(t *testing.T, k outputKind, dest string) string {
	t.Helper()
	if k.dir {
		v, err := os.ReadFile(filepath.Join(dest, "version"))
		if err != nil {
			t.Fatal(err)
		}
		return string(v)
	}
	// OCI and docker tarballs hold the version in a gzipped layer: the
	// tar of the file system holds it as it is. Either way the archive
	// must read to its end.
	f, err := os.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	v := "(no version file: an image tarball)"
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return v
		}
		if err != nil {
			t.Fatalf("%s is no whole tar file: %v", dest, err)
		}
		if strings.TrimPrefix(h.Name, "/") == "version" {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			v = string(data)
		} else if _, err := io.Copy(io.Discard, tr); err != nil {
			t.Fatalf("%s is no whole tar file: %v", dest, err)
		}
	}
}

// temporaries lists the temporary outputs in dir.
func temporaries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".multistage-tmp-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// waitExporting waits until the export to dest has written at least 64 KiB
// of a temporary output beside it, and fails if the build ends first.
func waitExporting(t *testing.T, k outputKind, dest string, done <-chan error) {
	t.Helper()
	deadline := time.After(5 * time.Minute)
	for {
		for _, name := range temporaries(t, filepath.Dir(dest)) {
			p := filepath.Join(filepath.Dir(dest), name)
			if k.dir {
				p = filepath.Join(p, "blob")
			}
			if fi, err := os.Stat(p); err == nil && fi.Size() >= 64<<10 {
				return
			}
		}
		select {
		case err := <-done:
			t.Fatalf("the build ended (%v) before its export was seen writing: the blob is too small for this machine", err)
		case <-deadline:
			t.Fatal("no export seen in 5 minutes")
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// checkIntact checks that an export that broke off left dest as before and
// no temporary output.
func checkIntact(t *testing.T, k outputKind, dest string, before any) {
	t.Helper()
	if diff := cmp.Diff(before, snapshot(t, k, dest)); diff != "" {
		t.Errorf("the previous output changed (-before +after):\n%s", diff)
	}
	if tmp := temporaries(t, filepath.Dir(dest)); len(tmp) > 0 {
		t.Errorf("temporary outputs left beside %s: %q", dest, tmp)
	}
}

// largeBlob is the size of the blob whose export is broken off: large
// enough that the export is seen under way, on a busy machine too.
const largeBlob = 96 << 20

// breakExport builds the blob of the context large to dest, where a small
// build already wrote an output, breaks the export off with stop once it
// is under way, and checks that the previous output is intact; then that
// a build that succeeds replaces it. It returns the broken build's error.
func breakExport(t *testing.T, c *client.Client, k outputKind, large string, ctx context.Context, stop func()) error {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "out"+k.ext)
	small := blobContext(t, 4<<10, 1)
	if err := solveBlob(context.Background(), c, k, small, dest); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, k, dest)
	done := make(chan error, 1)
	go func() { done <- solveBlob(ctx, c, k, large, dest) }()
	waitExporting(t, k, dest, done)
	stop()
	err := <-done
	if err == nil {
		t.Fatal("the build succeeded although its export was broken off")
	}
	checkIntact(t, k, dest, before)

	// A build that succeeds then replaces it.
	shared := testenv.Client(t)
	if err := solveBlob(context.Background(), shared, k, large, dest); err != nil {
		t.Fatal(err)
	}
	if k.name == "Tar" || k.dir {
		if got, want := version(t, k, dest), fmt.Sprintf("seed 2 size %d\n", largeBlob); got != want {
			t.Errorf("after a successful build the output is of %q, want %q", got, want)
		}
	} else {
		version(t, k, dest) // a whole tarball
		if snapshot(t, k, dest) == before {
			t.Error("a successful build left the previous output")
		}
	}
	if tmp := temporaries(t, filepath.Dir(dest)); len(tmp) > 0 {
		t.Errorf("temporary outputs left after a successful build: %q", tmp)
	}
	return err
}

// TestOutputDaemonKilled kills the daemon while it exports: every output
// kind keeps the previous output, byte for byte, and leaves no temporary
// file.
func TestOutputDaemonKilled(t *testing.T) {
	large := blobContext(t, largeBlob, 2)
	for _, k := range outputKinds {
		t.Run(k.name, func(t *testing.T) {
			d := testenv.StartDaemon(t)
			err := breakExport(t, d.Client, k, large, context.Background(), func() { d.Kill(t) })
			t.Logf("Solve with the daemon killed: %v", err)
		})
	}
}

// TestOutputCancelled cancels the build's context while it exports, on the
// shared daemon.
func TestOutputCancelled(t *testing.T) {
	c := testenv.Client(t)
	large := blobContext(t, largeBlob, 2)
	for _, k := range outputKinds {
		t.Run(k.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err := breakExport(t, c, k, large, ctx, cancel)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Solve cancelled during the export = %v, want an error wrapping context.Canceled", err)
			}
		})
	}
}

// TestOutputConcurrent runs two builds of different contents to one path
// at once, several times: the output is always one of the two, whole.
func TestOutputConcurrent(t *testing.T) {
	c := testenv.Client(t)
	a, b := blobContext(t, 8<<20, 3), blobContext(t, 8<<20, 4)
	want := map[string]bool{"seed 3 size 8388608\n": true, "seed 4 size 8388608\n": true}
	for _, k := range outputKinds {
		t.Run(k.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "out"+k.ext)
			for range 3 {
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for i, ctxDir := range []string{a, b} {
					wg.Go(func() { errs[i] = solveBlob(context.Background(), c, k, ctxDir, dest) })
				}
				wg.Wait()
				if err := errors.Join(errs...); err != nil {
					t.Fatal(err)
				}
				got := version(t, k, dest)
				if (k.name == "Tar" || k.dir) && !want[got] {
					t.Errorf("the output is of %q, want one of the two builds", got)
				}
				if k.dir {
					tree, err := testenv.TreeDigest(dest)
					if err != nil {
						t.Fatal(err)
					}
					if len(tree) != 2 {
						t.Errorf("the output holds %d files, want blob and version of one build: %v", len(tree), tree)
					}
				}
				if tmp := temporaries(t, filepath.Dir(dest)); len(tmp) > 0 {
					t.Errorf("temporary outputs left: %q", tmp)
				}
			}
		})
	}
}
