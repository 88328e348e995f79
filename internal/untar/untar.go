// Package untar unpacks the root file system that BuildKit's type=tar
// exporter streams, for [multistage.OutputLocal] and the test harness.
package untar

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The root file system is exported with BuildKit's type=tar exporter and
// unpacked here, not with the type=local exporter. In BuildKit v0.34.2 the
// local exporter's client-side file sync deadlocks on trees with many files:
// exporting golang:1.22 (about 26k entries) hangs in "copying files" until the
// context is cancelled, and buildctl --output type=local does the same. The
// tar exporter sends a single stream, and the result is the same tree.

// Writer is the io.WriteCloser handed to the tar exporter: it unpacks the
// stream into a directory while it arrives. Close waits for the unpacking to
// end and returns its error.
type Writer struct {
	pw   *io.PipeWriter
	done chan error
}

// NewWriter returns a Writer that unpacks into dir, creating it.
func NewWriter(dir string) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	x := &Writer{pw: pw, done: make(chan error, 1)}
	go func() {
		err := Extract(pr, dir)
		if err != nil {
			pr.CloseWithError(err)
		} else {
			_, _ = io.Copy(io.Discard, pr) // tar padding after the end marker
		}
		x.done <- err
	}()
	return x, nil
}

// Write implements io.Writer.
func (x *Writer) Write(p []byte) (int, error) { return x.pw.Write(p) }

// Close implements io.Closer.
func (x *Writer) Close() error {
	x.pw.Close()
	return <-x.done
}

// Extract unpacks a tar stream into dir, keeping modes (setuid, setgid and
// sticky included), symlinks, hard links and modification times, and, when
// the process may (as root on Linux), owners, device nodes and xattrs.
// Paths may not escape dir.
func Extract(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	type dirMeta struct {
		path  string
		hdr   *tar.Header
		depth int
	}
	var dirs []dirMeta
	symlinks := map[string]bool{} // entries unpacked as symlinks, by cleaned name
	written := map[string]bool{}  // entries unpacked as files or symlinks, by cleaned name
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading rootfs tar: %w", err)
		}
		name := filepath.Clean("/" + h.Name)
		if name == "/" {
			continue
		}
		// An entry below a symlink unpacked earlier would be written
		// wherever the link points, outside dir: a file system cannot hold
		// both, so such a stream is refused.
		for parent := filepath.Dir(name); parent != "/"; parent = filepath.Dir(parent) {
			if symlinks[parent] {
				return fmt.Errorf("reading rootfs tar: %s is below the symlink %s", name, parent)
			}
		}
		p := filepath.Join(dir, name)
		if err := realDirs(dir, filepath.Dir(name)); err != nil {
			return err
		}
		// What is already at p and is not a directory (a symlink left by
		// an earlier export, say) is replaced, never followed, as
		// BuildKit's local exporter replaces it.
		if fi, err := os.Lstat(p); err == nil && (!fi.IsDir() || h.Typeflag != tar.TypeDir) {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
				return err
			}
			dirs = append(dirs, dirMeta{p, h, strings.Count(name, "/")})
			continue // owner, mode and times once everything below is written
		case tar.TypeReg:
			written[name] = true
			f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				return err
			}
			if _, err := io.Copy(f, tr); err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
			if err := f.Close(); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
			symlinks[name] = true
			written[name] = true
			if err := os.Lchown(p, h.Uid, h.Gid); err != nil && !isPermission(err) {
				return err
			}
			continue
		case tar.TypeLink:
			// Only to a file of this stream: a path that was already in
			// dir may lead through a symlink to a file outside it.
			linked := filepath.Clean("/" + h.Linkname)
			if !written[linked] {
				return fmt.Errorf("reading rootfs tar: hard link %s to %s, which is no file of the stream", name, linked)
			}
			written[name] = true
			if err := os.Link(filepath.Join(dir, linked), p); err != nil {
				return err
			}
			continue // shares the target's inode: metadata already set
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			if err := mknod(p, h); err != nil {
				if isPermission(err) {
					continue // device nodes need root; the rest of the tree is still useful
				}
				return fmt.Errorf("mknod %s: %w", name, err)
			}
		default:
			continue // e.g. PAX global headers
		}
		if err := setMeta(p, h); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	// directories deepest first, so that read-only parents do not block children
	sort.SliceStable(dirs, func(i, j int) bool { return dirs[i].depth > dirs[j].depth })
	for _, d := range dirs {
		if err := setMeta(d.path, d.hdr); err != nil {
			return fmt.Errorf("%s: %w", d.hdr.Name, err)
		}
	}
	return nil
}

// realDirs makes every directory of the slash-rooted path rel below dir a
// real directory: a missing one is created, and one that is a symlink or
// a file (left there before this stream) is replaced by a directory,
// so that nothing is written where a symlink points.
func realDirs(dir, rel string) error {
	p := dir
	for _, part := range strings.Split(strings.Trim(filepath.ToSlash(rel), "/"), "/") {
		if part == "" {
			continue
		}
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		switch {
		case err == nil && fi.IsDir():
			continue
		case err == nil:
			if err := os.Remove(p); err != nil {
				return err
			}
		case !errors.Is(err, os.ErrNotExist):
			return err
		}
		if err := os.Mkdir(p, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// setMeta applies owner, mode (after chown, which clears setuid bits), xattrs and times.
func setMeta(p string, h *tar.Header) error {
	if err := os.Lchown(p, h.Uid, h.Gid); err != nil && !isPermission(err) {
		return err
	}
	if err := os.Chmod(p, h.FileInfo().Mode()&(os.ModePerm|os.ModeSetuid|os.ModeSetgid|os.ModeSticky)); err != nil {
		return err
	}
	for k, v := range h.PAXRecords {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
			if err := setxattr(p, name, v); err != nil && !isPermission(err) {
				return fmt.Errorf("setxattr %s: %w", name, err)
			}
		}
	}
	mt := h.ModTime
	if mt.IsZero() {
		mt = time.Unix(0, 0)
	}
	at := h.AccessTime
	if at.IsZero() {
		at = mt
	}
	return os.Chtimes(p, at, mt)
}

// isPermission tells errors that only mean the process is not root (or the
// file system cannot hold the attribute) apart from real failures.
func isPermission(err error) bool {
	return errors.Is(err, os.ErrPermission) || errors.Is(err, errors.ErrUnsupported)
}
