package multistage_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/e2e"
	"github.com/multistage/multistage/internal/pipelines"
	"github.com/multistage/multistage/internal/testenv"
)

// The end-to-end tests of the root package build on the real engine of
// ./test.sh. The Python and Maven pipelines, whose classic commands need
// PyPI or Maven Central, are built end to end by the presets' tests, with
// sample apps that build offline.

// TestEndToEndGo builds the classic Go pipeline both ways on the real engine
// and runs the binary from the final image.
func TestEndToEndGo(t *testing.T) {
	c := testenv.Client(t)
	p := pipelines.Go()
	r := e2e.Build(t, c, p.Build, "testdata/apps/go", e2e.Options{ViaDockerfile: true})
	if want := []string{"./myapp"}; !cmp.Equal(r.Config.Config.Cmd, want) {
		t.Errorf("Cmd = %q, want %q", r.Config.Config.Cmd, want)
	}
	if _, ok := r.Config.Config.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("ExposedPorts = %v, want 8080/tcp", r.Config.Config.ExposedPorts)
	}
	out := testenv.RunRootfs(context.Background(), t, r.Rootfs, r.Config, []string{"./myapp", "-selftest"})
	if !strings.Contains(out, "200 hello from go") {
		t.Errorf("the built binary answered %q, want 200 hello from go", out)
	}
}

// TestEndToEndNodeNginx builds the classic Node → nginx pipeline both ways.
func TestEndToEndNodeNginx(t *testing.T) {
	c := testenv.Client(t)
	r := e2e.Build(t, c, pipelines.NodeNginx().Build, "testdata/apps/node-nginx", e2e.Options{ViaDockerfile: true})
	out := testenv.RunRootfs(context.Background(), t, r.Rootfs, r.Config, []string{"cat", "/usr/share/nginx/html/index.html"})
	if !strings.Contains(out, "Hello from node-nginx") {
		t.Errorf("index.html is %q, want the built page", out)
	}
}

// TestEndToEndTarget builds only the build stage of the Go pipeline.
func TestEndToEndTarget(t *testing.T) {
	c := testenv.Client(t)
	p := pipelines.Go()
	r := e2e.Build(t, c, p.Build, "testdata/apps/go", e2e.Options{Target: p.Stages["builder"], ViaDockerfile: true})
	if _, err := os.Stat(filepath.Join(r.Rootfs, "app", "myapp")); err != nil {
		t.Errorf("the builder stage has no /app/myapp: %v", err)
	}
}

// TestEndToEndDotNetNotFound: no .NET SDK image exists on the test engine
// (none is reachable from these machines), so the build must fail cleanly
// with "not found", not hang or succeed with something else.
func TestEndToEndDotNetNotFound(t *testing.T) {
	c := testenv.Client(t)
	_, err := pipelines.DotNet().Build.Solve(context.Background(), c, multistage.ContextDir("testdata/apps/dotnet"))
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("Solve of the .NET pipeline: err = %v, want an image not found error", err)
	}
}

// TestEndToEndSecretAndCache builds a stage that reads a build secret and
// records a random stamp, and checks that:
//   - the RUN saw the secret, and both routes build the same image;
//   - the secret's value is nowhere in the image: not in its config, not
//     in any layer, not in the Dockerfile or the LLB;
//   - cache exported with ExportCache and imported with ImportCache brings
//     back the step's result after the engine dropped it from its own
//     cache (same stamp), while without ImportCache the step runs again
//     (new stamp), so the import is what restores it.
func TestEndToEndSecretAndCache(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	token := rand.Text() // unique per run: no earlier cache can match
	secretValue := "s3cr3t-" + rand.Text()
	secretFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(secretFile, []byte(secretValue), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(secretValue))

	b := multistage.New()
	b.Stage("app").From("alpine:latest").
		// The token keeps the step out of earlier runs' cache: a secret's
		// value is not part of the cache key.
		Run("sha256sum /run/secrets/token | cut -c1-64 > /token.sha256 # "+token, multistage.SecretMount("token", multistage.Required())).
		Run("cat /proc/sys/kernel/random/uuid > /stamp # " + token)
	cacheDir := t.TempDir()
	r := e2e.Build(t, c, b, t.TempDir(), e2e.Options{
		ViaDockerfile: true,
		Solve: []multistage.SolveOption{
			multistage.SecretFromFile("token", secretFile),
			multistage.ExportCache("local", map[string]string{"dest": cacheDir, "mode": "max"}),
		},
		Secrets: map[string]string{"token": secretFile},
	})
	if got := readTrimmed(t, filepath.Join(r.Rootfs, "token.sha256")); got != hex.EncodeToString(sum[:]) {
		t.Errorf("the RUN read a secret with sha256 %s, want %x", got, sum)
	}
	stamp := readTrimmed(t, filepath.Join(r.Rootfs, "stamp"))

	df, err := b.Dockerfile()
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Compile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var def bytes.Buffer
	for _, d := range out.Definition.Def {
		def.Write(d)
	}
	for what, data := range map[string][]byte{"Dockerfile": df, "LLB": def.Bytes()} {
		if bytes.Contains(data, []byte(secretValue)) {
			t.Errorf("the secret's value is in the %s", what)
		}
	}
	if where := findInImage(t, r.Image, []byte(secretValue)); where != "" {
		t.Errorf("the secret's value is in the image: %s", where)
	}
	if where := findInTree(t, r.Rootfs, []byte(secretValue)); where != "" {
		t.Errorf("the secret's value is in the root file system: %s", where)
	}

	// Drop the stamp step from the engine's cache, then rebuild.
	forget := func() {
		t.Helper()
		if err := c.Prune(ctx, nil, client.PruneAll, client.WithFilter([]string{"description~=" + token})); err != nil {
			t.Fatalf("prune: %v", err)
		}
	}
	rebuild := func(opts ...multistage.SolveOption) string {
		t.Helper()
		dir := t.TempDir()
		opts = append(opts, multistage.ContextDir(t.TempDir()), multistage.SecretFromFile("token", secretFile), multistage.OutputLocal(dir))
		if _, err := b.Solve(ctx, c, opts...); err != nil {
			t.Fatalf("Solve: %v", err)
		}
		return readTrimmed(t, filepath.Join(dir, "stamp"))
	}
	// The control first: without the import, the step runs again. (After
	// an import, the engine holds the step's result as an imported blob,
	// which this prune does not match.)
	forget()
	if got := rebuild(); got == stamp {
		t.Fatalf("without the imported cache the step did not run again (stamp %q): the prune did not drop it, so an import would prove nothing", got)
	}
	forget()
	if got := rebuild(multistage.ImportCache("local", map[string]string{"src": cacheDir})); got != stamp {
		t.Errorf("with the imported cache the stamp is %q, want %q from the first build", got, stamp)
	}
}

// TestEndToEndCaching: a second solve with no change is fully cached, and
// after a change to one source file only the steps after its copy run
// again.
func TestEndToEndCaching(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	token := rand.Text() // keeps earlier runs' cache out
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "a\n")
	write("b.txt", "b\n")
	b := multistage.New()
	b.Stage("app").From("alpine:latest").
		Workdir("/work").
		Copy("a.txt", ".").
		Run("cat a.txt > a.out # "+token).
		Copy("b.txt", ".").
		Run("cat b.txt > b.out # " + token).
		Run("cat /proc/sys/kernel/random/uuid > stamp # " + token)

	// solve returns, for each RUN step, whether it was cached.
	solve := func() map[string]bool {
		t.Helper()
		ch := make(chan *client.SolveStatus)
		cached := map[string]bool{}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for s := range ch {
				for _, v := range s.Vertexes {
					if i := strings.Index(v.Name, "/bin/sh -c "); i >= 0 && v.Completed != nil {
						cmd, _, _ := strings.Cut(v.Name[i+len("/bin/sh -c "):], " #")
						cached[cmd] = v.Cached
					}
				}
			}
		}()
		_, err := b.Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputTar(filepath.Join(t.TempDir(), "fs.tar")), multistage.StatusChannel(ch))
		<-done
		if err != nil {
			t.Fatalf("Solve: %v", err)
		}
		return cached
	}
	all := func(v bool) map[string]bool {
		return map[string]bool{"cat a.txt > a.out": v, "cat b.txt > b.out": v, "cat /proc/sys/kernel/random/uuid > stamp": v}
	}
	if got, want := solve(), all(false); !cmp.Equal(got, want) {
		t.Errorf("first solve: cached steps %v, want %v", got, want)
	}
	if got, want := solve(), all(true); !cmp.Equal(got, want) {
		t.Errorf("solve with no change: cached steps %v, want %v", got, want)
	}
	write("b.txt", "b, changed\n")
	want := all(false)
	want["cat a.txt > a.out"] = true
	if got := solve(); !cmp.Equal(got, want) {
		t.Errorf("solve after changing b.txt: cached steps %v, want %v", got, want)
	}
}

func readTrimmed(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// findInImage looks for needle in every blob of an OCI tarball, gunzipping
// the compressed ones (layers), and names the first blob holding it.
func findInImage(t *testing.T, tarPath string, needle []byte) string {
	t.Helper()
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	blobs := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		blobs++
		if bytes.Contains(data, needle) {
			return h.Name
		}
		if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s: %v", h.Name, err)
			}
			if bytes.Contains(plain, needle) {
				return h.Name + " (uncompressed)"
			}
		}
	}
	if blobs < 3 {
		t.Fatalf("%s holds %d entries: not an OCI image", tarPath, blobs)
	}
	return ""
}

// findInTree looks for needle in every regular file under root.
func findInTree(t *testing.T, root string, needle []byte) string {
	t.Helper()
	found := ""
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found != "" || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, needle) {
			found = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestEndToEndSourceDateEpoch: a SOURCE_DATE_EPOCH global ARG dates the
// exported image and the history entries of the build on the LLB route,
// and leaves those of the base image as they are, exactly as on the
// Dockerfile route: the two configs are equal, history and all.
func TestEndToEndSourceDateEpoch(t *testing.T) {
	c := testenv.Client(t)
	b := multistage.New()
	b.Arg("SOURCE_DATE_EPOCH", "1700000000")
	b.Stage("app").From("alpine:latest").
		Workdir("/work").
		Run("echo dated > /work/f # " + rand.Text())
	r := e2e.Build(t, c, b, t.TempDir(), e2e.Options{ViaDockerfile: true})
	want := time.Unix(1700000000, 0).UTC()
	if r.Config.Created == nil || !r.Config.Created.Equal(want) {
		t.Errorf("image created %v, want %v", r.Config.Created, want)
	}
	if n := len(r.Config.History); n < 3 {
		t.Fatalf("%d history entries, want the base image's and the build's", n)
	}
	for _, h := range r.Config.History[len(r.Config.History)-2:] {
		if h.Created == nil || !h.Created.Equal(want) {
			t.Errorf("history %q created %v, want %v", h.CreatedBy, h.Created, want)
		}
	}
	if first := r.Config.History[0]; first.Created != nil && first.Created.Equal(want) {
		t.Errorf("the base image's history %q was redated to %v", first.CreatedBy, want)
	}
	if d := cmp.Diff(r.DFConfig, r.Config); d != "" {
		t.Errorf("image configs differ (-Dockerfile route +LLB route):\n%s", d)
	}
}

// TestEndToEndCancel: cancelling the context stops a running build
// promptly, and the error says so (errors.Is context.Canceled).
func TestEndToEndCancel(t *testing.T) {
	c := testenv.Client(t)
	b := multistage.New()
	b.Stage("app").From("alpine:latest").Run("sleep 60 # " + rand.Text())
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan *client.SolveStatus)
	go func() {
		for s := range ch {
			for _, v := range s.Vertexes {
				if v.Started != nil && strings.Contains(v.Name, "sleep 60") {
					cancel() // the RUN is running
				}
			}
		}
	}()
	start := time.Now()
	_, err := b.Solve(ctx, c, multistage.ContextDir(t.TempDir()), multistage.StatusChannel(ch))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Solve returned %v after the start, not promptly after the cancel", d)
	}
}

// TestEndToEndContextsKeptApart: two build contexts with a file of the
// same name, size and modification time, and different contents, each
// build gets its own. The daemon sends only what changed since the copy
// of the context it keeps, and judges a file unchanged by its size and
// time: with one copy shared by every directory, the second build would
// get the first one's file.
func TestEndToEndContextsKeptApart(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b := multistage.New()
	b.Stage("out").From("scratch").Copy("f.txt", "/")
	for _, content := range []string{"first\n", "other\n", "first\n"} {
		dir := t.TempDir()
		f := filepath.Join(dir, "f.txt")
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f, when, when); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		if _, err := b.Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputLocal(out)); err != nil {
			t.Fatalf("Solve: %v", err)
		}
		got, err := os.ReadFile(filepath.Join(out, "f.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Errorf("build of a context whose f.txt is %q got %q", content, got)
		}
	}
}
