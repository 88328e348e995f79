// Command go composes the classic go multi-stage build, prints its
// Dockerfile and a summary of its LLB, and builds it when given a BuildKit
// address. The pipeline itself is in internal/pipelines (Go).
//
//	go run ./examples/classic/go [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
package main

import (
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/internal/pipelines"
)

func main() {
	examplecli.Main(pipelines.Go().Build, "testdata/apps/go")
}
