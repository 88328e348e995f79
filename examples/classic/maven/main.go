// Command maven is the classic two-stage Java build written with multistage:
// mvn package on the Maven image, run the jar on a JDK.
//
// It prints the Dockerfile and a summary of the LLB, one line per op; with
// -llb, the whole LLB as JSON; with -buildkit-addr (default $BUILDKIT_HOST),
// it also builds the image on that BuildKit daemon. Run it from the root of
// the repository:
//
//	go run ./examples/classic/maven [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// pipeline uses only the public API: copy it and change it.
package main

import (
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
	examplecli.Main(pipeline(), "testdata/apps/maven")
}
