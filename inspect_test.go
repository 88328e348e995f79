package multistage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
)

// TestInspect checks that Inspect sees the built target before export:
// its files and image config, and that an error of the function fails
// Solve, wrapped so errors.Is finds it, with nothing exported.
func TestInspect(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	b := multistage.New()
	b.Stage("app").From("alpine:3.20").
		CopyContent("greeting", "hello\n", "/greeting").
		User("65534").
		Entrypoint("cat", "/greeting")

	var seen []string
	inspect := multistage.Inspect(func(ctx context.Context, built *multistage.Built) error {
		data, err := built.Ref.ReadFile(ctx, gwclient.ReadRequest{Filename: "/greeting"})
		if err != nil {
			return err
		}
		seen = append(seen, built.Platform, string(data), built.Image.Config.User)
		return nil
	})
	tarball := filepath.Join(t.TempDir(), "app.tar")
	if _, err := b.Solve(ctx, c, multistage.ContextDir(t.TempDir()), inspect, multistage.OutputOCI(tarball)); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[1] != "hello\n" || seen[2] != "65534" {
		t.Errorf("Inspect saw %q, want the platform, hello and user 65534", seen)
	}
	if _, err := os.Stat(tarball); err != nil {
		t.Errorf("no image exported: %v", err)
	}

	errSmoke := errors.New("smoke test failed")
	failed := filepath.Join(t.TempDir(), "failed.tar")
	_, err := b.Solve(ctx, c, multistage.ContextDir(t.TempDir()), multistage.OutputOCI(failed),
		multistage.Inspect(func(context.Context, *multistage.Built) error { return errSmoke }))
	if !errors.Is(err, errSmoke) {
		t.Errorf("Solve with a failing Inspect = %v, want an error wrapping %v", err, errSmoke)
	}
	if _, err := os.Stat(failed); !os.IsNotExist(err) {
		t.Errorf("a failing Inspect exported the image: %v", err)
	}

	if _, err := b.Solve(ctx, c, multistage.Inspect(nil)); !errors.Is(err, multistage.ErrInvalidValue) {
		t.Errorf("Inspect(nil) = %v, want ErrInvalidValue", err)
	}
}
