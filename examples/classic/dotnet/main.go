// Command dotnet is the classic two-stage ASP.NET build written with multistage:
// restore and publish on the .NET SDK image, run on the ASP.NET runtime.
//
// It prints the Dockerfile and a summary of the LLB, and builds the image
// when given somewhere to build.
//
// Run it from the root of the repository:
//
//	go run ./examples/classic/dotnet                             # print only
//	go run ./examples/classic/dotnet -load classic-dotnet:dev    # build on $BUILDKIT_HOST, else Docker Engine; load into Docker
//	go run ./examples/classic/dotnet -addr docker -o dotnet.tar  # build on Docker Engine, write an OCI tarball
//
// Flags: -addr (default $BUILDKIT_HOST), -load, -o, -context, -progress, -llb.
// pipeline uses only the public API, and main is what a program of yours
// needs: copy them and change the build.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/examplecli"
)

// pipeline is the build:
//
//	FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
//	WORKDIR /source
//	COPY *.csproj ./
//	RUN dotnet restore
//	COPY . .
//	RUN dotnet publish -c Release -o out
//
//	FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS final
//	WORKDIR /app
//	COPY --from=build /source/out .
//	ENTRYPOINT ["dotnet", "learningapp.dll"]
//
// Restoring before copying the rest of the sources keeps the restored
// packages cached while only the code changes.
func pipeline() *multistage.Build {
	b := multistage.New()
	build := b.Stage("build").From("mcr.microsoft.com/dotnet/sdk:8.0").
		Workdir("/source").
		Copy("*.csproj", "./").
		Run("dotnet restore").
		Copy(".", ".").
		Run("dotnet publish -c Release -o out")
	b.Stage("final").From("mcr.microsoft.com/dotnet/aspnet:8.0").
		Workdir("/app").
		CopyFrom(build, "/source/out", ".").
		Entrypoint("dotnet", "learningapp.dll")
	return b
}

func main() {
	f := examplecli.Flags("testdata/apps/dotnet")

	// The build.
	b := pipeline()

	// Its Dockerfile and LLB, printed (-llb: the whole LLB as JSON).
	examplecli.Show(b, f.LLB)
	if !f.Build() {
		return
	}

	// Connect: "docker" is Docker Engine's built-in BuildKit; "" is
	// $BUILDKIT_HOST, else Docker Engine.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := multistage.Dial(ctx, f.Addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// Build, with the outputs asked for.
	opts := []multistage.SolveOption{
		multistage.ContextDir(f.Context),
		multistage.Progress(f.Progress, os.Stderr),
	}
	if f.Load != "" {
		opts = append(opts, multistage.Load(f.Load)) // then: docker run --rm NAME
	}
	if f.OCI != "" {
		opts = append(opts, multistage.OutputOCI(f.OCI))
	}
	res, err := b.Solve(ctx, c, opts...)
	if err != nil {
		log.Fatal(err)
	}

	// The result: the image's digest and config, by platform.
	for platform, img := range res.Images {
		fmt.Printf("# built %s for %s: Entrypoint=%q Cmd=%q User=%q\n",
			res.Digest, platform, img.Config.Entrypoint, img.Config.Cmd, img.Config.User)
	}
}
