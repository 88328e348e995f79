// Command python is the classic two-stage Python build written with multistage:
// pip install the requirements into a prefix, copy it into a clean image.
//
// It prints the Dockerfile and a summary of the LLB, one line per op; with
// -llb, the whole LLB as JSON; with -buildkit-addr (default $BUILDKIT_HOST),
// it also builds the image on that BuildKit daemon. Run it from the root of
// the repository:
//
//	go run ./examples/classic/python [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// pipeline uses only the public API: copy it and change it.
package main

import (
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/examplecli"
)

// pipeline is the build:
//
//	FROM python:3.10-slim AS builder
//	WORKDIR /app
//	COPY requirements.txt .
//	RUN pip install --prefix=/install -r requirements.txt
//
//	FROM python:3.10-slim AS run
//	WORKDIR /app
//	COPY --from=builder /install /usr/local
//	COPY . .
//	CMD ["python", "app.py"]
//
// The runtime image gets the installed packages, not pip's cache or the
// build tools.
func pipeline() *multistage.Build {
	b := multistage.New()
	builder := b.Stage("builder").From("python:3.10-slim").
		Workdir("/app").
		Copy("requirements.txt", ".").
		Run("pip install --prefix=/install -r requirements.txt")
	b.Stage("run").From("python:3.10-slim").
		Workdir("/app").
		CopyFrom(builder, "/install", "/usr/local").
		Copy(".", ".").
		Cmd("python", "app.py")
	return b
}

func main() {
	examplecli.Main(pipeline(), "testdata/apps/python")
}
