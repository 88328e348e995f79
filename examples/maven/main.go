// Command maven shows the Maven preset on its sample app, examples/maven/app
// (a jar built with Maven and run on a JRE).
// It prints the Dockerfile and a summary of the LLB, and builds the image
// when given somewhere to build.
//
// Run it from the root of the repository:
//
//	go run ./examples/maven                            # print only
//	go run ./examples/maven -load jarapp:dev           # build on $BUILDKIT_HOST, else Docker Engine; load into Docker
//	go run ./examples/maven -addr docker -o maven.tar  # build on Docker Engine, write an OCI tarball
//
// Flags: -addr (default $BUILDKIT_HOST), -load, -o, -context, -progress, -llb.
// main is what a program of yours needs: copy it and change the build.
//
// examples/maven/app/Dockerfile.classic is the hand-written Dockerfile it is
// compared with.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/presets"
)

func main() {
	f := examplecli.Flags("examples/maven/app")

	// The build: the preset's *multistage.Build, which you may keep editing.
	b := presets.Maven(presets.MavenOptions{}).Build

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
