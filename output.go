package multistage

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/multistage/multistage/internal/untar"
)

// An output is a file or a directory that an exporter of one Solve writes:
// into a temporary file or directory beside the destination, which is
// renamed over the destination (a directory: swapped with it) only once
// the build succeeded, and removed otherwise. A build that fails, is
// cancelled or loses its daemon while it exports leaves the destination as
// it was, and builds that export to one path at the same time leave one
// complete output there.
//
// Solve cannot take the exporter's end of stream for success: BuildKit
// closes the writer the same way whether the stream ended or broke. Only
// the daemon's answer that the build and all its exports finished says so.
type output struct {
	option string // "OutputOCI", ...: for errors
	dest   string // as given
	dir    bool   // OutputLocal: a directory tree, unpacked from a tar stream

	mu        sync.Mutex
	tmp       string        // the temporary file or directory, once the exporter opened it
	closed    chan struct{} // closed when the exporter closed its writer
	closeErr  error
	aborted   bool
	committed bool
}

// outputTempPrefix starts the name of every temporary output, after the
// name of the destination: ".app.tar.multistage-tmp-<random>". Tests look
// for it.
const outputTempPrefix = ".multistage-tmp-"

func newOutput(option, dest string, dir bool) *output {
	return &output{option: option, dest: dest, dir: dir, closed: make(chan struct{})}
}

// target is the path the output replaces: dest, or where dest points when
// it is a symbolic link, so that the output goes where a plain write to
// dest would go.
func (o *output) target() string {
	if fi, err := os.Lstat(o.dest); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if t, err := filepath.EvalSymlinks(o.dest); err == nil {
			return t
		}
	}
	return o.dest
}

// open is the exporter's Output function: it creates the temporary file
// or directory and returns its writer.
func (o *output) open(map[string]string) (io.WriteCloser, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.aborted {
		return nil, fmt.Errorf("%s: the build was stopped", o.option)
	}
	if o.tmp != "" {
		return nil, fmt.Errorf("%s: the exporter opened %s twice", o.option, o.dest)
	}
	target := o.target()
	var mode fs.FileMode
	var keep bool
	if fi, err := os.Stat(target); err == nil {
		mode, keep = fi.Mode().Perm(), true
	}
	for range 100 {
		tmp := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+outputTempPrefix+randomHex())
		var w io.WriteCloser
		var err error
		if o.dir {
			// 0755 less the umask, as MkdirAll would make it: an
			// exported root file system must be readable by the
			// container users of a later run.
			err = os.Mkdir(tmp, 0o755)
			if err == nil {
				w, err = untar.NewWriter(tmp)
			}
		} else {
			var f *os.File
			f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
			if err == nil {
				w = &syncedFile{f}
			}
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("%s: %w", o.option, err)
		}
		if keep {
			// The new output keeps the permissions of the one it replaces,
			// as a write into the old file would have.
			if err := os.Chmod(tmp, mode); err != nil {
				w.Close()
				os.RemoveAll(tmp)
				return nil, fmt.Errorf("%s: %w", o.option, err)
			}
		}
		o.tmp = tmp
		return &outputWriter{w: w, o: o}, nil
	}
	return nil, fmt.Errorf("%s: no free temporary name beside %s", o.option, target)
}

func randomHex() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// outputWriter is the writer the exporter gets. Close flushes the data to
// disk and records that the exporter is done with it.
type outputWriter struct {
	w    io.WriteCloser
	o    *output
	once sync.Once
}

func (w *outputWriter) Write(p []byte) (int, error) { return w.w.Write(p) }

func (w *outputWriter) Close() error {
	var err error
	w.once.Do(func() {
		err = w.w.Close()
		o := w.o
		if err == nil && o.dir {
			err = syncTree(o.tmp)
		}
		o.mu.Lock()
		defer o.mu.Unlock()
		o.closeErr = err
		close(o.closed)
		if o.aborted {
			os.RemoveAll(o.tmp)
		}
	})
	return err
}

// syncedFile is a file whose Close first flushes it to disk.
type syncedFile struct{ *os.File }

func (f *syncedFile) Close() error {
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	return err
}

// exporterCloseWait is how long commit waits for the exporter to close its
// writer, which it does before the daemon answers.
const exporterCloseWait = 30 * time.Second

// commit puts the finished output in place of its destination.
func (o *output) commit() error {
	o.mu.Lock()
	tmp := o.tmp
	o.mu.Unlock()
	if tmp == "" {
		return fmt.Errorf("%s: the build finished, but the exporter wrote nothing to %s", o.option, o.dest)
	}
	select {
	case <-o.closed:
	case <-time.After(exporterCloseWait):
		o.abort()
		return fmt.Errorf("%s: the exporter did not finish writing %s", o.option, o.dest)
	}
	if o.closeErr != nil {
		o.abort()
		return fmt.Errorf("%s: writing %s: %w", o.option, o.dest, o.closeErr)
	}
	target := o.target()
	var err error
	if o.dir {
		err = swapDir(tmp, target)
	} else {
		err = os.Rename(tmp, target)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("%s: %w", o.option, err)
	}
	o.mu.Lock()
	o.committed = true
	o.mu.Unlock()
	if err := syncDir(filepath.Dir(target)); err != nil {
		return fmt.Errorf("%s: %s is in place, but: %w", o.option, o.dest, err)
	}
	return nil
}

// abort removes the temporary output. If the exporter still writes it, it
// waits for the exporter to close it, which it does once the build's
// session ends, for exporterCloseWait at most; outputWriter.Close removes
// it if it comes later.
func (o *output) abort() {
	o.mu.Lock()
	if o.aborted || o.committed {
		o.mu.Unlock()
		return
	}
	o.aborted = true
	tmp := o.tmp
	o.mu.Unlock()
	if tmp == "" {
		return
	}
	select {
	case <-o.closed:
		os.RemoveAll(tmp)
	case <-time.After(exporterCloseWait):
	}
}

// swapDir puts the directory tmp in place of dir, and removes what was
// there: atomically where the system can exchange two paths (Linux), so
// that dir always holds a whole tree.
func swapDir(tmp, dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, dir); err == nil || !errors.Is(err, fs.ErrExist) && !isNotEmpty(err) {
			return err
		}
		// Another build put a tree there meanwhile: swap with it.
	} else if err != nil {
		return err
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if err := exchange(tmp, dir); err != nil {
		return fmt.Errorf("swapping in the new tree at %s: %w", dir, err)
	}
	// tmp is the old tree now.
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("the new tree is at %s, but removing the old one: %w", dir, err)
	}
	return nil
}

// syncDir flushes a directory's entries (a rename in it) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// exchangeByRename swaps the directories a and b with three renames.
func exchangeByRename(a, b string) error {
	aside := b + outputTempPrefix + "old-" + randomHex()
	if err := os.Rename(b, aside); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(aside, b)
		return err
	}
	return os.Rename(aside, a)
}
