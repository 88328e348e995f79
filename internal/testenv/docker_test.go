package testenv

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	dockerclient "github.com/moby/moby/client"
)

// TestDockerEngine is the smoke test of the test environment's Docker
// Engine: Debian's docker.io, isolated (its own socket under the state
// dir, not /var/run/docker.sock), pulling docker.io images through the
// local registry and finding the gcr.io stand-ins tagged in its store.
func TestDockerEngine(t *testing.T) {
	host := DockerHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if !strings.HasPrefix(host, "unix://") || strings.HasPrefix(host, "unix:///var/run/") || strings.HasPrefix(host, "unix:///run/") {
		t.Errorf("%s=%s: want the test environment's own socket", EnvDockerHost, host)
	}
	c := DockerClient(t)
	v, err := c.ServerVersion(ctx, dockerclient.ServerVersionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Docker Engine %s, API %s", v.Version, v.APIVersion)
	if !strings.HasPrefix(v.Version, "20.10.") {
		t.Errorf("Docker Engine version %s, want Debian's docker.io 20.10", v.Version)
	}
	// docker.io through the mirror
	out := Docker(ctx, t, "run", "--rm", "alpine:3.20", "sh", "-c", "echo ran in $(cat /etc/hostname)")
	if !strings.HasPrefix(out, "ran in ") {
		t.Errorf("docker run alpine: %q", out)
	}
	// a gcr.io stand-in, found in the engine's image store
	if out := Docker(ctx, t, "image", "inspect", "-f", "{{.Config.User}}", "gcr.io/distroless/static-debian12:nonroot"); out != "65532:65532" {
		t.Errorf("gcr.io/distroless/static-debian12:nonroot: User %q, want 65532:65532", out)
	}
	if _, err := os.Stat("/var/run/docker.sock"); err == nil {
		t.Log("note: a system Docker Engine runs on this host too; the test environment does not use it")
	}
}
