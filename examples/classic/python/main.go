// Command python is the classic two-stage Python build written with multistage:
// pip install the requirements into a prefix, copy it into a clean image.
//
// It prints the Dockerfile and a summary of the LLB, and builds the image
// when given somewhere to build.
//
// Run it from the root of the repository:
//
//	go run ./examples/classic/python                             # print only
//	go run ./examples/classic/python -load classic-python:dev    # build on $BUILDKIT_HOST, else Docker Engine; load into Docker
//	go run ./examples/classic/python -addr docker -o python.tar  # build on Docker Engine, write an OCI tarball
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
//	FROM python:3.10-slim AS builder
//	WORKDIR /app
//	COPY requirements.txt .
//	COPY wheels/ ./wheels/
//	RUN pip install --no-cache-dir --no-index --find-links=wheels --prefix=/install -r requirements.txt
//
//	FROM python:3.10-slim AS run
//	WORKDIR /app
//	COPY --from=builder /install /usr/local
//	COPY . .
//	CMD ["python", "app.py"]
//
// The runtime image gets the installed packages, not pip's cache or the
// build tools. The requirements install from wheels in the build context,
// without a package index: drop --no-index --find-links=wheels (and the
// wheels) to install from PyPI.
func pipeline() *multistage.Build {
	b := multistage.New()
	builder := b.Stage("builder").From("python:3.10-slim").
		Workdir("/app").
		Copy("requirements.txt", ".").
		Copy("wheels/", "./wheels/").
		Run("pip install --no-cache-dir --no-index --find-links=wheels --prefix=/install -r requirements.txt")
	b.Stage("run").From("python:3.10-slim").
		Workdir("/app").
		CopyFrom(builder, "/install", "/usr/local").
		Copy(".", ".").
		Cmd("python", "app.py")
	return b
}

func main() {
	f := examplecli.Flags("testdata/apps/python")

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
