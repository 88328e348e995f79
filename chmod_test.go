package multistage_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
)

// TestChmod checks the spellings of Chmod: Go's mode bits and Unix's
// octal special bits give the same --chmod, which both backends apply
// alike; other bits are refused with a message in octal.
func TestChmod(t *testing.T) {
	for _, tc := range []struct {
		mode fs.FileMode
		want string
	}{
		{0o644, "--chmod=644"},
		{0o4755, "--chmod=4755"},
		{fs.ModeSetuid | 0o755, "--chmod=4755"},
		{0o7777, "--chmod=7777"},
		{fs.ModeSetgid | fs.ModeSticky | 0o700, "--chmod=3700"},
	} {
		b := multistage.New()
		b.Stage("app").From("alpine").Copy("run.sh", "/usr/local/bin/", multistage.Chmod(tc.mode))
		df, err := b.Dockerfile()
		if err != nil {
			t.Errorf("Chmod(%v): %v", tc.mode, err)
			continue
		}
		if !strings.Contains(string(df), "COPY "+tc.want+" run.sh /usr/local/bin/") {
			t.Errorf("Chmod(%#o) renders\n%s\nwant %s", uint32(tc.mode), df, tc.want)
		}
		if diff, _, err := crosscheck.Check(context.Background(), b, crosscheck.Options{}); err != nil || diff != "" {
			t.Errorf("Chmod(%#o): backends differ: %v\n%s", uint32(tc.mode), err, diff)
		}
	}

	b := multistage.New()
	b.Stage("app").From("alpine").Copy("x", "/", multistage.Chmod(fs.ModeDir|0o755))
	err := b.Validate()
	if !errors.Is(err, multistage.ErrInvalidValue) || !strings.Contains(err.Error(), "020000000755") {
		t.Errorf("Chmod(ModeDir|0755): err = %v, want ErrInvalidValue naming the mode in octal", err)
	}
}
