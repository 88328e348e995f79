package presets_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// TestEndToEndPythonPipenv builds the Pipfile.lock fixture offline: pip
// installs the locked version of the local wheel, checking its hash, and
// the application runs as the non-root user.
func TestEndToEndPythonPipenv(t *testing.T) {
	c := testenv.Client(t)
	d := detectOne(t, filepath.Join(projectsDir, "python-pipenv"), presets.PresetPython)
	d.Python.NoIndex = true // PyPI is unreachable: the wheels only
	rootfs, cfg := build(t, c, d.Build(), d.Context, false)
	out := testenv.RunRootfs(context.Background(), t, rootfs, cfg, nil)
	wantContains(t, "python app.py", out, "hello from the pipenv fixture, with greeting 1.0.0", "uid 65532")
}

// TestEndToEndPythonRequirements builds the fixture whose requirements.txt
// includes a file with a constraints file beside it, offline, with a
// runtime system package from Debian's mirror and a writable directory:
// the included files reach pip, the library is in the image and apt's
// lists are not, and the non-root user writes data/.
func TestEndToEndPythonRequirements(t *testing.T) {
	c := testenv.Client(t)
	d := detectOne(t, filepath.Join(projectsDir, "python-requirements"), presets.PresetPython)
	d.Python.NoIndex = true
	d.Python.WritableDirs = []string{"data"}
	d.Python.RuntimePackages = []string{"libpq5"}
	rootfs, cfg := build(t, c, d.Build(), d.Context, false)
	if _, err := os.Stat(filepath.Join(rootfs, "usr/lib/x86_64-linux-gnu/libpq.so.5")); err != nil {
		t.Errorf("RuntimePackages libpq5: %v", err)
	}
	if lists, _ := filepath.Glob(filepath.Join(rootfs, "var/lib/apt/lists/*_Packages*")); len(lists) > 0 {
		t.Errorf("apt's package lists are left in the image: %v", lists)
	}
	if _, err := os.Stat(filepath.Join(rootfs, "app/data/README")); err == nil {
		t.Error("data/ of the sources was copied into the image; WritableDirs are left out of the copy")
	}
	out := testenv.RunRootfs(context.Background(), t, rootfs, cfg, nil)
	wantContains(t, "python app.py", out, "hello from the nested requirements, with greeting 1.0.0", "uid 65532", "data/ writable")
}

// TestEndToEndPythonLockfilesOffline: the uv and Poetry builds need what
// this environment cannot reach, and fail cleanly, naming it: uv's image
// on ghcr.io, and Poetry on PyPI.
func TestEndToEndPythonLockfilesOffline(t *testing.T) {
	c := testenv.Client(t)
	for _, tc := range []struct {
		fixture, wantErr, wantLog string
	}{
		{"fastapi-uv", "ghcr.io/v2/astral-sh/uv/manifests/0.13.8", ""},
		{"poetry-app", "pip install poetry==1.8.3", "No matching distribution found for poetry==1.8.3"},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			d := detectOne(t, filepath.Join(projectsDir, tc.fixture), presets.PresetPython)
			d.Python.Version = "3.10" // the stand-in Python every test environment has
			var log bytes.Buffer
			_, err := d.Build().Solve(context.Background(), c, multistage.ContextDir(d.Context), multistage.Progress("plain", &log))
			if err == nil {
				t.Fatal("Solve succeeded offline")
			}
			wantContains(t, "the error", err.Error(), tc.wantErr)
			wantContains(t, "the build log", log.String(), tc.wantLog)
		})
	}
}
