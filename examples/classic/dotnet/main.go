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
// This file is what a program of yours needs, with only the module's public
// packages: copy it and change the build.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/multistage/multistage"
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
	// The command line: where to build, and what to do with the image.
	addr := flag.String("addr", os.Getenv("BUILDKIT_HOST"), `build on this BuildKit address: "docker" (Docker Engine), unix://, tcp://, docker-container://, ... (default $BUILDKIT_HOST)`)
	load := flag.String("load", "", "build and load the image into Docker Engine under this name")
	oci := flag.String("o", "", "build and write the image as an OCI tarball to this path")
	contextDir := flag.String("context", "testdata/apps/dotnet", "build context directory")
	progress := flag.String("progress", "auto", "progress display: auto, plain, tty or quiet")
	flag.Parse()
	log.SetFlags(0)

	// The build.
	b := pipeline()

	// What it builds: its Dockerfile (and, with show.go, its LLB).
	show(b)
	if *addr == "" && *load == "" && *oci == "" {
		return // nowhere to build
	}

	// Connect: "docker" is Docker Engine's built-in BuildKit; "" is
	// $BUILDKIT_HOST, else Docker Engine.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := multistage.Dial(ctx, *addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// Build, with the outputs asked for.
	opts := []multistage.SolveOption{
		multistage.ContextDir(*contextDir),
		multistage.Progress(*progress, os.Stderr),
	}
	if *load != "" {
		opts = append(opts, multistage.Load(*load)) // then: docker run --rm NAME
	}
	if *oci != "" {
		opts = append(opts, multistage.OutputOCI(*oci))
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

// show prints b's Dockerfile. In this repository, show.go replaces it with
// a fuller display (the LLB, one line per op, and the image config; -llb
// for the whole LLB), which a copy of this file does not need.
var show = func(b *multistage.Build) {
	dockerfile, err := b.Dockerfile()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("# Dockerfile\n%s\n", dockerfile)
}
