package multistage_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
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
	"github.com/multistage/multistage/internal/pipelines"
	"github.com/multistage/multistage/internal/testenv"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// The end-to-end tests of Docker Engine: the test environment's isolated
// dockerd (Debian's docker.io 20.10, built-in BuildKit v0.8) at
// $DOCKER_HOST, beside its buildkitd at $BUILDKIT_HOST.

// dialEngine connects to Docker Engine's BuildKit as a user would.
func dialEngine(t *testing.T) *client.Client {
	t.Helper()
	testenv.DockerHost(t)
	c, err := multistage.Dial(context.Background(), multistage.DockerAddr)
	if err != nil {
		t.Fatalf("Dial(%q): %v", multistage.DockerAddr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// imageName is a name no other test run uses on the shared engine.
func imageName(what string) string {
	return "multistage-e2e/" + what + ":" + strings.ToLower(rand.Text()[:10])
}

// workerIDs lists the IDs of c's workers ("moby" on Docker Engine).
func workerIDs(t *testing.T, c *client.Client) []string {
	t.Helper()
	ws, err := c.ListWorkers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, w := range ws {
		ids = append(ids, w.ID)
	}
	return ids
}

// TestDialDockerEngine: "docker" and an empty address without
// BUILDKIT_HOST reach Docker Engine's BuildKit through the Engine API; an
// empty address with BUILDKIT_HOST reaches that daemon.
func TestDialDockerEngine(t *testing.T) {
	host := testenv.DockerHost(t)
	bk := testenv.Addr(t)
	ctx := context.Background()
	if ids := workerIDs(t, dialEngine(t)); len(ids) != 1 || ids[0] != "moby" {
		t.Errorf("Dial(docker): workers %q, want Docker Engine's [moby]", ids)
	}

	t.Setenv("BUILDKIT_HOST", "")
	c, err := multistage.Dial(ctx, "")
	if err != nil {
		t.Fatalf("Dial(\"\") without BUILDKIT_HOST: %v", err)
	}
	if ids := workerIDs(t, c); len(ids) != 1 || ids[0] != "moby" {
		t.Errorf("Dial(\"\") without BUILDKIT_HOST: workers %q, want Docker Engine's", ids)
	}
	c.Close()

	t.Setenv("BUILDKIT_HOST", bk)
	c, err = multistage.Dial(ctx, "")
	if err != nil {
		t.Fatalf("Dial(\"\") with BUILDKIT_HOST=%s: %v", bk, err)
	}
	if ids := workerIDs(t, c); len(ids) != 1 || ids[0] == "moby" {
		t.Errorf("Dial(\"\") with BUILDKIT_HOST: workers %q, want buildkitd's", ids)
	}
	c.Close()

	// no engine at DOCKER_HOST: a DialError naming "docker", in one line
	t.Setenv("DOCKER_HOST", "unix://"+t.TempDir()+"/none.sock")
	_, err = multistage.Dial(ctx, multistage.DockerAddr)
	var de *multistage.DialError
	if !errors.Is(err, multistage.ErrDial) || !errors.As(err, &de) || de.Addr != "docker" || strings.Contains(err.Error(), "\n") {
		t.Errorf("Dial(docker) without an engine: %v, want a one-line *DialError matching ErrDial", err)
	}
	t.Setenv("DOCKER_HOST", host)
}

// TestEndToEndEngineClassic builds the classic pipelines on Docker Engine
// and on buildkitd, both with Load, runs each image with docker run (and
// asks the servers over HTTP), and requires the same image config from both
// routes and from Solve. Python and Maven build offline: the Python app's
// requirement is a local wheel, and the Maven POM resolves from the Maven
// stand-in's repository. (.NET has no SDK image here: see
// TestEndToEndDotNetNotFound.)
func TestEndToEndEngineClassic(t *testing.T) {
	engine := dialEngine(t)
	bk := testenv.Client(t)
	for _, tc := range []struct {
		name, dir string
		p         pipelines.Pipeline
		port      int // the port it serves on; 0: it prints want and exits
		want      string
	}{
		{"go", "testdata/apps/go", pipelines.Go(), 8080, "hello from go"},
		{"node-nginx", "testdata/apps/node-nginx", pipelines.NodeNginx(), 80, "Hello from node-nginx"},
		{"python", "testdata/apps/python", pipelines.Python(), 0, "hello from python, with greeting 1.0.0 (python 3.10"},
		{"maven", "testdata/apps/maven", pipelines.Maven(), 0, "hello from maven (java 17"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			onEngine := e2e.Load(t, engine, tc.p.Build, tc.dir, imageName(tc.name))
			onBuildkitd := e2e.Load(t, bk, tc.p.Build, tc.dir, imageName(tc.name))
			e2e.SameConfig(t, "Docker Engine's build vs buildkitd's", onBuildkitd.Config, onEngine.Config)
			for _, img := range onBuildkitd.Solve.Images {
				e2e.SameConfig(t, "Solve's config vs the loaded image's", img.Config, onBuildkitd.Config)
			}
			for _, l := range []e2e.Loaded{onEngine, onBuildkitd} {
				if tc.port == 0 {
					if out := testenv.Docker(context.Background(), t, "run", "--rm", l.Name); !strings.Contains(out, tc.want) {
						t.Errorf("docker run %s: %q, want %q", l.Name, out, tc.want)
					}
					continue
				}
				_, url := e2e.RunDetached(t, l.Name, tc.port)
				if body := e2e.GetUntil(t, url+"/", 30*time.Second); !strings.Contains(body, tc.want) {
					t.Errorf("%s answered %q, want %q", l.Name, body, tc.want)
				}
			}
		})
	}
}

// TestLoadKeepsImageOnFailure: a build that fails leaves the image that
// already has the name as it was, on Docker Engine and through the
// tarball route from buildkitd.
func TestLoadKeepsImageOnFailure(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]*client.Client{"engine": dialEngine(t), "buildkitd": testenv.Client(t)} {
		t.Run(name, func(t *testing.T) {
			good := multistage.New()
			good.Stage("app").From("alpine:3.20").Run("echo good > /state").Cmd("cat", "/state")
			img := imageName("keep")
			e2e.Load(t, c, good, t.TempDir(), img)
			before := testenv.Docker(ctx, t, "image", "inspect", "--format", "{{.Id}}", img)

			bad := multistage.New()
			bad.Stage("app").From("alpine:3.20").Run("echo bad > /state && exit 3").Cmd("cat", "/state")
			if _, err := bad.Solve(ctx, c, multistage.ContextDir(t.TempDir()), multistage.Load(img)); err == nil {
				t.Fatal("the failing build succeeded")
			}
			if after := testenv.Docker(ctx, t, "image", "inspect", "--format", "{{.Id}}", img); after != before {
				t.Errorf("%s is %s after a failed build, was %s", img, after, before)
			}
			if out := testenv.Docker(ctx, t, "run", "--rm", img); out != "good" {
				t.Errorf("docker run %s: %q, want good", img, out)
			}
		})
	}
}

// TestLoadCancelledDuringExport: cancelling the context while the image
// streams from buildkitd into Docker Engine leaves the name on the image it
// had, and no image of the cancelled build tagged.
func TestLoadCancelledDuringExport(t *testing.T) {
	ctx := context.Background()
	c := testenv.Client(t)
	testenv.DockerHost(t)
	img := imageName("cancel")
	old := multistage.New()
	old.Stage("app").From("alpine:3.20").Run("echo old > /state").Cmd("cat", "/state")
	e2e.Load(t, c, old, t.TempDir(), img)
	before := testenv.Docker(ctx, t, "image", "inspect", "--format", "{{.Id}}", img)

	// a large image (the Go toolchain stand-in), so that the export takes
	// long enough to be cancelled in the middle
	big := multistage.New()
	big.Stage("app").From("golang:1.22").Run("echo "+rand.Text()+" > /state").Cmd("cat", "/state")
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *client.SolveStatus)
	exporting := make(chan struct{})
	go func() {
		var once bool
		for s := range ch {
			for _, st := range s.Statuses {
				// the tarball streams out (about 10 s for this image)
				if !once && st.ID == "sending tarball" && st.Started != nil && st.Completed == nil {
					once = true
					close(exporting)
				}
			}
		}
	}()
	go func() {
		select {
		case <-exporting:
			time.Sleep(500 * time.Millisecond)
			cancel()
		case <-cctx.Done():
		}
	}()
	_, err := big.Solve(cctx, c, multistage.ContextDir(t.TempDir()), multistage.Load(img), multistage.StatusChannel(ch))
	select {
	case <-exporting:
	default:
		t.Fatalf("the build ended before the tarball streamed: %v", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Solve cancelled during the export: %v, want context.Canceled", err)
	}
	if after := testenv.Docker(ctx, t, "image", "inspect", "--format", "{{.Id}}", img); after != before {
		t.Errorf("%s is %s after a cancelled load, was %s", img, after, before)
	}
	if out := testenv.Docker(ctx, t, "run", "--rm", img); out != "old" {
		t.Errorf("docker run %s: %q, want old", img, out)
	}
}

// TestLoadEngineUnreachable: Load on a BuildKit that is not Docker Engine
// needs the engine at DOCKER_HOST, and says so before building.
func TestLoadEngineUnreachable(t *testing.T) {
	c := testenv.Client(t)
	t.Setenv("DOCKER_HOST", "unix://"+t.TempDir()+"/none.sock")
	b := multistage.New()
	b.Stage("app").From("alpine:3.20").Run("echo " + rand.Text())
	start := time.Now()
	_, err := b.Solve(context.Background(), c, multistage.ContextDir(t.TempDir()), multistage.Load("app:1"))
	if !errors.Is(err, multistage.ErrDial) || strings.Contains(err.Error(), "\n") {
		t.Errorf("Solve with Load and no Docker Engine: %v, want a one-line error matching ErrDial", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the error came after %v: the build ran first", d)
	}
}

// TestDialDockerCloses: closing a client of Dial("docker") closes every
// connection Dial opened to the Engine API.
func TestDialDockerCloses(t *testing.T) {
	testenv.DockerHost(t)
	openFDs := func() int {
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd:", err)
		}
		return len(fds)
	}
	before := openFDs()
	const n = 10
	for range n {
		c, err := multistage.Dial(context.Background(), multistage.DockerAddr)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if after := openFDs(); after-before >= n/2 {
		t.Errorf("%d Dial and Close of Docker Engine left %d more open files", n, after-before)
	}
}

// TestDialDockerOverSSH: DOCKER_HOST=ssh://user@host reaches the engine as
// the docker command does, through "docker system dial-stdio" run over ssh.
// The ssh here is a stand-in that runs the remote command on this machine,
// against the test environment's engine; the build and its Load go through
// it (the /grpc and /session connections, and the Engine API).
func TestDialDockerOverSSH(t *testing.T) {
	host := testenv.DockerHost(t)
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker command to run dial-stdio:", err)
	}
	bin := t.TempDir()
	argsFile := filepath.Join(bin, "ssh.args")
	script := "#!/bin/sh\n" +
		"# ssh stand-in: record the arguments, run the remote command (after -- and the host) here\n" +
		"echo \"$@\" >> " + argsFile + "\n" +
		"while [ $# -gt 0 ]; do if [ \"$1\" = -- ]; then shift 2; break; fi; shift; done\n" +
		"DOCKER_HOST=" + host + " exec sh -c \"$*\"\n"
	if err := os.WriteFile(filepath.Join(bin, "ssh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DOCKER_HOST", "ssh://builder@engine.example")

	c, err := multistage.Dial(context.Background(), multistage.DockerAddr)
	if err != nil {
		t.Fatalf("Dial(docker) with DOCKER_HOST=ssh://: %v", err)
	}
	defer c.Close()
	if ids := workerIDs(t, c); len(ids) != 1 || ids[0] != "moby" {
		t.Errorf("workers %q, want Docker Engine's [moby]", ids)
	}
	b := multistage.New()
	b.Stage("app").From("alpine:3.20").Run("echo "+rand.Text()+" > /state").Cmd("cat", "/state")
	img := imageName("ssh")
	if _, err := b.Solve(context.Background(), c, multistage.ContextDir(t.TempDir()), multistage.Load(img)); err != nil {
		t.Fatalf("Solve with Load over ssh: %v", err)
	}
	t.Setenv("DOCKER_HOST", host)
	testenv.Docker(context.Background(), t, "image", "inspect", img)
	testenv.TryDocker(context.Background(), t, "rmi", img)
	args, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	if a := string(args); !strings.Contains(a, "-l builder") || !strings.Contains(a, "-- engine.example docker system dial-stdio") {
		t.Errorf("ssh ran with %q, want the docker command's dial-stdio on builder@engine.example", args)
	}
}

// TestLoadSeveralPlatforms: Load of a multi-platform image into Docker
// Engine 20.10 (a classic image store) is refused before anything is
// built, on the engine and from buildkitd, as buildx refuses --load of
// several platforms; BuildKit would refuse it only after building both.
func TestLoadSeveralPlatforms(t *testing.T) {
	for name, c := range map[string]*client.Client{"engine": dialEngine(t), "buildkitd": testenv.Client(t)} {
		t.Run(name, func(t *testing.T) {
			b := multistage.New()
			b.Stage("app").From("alpine:3.20").Run("echo " + rand.Text())
			ch := make(chan *client.SolveStatus)
			vertexes := 0
			done := make(chan struct{})
			go func() {
				for s := range ch {
					vertexes += len(s.Vertexes)
				}
				close(done)
			}()
			_, err := b.Solve(context.Background(), c, multistage.ContextDir(t.TempDir()), multistage.Load(imageName("platforms")),
				multistage.Platforms(ocispecs.Platform{OS: "linux", Architecture: "amd64"}, ocispecs.Platform{OS: "linux", Architecture: "arm64"}),
				multistage.StatusChannel(ch))
			<-done
			if !errors.Is(err, multistage.ErrInvalidValue) || !strings.Contains(err.Error(), "one platform") {
				t.Errorf("Solve with Load of 2 platforms: %v, want ErrInvalidValue saying one platform", err)
			}
			if vertexes > 0 {
				t.Errorf("%d vertexes ran before the refusal", vertexes)
			}
		})
	}
}

// TestLoadEngineGoneDuringExport: when the engine's image load fails while
// the tarball streams from buildkitd (here: the connection to the engine
// is cut after 3 MB), Solve reports the load's failure, not the closed
// pipe that BuildKit's exporter sees.
func TestLoadEngineGoneDuringExport(t *testing.T) {
	c := testenv.Client(t)
	sock, ok := strings.CutPrefix(testenv.DockerHost(t), "unix://")
	if !ok {
		t.Skip("DOCKER_HOST is no unix socket")
	}
	front := filepath.Join(t.TempDir(), "cut.sock")
	ln, err := net.Listen("unix", front)
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
				go io.Copy(conn, engine)
				io.CopyN(engine, conn, 3<<20)
			}()
		}
	}()
	t.Setenv("DOCKER_HOST", "unix://"+front)
	b := multistage.New()
	b.Stage("app").From("golang:1.22").Run("echo " + rand.Text() + " > /state")
	_, err = b.Solve(context.Background(), c, multistage.ContextDir(t.TempDir()), multistage.Load(imageName("cut")))
	if err == nil || !strings.Contains(err.Error(), "Load: loading into Docker Engine at unix://"+front) || strings.Contains(err.Error(), "\n") {
		t.Errorf("Solve with the engine's connection cut during the load: %v, want one line saying that the load failed", err)
	}
}
