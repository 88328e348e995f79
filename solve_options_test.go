package multistage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
)

// TestSolveRefusesBadOptions: Solve refuses options it can know are bad
// before it sends anything to the daemon (the client here has no daemon
// behind it), and closes a StatusChannel also then.
func TestSolveRefusesBadOptions(t *testing.T) {
	c, err := client.New(context.Background(), "unix://"+filepath.Join(t.TempDir(), "no-daemon.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b := multistage.New()
	b.Stage("s").From("alpine:3.20").Run("true")
	const digest = "sha256:0123456789012345678901234567890123456789012345678901234567890123"
	for _, tc := range []struct {
		reason string
		opt    multistage.SolveOption
	}{
		{"OutputOCI without a path", multistage.OutputOCI("")},
		{"OutputOCI in a missing directory", multistage.OutputOCI(filepath.Join(dir, "missing", "x.tar"))},
		{"OutputOCI onto a directory", multistage.OutputOCI(dir)},
		{"OutputTar in a missing directory", multistage.OutputTar(filepath.Join(dir, "missing", "x.tar"))},
		{"OutputDocker without a name", multistage.OutputDocker(filepath.Join(dir, "x.tar"), "")},
		{"OutputDocker with an invalid name", multistage.OutputDocker(filepath.Join(dir, "x.tar"), "Bad Name:::")},
		{"OutputLocal without a directory", multistage.OutputLocal("")},
		{"OutputLocal onto a file", multistage.OutputLocal(file)},
		{"Push without a name", multistage.Push("")},
		{"Push with an invalid name", multistage.Push("UPPER CASE!!")},
		// a digest names no tag: refused before the build, not by the
		// exporter or the engine after it
		{"Push with a digest", multistage.Push("registry.example.com/app@" + digest)},
		{"Load with an invalid name", multistage.Load("App:dev")},
		{"Load with a digest", multistage.Load("app@" + digest)},
		{"Load with a tag and a digest", multistage.Load("app:v1@" + digest)},
		{"OutputDocker with a digest", multistage.OutputDocker(filepath.Join(dir, "x.tar"), "app@"+digest)},
		{"ExportCache of an unknown type", multistage.ExportCache("bogus", nil)},
		{"ImportCache of inline cache", multistage.ImportCache("inline", nil)},
		{"Progress in an unknown mode", multistage.Progress("fancy", &bytes.Buffer{})},
		{"Progress without a writer", multistage.Progress("plain", nil)},
		{"Progress on a tty that is a buffer", multistage.Progress("tty", &bytes.Buffer{})},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			ch := make(chan *client.SolveStatus)
			closed := make(chan struct{})
			go func() {
				for range ch {
				}
				close(closed)
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := b.Solve(ctx, c, tc.opt, multistage.StatusChannel(ch))
			if !errors.Is(err, multistage.ErrInvalidValue) {
				t.Errorf("err = %v, want ErrInvalidValue", err)
			}
			select {
			case <-closed:
			case <-time.After(5 * time.Second):
				t.Error("the StatusChannel was not closed")
			}
		})
	}
	if _, err := b.Solve(context.Background(), nil); !errors.Is(err, multistage.ErrInvalidValue) {
		t.Errorf("Solve with a nil client: err = %v, want ErrInvalidValue", err)
	}
}
