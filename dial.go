package multistage

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/connhelper"
	// The connection helpers of BuildKit's own tools (buildctl registers
	// the same ones): docker-container://, kube-pod://, ...
	dockerconnhelper "github.com/docker/cli/cli/connhelper"
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer"
	_ "github.com/moby/buildkit/client/connhelper/kubepod"
	_ "github.com/moby/buildkit/client/connhelper/nerdctlcontainer"
	_ "github.com/moby/buildkit/client/connhelper/npipe"
	_ "github.com/moby/buildkit/client/connhelper/podmancontainer"
	_ "github.com/moby/buildkit/client/connhelper/ssh"
	dockerclient "github.com/moby/moby/client"
)

// DockerAddr is the address [Dial] takes for Docker Engine's built-in
// BuildKit.
const DockerAddr = "docker"

// The environment variables Dial reads.
const (
	// EnvBuildKitHost is the BuildKit address used when Dial's address is
	// empty, as buildctl reads it.
	EnvBuildKitHost = "BUILDKIT_HOST"
	// EnvTLSDir is a directory with the CA certificate, the client
	// certificate and its key for a tcp:// address, as buildctl's --tlsdir:
	// ca.pem, cert.pem and key.pem, or ca.crt, tls.crt and tls.key.
	EnvTLSDir = "BUILDKIT_TLSDIR"
	// EnvTLSCACert is the CA certificate file that the daemon's certificate
	// must chain to (buildctl's --tlscacert).
	EnvTLSCACert = "BUILDKIT_TLSCACERT"
	// EnvTLSCert is the client certificate file (buildctl's --tlscert).
	EnvTLSCert = "BUILDKIT_TLSCERT"
	// EnvTLSKey is the client key file (buildctl's --tlskey).
	EnvTLSKey = "BUILDKIT_TLSKEY"
	// EnvTLSServerName is the name the daemon's certificate must hold
	// (buildctl's --tlsservername); the default is the address's host.
	EnvTLSServerName = "BUILDKIT_TLSSERVERNAME"
)

// ErrDial is matched (with errors.Is) by every error of [Dial] that is
// not an invalid address: no daemon answers there, the TLS handshake
// failed, the Docker Engine cannot be reached.
var ErrDial = errors.New("cannot reach BuildKit")

// DialError is the error of [Dial]: the address and what went wrong, in
// one line.
type DialError struct {
	// Addr is the address as given to Dial, after the default was applied.
	Addr string
	// Err is the cause; it matches ErrDial or ErrInvalidValue.
	Err error
}

func (e *DialError) Error() string { return fmt.Sprintf("dial %s: %v", e.Addr, oneLine(e.Err)) }

func (e *DialError) Unwrap() error { return e.Err }

// Dial connects to a BuildKit daemon at addr and checks that it answers,
// so that a wrong address fails here rather than in the first build.
//
// addr is any address BuildKit's own tools take:
//
//	unix:///run/buildkit/buildkitd.sock      a local daemon
//	tcp://builder.example.com:1234           a remote daemon, with TLS (below)
//	docker-container://buildkitd             buildkitd in a Docker container
//	podman-container://buildkitd             ... in a Podman container
//	nerdctl-container://buildkitd            ... in a nerdctl container
//	kube-pod://buildkitd-0?namespace=ci      ... in a Kubernetes pod
//	ssh://user@host                          a daemon behind SSH
//
// or "docker" ([DockerAddr]): the BuildKit built into Docker Engine, reached
// through the Engine API as "docker buildx"'s docker driver reaches it, at
// DOCKER_HOST, else at the endpoint of the current docker context
// (DOCKER_CONTEXT or ~/.docker/config.json, with the context's TLS files),
// else at the default socket.
// DOCKER_CERT_PATH and DOCKER_TLS_VERIFY apply as for the docker command,
// and an ssh://user@host endpoint is reached as the docker command reaches
// it, by running "docker system dial-stdio" on the host over ssh. An
// empty addr means $BUILDKIT_HOST when it is set, else Docker Engine.
//
// A tcp:// address uses TLS when one of the BUILDKIT_TLS* variables is set,
// named after buildctl's flags: [EnvTLSDir], or [EnvTLSCACert], [EnvTLSCert]
// and [EnvTLSKey]; [EnvTLSServerName]. For TLS configured in code, call
// [client.New] with [client.WithServerConfig] and [client.WithCredentials]
// instead: [Build.Solve] takes any client.
//
// Errors are [*DialError]s that match [ErrDial], or [ErrInvalidValue] for an
// address that is not one.
func Dial(ctx context.Context, addr string) (*client.Client, error) {
	if addr == "" {
		addr = os.Getenv(EnvBuildKitHost)
	}
	if addr == "" {
		addr = DockerAddr
	}
	c, err := dial(ctx, addr)
	if err != nil {
		return nil, &DialError{Addr: addr, Err: err}
	}
	return c, nil
}

func dial(ctx context.Context, addr string) (*client.Client, error) {
	if addr == DockerAddr {
		return dialDocker(ctx)
	}
	opts, err := checkAddr(addr)
	if err != nil {
		return nil, err
	}
	c, err := client.New(ctx, addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDial, err)
	}
	if err := checkDaemon(ctx, c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// checkAddr refuses, as ErrInvalidValue, an address that cannot reach any
// daemon, before anything is dialled: what the BuildKit client would only
// report as a failed connection ("tcp://host" without a port,
// "unix://relative.sock", "docker-container://" without a name). It
// returns the TLS options of a tcp:// address.
func checkAddr(addr string) ([]client.ClientOpt, error) {
	u, err := url.Parse(addr)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("%w: not an address (want unix://, tcp://, docker-container://, ... or %q)", ErrInvalidValue, DockerAddr)
	}
	switch u.Scheme {
	case "unix":
		switch {
		case u.Host != "":
			// grpc reads unix://x/y as the authority x: never a socket
			return nil, fmt.Errorf("%w: a unix socket address is unix:///absolute/path or unix:relative/path, not unix://%s%s", ErrInvalidValue, u.Host, u.Path)
		case u.Path == "" && u.Opaque == "":
			return nil, fmt.Errorf("%w: no socket path", ErrInvalidValue)
		}
		return nil, nil
	case "npipe":
		return nil, nil
	case "tcp":
		if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" {
			return nil, fmt.Errorf("%w: a tcp address is tcp://host:port (BuildKit has no default port)", ErrInvalidValue)
		}
		return tlsFromEnv(u)
	case "docker", "http", "https":
		return nil, fmt.Errorf("%w: unknown scheme %q (want unix, tcp, docker-container, podman-container, nerdctl-container, kube-pod, ssh, or %q for Docker Engine, which DOCKER_HOST selects)", ErrInvalidValue, u.Scheme, DockerAddr)
	}
	// what BuildKit's connection helpers know (docker-container,
	// kube-pod, ssh, ...), with their own checks of the address
	h, err := connhelper.GetConnectionHelper(addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidValue, err)
	}
	if h == nil {
		return nil, fmt.Errorf("%w: unknown scheme %q (want unix, tcp, docker-container, podman-container, nerdctl-container, kube-pod, ssh or %q)", ErrInvalidValue, u.Scheme, DockerAddr)
	}
	return nil, nil
}

// checkDaemon asks the daemon for its workers: a client connects lazily,
// and this is the first call that needs an answer.
func checkDaemon(ctx context.Context, c *client.Client) error {
	ws, err := c.ListWorkers(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDial, err)
	}
	if len(ws) == 0 {
		return fmt.Errorf("%w: the daemon has no workers", ErrDial)
	}
	return nil
}

// tlsFromEnv returns the TLS options of the BUILDKIT_TLS* variables.
func tlsFromEnv(u *url.URL) ([]client.ClientOpt, error) {
	dir := os.Getenv(EnvTLSDir)
	ca, cert, key := os.Getenv(EnvTLSCACert), os.Getenv(EnvTLSCert), os.Getenv(EnvTLSKey)
	name := os.Getenv(EnvTLSServerName)
	if dir != "" {
		if ca != "" || cert != "" || key != "" {
			return nil, fmt.Errorf("%w: %s and %s/%s/%s are both set", ErrInvalidValue, EnvTLSDir, EnvTLSCACert, EnvTLSCert, EnvTLSKey)
		}
		var err error
		if ca, err = oneOf(dir, "ca.pem", "ca.crt"); err != nil {
			return nil, err
		}
		if cert, err = oneOf(dir, "cert.pem", "tls.crt"); err != nil {
			return nil, err
		}
		if key, err = oneOf(dir, "key.pem", "tls.key"); err != nil {
			return nil, err
		}
	}
	if ca == "" && cert == "" && key == "" && name == "" {
		return nil, nil
	}
	if (cert == "") != (key == "") {
		return nil, fmt.Errorf("%w: %s and %s go together", ErrInvalidValue, EnvTLSCert, EnvTLSKey)
	}
	for _, f := range []string{ca, cert, key} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("%w: TLS file: %w", ErrInvalidValue, err)
		}
	}
	if name == "" {
		name = u.Hostname()
	}
	var opts []client.ClientOpt
	if ca != "" {
		opts = append(opts, client.WithServerConfig(name, ca))
	} else {
		opts = append(opts, client.WithServerConfigSystem(name))
	}
	if cert != "" {
		opts = append(opts, client.WithCredentials(cert, key))
	}
	return opts, nil
}

// oneOf returns the path of the first of names that exists in dir.
func oneOf(dir string, names ...string) (string, error) {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s: %s has neither %s", ErrInvalidValue, EnvTLSDir, dir, strings.Join(names, " nor "))
}

// dialDocker connects to the BuildKit of Docker Engine through the Engine
// API: gRPC over a connection hijacked from POST /grpc, and the build
// session over one from POST /session (as buildx's docker driver does).
func dialDocker(ctx context.Context) (*client.Client, error) {
	dc, host, err := dockerEngine()
	if err != nil {
		return nil, err
	}
	if _, err := dc.Ping(ctx, dockerclient.PingOptions{NegotiateAPIVersion: true}); err != nil {
		dc.Close()
		return nil, fmt.Errorf("%w: Docker Engine at %s: %w", ErrDial, host, err)
	}
	c, err := client.New(ctx, "",
		client.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return dc.DialHijack(ctx, "/grpc", "h2c", nil)
		}),
		client.WithSessionDialer(func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			return dc.DialHijack(ctx, "/session", proto, meta)
		}))
	if err != nil {
		dc.Close()
		return nil, fmt.Errorf("%w: %w", ErrDial, err)
	}
	if err := checkDaemon(ctx, c); err != nil {
		c.Close()
		dc.Close()
		return nil, fmt.Errorf("Docker Engine at %s: %w", host, err)
	}
	// The Engine API client stays in use only for hijacking: the
	// keep-alive connection of the ping would stay open after c.Close.
	dc.Close()
	markEngine(c)
	return c, nil
}

// dockerEngine returns an Engine API client of the Docker Engine the docker
// command would use, and its address.
func dockerEngine() (*dockerclient.Client, string, error) {
	host := os.Getenv("DOCKER_HOST")
	var contextTLS *tls.Config
	if host == "" {
		h, t, err := dockerContextHost()
		if err != nil {
			return nil, "", err
		}
		host, contextTLS = h, t
	}
	opts := []dockerclient.Opt{dockerclient.FromEnv, dockerclient.WithAPIVersionNegotiation()}
	if contextTLS != nil {
		// the context's TLS, as the docker command sets it up
		opts = append(opts, dockerclient.WithHTTPClient(&http.Client{
			Transport:     &http.Transport{TLSClientConfig: contextTLS},
			CheckRedirect: dockerclient.CheckRedirect,
		}))
	}
	if host != "" {
		// ssh://user@host: "docker system dial-stdio" run on the host
		// over ssh, as the docker command connects
		helper, err := dockerconnhelper.GetConnectionHelper(host)
		if err != nil {
			return nil, "", fmt.Errorf("%w: Docker Engine at %s: %w", ErrInvalidValue, host, err)
		}
		if helper != nil {
			opts = []dockerclient.Opt{
				dockerclient.WithHost(helper.Host), dockerclient.WithDialContext(helper.Dialer),
				dockerclient.WithAPIVersionFromEnv(), dockerclient.WithAPIVersionNegotiation(),
			}
		} else {
			opts = append(opts, dockerclient.WithHost(host))
		}
	}
	dc, err := dockerclient.New(opts...)
	if err != nil {
		return nil, "", fmt.Errorf("%w: Docker Engine: %w", ErrInvalidValue, err)
	}
	if host == "" {
		host = dc.DaemonHost()
	}
	return dc, host, nil
}

// dockerContextHost returns the Docker endpoint of the current docker
// context (DOCKER_CONTEXT, else currentContext of the docker config), as
// the docker command finds it, and the TLS configuration of its TLS files
// and SkipTLSVerify (nil without them, or for a socket); "" for the
// default context.
func dockerContextHost() (string, *tls.Config, error) {
	cfgDir := os.Getenv("DOCKER_CONFIG")
	if cfgDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", nil, nil
		}
		cfgDir = filepath.Join(home, ".docker")
	}
	name := os.Getenv("DOCKER_CONTEXT")
	if name == "" {
		dt, err := os.ReadFile(filepath.Join(cfgDir, "config.json"))
		if err != nil {
			return "", nil, nil
		}
		var cfg struct {
			CurrentContext string `json:"currentContext"`
		}
		if err := json.Unmarshal(dt, &cfg); err != nil {
			return "", nil, fmt.Errorf("%w: %s: %w", ErrInvalidValue, filepath.Join(cfgDir, "config.json"), err)
		}
		name = cfg.CurrentContext
	}
	if name == "" || name == "default" {
		return "", nil, nil
	}
	// the docker command's context store: meta/<sha256 of the name>/meta.json,
	// tls/<sha256 of the name>/docker/{ca,cert,key}.pem
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	dt, err := os.ReadFile(filepath.Join(cfgDir, "contexts", "meta", id, "meta.json"))
	if err != nil {
		return "", nil, fmt.Errorf("%w: docker context %q: %w", ErrInvalidValue, name, err)
	}
	var m struct {
		Endpoints map[string]struct {
			Host          string `json:"Host"`
			SkipTLSVerify bool   `json:"SkipTLSVerify"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(dt, &m); err != nil {
		return "", nil, fmt.Errorf("%w: docker context %q: %w", ErrInvalidValue, name, err)
	}
	ep := m.Endpoints["docker"]
	if ep.Host == "" {
		return "", nil, fmt.Errorf("%w: docker context %q has no docker endpoint", ErrInvalidValue, name)
	}
	if u, err := url.Parse(ep.Host); err == nil && u.Scheme != "tcp" {
		return ep.Host, nil, nil // a socket, or ssh://: no TLS
	}
	cfg, err := contextTLS(filepath.Join(cfgDir, "contexts", "tls", id, "docker"), ep.SkipTLSVerify)
	if err != nil {
		return "", nil, fmt.Errorf("%w: docker context %q: %w", ErrInvalidValue, name, err)
	}
	return ep.Host, cfg, nil
}

// contextTLS returns the TLS configuration of a docker context's endpoint:
// its CA (else the system's), its client certificate, and skipVerify; nil
// when it has none of them.
func contextTLS(dir string, skipVerify bool) (*tls.Config, error) {
	read := func(name string) ([]byte, error) {
		dt, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return dt, err
	}
	ca, err := read("ca.pem")
	if err != nil {
		return nil, err
	}
	cert, err := read("cert.pem")
	if err != nil {
		return nil, err
	}
	key, err := read("key.pem")
	if err != nil {
		return nil, err
	}
	if ca == nil && cert == nil && key == nil && !skipVerify {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: skipVerify}
	if ca != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("%s: no certificate", filepath.Join(dir, "ca.pem"))
		}
		cfg.RootCAs = pool
	}
	if (cert == nil) != (key == nil) {
		return nil, fmt.Errorf("%s: cert.pem and key.pem go together", dir)
	}
	if cert != nil {
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// oneLine joins the lines of err's message, for errors that must read as
// one line (gRPC and the Engine API sometimes answer with several).
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}
