// Command node-server shows the NodeServer preset on its sample app, examples/node-server/app
// (a Node.js server with its production dependencies only): it prints the Dockerfile and a summary of the LLB, the whole
// LLB as JSON with -llb, and builds the image when given a BuildKit address
// (-buildkit-addr, default $BUILDKIT_HOST). Run it from the root of the
// repository:
//
//	go run ./examples/node-server [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// examples/node-server/app/Dockerfile.classic is the hand-written Dockerfile it is
// compared with.
package main

import (
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/presets"
)

func main() {
	p := presets.NodeServer(presets.NodeServerOptions{Entry: "server.js"})
	examplecli.Main(p.Build, "examples/node-server/app")
}
