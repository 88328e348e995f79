package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Loaded is an image that Load put into the test environment's Docker
// Engine.
type Loaded struct {
	Name   string
	Config ocispecs.ImageConfig // as the engine reports it (docker image inspect)
	Solve  *multistage.SolveResult
}

// Load builds b from contextDir on the daemon behind c with
// multistage.Load(name), and returns the image as Docker Engine holds it.
// The image is removed when the test ends.
func Load(t testing.TB, c *client.Client, b *multistage.Build, contextDir, name string, opts ...multistage.SolveOption) Loaded {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	res, err := b.Solve(ctx, c, append([]multistage.SolveOption{multistage.ContextDir(contextDir), multistage.Load(name)}, opts...)...)
	if err != nil {
		t.Fatalf("Solve with Load(%q): %v", name, err)
	}
	t.Logf("built and loaded %s in %v", name, time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() { testenv.TryDocker(context.Background(), t, "rmi", "-f", name) })
	return Loaded{Name: name, Config: InspectConfig(t, name), Solve: res}
}

// InspectConfig returns the config of image as Docker Engine reports it.
func InspectConfig(t testing.TB, image string) ocispecs.ImageConfig {
	t.Helper()
	out := testenv.Docker(context.Background(), t, "image", "inspect", "--format", "{{json .Config}}", image)
	var cfg ocispecs.ImageConfig
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatalf("docker image inspect %s: %v\n%s", image, err, out)
	}
	return cfg
}

// SameConfig fails t when two image configs differ.
func SameConfig(t testing.TB, what string, want, got ocispecs.ImageConfig) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("%s: image configs differ (-want +got):\n%s", what, d)
	}
}

// Container is a container the test started on Docker Engine.
type Container struct{ ID string }

// RunDetached starts image on Docker Engine with args (docker run -d), with
// PORT=port in its environment (the sample apps serve there) and that
// container port published on a free port of 127.0.0.1. The container is
// removed when the test ends, and its log is shown if the test failed.
func RunDetached(t testing.TB, image string, port int, args ...string) (Container, string) {
	t.Helper()
	ctx := context.Background()
	run := append([]string{"run", "-d", "-e", fmt.Sprintf("PORT=%d", port), "-p", fmt.Sprintf("127.0.0.1::%d", port), image}, args...)
	id := testenv.Docker(ctx, t, run...)
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := testenv.TryDocker(ctx, t, "logs", id)
			t.Logf("container %s log:\n%s", image, logs)
		}
		testenv.TryDocker(ctx, t, "rm", "-f", id)
	})
	hostPort := testenv.Docker(ctx, t, "port", id, fmt.Sprintf("%d/tcp", port))
	return Container{ID: id}, "http://" + strings.Fields(hostPort)[0]
}

// GetUntil asks url until it answers 200 or timeout passes, and returns the
// body.
func GetUntil(t testing.TB, url string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && rerr == nil {
				return string(body)
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET %s: no answer in %v: %v", url, timeout, last)
	return ""
}
