// Command go shows the Go preset on its sample app, examples/go/app
// (a static Go binary on distroless): it prints the Dockerfile and a summary of the LLB, the whole
// LLB as JSON with -llb, and builds the image when given a BuildKit address
// (-buildkit-addr, default $BUILDKIT_HOST). Run it from the root of the
// repository:
//
//	go run ./examples/go [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// examples/go/app/Dockerfile.classic is the hand-written Dockerfile it is
// compared with.
package main

import (
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/presets"
)

func main() {
	p := presets.Go(presets.GoOptions{Binary: "hello"})
	examplecli.Main(p.Build, "examples/go/app")
}
