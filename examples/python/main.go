// Command python shows the Python preset on its sample app, examples/python/app
// (a Python app whose one dependency is a local wheel, installed offline): it prints the Dockerfile and a summary of the LLB, the whole
// LLB as JSON with -llb, and builds the image when given a BuildKit address
// (-buildkit-addr, default $BUILDKIT_HOST). Run it from the root of the
// repository:
//
//	go run ./examples/python [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// examples/python/app/Dockerfile.classic is the hand-written Dockerfile it is
// compared with.
package main

import (
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/presets"
)

func main() {
	p := presets.Python(presets.PythonOptions{FindLinks: "wheels", NoIndex: true})
	examplecli.Main(p.Build, "examples/python/app")
}
