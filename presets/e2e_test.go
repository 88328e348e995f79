package presets_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/e2e"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// The sample applications, relative to this package.
const (
	goApp         = "../examples/go/app"
	nodeApp       = "../examples/node/app"
	nodeServerApp = "../examples/node-server/app"
	pythonApp     = "../examples/python/app"
	mavenApp      = "../examples/maven/app"
	dotnetApp     = "../examples/dotnet/app"
)

// The options the examples and the end-to-end tests build the samples with.
var (
	goSample         = presets.GoOptions{Binary: "hello"}
	nodeSample       = presets.NodeStaticOptions{}
	nodeServerSample = presets.NodeServerOptions{Entry: "server.js"}
	pythonSample     = presets.PythonOptions{FindLinks: "wheels", NoIndex: true}
	mavenSample      = presets.MavenOptions{}
	dotnetSample     = presets.DotNetOptions{Project: "hello.csproj"}
)

// build builds b on the real engine with Solve, from the compiled LLB,
// and returns the exported root file system and image config. With
// viaDockerfile, it also builds the rendered Dockerfile with BuildKit's
// Dockerfile frontend and requires the same root file system and config.
// (Every preset's LLB is already checked against the frontend's, op for
// op, by TestGolden; building both ways on the engine is kept for the
// smaller images, to bound the time the end-to-end tests add.)
func build(t *testing.T, c *client.Client, b *multistage.Build, contextDir string, viaDockerfile bool) (string, ocispecs.Image) {
	t.Helper()
	r := e2e.Build(t, c, b, contextDir, e2e.Options{ViaDockerfile: viaDockerfile})
	return r.Rootfs, r.Config
}

// freePort returns a free TCP port on 127.0.0.1: containers share the
// host's network.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: got %q, want it to contain %q", what, got, w)
		}
	}
}

// TestEndToEndGo builds the Go preset for examples/go/app on the real
// engine, both from its LLB and from its Dockerfile, runs the binary's self-test in the image as the non-root user,
// and starts the server and asks it.
func TestEndToEndGo(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	rootfs, cfg := build(t, c, presets.Go(goSample).Build, goApp, true)
	if d := cmp.Diff([]string{"/usr/local/bin/hello"}, cfg.Config.Entrypoint); d != "" {
		t.Errorf("Entrypoint (-want +got):\n%s", d)
	}
	if cfg.Config.User != presets.NonRootUser {
		t.Errorf("User = %q, want %q", cfg.Config.User, presets.NonRootUser)
	}
	out := testenv.RunRootfs(ctx, t, rootfs, cfg, []string{"/usr/local/bin/hello", "-selftest"})
	wantContains(t, "hello -selftest", out, "selftest: 200 hello from the go preset", "linux/amd64", "uid 65532")

	port := freePort(t)
	ctr, stop := testenv.StartRootfs(ctx, t, rootfs, cfg, nil, testenv.WithEnv(fmt.Sprintf("PORT=%d", port)))
	body := testenv.WaitHTTP(t, ctr, fmt.Sprintf("http://127.0.0.1:%d/", port), 30*time.Second)
	wantContains(t, "GET /", body, "hello from the go preset")
	stop()
}

// TestEndToEndNodeStatic builds the NodeStatic preset for
// examples/node/app as a single-page application and checks that nginx
// serves the built page, for / and for a client-side route.
func TestEndToEndNodeStatic(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	port := freePort(t)
	opts := nodeSample
	opts.SPA, opts.Port = true, port
	rootfs, cfg := build(t, c, presets.NodeStatic(opts).Build, nodeApp, true)
	ctr, stop := testenv.StartRootfs(ctx, t, rootfs, cfg, nil)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	wantContains(t, "GET /", testenv.WaitHTTP(t, ctr, base+"/", 30*time.Second), "<h1>Hello from the node preset</h1>", "Built with Node.js v")
	wantContains(t, "GET /some/client/route", testenv.WaitHTTP(t, ctr, base+"/some/client/route", 10*time.Second), "<h1>Hello from the node preset</h1>")
	stop()
}

// TestEndToEndNodeServer builds the NodeServer preset for
// examples/node-server/app and runs the server's self-test as the user
// node, in production mode.
func TestEndToEndNodeServer(t *testing.T) {
	c := testenv.Client(t)
	rootfs, cfg := build(t, c, presets.NodeServer(nodeServerSample).Build, nodeServerApp, false)
	out := testenv.RunRootfs(context.Background(), t, rootfs, cfg, []string{"node", "server.js", "--selftest"})
	wantContains(t, "node server.js --selftest", out, "selftest: 200 hello from the node-server preset", "user node", "NODE_ENV=production")
}

// TestEndToEndPython builds the Python preset for examples/python/app,
// whose dependency is a local wheel installed offline, runs it as the
// non-root user, and serves it.
func TestEndToEndPython(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	rootfs, cfg := build(t, c, presets.Python(pythonSample).Build, pythonApp, false)
	out := testenv.RunRootfs(ctx, t, rootfs, cfg, nil)
	wantContains(t, "python app.py", out, "hello from the python preset, with greeting 1.0.0", "uid 65532")

	// python as PID 1 ignores SIGTERM (it installs no handler): stop the
	// server with SIGKILL rather than wait for the timeout.
	port, kill := freePort(t), cfg
	kill.Config.StopSignal = "SIGKILL"
	ctr, stop := testenv.StartRootfs(ctx, t, rootfs, kill, []string{"python", "app.py", "--serve"}, testenv.WithEnv(fmt.Sprintf("PORT=%d", port)))
	wantContains(t, "GET /", testenv.WaitHTTP(t, ctr, fmt.Sprintf("http://127.0.0.1:%d/", port), 30*time.Second), "hello from the python preset")
	stop()
}

// TestEndToEndMaven builds the Maven preset for examples/maven/app with
// the offline Maven stand-in, and runs the jar on the JRE as the non-root
// user.
func TestEndToEndMaven(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	rootfs, cfg := build(t, c, presets.Maven(mavenSample).Build, mavenApp, false)
	out := testenv.RunRootfs(ctx, t, rootfs, cfg, nil)
	wantContains(t, "java -jar /app/app.jar", out, "hello from the maven preset (java 17")

	port := freePort(t)
	ctr, stop := testenv.StartRootfs(ctx, t, rootfs, cfg, []string{"java", "-jar", "/app/app.jar", "--serve"}, testenv.WithEnv(fmt.Sprintf("PORT=%d", port)))
	wantContains(t, "GET /", testenv.WaitHTTP(t, ctr, fmt.Sprintf("http://127.0.0.1:%d/", port), 60*time.Second), "hello from the maven preset")
	stop()
}

// TestEndToEndDotNetNotFound: no .NET SDK image exists on the test engine,
// so the .NET preset must fail cleanly with "not found".
func TestEndToEndDotNetNotFound(t *testing.T) {
	c := testenv.Client(t)
	_, err := presets.DotNet(dotnetSample).Build.Solve(context.Background(), c, multistage.ContextDir(dotnetApp))
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("Solve of the .NET preset: err = %v, want an image not found error", err)
	}
}
