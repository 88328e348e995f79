package untar

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tarOf(t *testing.T, entries ...*tar.Header) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write(bytes.Repeat([]byte("x"), int(h.Size))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// TestExtract unpacks files, directories, symlinks and hard links with
// their modes, and keeps every path inside the target directory.
func TestExtract(t *testing.T) {
	dir := t.TempDir()
	err := Extract(tarOf(t,
		&tar.Header{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755},
		&tar.Header{Name: "bin/app", Typeflag: tar.TypeReg, Mode: 0o4755, Size: 3},
		&tar.Header{Name: "bin/link", Typeflag: tar.TypeSymlink, Linkname: "app"},
		&tar.Header{Name: "bin/hard", Typeflag: tar.TypeLink, Linkname: "bin/app"},
		&tar.Header{Name: "../../escape", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
	), dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "bin", "app"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSetuid == 0 || fi.Mode().Perm() != 0o755 || fi.Size() != 3 {
		t.Errorf("bin/app: mode %v, size %d", fi.Mode(), fi.Size())
	}
	if l, err := os.Readlink(filepath.Join(dir, "bin", "link")); err != nil || l != "app" {
		t.Errorf("bin/link -> %q, %v", l, err)
	}
	hard, err := os.Stat(filepath.Join(dir, "bin", "hard"))
	if err != nil || !os.SameFile(fi, hard) {
		t.Errorf("bin/hard is not a hard link of bin/app: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "escape")); err != nil {
		t.Errorf("../../escape was not kept inside the directory: %v", err)
	}
}

// TestExtractRefusesEntriesBelowSymlinks: an entry below a symlink would
// be written where the link points.
func TestExtractRefusesEntriesBelowSymlinks(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	err := Extract(tarOf(t,
		&tar.Header{Name: "etc", Typeflag: tar.TypeSymlink, Linkname: outside},
		&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
	), dir)
	if err == nil || !strings.Contains(err.Error(), "below the symlink") {
		t.Errorf("err = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "passwd")); err == nil {
		t.Error("a file was written outside the directory")
	}
}
