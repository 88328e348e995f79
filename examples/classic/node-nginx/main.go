// Command node-nginx composes the classic node-nginx multi-stage build, prints its
// Dockerfile and a summary of its LLB, and builds it when given a BuildKit
// address. The pipeline itself is in internal/pipelines (NodeNginx).
//
//	go run ./examples/classic/node-nginx [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
package main

import (
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/internal/pipelines"
)

func main() {
	examplecli.Main(pipelines.NodeNginx().Build, "testdata/apps/node-nginx")
}
