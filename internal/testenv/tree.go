package testenv

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/google/go-cmp/cmp"
)

// Entry describes one file of an exported root filesystem, without times.
type Entry struct {
	Path   string      // slash-separated, relative to the root ("etc/passwd")
	Mode   fs.FileMode // type bits, permissions, setuid/setgid/sticky
	UID    int
	GID    int
	Size   int64  // regular files only (0 otherwise)
	SHA256 string // regular files only (hex)
	Link   string // symlink target
}

func (e Entry) String() string {
	s := fmt.Sprintf("%s %v %d:%d", e.Path, e.Mode, e.UID, e.GID)
	switch {
	case e.Mode.IsRegular():
		s += fmt.Sprintf(" %d sha256:%.12s", e.Size, e.SHA256)
	case e.Mode&fs.ModeSymlink != 0:
		s += " -> " + e.Link
	}
	return s
}

// TreeDigest lists every file under root (root itself excluded), sorted by
// path, with mode, owner, size, content hash and symlink target, but no
// times, so that two exports of the same content compare equal.
func TreeDigest(root string) ([]Entry, error) {
	var out []Entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		info, err := d.Info() // lstat
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		e := Entry{Path: filepath.ToSlash(rel), Mode: info.Mode()}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			e.UID, e.GID = int(st.Uid), int(st.Gid)
		}
		switch {
		case info.Mode().IsRegular():
			e.Size = info.Size()
			h, err := hashFile(p)
			if err != nil {
				return err
			}
			e.SHA256 = h
		case info.Mode()&fs.ModeSymlink != 0:
			if e.Link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// DiffTrees returns a human-readable diff of two TreeDigest results ("" when equal).
func DiffTrees(want, got []Entry) string {
	return cmp.Diff(want, got)
}

// FilterTree returns the entries whose path is not matched by any of the
// patterns (path.Match syntax on the slash path, or a "dir/" prefix), e.g.
// to ignore files a RUN step regenerates ("var/cache/", "etc/ld.so.cache").
func FilterTree(entries []Entry, ignore ...string) []Entry {
	var out []Entry
next:
	for _, e := range entries {
		for _, pat := range ignore {
			if pat != "" && pat[len(pat)-1] == '/' {
				if e.Path+"/" == pat || len(e.Path) > len(pat) && e.Path[:len(pat)] == pat {
					continue next
				}
				continue
			}
			if ok, _ := filepath.Match(pat, e.Path); ok {
				continue next
			}
		}
		out = append(out, e)
	}
	return out
}
