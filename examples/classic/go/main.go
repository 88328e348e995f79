// Command go is the classic two-stage Go build written with multistage:
// compile on golang:1.22, run the binary on alpine.
//
// It prints the Dockerfile and a summary of the LLB, one line per op; with
// -llb, the whole LLB as JSON; with -buildkit-addr (default $BUILDKIT_HOST),
// it also builds the image on that BuildKit daemon. Run it from the root of
// the repository:
//
//	go run ./examples/classic/go [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// pipeline uses only the public API: copy it and change it.
package main

import (
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
	examplecli.Main(pipeline(), "testdata/apps/go")
}
