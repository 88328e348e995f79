// Command node-nginx is the classic two-stage web front-end build written with
// multistage: npm run build on node:20, serve the static files with nginx.
//
// It prints the Dockerfile; with -llb, the LLB that BuildKit would run, as
// JSON, one op per line; with -buildkit-addr (default $BUILDKIT_HOST), it
// also builds the image on that BuildKit daemon. Run it from the root of
// the repository:
//
//	go run ./examples/classic/node-nginx [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
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
//	FROM node:20 AS build
//	WORKDIR /app
//	COPY package*.json ./
//	RUN npm install
//	COPY . .
//	RUN npm run build
//
//	FROM nginx:alpine AS web
//	COPY --from=build /app/build /usr/share/nginx/html
//	EXPOSE 80
//	CMD ["nginx", "-g", "daemon off;"]
//
// The runtime image holds nginx and the built site, not Node.js or
// node_modules.
func pipeline() *multistage.Build {
	b := multistage.New()
	build := b.Stage("build").From("node:20").
		Workdir("/app").
		Copy("package*.json", "./").
		Run("npm install").
		Copy(".", ".").
		Run("npm run build")
	b.Stage("web").From("nginx:alpine").
		CopyFrom(build, "/app/build", "/usr/share/nginx/html").
		Expose(80).
		Cmd("nginx", "-g", "daemon off;")
	return b
}

func main() {
	showLLB := flag.Bool("llb", false, "also print the LLB of the target stage as JSON, one op per line")
	addr := flag.String("buildkit-addr", os.Getenv("BUILDKIT_HOST"), "build on this BuildKit daemon (unix://, tcp://, docker-container://, ...); empty: do not build")
	contextDir := flag.String("context", "testdata/apps/node-nginx", "build context directory")
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
