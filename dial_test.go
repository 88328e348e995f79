package multistage_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multistage/multistage"
)

// TestDialRefusals: addresses that are not addresses, and TLS settings
// that cannot work, are ErrInvalidValue; an address where nothing answers
// is ErrDial. Every error is a one-line *DialError with the address.
func TestDialRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"BUILDKIT_TLSDIR", "BUILDKIT_TLSCACERT", "BUILDKIT_TLSCERT", "BUILDKIT_TLSKEY", "BUILDKIT_TLSSERVERNAME"} {
		t.Setenv(v, "")
	}
	cert := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(cert, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		reason, addr string
		env          map[string]string
		want         error
	}{
		{reason: "no scheme", addr: "buildkitd.sock", want: multistage.ErrInvalidValue},
		{reason: "unknown scheme", addr: "http://builder:1234", want: multistage.ErrInvalidValue},
		{reason: "not a URL", addr: "tcp://[::1", want: multistage.ErrInvalidValue},
		// malformed addresses of known schemes: refused before any
		// dialling, not reported as a daemon that does not answer
		{reason: "tcp without a port", addr: "tcp://127.0.0.1", want: multistage.ErrInvalidValue},
		{reason: "tcp without a host", addr: "tcp://", want: multistage.ErrInvalidValue},
		{reason: "unix with a relative path as the host", addr: "unix://buildkitd.sock", want: multistage.ErrInvalidValue},
		{reason: "unix without a path", addr: "unix://", want: multistage.ErrInvalidValue},
		{reason: "container without a name", addr: "docker-container://", want: multistage.ErrInvalidValue},
		{reason: "pod without a name", addr: "kube-pod://", want: multistage.ErrInvalidValue},
		{reason: "ssh without a host", addr: "ssh://", want: multistage.ErrInvalidValue},
		{reason: "ssh with a password", addr: "ssh://me:secret@builder", want: multistage.ErrInvalidValue},
		{reason: "docker as a scheme", addr: "docker://", want: multistage.ErrInvalidValue},
		{reason: "relative unix path", addr: "unix:" + filepath.Join(filepath.Base(dir), "none.sock"), want: multistage.ErrDial},
		{reason: "nothing listens", addr: "unix://" + filepath.Join(dir, "none.sock"), want: multistage.ErrDial},
		{reason: "certificate without key", addr: "tcp://127.0.0.1:1", env: map[string]string{"BUILDKIT_TLSCERT": cert}, want: multistage.ErrInvalidValue},
		{reason: "missing CA file", addr: "tcp://127.0.0.1:1", env: map[string]string{"BUILDKIT_TLSCACERT": filepath.Join(dir, "none.pem")}, want: multistage.ErrInvalidValue},
		{reason: "TLS dir without its files", addr: "tcp://127.0.0.1:1", env: map[string]string{"BUILDKIT_TLSDIR": dir}, want: multistage.ErrInvalidValue},
		{reason: "TLS dir and files both", addr: "tcp://127.0.0.1:1", env: map[string]string{"BUILDKIT_TLSDIR": dir, "BUILDKIT_TLSCERT": cert}, want: multistage.ErrInvalidValue},
		{reason: "empty address: BUILDKIT_HOST", addr: "", env: map[string]string{"BUILDKIT_HOST": "unix://" + filepath.Join(dir, "bk.sock")}, want: multistage.ErrDial},
		{reason: "empty address, no BUILDKIT_HOST: Docker Engine", addr: "", env: map[string]string{"BUILDKIT_HOST": "", "DOCKER_HOST": "unix://" + filepath.Join(dir, "docker.sock")}, want: multistage.ErrDial},
		{reason: "Docker Engine at DOCKER_HOST", addr: "docker", env: map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "docker.sock")}, want: multistage.ErrDial},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c, err := multistage.Dial(context.Background(), tc.addr)
			if err == nil {
				c.Close()
				t.Fatalf("Dial(%q) succeeded", tc.addr)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("Dial(%q) = %v, want %v", tc.addr, err, tc.want)
			}
			var de *multistage.DialError
			if !errors.As(err, &de) {
				t.Fatalf("Dial(%q): %T is no *DialError", tc.addr, err)
			}
			if want := tc.addr; want != "" && de.Addr != want {
				t.Errorf("DialError.Addr = %q, want %q", de.Addr, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the error has several lines: %q", err)
			}
		})
	}
}

// TestDialDockerContext: without DOCKER_HOST, "docker" is the endpoint of
// the current docker context, as the docker command finds it.
func TestDialDockerContext(t *testing.T) {
	cfg := t.TempDir()
	sock := filepath.Join(t.TempDir(), "ctx.sock")
	sum := sha256.Sum256([]byte("mine"))
	meta := filepath.Join(cfg, "contexts", "meta", hex.EncodeToString(sum[:]))
	if err := os.MkdirAll(meta, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(`{"Name":"mine","Endpoints":{"docker":{"Host":"unix://`+sock+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"currentContext":"mine"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_HOST", "")
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv("DOCKER_CONFIG", cfg)
	_, err := multistage.Dial(context.Background(), "docker")
	if !errors.Is(err, multistage.ErrDial) || !strings.Contains(err.Error(), sock) {
		t.Errorf("Dial(docker) in context %q: %v, want ErrDial at %s", "mine", err, sock)
	}
	t.Setenv("DOCKER_CONTEXT", "missing")
	if _, err := multistage.Dial(context.Background(), "docker"); !errors.Is(err, multistage.ErrInvalidValue) {
		t.Errorf("Dial(docker) in a context that does not exist: %v, want ErrInvalidValue", err)
	}
}
