// Command maven shows the Maven preset on its sample app, examples/maven/app
// (a jar built with Maven and run on a JRE): it prints the Dockerfile and a summary of the LLB, the whole
// LLB as JSON with -llb, and builds the image when given a BuildKit address
// (-buildkit-addr, default $BUILDKIT_HOST). Run it from the root of the
// repository:
//
//	go run ./examples/maven [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// examples/maven/app/Dockerfile.classic is the hand-written Dockerfile it is
// compared with.
package main

import (
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/presets"
)

func main() {
	p := presets.Maven(presets.MavenOptions{})
	examplecli.Main(p.Build, "examples/maven/app")
}
