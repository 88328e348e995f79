package testenv

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// The root filesystem is exported with BuildKit's type=tar exporter and
// unpacked here, not with the type=local exporter. In BuildKit v0.34.2 the
// local exporter's client-side file sync deadlocks on trees with many files:
// exporting golang:1.22 (about 26k entries) hangs in "copying files" until the
// context is cancelled, and buildctl --output type=local does the same. The
// tar exporter sends a single stream, and the result is the same tree.

// tarExtractor is the io.WriteCloser handed to the tar exporter: it unpacks
// the stream into dir while it arrives. Close waits for the unpacking to end.
type tarExtractor struct {
	pw   *io.PipeWriter
	done chan error
}

func newTarExtractor(dir string) (*tarExtractor, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	x := &tarExtractor{pw: pw, done: make(chan error, 1)}
	go func() {
		err := extractTar(pr, dir)
		if err != nil {
			pr.CloseWithError(err)
		} else {
			_, _ = io.Copy(io.Discard, pr) // tar padding after the end marker
		}
		x.done <- err
	}()
	return x, nil
}

func (x *tarExtractor) Write(p []byte) (int, error) { return x.pw.Write(p) }

func (x *tarExtractor) Close() error {
	x.pw.Close()
	return <-x.done
}

// extractTar unpacks a tar stream into dir, keeping owners, modes
// (setuid/setgid/sticky included), symlinks, hard links, device nodes,
// xattrs and modification times. Paths may not escape dir.
func extractTar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	type dirMeta struct {
		path  string
		hdr   *tar.Header
		depth int
	}
	var dirs []dirMeta
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
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if h.Typeflag != tar.TypeDir {
			if fi, err := os.Lstat(p); err == nil && !fi.IsDir() {
				if err := os.Remove(p); err != nil {
					return err
				}
			}
		}
		mode := h.FileInfo().Mode()
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
				return err
			}
			dirs = append(dirs, dirMeta{p, h, strings.Count(name, "/")})
			continue // owner, mode and times once everything below is written
		case tar.TypeReg:
			f, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
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
			if err := os.Lchown(p, h.Uid, h.Gid); err != nil {
				return err
			}
			continue
		case tar.TypeLink:
			target := filepath.Join(dir, filepath.Clean("/"+h.Linkname))
			if err := os.Link(target, p); err != nil {
				return err
			}
			continue // shares the target's inode: metadata already set
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			m := uint32(mode.Perm())
			switch h.Typeflag {
			case tar.TypeChar:
				m |= syscall.S_IFCHR
			case tar.TypeBlock:
				m |= syscall.S_IFBLK
			default:
				m |= syscall.S_IFIFO
			}
			if err := syscall.Mknod(p, m, int(mkdev(h.Devmajor, h.Devminor))); err != nil {
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

// setMeta applies owner, mode (after chown, which clears setuid bits), xattrs and times.
func setMeta(p string, h *tar.Header) error {
	if err := os.Lchown(p, h.Uid, h.Gid); err != nil {
		return err
	}
	if err := os.Chmod(p, h.FileInfo().Mode()&(os.ModePerm|os.ModeSetuid|os.ModeSetgid|os.ModeSticky)); err != nil {
		return err
	}
	for k, v := range h.PAXRecords {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
			if err := syscall.Setxattr(p, name, []byte(v), 0); err != nil && !errors.Is(err, syscall.ENOTSUP) {
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

// mkdev encodes a Linux device number like glibc's makedev.
func mkdev(major, minor int64) uint64 {
	ma, mi := uint64(major), uint64(minor)
	return (mi & 0xff) | ((ma & 0xfff) << 8) | ((mi &^ 0xff) << 12) | ((ma &^ 0xfff) << 32)
}
