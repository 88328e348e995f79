package compile_test

import (
	"encoding/json"
	"strings"

	"context"
	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage/internal/compile"
	"github.com/multistage/multistage/internal/ir"
)

const dotnetDockerfile = `FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
WORKDIR /source
COPY *.csproj ./
RUN dotnet restore
COPY . .
RUN dotnet publish -c Release -o out

FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS run
WORKDIR /app
COPY --from=build /source/out .
ENTRYPOINT ["dotnet", "learningapp.dll"]
`

func dotnetIR() *ir.Build {
	return &ir.Build{Stages: []*ir.Stage{
		{Name: "build", Base: ir.ImageSource("mcr.microsoft.com/dotnet/sdk:8.0"), Instructions: []ir.Instruction{
			&ir.Workdir{Path: "/source"},
			&ir.Copy{From: ir.Context(), Sources: []string{"*.csproj"}, Dest: "./"},
			&ir.Run{Shell: true, Command: "dotnet restore"},
			&ir.Copy{From: ir.Context(), Sources: []string{"."}, Dest: "."},
			&ir.Run{Shell: true, Command: "dotnet publish -c Release -o out"},
		}},
		{Name: "run", Base: ir.ImageSource("mcr.microsoft.com/dotnet/aspnet:8.0"), Instructions: []ir.Instruction{
			&ir.Workdir{Path: "/app"},
			&ir.Copy{From: ir.StageSource(0), Sources: []string{"/source/out"}, Dest: "."},
			&ir.Entrypoint{Argv: []string{"dotnet", "learningapp.dll"}},
		}},
	}}
}

func BenchmarkCompileDotNet(b *testing.B) {
	ctx := context.Background()
	m := dotnetIR()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := compile.Compile(ctx, m, compile.Options{Resolver: res{}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFrontendDotNet(b *testing.B) {
	ctx := context.Background()
	caps := pb.Caps.CapSet(pb.Caps.All())
	b.ReportAllocs()
	for b.Loop() {
		r, err := dockerfile2llb.Dockerfile2LLB(ctx, []byte(dotnetDockerfile), dockerfile2llb.ConvertOpt{MetaResolver: res{}, LLBCaps: &caps})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.State.Marshal(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// handWritten is the floor: the .NET pipeline written directly with llb,
// resolving each base once and applying its config by hand.
func handWritten(ctx context.Context, b *testing.B) {
	r := res{}
	p := platforms.DefaultSpec()
	base := func(ref string) (llb.State, dockerspec.DockerOCIImage) {
		_, dgst, dt, err := r.ResolveImageConfig(ctx, ref, sourceresolver.Opt{ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &p}})
		if err != nil {
			b.Fatal(err)
		}
		var img dockerspec.DockerOCIImage
		if err := json.Unmarshal(dt, &img); err != nil {
			b.Fatal(err)
		}
		st := llb.Image(ref+"@"+dgst.String(), llb.Platform(p))
		for _, e := range img.Config.Env {
			k, v, _ := strings.Cut(e, "=")
			st = st.AddEnv(k, v)
		}
		return st.Dir(img.Config.WorkingDir), img
	}
	local := llb.Local("context", llb.SharedKeyHint("context"), llb.FollowPaths([]string{"."}))
	sdk, _ := base("docker.io/library/sdk:8.0")
	sdk = sdk.Dir("/source").File(llb.Mkdir("/source", 0755, llb.WithParents(true)))
	sdk = sdk.File(llb.Copy(local, "/*.csproj", "/source/", &llb.CopyInfo{AllowWildcard: true, CreateDestPath: true}))
	sdk = sdk.Run(llb.Shlex("/bin/sh -c 'dotnet restore'")).Root()
	sdk = sdk.File(llb.Copy(local, "/", "/source/", &llb.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}))
	sdk = sdk.Run(llb.Args([]string{"/bin/sh", "-c", "dotnet publish -c Release -o out"})).Root()
	run, img := base("docker.io/library/aspnet:8.0")
	run = run.Dir("/app").File(llb.Mkdir("/app", 0755, llb.WithParents(true)))
	run = run.File(llb.Copy(sdk, "/source/out", "/app/", &llb.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}))
	img.Config.Entrypoint = []string{"dotnet", "learningapp.dll"}
	if _, err := run.Marshal(ctx, llb.Platform(p)); err != nil {
		b.Fatal(err)
	}
	if _, err := json.Marshal(img); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkHandWrittenDotNet(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		handWritten(ctx, b)
	}
}
