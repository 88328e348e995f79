// Package e2e builds a [multistage.Build] on the real BuildKit engine of
// the test environment (see internal/testenv), by both routes the library
// offers: the compiled LLB through [multistage.Build.Solve], and the
// rendered Dockerfile through BuildKit's own Dockerfile frontend.
package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options say how to build.
type Options struct {
	// Target is the stage to build; nil builds the last stage.
	Target *multistage.Stage
	// ViaDockerfile also builds the rendered Dockerfile with the frontend
	// and requires the same root file system and image config.
	ViaDockerfile bool
	// Solve are more options for the LLB route, such as secrets.
	Solve []multistage.SolveOption
	// Secrets are the secret files (id → path) of the Dockerfile route.
	Secrets map[string]string
}

// Result is what the LLB route built.
type Result struct {
	Rootfs string         // the exported root file system
	Image  string         // the exported OCI tarball
	Config ocispecs.Image // the image config read back from the tarball
	// DFConfig is the image config of the Dockerfile route, if built.
	DFConfig ocispecs.Image
	Solve    *multistage.SolveResult
	LLBTime  time.Duration // wall time of the LLB route
	DFTime   time.Duration // wall time of the Dockerfile route, if built
}

// Build builds b from contextDir on the engine behind c and fails t on any
// difference between the routes.
func Build(t testing.TB, c *client.Client, b *multistage.Build, contextDir string, o Options) Result {
	t.Helper()
	ctx := context.Background()
	var opts []multistage.Option
	targetName := ""
	if o.Target != nil {
		opts = append(opts, multistage.Target(o.Target))
		targetName = o.Target.Name()
	}
	dir := t.TempDir()
	r := Result{Rootfs: filepath.Join(dir, testenv.RootfsName), Image: filepath.Join(dir, testenv.ImageTarName)}
	sopts := append([]multistage.SolveOption{
		multistage.ContextDir(contextDir),
		multistage.OutputOCI(r.Image),
		multistage.OutputLocal(r.Rootfs),
	}, o.Solve...)
	for _, opt := range opts {
		sopts = append(sopts, opt)
	}
	start := time.Now()
	res, err := b.Solve(ctx, c, sopts...)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	r.LLBTime, r.Solve = time.Since(start), res
	t.Logf("LLB route: %v, image %s, %d bytes", r.LLBTime.Round(time.Millisecond), res.Digest, res.Size)
	if len(res.Images) != 1 {
		t.Errorf("Solve returned %d image configs, want 1", len(res.Images))
	}
	if r.Config, err = testenv.ReadOCIConfig(r.Image); err != nil {
		t.Fatal(err)
	}
	if !o.ViaDockerfile {
		return r
	}

	df, err := b.Dockerfile(opts...)
	if err != nil {
		t.Fatal(err)
	}
	dfDir := t.TempDir()
	start = time.Now()
	dfConfig := testenv.SolveDockerfileSecrets(ctx, t, c, contextDir, df, targetName, nil, o.Secrets, dfDir)
	r.DFTime = time.Since(start)
	r.DFConfig = dfConfig
	t.Logf("Dockerfile route: %v", r.DFTime.Round(time.Millisecond))

	llbTree, err := testenv.TreeDigest(r.Rootfs)
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
	if d := cmp.Diff(dfConfig.Config, r.Config.Config, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("image configs differ (-Dockerfile route +LLB route):\n%s", d)
	}
	if dfConfig.OS != r.Config.OS || dfConfig.Architecture != r.Config.Architecture {
		t.Errorf("platform: Dockerfile route %s/%s, LLB route %s/%s", dfConfig.OS, dfConfig.Architecture, r.Config.OS, r.Config.Architecture)
	}
	return r
}
