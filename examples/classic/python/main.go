// Command python composes the classic python multi-stage build, prints its
// Dockerfile and a summary of its LLB, and builds it when given a BuildKit
// address. The pipeline itself is in internal/pipelines (Python).
//
//	go run ./examples/classic/python [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
package main

import (
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/internal/pipelines"
)

func main() {
	examplecli.Main(pipelines.Python().Build, "testdata/apps/python")
}
