// Package testresolver is a static [llb.ImageMetaResolver] for tests and
// benchmarks: it resolves the base images of the classic pipelines to
// fixed, realistic image configs and stable digests, with no network, and
// counts how often each reference is resolved.
//
// Known images (the tag selects a variant where the real images differ):
//
//	docker.io/library/golang                  Env PATH=/go/bin:/usr/local/go/bin:…, GOLANG_VERSION, GOTOOLCHAIN, GOPATH; WORKDIR /go; CMD ["bash"]
//	docker.io/library/alpine                  CMD ["/bin/sh"]
//	docker.io/library/debian                  CMD ["bash"]
//	docker.io/library/node                    NODE_VERSION, YARN_VERSION; ENTRYPOINT ["docker-entrypoint.sh"]; CMD ["node"]
//	docker.io/library/nginx                   ENTRYPOINT ["/docker-entrypoint.sh"]; CMD ["nginx", "-g", "daemon off;"]; EXPOSE 80; STOPSIGNAL SIGQUIT
//	docker.io/library/maven                   JAVA_HOME, MAVEN_HOME, MAVEN_CONFIG; ENTRYPOINT ["/usr/local/bin/mvn-entrypoint.sh"]; CMD ["mvn"]
//	docker.io/library/eclipse-temurin         JAVA_HOME, JAVA_VERSION; ENTRYPOINT ["/__cacert_entrypoint.sh"]; CMD ["jshell"] (jdk tags only)
//	docker.io/library/python                  LANG, PYTHON_VERSION; CMD ["python3"]
//	mcr.microsoft.com/dotnet/sdk, …/aspnet    APP_UID=1654, ASPNETCORE_HTTP_PORTS=8080, DOTNET_RUNNING_IN_CONTAINER=true, DOTNET_VERSION
//	gcr.io/distroless/static(-debian12)       SSL_CERT_FILE; USER 0, WORKDIR / (":nonroot": USER 65532, WORKDIR /home/nonroot)
//
// The release line of the tag (node:26, golang:1.27) picks the version
// variables, as in the real images (lineEnv).
//
// Every other reference resolves to a generic image whose config sets only
// PATH, so tests may use any image. Every config is for the platform asked
// for (linux/amd64 by default) and has one layer, so no image looks like
// scratch.
package testresolver

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/multistage/multistage/internal/lifecycle"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// DefaultPath is the PATH of the Debian and Alpine based images, and of the
// generic image that unknown references resolve to.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

const javaPath = "PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// configs are the known images, by repository (normalized name without
// tag). variant adjusts a config for a tag.
var configs = map[string]ocispecs.ImageConfig{
	"docker.io/library/golang": {
		Env:        []string{"PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GOLANG_VERSION=1.22.12", "GOTOOLCHAIN=local", "GOPATH=/go"},
		WorkingDir: "/go",
		Cmd:        []string{"bash"},
	},
	"docker.io/library/alpine": {Env: []string{DefaultPath}, Cmd: []string{"/bin/sh"}},
	"docker.io/library/debian": {Env: []string{DefaultPath}, Cmd: []string{"bash"}},
	"docker.io/library/node": {
		Env:        []string{DefaultPath, "NODE_VERSION=20.20.2", "YARN_VERSION=1.22.22"},
		Entrypoint: []string{"docker-entrypoint.sh"},
		Cmd:        []string{"node"},
	},
	"docker.io/library/nginx": {
		Env:          []string{DefaultPath, "NGINX_VERSION=1.27.3"},
		Entrypoint:   []string{"/docker-entrypoint.sh"},
		Cmd:          []string{"nginx", "-g", "daemon off;"},
		ExposedPorts: map[string]struct{}{"80/tcp": {}},
		StopSignal:   "SIGQUIT",
	},
	"docker.io/library/maven": {
		Env:        []string{javaPath, "JAVA_HOME=/opt/java/openjdk", "MAVEN_HOME=/usr/share/maven", "MAVEN_CONFIG=/root/.m2"},
		Entrypoint: []string{"/usr/local/bin/mvn-entrypoint.sh"},
		Cmd:        []string{"mvn"},
	},
	"docker.io/library/eclipse-temurin": {
		Env:        []string{javaPath, "JAVA_HOME=/opt/java/openjdk", "JAVA_VERSION=jdk-17.0.13+11"},
		Entrypoint: []string{"/__cacert_entrypoint.sh"},
		Cmd:        []string{"jshell"},
	},
	"docker.io/library/python": {Env: []string{DefaultPath, "LANG=C.UTF-8", "PYTHON_VERSION=3.10.16"}, Cmd: []string{"python3"}},
	"mcr.microsoft.com/dotnet/sdk": {
		Env: []string{DefaultPath, "APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true", "DOTNET_VERSION=8.0.11", "DOTNET_SDK_VERSION=8.0.404"},
	},
	"mcr.microsoft.com/dotnet/aspnet": {
		Env: []string{DefaultPath, "APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true", "DOTNET_VERSION=8.0.11", "ASPNET_VERSION=8.0.11"},
	},
	"gcr.io/distroless/static-debian12": {Env: []string{DefaultPath, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}, User: "0", WorkingDir: "/"},
	"gcr.io/distroless/static":          {Env: []string{DefaultPath, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}, User: "0", WorkingDir: "/"},
}

// lineEnv are the version variables of the known images by release line,
// so that node:26 says NODE_VERSION=26.x (and, like the real node:26, has
// no Yarn). "-NAME" removes a variable. A tag of no line here keeps the
// repository's config.
var lineEnv = map[string]map[string][]string{
	"docker.io/library/golang": {
		"1.26": {"GOLANG_VERSION=1.26.8"},
		"1.27": {"GOLANG_VERSION=1.27.4"},
	},
	"docker.io/library/node": {
		"22": {"NODE_VERSION=22.23.5"},
		"24": {"NODE_VERSION=24.22.3"},
		"26": {"NODE_VERSION=26.12.1", "-YARN_VERSION"},
	},
	"docker.io/library/python": {
		"3.13": {"PYTHON_VERSION=3.13.11"},
		"3.14": {"PYTHON_VERSION=3.14.2"},
	},
	"docker.io/library/eclipse-temurin": {
		"21": {"JAVA_VERSION=jdk-21.0.9+10"},
		"25": {"JAVA_VERSION=jdk-25.0.1+8"},
	},
	"mcr.microsoft.com/dotnet/sdk": {
		"10.0": {"DOTNET_VERSION=10.0.1", "DOTNET_SDK_VERSION=10.0.101"},
	},
	"mcr.microsoft.com/dotnet/aspnet": {
		"10.0": {"DOTNET_VERSION=10.0.1", "ASPNET_VERSION=10.0.1"},
	},
}

// variant adjusts the config of a known repository for a tag.
func variant(repo, tag string, c ocispecs.ImageConfig) ocispecs.ImageConfig {
	if l, ok := lifecycle.ForImage(repo + ":" + tag); ok {
		for _, kv := range lineEnv[repo][l.Version] {
			name, _, _ := strings.Cut(strings.TrimPrefix(kv, "-"), "=")
			i := slices.IndexFunc(c.Env, func(e string) bool { return strings.HasPrefix(e, name+"=") })
			switch {
			case strings.HasPrefix(kv, "-") && i >= 0:
				c.Env = slices.Delete(c.Env, i, i+1)
			case strings.HasPrefix(kv, "-"):
			case i >= 0:
				c.Env[i] = kv // in place: the variables keep the image's order
			default:
				c.Env = append(c.Env, kv)
			}
		}
	}
	switch {
	case strings.HasPrefix(repo, "gcr.io/distroless/") && (tag == "nonroot" || strings.HasSuffix(tag, "-nonroot")):
		c.User, c.WorkingDir = "65532", "/home/nonroot"
	case repo == "docker.io/library/eclipse-temurin" && strings.Contains(tag, "jre"):
		c.Cmd = nil // the JRE images have no jshell, and no CMD
	}
	return c
}

// Resolver is the static resolver. The zero value is ready to use, and a
// Resolver is safe for concurrent use.
type Resolver struct {
	mu     sync.Mutex
	calls  map[string]int
	errors map[string]error
}

var _ llb.ImageMetaResolver = (*Resolver)(nil)

// New returns a resolver that has resolved nothing yet.
func New() *Resolver { return &Resolver{} }

// Fail makes the resolver return err for ref (as the frontend and the
// compiler pass it, such as "docker.io/library/alpine:latest").
func (r *Resolver) Fail(ref string, err error) *Resolver {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.errors == nil {
		r.errors = map[string]error{}
	}
	r.errors[ref] = err
	return r
}

// ResolveImageConfig implements [llb.ImageMetaResolver]. It returns ref
// unchanged, a digest derived from ref and the platform, and the config
// JSON of the image for the platform of opt (linux/amd64 when opt has
// none).
func (r *Resolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	r.mu.Lock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[ref]++
	err := r.errors[ref]
	r.mu.Unlock()
	if err != nil {
		return "", "", nil, err
	}
	p := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	img, err := Image(ref, p)
	if err != nil {
		return "", "", nil, err
	}
	dt, err := json.Marshal(img)
	if err != nil {
		return "", "", nil, err
	}
	return ref, Digest(ref, p), dt, nil
}

// Image returns the image config that ref resolves to on platform p.
func Image(ref string, p ocispecs.Platform) (ocispecs.Image, error) {
	repo, tag, err := split(ref)
	if err != nil {
		return ocispecs.Image{}, err
	}
	c, ok := configs[repo]
	if ok {
		c = variant(repo, tag, clone(c))
	} else {
		c = ocispecs.ImageConfig{Env: []string{DefaultPath}}
	}
	return ocispecs.Image{
		Platform: ocispecs.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant},
		Config:   c,
		RootFS:   ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromString("layer " + repo)}},
	}, nil
}

// Digest is the manifest digest that ref resolves to on platform p: a hash
// of both, so it is the same in every process.
func Digest(ref string, p ocispecs.Platform) digest.Digest {
	return digest.FromString("manifest " + ref + " " + p.OS + "/" + p.Architecture)
}

// split returns the normalized repository and the tag of ref ("latest"
// when it has none, "" when it is pinned by digest only).
func split(ref string) (repo, tag string, err error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", "", fmt.Errorf("testresolver: %w", err)
	}
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	} else if _, ok := named.(reference.Digested); !ok {
		tag = "latest"
	}
	return named.Name(), tag, nil
}

func clone(c ocispecs.ImageConfig) ocispecs.ImageConfig {
	c.Env = slices.Clone(c.Env)
	c.Entrypoint = slices.Clone(c.Entrypoint)
	c.Cmd = slices.Clone(c.Cmd)
	c.ExposedPorts = maps.Clone(c.ExposedPorts)
	return c
}

// Calls returns how many times ref was resolved.
func (r *Resolver) Calls(ref string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[ref]
}

// AllCalls returns how many times each reference was resolved.
func (r *Resolver) AllCalls() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.calls)
}
