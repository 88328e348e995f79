package testenv

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	dockerclient "github.com/moby/moby/client"
)

// EnvDockerHost is the Docker Engine's address, e.g.
// unix:///root/.cache/multistage/testenv/dockerd/docker.sock: the isolated
// dockerd of the test environment (internal/testenv/dockerd.sh).
const EnvDockerHost = "DOCKER_HOST"

var dockerHealthy sync.Map // address -> struct{}

// DockerHost returns the Docker Engine address from $DOCKER_HOST after
// checking that the engine answers. Without it the test is skipped, or
// fails when MULTISTAGE_E2E=require; a set address whose engine does not
// answer always fails the test.
func DockerHost(t testing.TB) string {
	t.Helper()
	host := os.Getenv(EnvDockerHost)
	if host == "" {
		skipOrFatal(t, "%s is not set: no Docker Engine", EnvDockerHost)
	}
	if _, ok := dockerHealthy.Load(host); ok {
		return host
	}
	c, err := dockerclient.New(dockerclient.WithHost(host), dockerclient.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatalf("Docker Engine %s=%s: %v", EnvDockerHost, host, err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := c.Ping(ctx, dockerclient.PingOptions{NegotiateAPIVersion: true}); err != nil {
		t.Fatalf("Docker Engine %s=%s does not answer: %v (internal/testenv/testenv.sh status)", EnvDockerHost, host, err)
	}
	dockerHealthy.Store(host, struct{}{})
	return host
}

// DockerClient returns an Engine API client of the Docker Engine (see
// DockerHost), closed when the test ends.
func DockerClient(t testing.TB) *dockerclient.Client {
	t.Helper()
	host := DockerHost(t)
	c, err := dockerclient.New(dockerclient.WithHost(host), dockerclient.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatalf("Docker Engine client: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Docker runs the docker command line with args against the Docker Engine
// (see DockerHost) and returns its standard output, trimmed; it fails the
// test, with the command's standard error, when the command fails.
func Docker(ctx context.Context, t testing.TB, args ...string) string {
	t.Helper()
	out, err := TryDocker(ctx, t, args...)
	if err != nil {
		t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// TryDocker is Docker for commands that may fail: the error carries the
// command's standard error.
func TryDocker(ctx context.Context, t testing.TB, args ...string) (string, error) {
	t.Helper()
	host := DockerHost(t)
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), EnvDockerHost+"="+host)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return strings.TrimSpace(stdout.String()), &dockerError{err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return strings.TrimSpace(stdout.String()), nil
}

type dockerError struct {
	err    error
	stderr string
}

func (e *dockerError) Error() string { return e.err.Error() + ": " + e.stderr }
func (e *dockerError) Unwrap() error { return e.err }
