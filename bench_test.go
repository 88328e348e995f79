package multistage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/llbdump"
	"github.com/multistage/multistage/internal/pipelines"
	"github.com/multistage/multistage/internal/testresolver"
)

// The benchmarks compare three ways to get the LLB and image config of the
// same pipeline, all with the same static resolver and platform:
//
//   - BenchmarkCompile: Build.Compile (which marshals the LLB);
//   - BenchmarkDockerfile2LLB: BuildKit's Dockerfile frontend on the
//     rendered Dockerfile (parse, convert, marshal);
//   - BenchmarkHandWrittenLLB: the same LLB written by hand with llb, each
//     base image resolved once and its config applied directly, marshalled:
//     the floor. TestHandWrittenLLB checks that it is the same LLB, op for
//     op, as Compile's.
//
// Run them with
//
//	go test -run '^$' -bench . -benchmem -count 5
//
// BenchmarkCompileStages compiles chains of 1 to 1000 stages, to show that
// the cost grows linearly with the number of stages.

// benchPipelines are the pipelines the backends are compared on, with
// their hand-written floors.
var benchPipelines = []struct {
	name  string
	p     func() pipelines.Pipeline
	floor func(ctx context.Context, r llb.ImageMetaResolver) (*llb.Definition, *dockerspec.DockerOCIImage, error)
}{
	{"dotnet", pipelines.DotNet, handWrittenDotNet},
	{"go", pipelines.Go, handWrittenGo},
}

func BenchmarkCompile(b *testing.B) {
	ctx := context.Background()
	for _, bp := range benchPipelines {
		b.Run(bp.name, func(b *testing.B) {
			build := bp.p().Build
			r := testresolver.New()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := build.Compile(ctx, multistage.WithMetaResolver(r), multistage.WithPlatform(linuxAMD64)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDockerfile2LLB(b *testing.B) {
	ctx := context.Background()
	caps := pb.Caps.CapSet(pb.Caps.All())
	for _, bp := range benchPipelines {
		b.Run(bp.name, func(b *testing.B) {
			df, err := bp.p().Build.Dockerfile()
			if err != nil {
				b.Fatal(err)
			}
			r := testresolver.New()
			b.ReportAllocs()
			for b.Loop() {
				res, err := dockerfile2llb.Dockerfile2LLB(ctx, df, dockerfile2llb.ConvertOpt{
					MetaResolver:   r,
					LLBCaps:        &caps,
					TargetPlatform: &linuxAMD64,
					Config:         dockerui.Config{},
				})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := res.State.Marshal(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHandWrittenLLB(b *testing.B) {
	ctx := context.Background()
	for _, bp := range benchPipelines {
		b.Run(bp.name, func(b *testing.B) {
			r := testresolver.New()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := bp.floor(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDockerfile renders the Dockerfile of each pipeline.
func BenchmarkDockerfile(b *testing.B) {
	for _, bp := range benchPipelines {
		b.Run(bp.name, func(b *testing.B) {
			build := bp.p().Build
			b.ReportAllocs()
			for b.Loop() {
				if _, err := build.Dockerfile(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// chain is a build of n stages, each of which copies the output of the
// one before it, so the last stage needs all of them.
func chain(n int) *multistage.Build {
	b := multistage.New()
	var prev *multistage.Stage
	for i := range n {
		s := b.Stage(fmt.Sprintf("s%d", i)).From("alpine:latest").
			Workdir("/work").
			Env("STAGE", fmt.Sprint(i)).
			Copy(fmt.Sprintf("src/%d", i), ".")
		if prev != nil {
			s.CopyFrom(prev, "/out", "/in")
		}
		s.Run("mkdir -p /out && cp -r . /out/")
		prev = s
	}
	return b
}

func BenchmarkCompileStages(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			build := chain(n)
			r := testresolver.New()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := build.Compile(ctx, multistage.WithMetaResolver(r), multistage.WithPlatform(linuxAMD64)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/stage")
		})
	}
}

// TestHandWrittenLLB checks that the floor of the benchmarks is honest: the
// hand-written LLB is the LLB Compile produces, op for op, and its image
// config is Compile's.
func TestHandWrittenLLB(t *testing.T) {
	ctx := context.Background()
	for _, bp := range benchPipelines {
		t.Run(bp.name, func(t *testing.T) {
			def, img, err := bp.floor(ctx, testresolver.New())
			if err != nil {
				t.Fatal(err)
			}
			out, err := bp.p().Build.Compile(ctx, multistage.WithMetaResolver(testresolver.New()), multistage.WithPlatform(linuxAMD64))
			if err != nil {
				t.Fatal(err)
			}
			d, err := llbdump.Diff(def, out.Definition)
			if err != nil {
				t.Fatal(err)
			}
			if d != "" {
				t.Errorf("LLB mismatch (-hand-written +Compile):\n%s", d)
			}
			if d := cmp.Diff(img.Config, out.DockerImage.Config, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("image config mismatch (-hand-written +Compile):\n%s", d)
			}
		})
	}
}

// TestCompileStagesLinear compiles the chains of BenchmarkCompileStages:
// every stage is in the LLB. The alpine image, the WORKDIR mkdir on it (the
// same op for every stage), the build context and the terminal op are
// shared; each stage adds its COPY and RUN, and all but the first a COPY
// --from.
func TestCompileStagesLinear(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, 10, 100} {
		out, err := chain(n).Compile(ctx, multistage.WithMetaResolver(testresolver.New()), multistage.WithPlatform(linuxAMD64))
		if err != nil {
			t.Fatal(err)
		}
		ops, err := llbdump.Normalize(out.Definition)
		if err != nil {
			t.Fatal(err)
		}
		if want := 4 + 2 + 3*(n-1); len(ops) != want {
			t.Errorf("%d stages: %d ops, want %d", n, len(ops), want)
		}
	}
}

// TestCompileStagesAllocs checks that Compile is linear in the number of
// stages: allocations, unlike times, are the same on every machine, so the
// allocations per stage of a 1000-stage chain must be close to those of a
// 100-stage chain.
func TestCompileStagesAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 1000 stages")
	}
	ctx := context.Background()
	perStage := func(n int) float64 {
		build := chain(n)
		r := testresolver.New()
		allocs := testing.AllocsPerRun(1, func() {
			if _, err := build.Compile(ctx, multistage.WithMetaResolver(r), multistage.WithPlatform(linuxAMD64)); err != nil {
				t.Fatal(err)
			}
		})
		return allocs / float64(n)
	}
	small, large := perStage(100), perStage(1000)
	t.Logf("allocations per stage: %.0f with 100 stages, %.0f with 1000", small, large)
	if large > 1.25*small {
		t.Errorf("Compile is not linear in the number of stages: %.0f allocations per stage with 1000 stages, %.0f with 100", large, small)
	}
}

// base resolves ref with r, as Compile and the frontend do, and returns
// the image pinned by digest with its env and working directory applied.
func base(ctx context.Context, r llb.ImageMetaResolver, ref string) (llb.State, *dockerspec.DockerOCIImage, error) {
	p := linuxAMD64
	_, dgst, dt, err := r.ResolveImageConfig(ctx, ref, sourceresolver.Opt{
		ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &p, ResolveMode: llb.ResolveModeDefault.String()},
	})
	if err != nil {
		return llb.State{}, nil, err
	}
	var img dockerspec.DockerOCIImage
	if err := json.Unmarshal(dt, &img); err != nil {
		return llb.State{}, nil, err
	}
	st := llb.Image(ref+"@"+dgst.String(), llb.Platform(p))
	for _, e := range img.Config.Env {
		k, v, _ := strings.Cut(e, "=")
		st = st.AddEnv(k, v)
	}
	if img.Config.WorkingDir != "" {
		st = st.Dir(img.Config.WorkingDir)
	}
	return st, &img, nil
}

// The options of every COPY of the pipelines, as the frontend sets them.
var copyInfo = &llb.CopyInfo{
	FollowSymlinks:      true,
	CopyDirContentsOnly: true,
	AllowWildcard:       true,
	AllowEmptyWildcard:  true,
	CreateDestPath:      true,
}

// buildContext is the local source of the build context, with the id
// Compile pins.
func buildContext() llb.State {
	return llb.Local("context", llb.SharedKeyHint("context"), llb.LocalUniqueID("fab4717b672f4067140425bbb"),
		llb.WithCustomName("[internal] load build context"))
}

func workdir(st llb.State, dir string) llb.State {
	return st.Dir(dir).File(llb.Mkdir(dir, 0o755, llb.WithParents(true)))
}

func sh(st llb.State, cmd string) llb.State {
	return st.Run(llb.Args([]string{"/bin/sh", "-c", cmd})).Root()
}

// handWrittenDotNet is pipelines.DotNet written with llb.
func handWrittenDotNet(ctx context.Context, r llb.ImageMetaResolver) (*llb.Definition, *dockerspec.DockerOCIImage, error) {
	sdk, _, err := base(ctx, r, "mcr.microsoft.com/dotnet/sdk:8.0")
	if err != nil {
		return nil, nil, err
	}
	aspnet, img, err := base(ctx, r, "mcr.microsoft.com/dotnet/aspnet:8.0")
	if err != nil {
		return nil, nil, err
	}
	local := buildContext()
	build := workdir(sdk, "/source")
	build = build.File(llb.Copy(local, "/*.csproj", "/source/", copyInfo))
	build = sh(build, "dotnet restore")
	build = build.File(llb.Copy(local, "/", "/source/", copyInfo))
	build = sh(build, "dotnet publish -c Release -o out")
	final := workdir(aspnet, "/app")
	final = final.File(llb.Copy(build, "/source/out", "/app/", copyInfo))
	def, err := final.Marshal(ctx, llb.Platform(linuxAMD64))
	if err != nil {
		return nil, nil, err
	}
	img.Config.WorkingDir = "/app"
	img.Config.Entrypoint = []string{"dotnet", "learningapp.dll"}
	img.Config.Cmd = nil
	return def, img, nil
}

// handWrittenGo is pipelines.Go written with llb.
func handWrittenGo(ctx context.Context, r llb.ImageMetaResolver) (*llb.Definition, *dockerspec.DockerOCIImage, error) {
	golang, _, err := base(ctx, r, "docker.io/library/golang:1.22")
	if err != nil {
		return nil, nil, err
	}
	alpine, img, err := base(ctx, r, "docker.io/library/alpine:latest")
	if err != nil {
		return nil, nil, err
	}
	builder := workdir(golang.AddEnv("CGO_ENABLED", "0"), "/app")
	builder = builder.File(llb.Copy(buildContext(), "/", "/app/", copyInfo))
	builder = sh(builder, "go build -o myapp")
	run := workdir(alpine, "/root")
	run = run.File(llb.Copy(builder, "/app/myapp", "/root/", copyInfo))
	def, err := run.Marshal(ctx, llb.Platform(linuxAMD64))
	if err != nil {
		return nil, nil, err
	}
	img.Config.WorkingDir = "/root/"
	img.Config.ExposedPorts = map[string]struct{}{"8080/tcp": {}}
	img.Config.Cmd = []string{"./myapp"}
	img.Config.ArgsEscaped = true // the frontend sets it with every CMD
	return def, img, nil
}
