// Command go is the classic two-stage Go build written with multistage:
// compile on golang:1.22, run the binary on alpine.
//
// It prints the Dockerfile and a summary of the LLB, and builds the image
// when given somewhere to build.
//
// Run it from the root of the repository:
//
//	go run ./examples/classic/go                         # print only
//	go run ./examples/classic/go -load classic-go:dev    # build on $BUILDKIT_HOST, else Docker Engine; load into Docker
//	go run ./examples/classic/go -addr docker -o go.tar  # build on Docker Engine, write an OCI tarball
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
//	FROM golang:1.22 AS builder
//	ENV CGO_ENABLED=0
//	WORKDIR /app
//	COPY . .
//	RUN go build -o myapp
//
//	FROM alpine:latest AS run
//	WORKDIR /root/
//	COPY --from=builder /app/myapp .
//	EXPOSE 8080
//	CMD ["./myapp"]
//
// The binary is static (CGO_ENABLED=0): alpine has no glibc to load a cgo
// binary.
func pipeline() *multistage.Build {
	b := multistage.New()
	builder := b.Stage("builder").From("golang:1.22").
		Env("CGO_ENABLED", "0").
		Workdir("/app").
		Copy(".", ".").
		Run("go build -o myapp")
	b.Stage("run").From("alpine:latest").
		Workdir("/root/").
		CopyFrom(builder, "/app/myapp", ".").
		Expose(8080).
		Cmd("./myapp")
	return b
}

func main() {
	f := examplecli.Flags("testdata/apps/go")

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
