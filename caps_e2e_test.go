package multistage_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/util/apicaps"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/llbcaps"
	"github.com/multistage/multistage/internal/pipelines"
	"github.com/multistage/multistage/internal/testenv"
)

// daemonCaps returns the LLB capabilities that the gateway of the daemon
// behind c reports, as Solve reads them.
func daemonCaps(t *testing.T, c *client.Client) apicaps.CapSet {
	t.Helper()
	var caps apicaps.CapSet
	_, err := c.Build(context.Background(), client.SolveOpt{}, "", func(ctx context.Context, gw gwclient.Client) (*gwclient.Result, error) {
		caps = gw.BuildOpts().LLBCaps
		return gwclient.NewResult(), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return caps
}

// TestDockerEngineLLBCaps: the capabilities that the cross-checks and the
// unit tests take for BuildKit v0.8 are exactly those that the test
// environment's Docker Engine (Debian's docker.io 20.10) reports.
func TestDockerEngineLLBCaps(t *testing.T) {
	got := llbcaps.IDs(daemonCaps(t, dialEngine(t)))
	if want := llbcaps.IDs(llbcaps.V08()); !slices.Equal(got, want) {
		t.Errorf("Docker Engine reports the LLB capabilities\n%q\nwant llbcaps.V08()\n%q", got, want)
	}
}

// TestEndToEndEngineOlderDaemon builds what Docker Engine 20.10's BuildKit
// v0.8 lacks capabilities for, and Compile falls back or filters for: COPY
// --link without MergeOp, --exclude and --parents of directories of the
// context, a read-write bind mount whose output v0.8 keeps. Solve takes
// the capabilities from the daemon by itself. The files must be those that
// buildkitd (every capability) builds, and what v0.8 cannot build at all
// is refused before the build, naming the feature.
func TestEndToEndEngineOlderDaemon(t *testing.T) {
	engine := dialEngine(t)
	bk := testenv.Client(t)
	ctx := context.Background()
	dir := writeContext(t, map[string]string{
		".dockerignore":              "*.log\n",
		"app.log":                    "x",
		"README.md":                  "readme",
		"main.go":                    "package main",
		"web/ui/index.html":          "<p>",
		"web/ui/app.js.map":          "{}",
		"web/ui/node_modules/m/m.js": "m",
		"src/pkg/a.go":               "package a",
		"src/pkg/a_test.go":          "package a",
		"src/cmd/c.go":               "package main",
	})
	b := multistage.New()
	gen := b.Stage("gen").From("alpine:3.20").Run("mkdir -p /out && echo generated > /out/gen.txt")
	b.Stage("app").From("alpine:3.20").
		Workdir("/app").
		Copy(".", "./", multistage.Exclude("*.md")).
		Copy("web/ui", "/srv/", multistage.Exclude("*.map", "**/node_modules"), multistage.Link()).
		Copy("src/./pkg/*.go", "/p/", multistage.Parents(), multistage.Exclude("**/*_test.go")).
		Copy("src/cmd/c.go", "/q/", multistage.Parents()).
		CopyFrom(gen, "/out/gen.txt", "/gen/", multistage.Link(), multistage.Chown("10:10")).
		Run("cp /mnt/out/gen.txt /ran.txt && echo scratch > /mnt/out/tmp", multistage.BindMount("/mnt", multistage.MountFrom(gen), multistage.ReadWrite()))
	trees := map[string][]testenv.Entry{}
	for name, c := range map[string]*client.Client{"engine": engine, "buildkitd": bk} {
		out := filepath.Join(t.TempDir(), "rootfs")
		if _, err := b.Solve(ctx, c, multistage.ContextDir(dir), multistage.OutputLocal(out)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tree, err := testenv.TreeDigest(out)
		if err != nil {
			t.Fatal(err)
		}
		// Only what the build wrote: the base image is the same.
		var mine []testenv.Entry
		for _, e := range tree {
			for _, p := range []string{"app", "srv", "p", "q", "gen", "ran.txt", "mnt"} {
				if e.Path == p || len(e.Path) > len(p) && e.Path[:len(p)+1] == p+"/" {
					mine = append(mine, e)
				}
			}
		}
		trees[name] = mine
	}
	if d := testenv.DiffTrees(trees["buildkitd"], trees["engine"]); d != "" {
		t.Errorf("Docker Engine 20.10 and buildkitd built different files (-buildkitd +engine):\n%s", d)
	}
	var paths []string
	for _, e := range trees["engine"] {
		paths = append(paths, e.Path)
	}
	for _, p := range []string{"app/main.go", "srv/index.html", "p/pkg/a.go", "q/src/cmd/c.go", "gen/gen.txt", "ran.txt"} {
		if !slices.Contains(paths, p) {
			t.Errorf("%s missing on Docker Engine: %q", p, paths)
		}
	}
	for _, p := range []string{"app/README.md", "app/app.log", "srv/app.js.map", "srv/node_modules", "p/pkg/a_test.go", "p/cmd"} {
		if slices.Contains(paths, p) {
			t.Errorf("%s copied on Docker Engine: %q", p, paths)
		}
	}

	// What v0.8 cannot build: refused before anything is built, with
	// the feature named. SOURCE_DATE_EPOCH, which its exporter would
	// ignore, too.
	for _, c := range []struct {
		name string
		b    func() *multistage.Build
		opts []multistage.SolveOption
	}{
		{"kitchen", func() *multistage.Build { return pipelines.Kitchen().Build }, nil},
		{"exclude-from-stage", func() *multistage.Build {
			b := multistage.New()
			gen := b.Stage("gen").From("alpine:3.20").Run("mkdir /out")
			b.Stage("app").From("alpine:3.20").CopyFrom(gen, "/out", "/out", multistage.Exclude("*.tmp"))
			return b
		}, nil},
		{"source-date-epoch", func() *multistage.Build {
			b := multistage.New()
			b.Stage("app").From("alpine:3.20").Run("true")
			return b
		}, []multistage.SolveOption{multistage.BuildArg("SOURCE_DATE_EPOCH", "1700000000")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := make(chan *client.SolveStatus)
			var ran []string
			done := make(chan struct{})
			go func() {
				for s := range ch {
					for _, v := range s.Vertexes {
						// Compile resolves the base images first, as
						// buildkitd and Docker Engine name it.
						if !strings.HasPrefix(v.Name, "resolve image config") && !strings.HasPrefix(v.Name, "[internal] load metadata") && !slices.Contains(ran, v.Name) {
							ran = append(ran, v.Name)
						}
					}
				}
				close(done)
			}()
			_, err := c.b().Solve(ctx, engine, append(c.opts, multistage.ContextDir(dir), multistage.OutputLocal(t.TempDir()), multistage.StatusChannel(ch))...)
			<-done
			if !errors.Is(err, multistage.ErrUnsupportedByDaemon) {
				t.Fatalf("Solve on Docker Engine 20.10: %v, want ErrUnsupportedByDaemon", err)
			}
			if len(ran) > 0 {
				t.Errorf("%q ran before the refusal %v", ran, err)
			}
			t.Log(err)
		})
	}
}
