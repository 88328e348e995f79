package main

import (
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/multistage/multistage/internal/testenv"
)

// TestREADMECommand runs the README's main command as a user does, from
// the root of the repository: printing only, then building on
// $BUILDKIT_HOST with -load, and runs the loaded image with docker run.
func TestREADMECommand(t *testing.T) {
	out, err := goRun(t, "BUILDKIT_HOST=")
	if err != nil || !strings.HasPrefix(out, "# Dockerfile\n") || !strings.Contains(out, "# LLB of target stage") || strings.Contains(out, "# built") {
		t.Fatalf("go run ./examples/go without an address: %v\n%s", err, out)
	}

	bk := testenv.Addr(t)
	testenv.DockerHost(t)
	name := "multistage-e2e/example-go:" + strings.ToLower(rand.Text()[:10])
	t.Cleanup(func() { testenv.TryDocker(context.Background(), t, "rmi", "-f", name) })
	out, err = goRun(t, "BUILDKIT_HOST="+bk, "-load", name, "-progress", "quiet")
	if err != nil || !strings.Contains(out, "# built sha256:") {
		t.Fatalf("go run ./examples/go -load %s: %v\n%s", name, err, out)
	}
	if got := testenv.Docker(context.Background(), t, "run", "--rm", name, "-selftest"); !strings.Contains(got, "selftest: 200 hello from the go preset") {
		t.Errorf("docker run %s -selftest: %q", name, got)
	}
}

func goRun(t *testing.T, env string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"run", "./examples/go"}, args...)...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), env)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
