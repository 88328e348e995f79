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

// TestExtractOverOldTree: what an earlier export left in the directory is
// replaced, never followed. A symlink there (alpine has /var/run -> /run)
// must not let the new tree write, chmod or chown anything outside.
func TestExtractOverOldTree(t *testing.T) {
	victim := t.TempDir()
	if err := os.WriteFile(filepath.Join(victim, "keep"), []byte("k"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(victim)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, l := range []string{"x", "y", "z"} {
		if err := os.Symlink(victim, filepath.Join(dir, l)); err != nil {
			t.Fatal(err)
		}
	}
	err = Extract(tarOf(t,
		&tar.Header{Name: "x/", Typeflag: tar.TypeDir, Mode: 0o700},
		&tar.Header{Name: "x/evil", Typeflag: tar.TypeReg, Mode: 0o600, Size: 1},
		&tar.Header{Name: "y/deep/evil", Typeflag: tar.TypeReg, Mode: 0o600, Size: 1},
		&tar.Header{Name: "z", Typeflag: tar.TypeReg, Mode: 0o600, Size: 1},
	), dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(victim)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "keep" {
		t.Errorf("the symlinks' target now holds %v, want only keep", entries)
	}
	if after, err := os.Stat(victim); err != nil || after.Mode() != before.Mode() {
		t.Errorf("the symlinks' target changed mode: %v -> %v (%v)", before.Mode(), after.Mode(), err)
	}
	for _, p := range []string{"x/evil", "y/deep/evil", "z"} {
		fi, err := os.Lstat(filepath.Join(dir, p))
		if err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: %v, %v; want a regular file in the directory", p, fi, err)
		}
	}
	for _, p := range []string{"x", "y"} {
		if fi, err := os.Lstat(filepath.Join(dir, p)); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v, %v; want a real directory in place of the symlink", p, fi, err)
		}
	}

	// A hard link may only name a file of the stream itself.
	if err := os.Symlink(victim, filepath.Join(dir, "w")); err != nil {
		t.Fatal(err)
	}
	err = Extract(tarOf(t, &tar.Header{Name: "stolen", Typeflag: tar.TypeLink, Linkname: "w/keep"}), dir)
	if err == nil || !strings.Contains(err.Error(), "no file of the stream") {
		t.Errorf("hard link through an old symlink: err = %v, want a refusal", err)
	}
}
