// Package testresolver is a static llb.ImageMetaResolver for tests: it
// resolves well-known images to fixed, realistic configs and stable
// digests, with no network.
package testresolver

import (
	"context"
	"encoding/json"
	"strings"
	"sync"

	"github.com/moby/buildkit/client/llb/sourceresolver"
	digest "github.com/opencontainers/go-digest"
)

type config struct {
	Env        []string
	WorkingDir string
	Entrypoint []string
	Cmd        []string
	User       string
	Exposed    []string
	StopSignal string
}

const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

var configs = map[string]config{
	"docker.io/library/golang":          {Env: []string{"PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GOLANG_VERSION=1.22.12", "GOTOOLCHAIN=local", "GOPATH=/go"}, WorkingDir: "/go", Cmd: []string{"bash"}},
	"docker.io/library/alpine":          {Env: []string{defaultPath}, Cmd: []string{"/bin/sh"}},
	"docker.io/library/node":            {Env: []string{defaultPath, "NODE_VERSION=20.20.2", "YARN_VERSION=1.22.22"}, Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"node"}},
	"docker.io/library/nginx":           {Env: []string{defaultPath, "NGINX_VERSION=1.27.3"}, Entrypoint: []string{"/docker-entrypoint.sh"}, Cmd: []string{"nginx", "-g", "daemon off;"}, Exposed: []string{"80/tcp"}, StopSignal: "SIGQUIT"},
	"docker.io/library/maven":           {Env: []string{"PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "JAVA_HOME=/opt/java/openjdk", "MAVEN_HOME=/usr/share/maven", "MAVEN_CONFIG=/root/.m2"}, Entrypoint: []string{"/usr/local/bin/mvn-entrypoint.sh"}, Cmd: []string{"mvn"}},
	"docker.io/library/eclipse-temurin": {Env: []string{"PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "JAVA_HOME=/opt/java/openjdk", "JAVA_VERSION=jdk-17.0.13+11"}, Entrypoint: []string{"/__cacert_entrypoint.sh"}, Cmd: []string{"jshell"}},
	"docker.io/library/python":          {Env: []string{defaultPath, "LANG=C.UTF-8", "PYTHON_VERSION=3.10.16"}, Cmd: []string{"python3"}},
	"docker.io/library/debian":          {Env: []string{defaultPath}, Cmd: []string{"bash"}},
	"mcr.microsoft.com/dotnet/sdk":      {Env: []string{defaultPath, "APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true", "DOTNET_VERSION=8.0.11", "DOTNET_SDK_VERSION=8.0.404"}},
	"mcr.microsoft.com/dotnet/aspnet":   {Env: []string{defaultPath, "APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true", "DOTNET_VERSION=8.0.11", "ASPNET_VERSION=8.0.11"}},
	"gcr.io/distroless/static-debian12": {Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}, WorkingDir: "/"},
	"gcr.io/distroless/static":          {Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}, WorkingDir: "/"},
}

// Resolver is the static resolver. The zero value is ready to use.
type Resolver struct {
	mu    sync.Mutex
	calls map[string]int
}

// New returns a resolver.
func New() *Resolver { return &Resolver{} }

// ResolveImageConfig implements llb.ImageMetaResolver.
func (r *Resolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	r.mu.Lock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[ref]++
	r.mu.Unlock()
	repo := ref
	if i := strings.IndexAny(ref, "@"); i >= 0 {
		repo = ref[:i]
	}
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	c, ok := configs[repo]
	if !ok {
		c = config{Env: []string{defaultPath}}
	}
	if strings.HasSuffix(ref, ":nonroot") {
		c.User = "65532:65532"
		c.WorkingDir = "/home/nonroot"
	}
	arch, os := "amd64", "linux"
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		arch, os = opt.ImageOpt.Platform.Architecture, opt.ImageOpt.Platform.OS
	}
	img := map[string]any{
		"architecture": arch,
		"os":           os,
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{digest.FromString("layer " + repo).String()}},
		"config":       imageConfig(c),
	}
	dt, err := json.Marshal(img)
	if err != nil {
		return "", "", nil, err
	}
	return ref, digest.FromString("manifest " + ref + " " + os + "/" + arch), dt, nil
}

func imageConfig(c config) map[string]any {
	m := map[string]any{"Env": c.Env}
	if c.WorkingDir != "" {
		m["WorkingDir"] = c.WorkingDir
	}
	if c.Entrypoint != nil {
		m["Entrypoint"] = c.Entrypoint
	}
	if c.Cmd != nil {
		m["Cmd"] = c.Cmd
	}
	if c.User != "" {
		m["User"] = c.User
	}
	if c.StopSignal != "" {
		m["StopSignal"] = c.StopSignal
	}
	if len(c.Exposed) > 0 {
		p := map[string]any{}
		for _, e := range c.Exposed {
			p[e] = map[string]any{}
		}
		m["ExposedPorts"] = p
	}
	return m
}

// Calls returns how many times ref was resolved.
func (r *Resolver) Calls(ref string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[ref]
}
