// Command maven is the classic two-stage Java build written with multistage:
// mvn package on the Maven image, run the jar on a JDK.
//
// It prints the Dockerfile; with -llb, the LLB that BuildKit would run, as
// JSON, one op per line; with -buildkit-addr (default $BUILDKIT_HOST), it
// also builds the image on that BuildKit daemon. Run it from the root of
// the repository:
//
//	go run ./examples/classic/maven [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
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
//	FROM maven:3.9-eclipse-temurin-17 AS builder
//	WORKDIR /app
//	COPY pom.xml .
//	RUN mvn dependency:go-offline
//	COPY src ./src
//	RUN mvn clean package -DskipTests
//
//	FROM eclipse-temurin:17-jdk-alpine AS run
//	WORKDIR /app
//	COPY --from=builder /app/target/myapp.jar myapp.jar
//	EXPOSE 8080
//	CMD ["java", "-jar", "myapp.jar"]
//
// Downloading the dependencies before copying the sources keeps them
// cached while only the code changes.
func pipeline() *multistage.Build {
	b := multistage.New()
	builder := b.Stage("builder").From("maven:3.9-eclipse-temurin-17").
		Workdir("/app").
		Copy("pom.xml", ".").
		Run("mvn dependency:go-offline").
		Copy("src", "./src").
		Run("mvn clean package -DskipTests")
	b.Stage("run").From("eclipse-temurin:17-jdk-alpine").
		Workdir("/app").
		CopyFrom(builder, "/app/target/myapp.jar", "myapp.jar").
		Expose(8080).
		Cmd("java", "-jar", "myapp.jar")
	return b
}

func main() {
	showLLB := flag.Bool("llb", false, "also print the LLB of the target stage as JSON, one op per line")
	addr := flag.String("buildkit-addr", os.Getenv("BUILDKIT_HOST"), "build on this BuildKit daemon (unix://, tcp://, docker-container://, ...); empty: do not build")
	contextDir := flag.String("context", "testdata/apps/maven", "build context directory")
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
