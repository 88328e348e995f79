// Package testenv connects tests to the real BuildKit engine that
// internal/testenv/testenv.sh (via ./test.sh) sets up: a buildkitd whose
// registry mirrors serve stand-in base images (golang:1.22, alpine:latest,
// node:20, ...) from a local registry, with no internet access.
//
// Tests call Addr or Client first. Without an engine ($BUILDKIT_HOST unset)
// they are skipped, unless MULTISTAGE_E2E=require (what ./test.sh sets), in
// which case they fail: the real engine is then mandatory.
//
// Builds export both an OCI tarball and the root filesystem
// (SolveDockerfile, SolveLLB, Build); RunRootfs and StartRootfs run commands
// in an exported root filesystem with runc; TreeDigest and DiffTrees compare
// two exported trees.
package testenv

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/multistage/multistage/internal/untar"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"
)

// Environment variables read by this package (./test.sh exports them).
const (
	// EnvHost is the BuildKit address, e.g. unix:///root/.cache/multistage/testenv/buildkitd/buildkitd.sock.
	EnvHost = "BUILDKIT_HOST"
	// EnvE2E set to "require" turns "no engine" from a skip into a failure.
	EnvE2E = "MULTISTAGE_E2E"
	// EnvRegistry is the local registry (127.0.0.1:PORT) that holds the stand-in images.
	EnvRegistry = "MULTISTAGE_TESTENV_REGISTRY"
)

// File names inside the outDir of SolveDockerfile, SolveLLB and Build.
const (
	ImageTarName = "image.tar" // OCI image layout tarball (type=oci exporter)
	RootfsName   = "rootfs"    // root filesystem (type=tar exporter, unpacked)
)

func required() bool { return os.Getenv(EnvE2E) == "require" }

// skipOrFatal skips the test, or fails it when MULTISTAGE_E2E=require.
func skipOrFatal(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if required() {
		t.Fatalf("%s (%s=require: the real BuildKit engine is mandatory; run ./test.sh)", msg, EnvE2E)
	}
	t.Skip(msg)
}

var healthy sync.Map // address -> struct{}: daemons already seen answering

// Addr returns the BuildKit address from $BUILDKIT_HOST after checking that
// the daemon answers. Without it the test is skipped ("no BuildKit engine:
// run ./test.sh"), or fails when MULTISTAGE_E2E=require. A set address whose
// daemon does not answer always fails the test.
func Addr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv(EnvHost)
	if addr == "" {
		if required() {
			t.Fatalf("%s is empty but %s=require: no BuildKit engine; run ./test.sh (internal/testenv/run.sh sets it up)", EnvHost, EnvE2E)
		}
		t.Skip("no BuildKit engine: run ./test.sh")
	}
	if _, ok := healthy.Load(addr); ok {
		return addr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := client.New(ctx, addr)
	if err != nil {
		t.Fatalf("BuildKit engine %s=%s: %v (is it running? internal/testenv/testenv.sh status)", EnvHost, addr, err)
	}
	defer c.Close()
	ws, err := c.ListWorkers(ctx)
	if err != nil {
		t.Fatalf("BuildKit engine %s=%s does not answer: %v (internal/testenv/testenv.sh status)", EnvHost, addr, err)
	}
	if len(ws) == 0 {
		t.Fatalf("BuildKit engine %s=%s has no workers", EnvHost, addr)
	}
	healthy.Store(addr, struct{}{})
	return addr
}

// Client returns a client of the engine (see Addr), closed when the test ends.
func Client(t testing.TB) *client.Client {
	t.Helper()
	addr := Addr(t)
	c, err := client.New(context.Background(), addr)
	if err != nil {
		t.Fatalf("client.New(%s): %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Registry returns the local registry address (127.0.0.1:PORT) from
// $MULTISTAGE_TESTENV_REGISTRY. Images pushed to Registry()+"/library/foo:1"
// resolve as "foo:1" in builds (docker.io is mirrored there). It skips or
// fails like Addr when unset.
func Registry(t testing.TB) string {
	t.Helper()
	r := os.Getenv(EnvRegistry)
	if r == "" {
		skipOrFatal(t, "%s is not set: no local registry", EnvRegistry)
	}
	return r
}

// SolveDockerfile builds dockerfile with BuildKit's builtin Dockerfile
// frontend (dockerfile.v0), contextDir as the build context, up to target
// ("" = last stage), and exports the result twice in one solve: as an OCI
// tarball to outDir/image.tar and as a directory to outDir/rootfs (the
// type=tar exporter unpacked on the fly, see extract.go). It returns the image
// config read back from the tarball. Any failure fails the test, with the
// build log.
func SolveDockerfile(ctx context.Context, t testing.TB, c *client.Client, contextDir string, dockerfile []byte, target string, buildArgs map[string]string, outDir string) (imageConfig ocispecs.Image) {
	t.Helper()
	return SolveDockerfileSecrets(ctx, t, c, contextDir, dockerfile, target, buildArgs, nil, outDir)
}

// SolveDockerfileSecrets is SolveDockerfile with build secrets: secrets
// maps a secret id (RUN --mount=type=secret,id=...) to the file holding it.
func SolveDockerfileSecrets(ctx context.Context, t testing.TB, c *client.Client, contextDir string, dockerfile []byte, target string, buildArgs, secrets map[string]string, outDir string) (imageConfig ocispecs.Image) {
	t.Helper()
	img, logs, err := trySolveDockerfile(ctx, c, contextDir, dockerfile, target, buildArgs, secrets, outDir)
	if err != nil {
		t.Fatalf("Dockerfile build failed: %v\n--- build log ---\n%s", err, tail(logs, 120))
	}
	t.Logf("Dockerfile build ok (target %q): %s", target, outDir)
	return img
}

// TrySolveDockerfile is SolveDockerfile for tests that expect failures: it
// returns the error and the plain-text build log instead of failing.
func TrySolveDockerfile(ctx context.Context, c *client.Client, contextDir string, dockerfile []byte, target string, buildArgs map[string]string, outDir string) (ocispecs.Image, string, error) {
	return trySolveDockerfile(ctx, c, contextDir, dockerfile, target, buildArgs, nil, outDir)
}

func trySolveDockerfile(ctx context.Context, c *client.Client, contextDir string, dockerfile []byte, target string, buildArgs, secrets map[string]string, outDir string) (ocispecs.Image, string, error) {
	dfDir, err := os.MkdirTemp("", "testenv-dockerfile-")
	if err != nil {
		return ocispecs.Image{}, "", err
	}
	defer os.RemoveAll(dfDir)
	if err := os.WriteFile(filepath.Join(dfDir, "Dockerfile"), dockerfile, 0o644); err != nil {
		return ocispecs.Image{}, "", err
	}
	ctxFS, err := fsutil.NewFS(contextDir)
	if err != nil {
		return ocispecs.Image{}, "", fmt.Errorf("build context: %w", err)
	}
	dfFS, err := fsutil.NewFS(dfDir)
	if err != nil {
		return ocispecs.Image{}, "", err
	}
	attrs := map[string]string{"filename": "Dockerfile"}
	if target != "" {
		attrs["target"] = target
	}
	for k, v := range buildArgs {
		attrs["build-arg:"+k] = v
	}
	opt := client.SolveOpt{
		Frontend:      "dockerfile.v0",
		FrontendAttrs: attrs,
		LocalMounts:   map[string]fsutil.FS{"context": ctxFS, "dockerfile": dfFS},
	}
	if len(secrets) > 0 {
		var srcs []secretsprovider.Source
		for id, path := range secrets {
			srcs = append(srcs, secretsprovider.Source{ID: id, FilePath: path})
		}
		store, err := secretsprovider.NewStore(srcs)
		if err != nil {
			return ocispecs.Image{}, "", err
		}
		opt.Session = append(opt.Session, secretsprovider.NewSecretProvider(store))
	}
	return solve(ctx, outDir, opt, nil, func(opt client.SolveOpt, ch chan *client.SolveStatus) (*client.SolveResponse, error) {
		return c.Solve(ctx, nil, opt, ch)
	})
}

// SolveLLB solves a hand-made (or compiled) LLB definition and exports it
// like SolveDockerfile. localDirs maps llb.Local names to host directories;
// imageConfig (JSON of an ocispecs.Image, may be nil) becomes the config of
// the exported image ("containerimage.config").
func SolveLLB(ctx context.Context, t testing.TB, c *client.Client, def *llb.Definition, localDirs map[string]string, imageConfig []byte, outDir string) ocispecs.Image {
	t.Helper()
	img, logs, err := TrySolveLLB(ctx, c, def, localDirs, imageConfig, outDir)
	if err != nil {
		t.Fatalf("LLB solve failed: %v\n--- build log ---\n%s", err, tail(logs, 120))
	}
	return img
}

// TrySolveLLB is SolveLLB returning the error and build log.
func TrySolveLLB(ctx context.Context, c *client.Client, def *llb.Definition, localDirs map[string]string, imageConfig []byte, outDir string) (ocispecs.Image, string, error) {
	mounts, err := localMounts(localDirs)
	if err != nil {
		return ocispecs.Image{}, "", err
	}
	opt := client.SolveOpt{LocalMounts: mounts}
	var ociAttrs map[string]string
	if imageConfig != nil {
		ociAttrs = map[string]string{exptypes.ExporterImageConfigKey: string(imageConfig)}
	}
	return solve(ctx, outDir, opt, ociAttrs, func(opt client.SolveOpt, ch chan *client.SolveStatus) (*client.SolveResponse, error) {
		return c.Solve(ctx, def, opt, ch)
	})
}

// Build runs fn as a gateway build function (client.Build) and exports its
// result like SolveDockerfile. Inside fn, the gwclient.Client is the image
// meta resolver to use (llb.WithMetaResolver(gw)): it resolves inside
// buildkitd and therefore honours the registry mirrors, unlike
// imagemetaresolver.Default(). Set the image config as result metadata
// "containerimage.config" (exptypes.ExporterImageConfigKey).
func Build(ctx context.Context, t testing.TB, c *client.Client, localDirs map[string]string, outDir string, fn gwclient.BuildFunc) ocispecs.Image {
	t.Helper()
	img, logs, err := TryBuild(ctx, c, localDirs, outDir, fn)
	if err != nil {
		t.Fatalf("gateway build failed: %v\n--- build log ---\n%s", err, tail(logs, 120))
	}
	return img
}

// TryBuild is Build returning the error and build log.
func TryBuild(ctx context.Context, c *client.Client, localDirs map[string]string, outDir string, fn gwclient.BuildFunc) (ocispecs.Image, string, error) {
	mounts, err := localMounts(localDirs)
	if err != nil {
		return ocispecs.Image{}, "", err
	}
	opt := client.SolveOpt{LocalMounts: mounts}
	return solve(ctx, outDir, opt, nil, func(opt client.SolveOpt, ch chan *client.SolveStatus) (*client.SolveResponse, error) {
		return c.Build(ctx, opt, "multistage-testenv", fn, ch)
	})
}

func localMounts(dirs map[string]string) (map[string]fsutil.FS, error) {
	m := map[string]fsutil.FS{}
	for name, dir := range dirs {
		fs, err := fsutil.NewFS(dir)
		if err != nil {
			return nil, fmt.Errorf("local %q: %w", name, err)
		}
		m[name] = fs
	}
	return m, nil
}

// solve adds the two exporters (OCI tar + local rootfs) to opt, runs do with
// a progress channel rendered as plain text, and reads the image config back.
func solve(ctx context.Context, outDir string, opt client.SolveOpt, ociAttrs map[string]string, do func(client.SolveOpt, chan *client.SolveStatus) (*client.SolveResponse, error)) (ocispecs.Image, string, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return ocispecs.Image{}, "", err
	}
	tarPath := filepath.Join(outDir, ImageTarName)
	rootfs := filepath.Join(outDir, RootfsName)
	if ociAttrs == nil {
		ociAttrs = map[string]string{}
	}
	// Two exporters in one solve (supported since BuildKit v0.13). The rootfs
	// comes from the type=tar exporter, unpacked while it streams in: the
	// type=local exporter deadlocks on large trees in v0.34.2 (see extract.go).
	if err := os.RemoveAll(rootfs); err != nil {
		return ocispecs.Image{}, "", err
	}
	opt.Exports = []client.ExportEntry{
		{
			Type:  client.ExporterOCI,
			Attrs: ociAttrs,
			Output: func(map[string]string) (io.WriteCloser, error) {
				return os.Create(tarPath)
			},
		},
		{
			Type: client.ExporterTar,
			Output: func(map[string]string) (io.WriteCloser, error) {
				return untar.NewWriter(rootfs)
			},
		},
	}
	var buf bytes.Buffer
	ch := make(chan *client.SolveStatus)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d, err := progressui.NewDisplay(&buf, progressui.PlainMode)
		if err != nil {
			for range ch {
			}
			return
		}
		// context.Background: drain until the solve closes ch
		_, _ = d.UpdateFrom(context.Background(), ch)
	}()
	_, err := do(opt, ch)
	<-done
	logs := buf.String()
	if err != nil {
		return ocispecs.Image{}, logs, err
	}
	// an image's / is 0755 (buildctl's type=local creates it 0700, which locks
	// non-root container users out)
	if err := os.Chmod(rootfs, 0o755); err != nil {
		return ocispecs.Image{}, logs, err
	}
	img, err := ReadOCIConfig(tarPath)
	return img, logs, err
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines cut)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// ReadOCIConfig reads the image config of an OCI image layout tarball (the
// type=oci export): index.json -> (nested index ->) manifest -> config blob.
// With several platforms it picks linux/GOARCH.
func ReadOCIConfig(tarPath string) (ocispecs.Image, error) {
	f, err := os.Open(tarPath)
	if err != nil {
		return ocispecs.Image{}, err
	}
	defer f.Close()
	// one pass: keep every small file (index, manifests, configs); skip layers
	files := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ocispecs.Image{}, fmt.Errorf("%s: %w", tarPath, err)
		}
		if h.Typeflag != tar.TypeReg || h.Size > 8<<20 {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return ocispecs.Image{}, fmt.Errorf("%s: %w", tarPath, err)
		}
		files[strings.TrimPrefix(h.Name, "./")] = b
	}
	blob := func(d ocispecs.Descriptor) ([]byte, error) {
		name := "blobs/" + d.Digest.Algorithm().String() + "/" + d.Digest.Encoded()
		b, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("%s: blob %s missing", tarPath, d.Digest)
		}
		return b, nil
	}
	idxData, ok := files["index.json"]
	if !ok {
		return ocispecs.Image{}, fmt.Errorf("%s: no index.json (not an OCI layout tarball)", tarPath)
	}
	var idx ocispecs.Index
	if err := json.Unmarshal(idxData, &idx); err != nil {
		return ocispecs.Image{}, fmt.Errorf("%s: index.json: %w", tarPath, err)
	}
	for depth := 0; depth < 4; depth++ {
		desc, err := pickManifest(idx.Manifests)
		if err != nil {
			return ocispecs.Image{}, fmt.Errorf("%s: %w", tarPath, err)
		}
		b, err := blob(desc)
		if err != nil {
			return ocispecs.Image{}, err
		}
		switch desc.MediaType {
		case ocispecs.MediaTypeImageIndex, "application/vnd.docker.distribution.manifest.list.v2+json":
			idx = ocispecs.Index{}
			if err := json.Unmarshal(b, &idx); err != nil {
				return ocispecs.Image{}, fmt.Errorf("%s: index %s: %w", tarPath, desc.Digest, err)
			}
			continue
		}
		var m ocispecs.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return ocispecs.Image{}, fmt.Errorf("%s: manifest %s: %w", tarPath, desc.Digest, err)
		}
		cb, err := blob(m.Config)
		if err != nil {
			return ocispecs.Image{}, err
		}
		var img ocispecs.Image
		if err := json.Unmarshal(cb, &img); err != nil {
			return ocispecs.Image{}, fmt.Errorf("%s: config %s: %w", tarPath, m.Config.Digest, err)
		}
		return img, nil
	}
	return ocispecs.Image{}, fmt.Errorf("%s: indexes nested too deep", tarPath)
}

func pickManifest(ms []ocispecs.Descriptor) (ocispecs.Descriptor, error) {
	var cands []ocispecs.Descriptor
	for _, d := range ms {
		if d.Platform != nil && d.Platform.OS == "unknown" { // attestation manifests
			continue
		}
		cands = append(cands, d)
	}
	if len(cands) == 0 {
		return ocispecs.Descriptor{}, errors.New("no image manifest in index")
	}
	for _, d := range cands {
		if d.Platform != nil && d.Platform.OS == "linux" && d.Platform.Architecture == runtime.GOARCH {
			return d, nil
		}
	}
	return cands[0], nil
}
