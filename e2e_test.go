package multistage_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/pipelines"
	"github.com/multistage/multistage/internal/testenv"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// solveBoth builds b on the real engine twice, once from the compiled LLB
// with Solve and once from the rendered Dockerfile with BuildKit's
// dockerfile.v0 frontend, and requires identical root file systems and
// image configs. It returns the exported root file system and config.
func solveBoth(t *testing.T, c *client.Client, b *multistage.Build, contextDir string, target *multistage.Stage) (string, ocispecs.Image) {
	t.Helper()
	ctx := context.Background()
	var opts []multistage.Option
	targetName := ""
	if target != nil {
		opts = append(opts, multistage.Target(target))
		targetName = target.Name()
	}
	llbDir := t.TempDir()
	sopts := []multistage.SolveOption{
		multistage.ContextDir(contextDir),
		multistage.OutputOCI(filepath.Join(llbDir, testenv.ImageTarName)),
		multistage.OutputLocal(filepath.Join(llbDir, testenv.RootfsName)),
	}
	for _, o := range opts {
		sopts = append(sopts, o)
	}
	start := time.Now()
	res, err := b.Solve(ctx, c, sopts...)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	t.Logf("LLB route: %v, image %s, %d bytes", time.Since(start).Round(time.Millisecond), res.Digest, res.Size)
	llbConfig, err := testenv.ReadOCIConfig(filepath.Join(llbDir, testenv.ImageTarName))
	if err != nil {
		t.Fatal(err)
	}

	df, err := b.Dockerfile(opts...)
	if err != nil {
		t.Fatal(err)
	}
	dfDir := t.TempDir()
	start = time.Now()
	dfConfig := testenv.SolveDockerfile(ctx, t, c, contextDir, df, targetName, nil, dfDir)
	t.Logf("Dockerfile route: %v", time.Since(start).Round(time.Millisecond))

	llbTree, err := testenv.TreeDigest(filepath.Join(llbDir, testenv.RootfsName))
	if err != nil {
		t.Fatal(err)
	}
	dfTree, err := testenv.TreeDigest(filepath.Join(dfDir, testenv.RootfsName))
	if err != nil {
		t.Fatal(err)
	}
	if d := testenv.DiffTrees(dfTree, llbTree); d != "" {
		t.Errorf("root file systems differ (-Dockerfile route +LLB route):\n%s", d)
	}
	if d := cmp.Diff(dfConfig.Config, llbConfig.Config, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("image configs differ (-Dockerfile route +LLB route):\n%s", d)
	}
	if dfConfig.OS != llbConfig.OS || dfConfig.Architecture != llbConfig.Architecture {
		t.Errorf("platform: Dockerfile route %s/%s, LLB route %s/%s", dfConfig.OS, dfConfig.Architecture, llbConfig.OS, llbConfig.Architecture)
	}
	if len(res.Images) != 1 {
		t.Errorf("Solve returned %d image configs, want 1", len(res.Images))
	}
	return filepath.Join(llbDir, testenv.RootfsName), llbConfig
}

// TestEndToEndGo builds the classic Go pipeline both ways on the real engine
// and runs the binary from the final image.
func TestEndToEndGo(t *testing.T) {
	c := testenv.Client(t)
	p := pipelines.Go()
	rootfs, cfg := solveBoth(t, c, p.Build, "testdata/apps/go", nil)
	if want := []string{"./myapp"}; !cmp.Equal(cfg.Config.Cmd, want) {
		t.Errorf("Cmd = %q, want %q", cfg.Config.Cmd, want)
	}
	if _, ok := cfg.Config.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("ExposedPorts = %v, want 8080/tcp", cfg.Config.ExposedPorts)
	}
	out := testenv.RunRootfs(context.Background(), t, rootfs, cfg, []string{"./myapp", "-selftest"})
	if !strings.Contains(out, "200 hello from go") {
		t.Errorf("the built binary answered %q, want 200 hello from go", out)
	}
}

// TestEndToEndPipelines builds the other pipelines whose toolchains exist
// on the test engine, both ways, and runs what they built.
func TestEndToEndPipelines(t *testing.T) {
	c := testenv.Client(t)
	cases := []struct {
		p    pipelines.Pipeline
		dir  string
		run  []string
		want string
	}{
		{pipelines.Python(), "testdata/apps/python", []string{"python", "app.py"}, "hello from python"},
		{pipelines.NodeNginx(), "testdata/apps/node-nginx", []string{"cat", "/usr/share/nginx/html/index.html"}, "Hello from node-nginx"},
		{pipelines.Maven(), "testdata/apps/maven", []string{"java", "-jar", "myapp.jar"}, "hello from maven"},
	}
	for _, tc := range cases {
		t.Run(tc.p.Name, func(t *testing.T) {
			rootfs, cfg := solveBoth(t, c, tc.p.Build, tc.dir, nil)
			out := testenv.RunRootfs(context.Background(), t, rootfs, cfg, tc.run)
			if !strings.Contains(out, tc.want) {
				t.Errorf("%q printed %q, want %q", tc.run, out, tc.want)
			}
		})
	}
}

// TestEndToEndTarget builds only the build stage of the Go pipeline.
func TestEndToEndTarget(t *testing.T) {
	c := testenv.Client(t)
	p := pipelines.Go()
	rootfs, _ := solveBoth(t, c, p.Build, "testdata/apps/go", p.Stages["builder"])
	if _, err := os.Stat(filepath.Join(rootfs, "app", "myapp")); err != nil {
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
