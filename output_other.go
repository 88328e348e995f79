//go:build !linux

package multistage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// exchange swaps the directories a and b in three renames: for a moment b
// does not exist.
func exchange(a, b string) error { return exchangeByRename(a, b) }

// syncTree flushes every file and directory under dir to disk.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 || !d.Type().IsRegular() && !d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

func isNotEmpty(err error) bool { return errors.Is(err, syscall.ENOTEMPTY) }
