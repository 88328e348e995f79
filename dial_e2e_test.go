package multistage_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/e2e"
	"github.com/multistage/multistage/internal/testenv"
)

// TestDialContainerAndTLS runs buildkitd in a container of the test
// environment's Docker Engine (an image this test builds, with the
// buildkitd the test environment built), listening on its unix socket and
// on tcp://127.0.0.1 with mutual TLS (certificates made here), and builds
// through docker-container:// and through tcp://, loading both images into
// the engine.
func TestDialContainerAndTLS(t *testing.T) {
	ctx := context.Background()
	bk := testenv.Client(t)
	testenv.DockerHost(t)
	reg := testenv.Registry(t)

	// the image: debian with buildkitd, buildctl (for buildctl dial-stdio,
	// which docker-container:// runs) and the host's runc
	imgDir := t.TempDir()
	for _, bin := range []string{"buildkitd", "buildctl", "runc"} {
		p, err := exec.LookPath(bin)
		if err != nil {
			t.Fatalf("%s: %v (./test.sh puts the test environment's bin dir in PATH)", bin, err)
		}
		copyFile(t, p, filepath.Join(imgDir, bin), 0o755)
	}
	toml := fmt.Sprintf("[registry.\"docker.io\"]\n  mirrors = [%q]\n[registry.%q]\n  http = true\n", reg, reg)
	writeFile(t, filepath.Join(imgDir, "buildkitd.toml"), toml)
	b := multistage.New()
	b.Stage("buildkitd").From("debian:bookworm-slim").
		Copy("buildkitd", "/usr/local/bin/").
		Copy("buildctl", "/usr/local/bin/").
		Copy("runc", "/usr/local/sbin/").
		Copy("buildkitd.toml", "/etc/buildkit/").
		Entrypoint("buildkitd")
	image := e2e.Load(t, bk, b, imgDir, imageName("buildkitd")).Name

	// mutual TLS: a CA, the daemon's certificate for 127.0.0.1, a client's
	certs := t.TempDir()
	ca, caKey := newCA(t, filepath.Join(certs, "ca.pem"))
	newCert(t, ca, caKey, certs, "daemon", true)
	newCert(t, ca, caKey, certs, "client", false)

	port := freeTCPPort(t)
	name := strings.ReplaceAll(strings.TrimPrefix(imageName("bkd"), "multistage-e2e/"), ":", "-")
	testenv.Docker(ctx, t, "run", "-d", "--name", name, "--network", "host",
		// what --privileged gives, but CAP_SYS_RESOURCE, which these machines do not grant
		"--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
		"--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
		"-v", certs+":/certs:ro", "-v", "/var/lib/buildkit", image,
		"--addr", "unix:///run/buildkit/buildkitd.sock", "--addr", fmt.Sprintf("tcp://127.0.0.1:%d", port),
		"--tlscacert", "/certs/ca.pem", "--tlscert", "/certs/daemon.pem", "--tlskey", "/certs/daemon-key.pem",
		"--oci-worker-snapshotter", "native")
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := testenv.TryDocker(ctx, t, "logs", "--tail", "40", name)
			t.Logf("buildkitd container log:\n%s", logs)
		}
		testenv.TryDocker(ctx, t, "rm", "-f", "-v", name)
	})

	app := multistage.New()
	app.Stage("app").From("alpine:3.20").Copy("greeting", "/greeting").Cmd("cat", "/greeting")
	appDir := t.TempDir()

	// docker-container://: buildctl dial-stdio through docker exec
	addr := "docker-container://" + name
	c := dialUntil(t, addr, 30*time.Second)
	writeFile(t, filepath.Join(appDir, "greeting"), "hello through "+addr)
	img := e2e.Load(t, c, app, appDir, imageName("via-container"))
	if out := testenv.Docker(ctx, t, "run", "--rm", img.Name); out != "hello through "+addr {
		t.Errorf("docker run %s: %q", img.Name, out)
	}
	c.Close()

	// tcp:// with mutual TLS, from the BUILDKIT_TLS* variables
	addr = fmt.Sprintf("tcp://127.0.0.1:%d", port)
	t.Setenv("BUILDKIT_TLSCACERT", filepath.Join(certs, "ca.pem"))
	t.Setenv("BUILDKIT_TLSCERT", filepath.Join(certs, "client.pem"))
	t.Setenv("BUILDKIT_TLSKEY", filepath.Join(certs, "client-key.pem"))
	c = dialUntil(t, addr, 30*time.Second)
	writeFile(t, filepath.Join(appDir, "greeting"), "hello through "+addr)
	img = e2e.Load(t, c, app, appDir, imageName("via-tls"))
	if out := testenv.Docker(ctx, t, "run", "--rm", img.Name); out != "hello through "+addr {
		t.Errorf("docker run %s: %q", img.Name, out)
	}
	c.Close()

	// the daemon wants a client certificate: without one, no connection
	t.Setenv("BUILDKIT_TLSCERT", "")
	t.Setenv("BUILDKIT_TLSKEY", "")
	if c, err := multistage.Dial(ctx, addr); !errors.Is(err, multistage.ErrDial) {
		if c != nil {
			c.Close()
		}
		t.Errorf("Dial(%s) without a client certificate: %v, want ErrDial", addr, err)
	}
	// nor without TLS
	t.Setenv("BUILDKIT_TLSCACERT", "")
	if c, err := multistage.Dial(ctx, addr); !errors.Is(err, multistage.ErrDial) {
		if c != nil {
			c.Close()
		}
		t.Errorf("Dial(%s) without TLS: %v, want ErrDial", addr, err)
	}
	// the same files as a directory (BUILDKIT_TLSDIR, buildctl's --tlsdir)
	tlsDir := t.TempDir()
	copyFile(t, filepath.Join(certs, "ca.pem"), filepath.Join(tlsDir, "ca.pem"), 0o600)
	copyFile(t, filepath.Join(certs, "client.pem"), filepath.Join(tlsDir, "cert.pem"), 0o600)
	copyFile(t, filepath.Join(certs, "client-key.pem"), filepath.Join(tlsDir, "key.pem"), 0o600)
	t.Setenv("BUILDKIT_TLSDIR", tlsDir)
	c, err := multistage.Dial(ctx, addr)
	if err != nil {
		t.Fatalf("Dial(%s) with BUILDKIT_TLSDIR: %v", addr, err)
	}
	c.Close()
}

// dialUntil dials addr until the daemon answers (it is starting).
func dialUntil(t *testing.T, addr string, timeout time.Duration) *client.Client {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := multistage.Dial(ctx, addr)
		cancel()
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("Dial(%s): %v", addr, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	dt, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, dt, mode); err != nil {
		t.Fatal(err)
	}
}

// newCA writes a self-signed CA certificate to path.
func newCA(t *testing.T, path string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "multistage test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return ca, key
}

// newCert writes dir/name.pem and dir/name-key.pem, signed by ca: a server
// certificate for 127.0.0.1, or a client certificate.
func newCert(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, dir, name string, server bool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, name+".pem"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, filepath.Join(dir, name+"-key.pem"), string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})))
}

// TestDialDockerContextTLS: a docker context whose endpoint is tcp:// with
// TLS files (as "docker context create --docker host=tcp://...,ca=...,cert=...,key=..."
// stores them) is reached with that TLS, as the docker command reaches it,
// and so is DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
// The endpoint is a mutual-TLS front, made here, of the test environment's
// engine socket; a build with Load goes through it.
func TestDialDockerContextTLS(t *testing.T) {
	host := testenv.DockerHost(t)
	sock, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		t.Skipf("DOCKER_HOST %s is no unix socket", host)
	}
	certs := t.TempDir()
	ca, caKey := newCA(t, filepath.Join(certs, "ca.pem"))
	newCert(t, ca, caKey, certs, "daemon", true)
	newCert(t, ca, caKey, certs, "client", false)
	serverCert, err := tls.LoadX509KeyPair(filepath.Join(certs, "daemon.pem"), filepath.Join(certs, "daemon-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				engine, err := net.Dial("unix", sock)
				if err != nil {
					return
				}
				defer engine.Close()
				// either side ending ends both (a failed handshake too)
				done := make(chan struct{}, 2)
				go func() { io.Copy(engine, conn); done <- struct{}{} }()
				go func() { io.Copy(conn, engine); done <- struct{}{} }()
				<-done
			}()
		}
	}()

	// the context, in the docker command's store
	cfg := t.TempDir()
	sum := sha256.Sum256([]byte("remote-tls"))
	id := hex.EncodeToString(sum[:])
	tlsDir := filepath.Join(cfg, "contexts", "tls", id, "docker")
	for _, d := range []string{filepath.Join(cfg, "contexts", "meta", id), tlsDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(cfg, "contexts", "meta", id, "meta.json"),
		`{"Name":"remote-tls","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://`+ln.Addr().String()+`","SkipTLSVerify":false}}}`)
	copyFile(t, filepath.Join(certs, "ca.pem"), filepath.Join(tlsDir, "ca.pem"), 0o600)
	copyFile(t, filepath.Join(certs, "client.pem"), filepath.Join(tlsDir, "cert.pem"), 0o600)
	copyFile(t, filepath.Join(certs, "client-key.pem"), filepath.Join(tlsDir, "key.pem"), 0o600)
	t.Setenv("DOCKER_CONFIG", cfg)
	t.Setenv("DOCKER_HOST", "")
	t.Setenv("DOCKER_CONTEXT", "remote-tls")

	c, err := multistage.Dial(context.Background(), multistage.DockerAddr)
	if err != nil {
		t.Fatalf("Dial(docker) in a TLS context: %v", err)
	}
	defer c.Close()
	b := multistage.New()
	b.Stage("app").From("alpine:3.20").Run("echo "+rand.Text()+" > /state").Cmd("cat", "/state")
	img := imageName("tls-context")
	if _, err := b.Solve(context.Background(), c, multistage.ContextDir(t.TempDir()), multistage.Load(img)); err != nil {
		t.Fatalf("Solve with Load through the TLS context: %v", err)
	}

	// the same endpoint in the docker command's environment variables
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv("DOCKER_HOST", "tcp://"+ln.Addr().String())
	t.Setenv("DOCKER_TLS_VERIFY", "1")
	t.Setenv("DOCKER_CERT_PATH", tlsDir)
	c2, err := multistage.Dial(context.Background(), multistage.DockerAddr)
	if err != nil {
		t.Fatalf("Dial(docker) with DOCKER_HOST=tcp:// and DOCKER_TLS_VERIFY: %v", err)
	}
	c2.Close()

	t.Setenv("DOCKER_TLS_VERIFY", "")
	t.Setenv("DOCKER_CERT_PATH", "")
	t.Setenv("DOCKER_HOST", host)
	testenv.Docker(context.Background(), t, "image", "inspect", img)
	testenv.TryDocker(context.Background(), t, "rmi", img)
}
