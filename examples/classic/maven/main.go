// Command maven is the classic two-stage Java build written with multistage:
// mvn package on the Maven image, run the jar on a JDK.
//
// It prints the Dockerfile and a summary of the LLB, and builds the image
// when given somewhere to build.
//
// Run it from the root of the repository:
//
//	go run ./examples/classic/maven                            # print only
//	go run ./examples/classic/maven -load classic-maven:dev    # build on $BUILDKIT_HOST, else Docker Engine; load into Docker
//	go run ./examples/classic/maven -addr docker -o maven.tar  # build on Docker Engine, write an OCI tarball
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
	f := examplecli.Flags("testdata/apps/maven")

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
