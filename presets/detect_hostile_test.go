package presets_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/multistage/multistage/presets"
)

// detectWithin runs Detect on dir and fails the test if it panics or does
// not return within a few seconds (a named pipe, /dev/zero).
func detectWithin(t *testing.T, dir string) ([]presets.Detection, error) {
	t.Helper()
	type result struct {
		ds  []presets.Detection
		err error
	}
	done := make(chan result, 1)
	go func() {
		ds, err := presets.Detect(dir)
		done <- result{ds, err}
	}()
	select {
	case r := <-done:
		return r.ds, r.err
	case <-time.After(20 * time.Second):
		t.Fatalf("Detect(%s) did not return", dir)
		return nil, nil
	}
}

// TestDetectHostileFiles gives Detect Python and Maven manifests that are
// not files it can read (a named pipe, a device, a symbolic link out of
// the project or in a loop, a file larger than any manifest): each is an
// error that names the file, or no detection, never a hang.
func TestDetectHostileFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("named pipes and /dev/zero")
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantErr error // nil: no error and no detection
	}{{
		name: "fifo-requirements",
		setup: func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "requirements.txt"), 0o644); err != nil {
				t.Skip(err)
			}
		},
		wantErr: fs.ErrInvalid,
	}, {
		name: "fifo-pom",
		setup: func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "pom.xml"), 0o644); err != nil {
				t.Skip(err)
			}
		},
		wantErr: fs.ErrInvalid,
	}, {
		name: "fifo-python-version",
		setup: func(t *testing.T, dir string) {
			write(t, dir, "requirements.txt", "flask\n")
			if err := syscall.Mkfifo(filepath.Join(dir, ".python-version"), 0o644); err != nil {
				t.Skip(err)
			}
		},
	}, {
		name: "dev-zero-pyproject",
		setup: func(t *testing.T, dir string) {
			symlink(t, "/dev/zero", filepath.Join(dir, "pyproject.toml"))
		},
		wantErr: errAny,
	}, {
		name: "dev-zero-java-version",
		setup: func(t *testing.T, dir string) {
			write(t, dir, "pom.xml", "<project><artifactId>a</artifactId><version>1</version></project>")
			symlink(t, "/dev/zero", filepath.Join(dir, ".java-version"))
			if err := os.Mkdir(filepath.Join(dir, "src"), 0o755); err != nil {
				t.Fatal(err)
			}
			symlink(t, "/dev/zero", filepath.Join(dir, ".sdkmanrc"))
		},
	}, {
		name: "requirements-out-of-the-project",
		setup: func(t *testing.T, dir string) {
			outside := filepath.Join(t.TempDir(), "requirements.txt")
			write(t, filepath.Dir(outside), "requirements.txt", "flask\n")
			symlink(t, outside, filepath.Join(dir, "requirements.txt"))
		},
		wantErr: errAny,
	}, {
		name: "symlink-loop",
		setup: func(t *testing.T, dir string) {
			symlink(t, "b", filepath.Join(dir, "requirements.txt"))
			symlink(t, "requirements.txt", filepath.Join(dir, "b"))
		},
	}, {
		name: "huge-pyproject",
		setup: func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, "pyproject.toml"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(1 << 30); err != nil { // sparse
				t.Skip(err)
			}
		},
		wantErr: fs.ErrInvalid,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			ds, err := detectWithin(t, dir)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Detect: %v, want no error", err)
				}
				return
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) {
				t.Fatalf("Detect = %+v, %v; want an *fs.PathError", ds, err)
			}
			if tt.wantErr != errAny && !errors.Is(err, tt.wantErr) {
				t.Errorf("Detect: %v; want an error that is %v", err, tt.wantErr)
			}
		})
	}
}

// TestDetectHostileRequirements checks requirements files that include
// themselves, absolute paths and files outside the project: Detect copies
// only the project's files and says why pip will fail.
func TestDetectHostileRequirements(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"requirements.txt": "-r a.txt\r\n-r /etc/passwd\r\n-c ../../constraints.txt\r\nflask\r\n",
		"a.txt":            "-r requirements.txt\n-r a.txt\ngunicorn\n",
	})
	ds, err := detectWithin(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Python == nil {
		t.Fatalf("Detect = %+v, want one Python detection", ds)
	}
	if got, want := ds[0].Python.InstallFiles, []string{"a.txt"}; !slices.Equal(got, want) {
		t.Errorf("InstallFiles = %q, want %q", got, want)
	}
	for _, w := range []string{"/etc/passwd, an absolute path", "../../constraints.txt, outside the project"} {
		if !strings.Contains(ds[0].Reason, w) {
			t.Errorf("reason %q does not say %q", ds[0].Reason, w)
		}
	}
}

// errAny is a wantErr that any *fs.PathError satisfies.
var errAny = errors.New("any")

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
}
