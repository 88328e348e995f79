package multistagetest

import (
	"bufio"
	"bytes"
	"context"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/multistage/multistage"
)

// ReadFile builds the image of stage s on the daemon behind c and returns
// the content of the file at path in it. It fails t when there is no such
// file. No container runs: the file is read from the built file system.
func ReadFile(t testing.TB, c *client.Client, s *multistage.Stage, path string) []byte {
	t.Helper()
	var data []byte
	inspect(t, c, s, func(ctx context.Context, built *multistage.Built) error {
		var err error
		data, err = built.Ref.ReadFile(ctx, gwclient.ReadRequest{Filename: path})
		if err != nil {
			return checkFailed("reading %s: %v", path, err)
		}
		return nil
	})
	return data
}

// HasFile builds the image of stage s on the daemon behind c and checks
// that path exists in it with mode and owner. It fails t, saying what
// differs, when it does not.
//
// mode is the whole [fs.FileMode]: the type (none for a regular file,
// [fs.ModeDir], [fs.ModeSymlink], ...), the permission bits, and
// [fs.ModeSetuid], [fs.ModeSetgid] and [fs.ModeSticky]:
//
//	multistagetest.HasFile(t, c, run, "/usr/local/bin/app", 0o755, "root:root")
//	multistagetest.HasFile(t, c, run, "/home/app", fs.ModeDir|0o750, "app:app")
//
// A symbolic link at path is checked itself, not followed. owner is
// "user", "user:group" or "" (not checked); each may be a number or a name
// that the image's /etc/passwd and /etc/group define.
func HasFile(t testing.TB, c *client.Client, s *multistage.Stage, path string, mode fs.FileMode, owner string) {
	t.Helper()
	inspect(t, c, s, func(ctx context.Context, built *multistage.Built) error {
		st, err := built.Ref.StatFile(ctx, gwclient.StatRequest{Path: path})
		if err != nil {
			return checkFailed("%s: %v", path, err)
		}
		var problems []string
		if got := fs.FileMode(st.Mode); got != mode {
			problems = append(problems, "mode "+got.String()+" ("+strconv.FormatUint(uint64(got.Perm()), 8)+"), want "+mode.String()+" ("+strconv.FormatUint(uint64(mode.Perm()), 8)+")")
		}
		if owner != "" {
			user, group, hasGroup := strings.Cut(owner, ":")
			uid, err := lookupID(ctx, built.Ref, "/etc/passwd", user)
			if err != nil {
				return checkFailed("%s: owner %q: %v", path, owner, err)
			}
			if uid != st.Uid {
				problems = append(problems, "owner uid "+strconv.FormatUint(uint64(st.Uid), 10)+", want "+strconv.FormatUint(uint64(uid), 10)+" ("+user+")")
			}
			if hasGroup {
				gid, err := lookupID(ctx, built.Ref, "/etc/group", group)
				if err != nil {
					return checkFailed("%s: owner %q: %v", path, owner, err)
				}
				if gid != st.Gid {
					problems = append(problems, "group gid "+strconv.FormatUint(uint64(st.Gid), 10)+", want "+strconv.FormatUint(uint64(gid), 10)+" ("+group+")")
				}
			}
		}
		if len(problems) > 0 {
			return checkFailed("%s: %s", path, strings.Join(problems, "; "))
		}
		return nil
	})
}

// NotRoot builds the image of stage s on the daemon behind c and checks
// that its containers do not run as root: the image's USER is set, and is
// a uid other than 0 or a name that the image's /etc/passwd gives a uid
// other than 0. It fails t when the user is root, or is a name that
// /etc/passwd does not have (the container would not start).
func NotRoot(t testing.TB, c *client.Client, s *multistage.Stage) {
	t.Helper()
	inspect(t, c, s, func(ctx context.Context, built *multistage.Built) error {
		u := built.Image.Config.User
		if u == "" {
			return checkFailed("the image runs as root: it sets no USER")
		}
		name, _, _ := strings.Cut(u, ":")
		uid, err := lookupID(ctx, built.Ref, "/etc/passwd", name)
		if err != nil {
			return checkFailed("USER %s: %v", u, err)
		}
		if uid == 0 {
			return checkFailed("the image runs as root: USER %s is uid 0", u)
		}
		return nil
	})
}

// SizeUnder builds the image of stage s on the daemon behind c, exports it
// as an OCI tarball, and checks that the tarball is at most max bytes. It
// returns the size, and fails t when it is larger. The tarball holds the
// image's compressed layers (the base image's too) with its manifest and
// config: about what a registry stores and a pull downloads.
func SizeUnder(t testing.TB, c *client.Client, s *multistage.Stage, max int64) int64 {
	t.Helper()
	tarball := filepath.Join(t.TempDir(), "image.tar")
	res := inspect(t, c, s, func(context.Context, *multistage.Built) error { return nil }, multistage.OutputOCI(tarball))
	if res == nil {
		return 0
	}
	if res.Size > max {
		t.Errorf("stage %s: the image is %d bytes (%.1f MiB), more than %d (%.1f MiB)", s.Name(), res.Size, float64(res.Size)/(1<<20), max, float64(max)/(1<<20))
	}
	return res.Size
}

// lookupID returns the id of name in the passwd or group file at path of
// ref: the number itself when name is one.
func lookupID(ctx context.Context, ref gwclient.Reference, path, name string) (uint32, error) {
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		return uint32(n), nil
	}
	data, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: path})
	if err != nil {
		return 0, checkFailed("%q is a name, and the image has no %s to look it up: %v", name, path, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		// name:password:id:...
		f := strings.Split(sc.Text(), ":")
		if len(f) >= 3 && f[0] == name {
			n, err := strconv.ParseUint(f[2], 10, 32)
			if err != nil {
				return 0, checkFailed("%s: %q has id %q", path, name, f[2])
			}
			return uint32(n), nil
		}
	}
	return 0, checkFailed("the image's %s has no %q", path, name)
}
