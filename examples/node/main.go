// Command node shows the NodeStatic preset on its sample app, examples/node/app
// (a static site built with npm and served by nginx): it prints the Dockerfile and a summary of the LLB, the whole
// LLB as JSON with -llb, and builds the image when given a BuildKit address
// (-buildkit-addr, default $BUILDKIT_HOST). Run it from the root of the
// repository:
//
//	go run ./examples/node [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// examples/node/app/Dockerfile.classic is the hand-written Dockerfile it is
// compared with.
package main

import (
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/presets"
)

func main() {
	p := presets.NodeStatic(presets.NodeStaticOptions{})
	examplecli.Main(p.Build, "examples/node/app")
}
