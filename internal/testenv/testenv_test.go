package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestTwoStage is the smoke test of the harness: golang:1.22 builder ->
// alpine:latest runtime, exported as OCI tar + rootfs, run with runc.
func TestTwoStage(t *testing.T) {
	c := Client(t)
	t.Parallel()
	ctx := t.Context()
	df := []byte(`FROM golang:1.22 AS b
RUN go version > /v
FROM alpine:latest
COPY --from=b /v /v
`)
	ctxDir := t.TempDir()
	out := t.TempDir()
	start := time.Now()
	img := SolveDockerfile(ctx, t, c, ctxDir, df, "", nil, out)
	t.Logf("build: %v", time.Since(start))

	v, err := os.ReadFile(filepath.Join(out, RootfsName, "v"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(v), "go version go1.") {
		t.Fatalf("/v = %q, want `go version go1...`", v)
	}
	if st, err := os.Stat(filepath.Join(out, ImageTarName)); err != nil || st.Size() == 0 {
		t.Fatalf("OCI tarball: %v", err)
	}
	// the config is alpine's (the last stage's base)
	if !slices.Equal(img.Config.Cmd, []string{"/bin/sh"}) {
		t.Errorf("Cmd = %q, want [/bin/sh]", img.Config.Cmd)
	}
	if !slices.ContainsFunc(img.Config.Env, func(e string) bool { return strings.HasPrefix(e, "PATH=") }) {
		t.Errorf("Env %q has no PATH", img.Config.Env)
	}
	if img.OS != "linux" || img.Architecture == "" {
		t.Errorf("platform = %s/%s", img.OS, img.Architecture)
	}
	tree, err := TreeDigest(filepath.Join(out, RootfsName))
	if err != nil {
		t.Fatal(err)
	}
	idx := slices.IndexFunc(tree, func(e Entry) bool { return e.Path == "v" })
	if idx < 0 || tree[idx].Size != int64(len(v)) || tree[idx].SHA256 == "" || !tree[idx].Mode.IsRegular() {
		t.Fatalf("tree entry for /v: %+v", tree)
	}
	if !slices.ContainsFunc(tree, func(e Entry) bool { return e.Path == "bin/sh" && e.Link != "" }) {
		t.Errorf("no bin/sh symlink in the alpine stand-in")
	}

	// the same build again (fully cached) exports an identical tree
	out2 := t.TempDir()
	SolveDockerfile(ctx, t, c, ctxDir, df, "", nil, out2)
	tree2, err := TreeDigest(filepath.Join(out2, RootfsName))
	if err != nil {
		t.Fatal(err)
	}
	if d := DiffTrees(tree, tree2); d != "" {
		t.Errorf("rebuild exported a different tree (-first +second):\n%s", d)
	}

	got := RunRootfs(ctx, t, filepath.Join(out, RootfsName), img, []string{"cat", "/v"})
	if got != string(v) {
		t.Errorf("runc cat /v = %q, want %q", got, v)
	}
}

// TestBuildArgsTargetAndUser: build args, --target, USER resolution under runc.
func TestBuildArgsTargetAndUser(t *testing.T) {
	c := Client(t)
	t.Parallel()
	df := []byte(`FROM alpine:latest AS base
ARG MSG=default
RUN echo "$MSG" > /msg && adduser -D -u 1234 app
FROM base AS app
USER app
WORKDIR /home/app
FROM base AS other
RUN echo other > /other
`)
	out := t.TempDir()
	img := SolveDockerfile(t.Context(), t, c, t.TempDir(), df, "app", map[string]string{"MSG": "hello"}, out)
	if img.Config.User != "app" || img.Config.WorkingDir != "/home/app" {
		t.Fatalf("User=%q WorkingDir=%q", img.Config.User, img.Config.WorkingDir)
	}
	if _, err := os.Stat(filepath.Join(out, RootfsName, "other")); err == nil {
		t.Errorf("stage 'other' leaked into target 'app'")
	}
	got := RunRootfs(t.Context(), t, filepath.Join(out, RootfsName), img, []string{"sh", "-c", `echo "$(id -u):$(id -g) $(pwd) $HOME $(cat /msg)"`})
	if want := "1234:1234 /home/app /home/app hello\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := TryRunRootfs(t.Context(), t, filepath.Join(out, RootfsName), img, []string{"sh", "-c", "exit 3"}); err == nil {
		t.Errorf("exit 3: no error")
	}
}

// TestServer: StartRootfs runs the stand-in nginx:alpine (workers as www-data,
// STOPSIGNAL SIGQUIT) and a test talks to it on 127.0.0.1.
func TestServer(t *testing.T) {
	c := Client(t)
	t.Parallel()
	port := freePort(t)
	df := []byte(`FROM nginx:alpine
ARG PORT
RUN sed -i -e "s/listen  *80;/listen 127.0.0.1:${PORT};/" -e "/listen  *\[::\]:80;/d" /etc/nginx/conf.d/default.conf
RUN echo '<h1>hello from testenv</h1>' > /usr/share/nginx/html/index.html
`)
	out := t.TempDir()
	img := SolveDockerfile(t.Context(), t, c, t.TempDir(), df, "", map[string]string{"PORT": fmt.Sprint(port)}, out)
	if img.Config.StopSignal != "SIGQUIT" {
		t.Errorf("StopSignal = %q", img.Config.StopSignal)
	}
	ctr, stop := StartRootfs(t.Context(), t, filepath.Join(out, RootfsName), img, nil)
	body := WaitHTTP(t, ctr, fmt.Sprintf("http://127.0.0.1:%d/", port), 30*time.Second)
	if !strings.Contains(body, "hello from testenv") {
		t.Errorf("body = %q", body)
	}
	logs := stop()
	if !strings.Contains(logs, `"GET / HTTP/1.1" 200`) {
		t.Errorf("nginx access log missing from output:\n%s", logs)
	}
}

// TestMirrorsAndMissingImage: a gcr.io name resolves through its mirror; an image
// the registry does not hold fails fast with "not found".
func TestMirrorsAndMissingImage(t *testing.T) {
	c := Client(t)
	t.Parallel()
	out := t.TempDir()
	img := SolveDockerfile(t.Context(), t, c, t.TempDir(), []byte("FROM gcr.io/distroless/static-debian12:nonroot\n"), "", nil, out)
	if img.Config.User != "65532:65532" || img.Config.WorkingDir != "/home/nonroot" {
		t.Errorf("distroless nonroot: User=%q WorkingDir=%q", img.Config.User, img.Config.WorkingDir)
	}
	start := time.Now()
	_, _, err := TrySolveDockerfile(t.Context(), c, t.TempDir(), []byte("FROM mcr.microsoft.com/dotnet/sdk:8.0\n"), "", nil, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing image: err = %v, want a not found error", err)
	}
	t.Logf("missing image failed in %v: %v", time.Since(start), err)
}

// TestSyntaxDirective: "# syntax=docker/dockerfile:1" pulls the frontend image
// (the stand-in built from the same BuildKit release) through the mirror.
func TestSyntaxDirective(t *testing.T) {
	c := Client(t)
	t.Parallel()
	df := []byte(`# syntax=docker/dockerfile:1
FROM alpine:latest
RUN --mount=type=cache,target=/cache echo syntax-ok > /cache/x && cp /cache/x /x
`)
	out := t.TempDir()
	SolveDockerfile(t.Context(), t, c, t.TempDir(), df, "", nil, out)
	if b, err := os.ReadFile(filepath.Join(out, RootfsName, "x")); err != nil || string(b) != "syntax-ok\n" {
		t.Fatalf("/x = %q, %v", b, err)
	}
}

// TestGatewayBuild: hand-written LLB through Build, with the gateway client as
// image meta resolver (it honours the registry mirrors).
func TestGatewayBuild(t *testing.T) {
	c := Client(t)
	t.Parallel()
	out := t.TempDir()
	img := Build(t.Context(), t, c, nil, out, func(ctx context.Context, gw gwclient.Client) (*gwclient.Result, error) {
		base := llb.Image("docker.io/library/alpine:latest", llb.WithMetaResolver(gw))
		st := base.Run(llb.Shlex(`sh -c 'echo llb > /llb'`)).Root()
		def, err := st.Marshal(ctx)
		if err != nil {
			return nil, err
		}
		res, err := gw.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
		if err != nil {
			return nil, err
		}
		cfg := ocispecs.Image{Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}}
		env, err := base.Env(ctx)
		if err != nil {
			return nil, err
		}
		cfg.Config.Env = env.ToArray()
		cfg.Config.Cmd = []string{"cat", "/llb"}
		dt, err := json.Marshal(cfg)
		if err != nil {
			return nil, err
		}
		res.AddMeta(exptypes.ExporterImageConfigKey, dt)
		return res, nil
	})
	if !slices.Equal(img.Config.Cmd, []string{"cat", "/llb"}) {
		t.Errorf("Cmd = %q", img.Config.Cmd)
	}
	if got := RunRootfs(t.Context(), t, filepath.Join(out, RootfsName), img, nil); got != "llb\n" {
		t.Errorf("run: %q", got)
	}
}

// TestLargeTree exports a big builder stage (golang:1.22, ~26k entries,
// ~600 MB). BuildKit v0.34.2's type=local exporter hangs on trees like this,
// hence the type=tar export unpacked by the harness. Ownership must survive
// (the local exporter also flattens it to 0:0).
func TestLargeTree(t *testing.T) {
	c := Client(t)
	t.Parallel()
	df := []byte(`FROM golang:1.22 AS builder
RUN mkdir -p /app && echo 'package main' > /app/main.go && chown -R 65532:65532 /app
FROM alpine:latest
`)
	out := t.TempDir()
	start := time.Now()
	SolveDockerfile(t.Context(), t, c, t.TempDir(), df, "builder", nil, out)
	t.Logf("build + export: %v", time.Since(start))
	tree, err := TreeDigest(filepath.Join(out, RootfsName))
	if err != nil {
		t.Fatal(err)
	}
	if len(tree) < 10000 {
		t.Errorf("only %d entries", len(tree))
	}
	var sawGo, sawOwner, sawShadowGroup bool
	for _, e := range tree {
		switch e.Path {
		case "usr/local/go/bin/go":
			sawGo = e.Mode.IsRegular() && e.Mode.Perm()&0o111 != 0
		case "app/main.go":
			sawOwner = e.UID == 65532 && e.GID == 65532
		case "etc/shadow":
			sawShadowGroup = e.GID == 42 // root:shadow in Debian
		}
	}
	if !sawGo || !sawOwner || !sawShadowGroup {
		t.Errorf("go binary %v, /app owner kept %v, /etc/shadow group kept %v", sawGo, sawOwner, sawShadowGroup)
	}
}

// TestTreeDigest needs no engine.
func TestTreeDigest(t *testing.T) {
	a := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(a, "d/e"), 0o755))
	must(os.WriteFile(filepath.Join(a, "d/f"), []byte("x"), 0o640))
	must(os.Symlink("d/f", filepath.Join(a, "l")))
	tree, err := TreeDigest(a)
	must(err)
	var paths []string
	for _, e := range tree {
		paths = append(paths, e.String())
	}
	want := []string{"d", "d/e", "d/f", "l"}
	if len(tree) != len(want) {
		t.Fatalf("tree = %v", paths)
	}
	for i, e := range tree {
		if e.Path != want[i] {
			t.Fatalf("tree = %v", paths)
		}
	}
	if tree[2].Size != 1 || tree[2].Mode.Perm() != 0o640 || tree[3].Link != "d/f" {
		t.Errorf("tree = %v", paths)
	}
	must(os.Chtimes(filepath.Join(a, "d/f"), time.Unix(1, 0), time.Unix(1, 0)))
	tree2, err := TreeDigest(a)
	must(err)
	if d := DiffTrees(tree, tree2); d != "" {
		t.Errorf("mtime change shows up: %s", d)
	}
	must(os.WriteFile(filepath.Join(a, "d/f"), []byte("y"), 0o640))
	tree3, err := TreeDigest(a)
	must(err)
	if DiffTrees(tree, tree3) == "" {
		t.Errorf("content change not detected")
	}
	if got := FilterTree(tree, "d/"); len(got) != 1 || got[0].Path != "l" {
		t.Errorf("FilterTree = %v", got)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
