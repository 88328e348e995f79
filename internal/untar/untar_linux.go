package untar

import (
	"archive/tar"
	"errors"
	"syscall"
)

func mknod(p string, h *tar.Header) error {
	m := uint32(h.FileInfo().Mode().Perm())
	switch h.Typeflag {
	case tar.TypeChar:
		m |= syscall.S_IFCHR
	case tar.TypeBlock:
		m |= syscall.S_IFBLK
	default:
		m |= syscall.S_IFIFO
	}
	return syscall.Mknod(p, m, int(mkdev(h.Devmajor, h.Devminor)))
}

// mkdev encodes a Linux device number like glibc's makedev.
func mkdev(major, minor int64) uint64 {
	ma, mi := uint64(major), uint64(minor)
	return (mi & 0xff) | ((ma & 0xfff) << 8) | ((mi &^ 0xff) << 12) | ((ma &^ 0xfff) << 32)
}

func setxattr(p, name, value string) error {
	err := syscall.Setxattr(p, name, []byte(value), 0)
	if errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EPERM) {
		return errors.ErrUnsupported
	}
	return err
}
