// Command python shows the Python preset on its sample app, examples/python/app
// (a Python app whose one dependency is a local wheel, installed offline).
// It prints the Dockerfile and a summary of the LLB, and builds the image
// when given somewhere to build.
//
// Run it from the root of the repository:
//
//	go run ./examples/python                             # print only
//	go run ./examples/python -load pyapp:dev             # build on $BUILDKIT_HOST, else Docker Engine; load into Docker
//	go run ./examples/python -addr docker -o python.tar  # build on Docker Engine, write an OCI tarball
//
// Flags: -addr (default $BUILDKIT_HOST), -load, -o, -context, -progress, -llb.
// This file is what a program of yours needs, with only the module's public
// packages: copy it and change the build.
//
// examples/python/app/Dockerfile.classic is the hand-written Dockerfile it is
// compared with.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/presets"
)

func main() {
	// The command line: where to build, and what to do with the image.
	addr := flag.String("addr", os.Getenv("BUILDKIT_HOST"), `build on this BuildKit address: "docker" (Docker Engine), unix://, tcp://, docker-container://, ... (default $BUILDKIT_HOST)`)
	load := flag.String("load", "", "build and load the image into Docker Engine under this name")
	oci := flag.String("o", "", "build and write the image as an OCI tarball to this path")
	contextDir := flag.String("context", "examples/python/app", "build context directory")
	progress := flag.String("progress", "auto", "progress display: auto, plain, tty or quiet")
	flag.Parse()
	log.SetFlags(0)

	// The build: the preset's *multistage.Build, which you may keep editing.
	b := presets.Python(presets.PythonOptions{FindLinks: "wheels", NoIndex: true}).Build

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
