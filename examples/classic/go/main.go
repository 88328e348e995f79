// Command go is the classic two-stage Go build written with multistage:
// compile on golang:1.22, run the binary on alpine.
//
// It prints the Dockerfile; with -llb, the LLB that BuildKit would run, as
// JSON, one op per line; with -buildkit-addr (default $BUILDKIT_HOST), it
// also builds the image on that BuildKit daemon. Run it from the root of
// the repository:
//
//	go run ./examples/classic/go [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// The program uses only the public API: copy it and change pipeline.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/encoding/protojson"
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
	showLLB := flag.Bool("llb", false, "also print the LLB of the target stage as JSON, one op per line")
	addr := flag.String("buildkit-addr", os.Getenv("BUILDKIT_HOST"), "build on this BuildKit daemon (unix://, tcp://, docker-container://, ...); empty: do not build")
	contextDir := flag.String("context", "testdata/apps/go", "build context directory")
	out := flag.String("o", "", "write the image to this path as an OCI tarball")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, pipeline(), *showLLB, *addr, *contextDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// run prints the Dockerfile of b, its LLB when showLLB is set, and builds it
// when addr is not empty.
func run(ctx context.Context, w io.Writer, b *multistage.Build, showLLB bool, addr, contextDir, out string) error {
	df, err := b.Dockerfile()
	if err != nil {
		return err
	}
	if _, err := w.Write(df); err != nil {
		return err
	}
	if showLLB {
		// Without a resolver, Compile does no network I/O: the base
		// images are not pinned and their configs are unknown.
		compiled, err := b.Compile(ctx)
		if err != nil {
			return err
		}
		if err := writeLLB(w, compiled.Definition); err != nil {
			return err
		}
	}
	if addr == "" {
		return nil
	}
	c, err := client.New(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	opts := []multistage.SolveOption{multistage.ContextDir(contextDir), multistage.Progress("auto", os.Stderr)}
	if out != "" {
		opts = append(opts, multistage.OutputOCI(out))
	}
	res, err := b.Solve(ctx, c, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "built %s\n", res.Digest)
	return nil
}

// writeLLB writes the ops of def as a JSON array, one op per line: its
// digest and the op itself.
func writeLLB(w io.Writer, def *llb.Definition) error {
	fmt.Fprintln(w, "[")
	for i, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return err
		}
		js, err := protojson.Marshal(&op)
		if err != nil {
			return err
		}
		// protojson varies its spacing on purpose; compact it so the
		// output is the same on every run.
		var compact bytes.Buffer
		if err := json.Compact(&compact, js); err != nil {
			return err
		}
		sep := ","
		if i == len(def.Def)-1 {
			sep = ""
		}
		fmt.Fprintf(w, "{\"digest\":%q,\"op\":%s}%s\n", digest.FromBytes(dt), compact.Bytes(), sep)
	}
	_, err := fmt.Fprintln(w, "]")
	return err
}
