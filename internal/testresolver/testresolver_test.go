package testresolver_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/multistage/multistage/internal/testresolver"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func resolve(t *testing.T, r *testresolver.Resolver, ref string, p *ocispecs.Platform) (string, dockerspec.DockerOCIImage) {
	t.Helper()
	opt := sourceresolver.Opt{}
	if p != nil {
		opt.ImageOpt = &sourceresolver.ResolveImageOpt{Platform: p}
	}
	got, dgst, dt, err := r.ResolveImageConfig(context.Background(), ref, opt)
	if err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	if got != ref {
		t.Errorf("%s resolved to ref %q", ref, got)
	}
	if err := dgst.Validate(); err != nil {
		t.Errorf("%s: digest %q: %v", ref, dgst, err)
	}
	var img dockerspec.DockerOCIImage
	if err := json.Unmarshal(dt, &img); err != nil {
		t.Fatalf("%s: config is not an image config: %v\n%s", ref, err, dt)
	}
	return dgst.String(), img
}

func env(img dockerspec.DockerOCIImage, key string) string {
	for _, e := range img.Config.Env {
		if k, v, _ := strings.Cut(e, "="); k == key {
			return v
		}
	}
	return ""
}

// TestKnownImages checks the parts of each config that the pipelines
// depend on.
func TestKnownImages(t *testing.T) {
	for _, c := range []struct {
		ref  string
		want func(t *testing.T, img dockerspec.DockerOCIImage)
	}{
		{"docker.io/library/golang:1.22", func(t *testing.T, img dockerspec.DockerOCIImage) {
			if !strings.HasPrefix(env(img, "PATH"), "/go/bin:/usr/local/go/bin:") || env(img, "GOPATH") != "/go" || env(img, "GOLANG_VERSION") == "" {
				t.Errorf("Env = %q", img.Config.Env)
			}
			if img.Config.WorkingDir != "/go" {
				t.Errorf("WorkingDir = %q", img.Config.WorkingDir)
			}
		}},
		{"docker.io/library/alpine:latest", wantCmd("/bin/sh")},
		{"docker.io/library/debian:bookworm-slim", wantCmd("bash")},
		{"docker.io/library/node:20", wantNode},
		{"docker.io/library/node:20-slim", wantNode},
		{"docker.io/library/node:20-alpine", wantNode},
		{"docker.io/library/nginx:alpine", func(t *testing.T, img dockerspec.DockerOCIImage) {
			wantCmd("nginx", "-g", "daemon off;")(t, img)
			wantEntrypoint("/docker-entrypoint.sh")(t, img)
			if _, ok := img.Config.ExposedPorts["80/tcp"]; !ok || img.Config.StopSignal != "SIGQUIT" {
				t.Errorf("ExposedPorts = %v, StopSignal = %q", img.Config.ExposedPorts, img.Config.StopSignal)
			}
		}},
		{"docker.io/library/maven:3.9-eclipse-temurin-17", func(t *testing.T, img dockerspec.DockerOCIImage) {
			wantCmd("mvn")(t, img)
			if env(img, "JAVA_HOME") == "" || env(img, "MAVEN_HOME") == "" {
				t.Errorf("Env = %q", img.Config.Env)
			}
		}},
		{"docker.io/library/eclipse-temurin:17-jdk-alpine", wantCmd("jshell")},
		{"docker.io/library/eclipse-temurin:17-jre", func(t *testing.T, img dockerspec.DockerOCIImage) {
			wantCmd()(t, img)
			wantEntrypoint("/__cacert_entrypoint.sh")(t, img)
		}},
		{"docker.io/library/eclipse-temurin:17-jre-alpine", wantCmd()},
		{"docker.io/library/python:3.10-slim", wantCmd("python3")},
		{"mcr.microsoft.com/dotnet/sdk:8.0", func(t *testing.T, img dockerspec.DockerOCIImage) {
			if env(img, "DOTNET_SDK_VERSION") == "" {
				t.Errorf("Env = %q", img.Config.Env)
			}
		}},
		{"mcr.microsoft.com/dotnet/aspnet:8.0", func(t *testing.T, img dockerspec.DockerOCIImage) {
			if env(img, "APP_UID") != "1654" || env(img, "ASPNETCORE_HTTP_PORTS") != "8080" || env(img, "DOTNET_RUNNING_IN_CONTAINER") != "true" {
				t.Errorf("Env = %q", img.Config.Env)
			}
		}},
		{"gcr.io/distroless/static-debian12:latest", func(t *testing.T, img dockerspec.DockerOCIImage) {
			if img.Config.User != "0" || img.Config.WorkingDir != "/" {
				t.Errorf("User = %q, WorkingDir = %q", img.Config.User, img.Config.WorkingDir)
			}
		}},
		{"gcr.io/distroless/static-debian12:nonroot", func(t *testing.T, img dockerspec.DockerOCIImage) {
			if img.Config.User != "65532" || img.Config.WorkingDir != "/home/nonroot" {
				t.Errorf("User = %q, WorkingDir = %q", img.Config.User, img.Config.WorkingDir)
			}
		}},
		{"registry.example.com/team/anything:v1", func(t *testing.T, img dockerspec.DockerOCIImage) {
			if diff := cmp.Diff([]string{testresolver.DefaultPath}, img.Config.Env); diff != "" {
				t.Errorf("unknown image: Env mismatch (-want +got):\n%s", diff)
			}
		}},
	} {
		t.Run(c.ref, func(t *testing.T) {
			_, img := resolve(t, testresolver.New(), c.ref, nil)
			if img.OS != "linux" || img.Architecture != "amd64" {
				t.Errorf("platform %s/%s, want linux/amd64", img.OS, img.Architecture)
			}
			if img.RootFS.Type != "layers" || len(img.RootFS.DiffIDs) == 0 {
				t.Errorf("rootfs %+v: an image without layers is scratch to the frontend", img.RootFS)
			}
			if env(img, "PATH") == "" {
				t.Errorf("no PATH in Env %q", img.Config.Env)
			}
			c.want(t, img)
		})
	}
}

func wantNode(t *testing.T, img dockerspec.DockerOCIImage) {
	wantCmd("node")(t, img)
	wantEntrypoint("docker-entrypoint.sh")(t, img)
	if env(img, "NODE_VERSION") == "" || env(img, "YARN_VERSION") == "" {
		t.Errorf("Env = %q", img.Config.Env)
	}
}

func wantCmd(argv ...string) func(*testing.T, dockerspec.DockerOCIImage) {
	return func(t *testing.T, img dockerspec.DockerOCIImage) {
		if !slices.Equal(img.Config.Cmd, argv) {
			t.Errorf("Cmd = %q, want %q", img.Config.Cmd, argv)
		}
	}
}

func wantEntrypoint(argv ...string) func(*testing.T, dockerspec.DockerOCIImage) {
	return func(t *testing.T, img dockerspec.DockerOCIImage) {
		if !slices.Equal(img.Config.Entrypoint, argv) {
			t.Errorf("Entrypoint = %q, want %q", img.Config.Entrypoint, argv)
		}
	}
}

// TestStable checks that digests and configs do not depend on the
// resolver or on earlier calls, and that they differ between references
// and platforms.
func TestStable(t *testing.T) {
	arm := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	d1, img1 := resolve(t, testresolver.New(), "docker.io/library/alpine:latest", nil)
	r := testresolver.New()
	resolve(t, r, "docker.io/library/node:20", nil)
	d2, img2 := resolve(t, r, "docker.io/library/alpine:latest", nil)
	if d1 != d2 {
		t.Errorf("digest changed between resolvers: %s, %s", d1, d2)
	}
	if diff := cmp.Diff(img1, img2); diff != "" {
		t.Errorf("config changed between resolvers (-first +second):\n%s", diff)
	}
	// Resolving must not share slices with the table: mutate and resolve again.
	img2.Config.Env[0] = "PATH=/mutated"
	_, img3 := resolve(t, r, "docker.io/library/alpine:latest", nil)
	if env(img3, "PATH") == "/mutated" {
		t.Error("resolved configs share memory")
	}
	if d3, _ := resolve(t, r, "docker.io/library/alpine:3.20", nil); d3 == d1 {
		t.Error("two tags resolve to the same digest")
	}
	d4, img4 := resolve(t, r, "docker.io/library/alpine:latest", &arm)
	if d4 == d1 {
		t.Error("two platforms resolve to the same digest")
	}
	if img4.Architecture != "arm64" {
		t.Errorf("resolved for arm64, config says %s", img4.Architecture)
	}
	if d, want := testresolver.Digest("docker.io/library/alpine:latest", ocispecs.Platform{OS: "linux", Architecture: "amd64"}).String(), d1; d != want {
		t.Errorf("Digest() = %s, resolver returned %s", d, want)
	}
}

func TestCalls(t *testing.T) {
	r := testresolver.New()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { resolve(t, r, "docker.io/library/golang:1.22", nil) })
	}
	wg.Wait()
	resolve(t, r, "docker.io/library/alpine:latest", nil)
	if n := r.Calls("docker.io/library/golang:1.22"); n != 10 {
		t.Errorf("Calls(golang) = %d, want 10", n)
	}
	want := map[string]int{"docker.io/library/golang:1.22": 10, "docker.io/library/alpine:latest": 1}
	if diff := cmp.Diff(want, r.AllCalls()); diff != "" {
		t.Errorf("AllCalls mismatch (-want +got):\n%s", diff)
	}
}

func TestFail(t *testing.T) {
	errNotFound := errors.New("not found")
	r := testresolver.New().Fail("docker.io/library/missing:1", errNotFound)
	_, _, _, err := r.ResolveImageConfig(context.Background(), "docker.io/library/missing:1", sourceresolver.Opt{})
	if !errors.Is(err, errNotFound) {
		t.Errorf("err = %v, want %v", err, errNotFound)
	}
	if _, _, _, err := r.ResolveImageConfig(context.Background(), "Not A Ref", sourceresolver.Opt{}); err == nil {
		t.Error("an invalid reference resolved")
	}
}

// TestLineEnv: the tag's release line picks the version variables, in the
// image's order; a line the table has no variables for keeps the defaults.
func TestLineEnv(t *testing.T) {
	p := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	for ref, want := range map[string][]string{
		"node:26-slim": {testresolver.DefaultPath, "NODE_VERSION=26.12.1"},
		"node:20":      {testresolver.DefaultPath, "NODE_VERSION=20.20.2", "YARN_VERSION=1.22.22"},
		"node:lts":     {testresolver.DefaultPath, "NODE_VERSION=20.20.2", "YARN_VERSION=1.22.22"},
		"golang:1.27":  {"PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GOLANG_VERSION=1.27.4", "GOTOOLCHAIN=local", "GOPATH=/go"},
	} {
		img, err := testresolver.Image(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(img.Config.Env, want) {
			t.Errorf("%s: Env = %q, want %q", ref, img.Config.Env, want)
		}
	}
}
