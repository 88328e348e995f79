// Command dotnet shows the DotNet preset on its sample app, examples/dotnet/app
// (an ASP.NET Core app published with the SDK): it prints the Dockerfile and a summary of the LLB, the whole
// LLB as JSON with -llb, and builds the image when given a BuildKit address
// (-buildkit-addr, default $BUILDKIT_HOST). Run it from the root of the
// repository:
//
//	go run ./examples/dotnet [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// examples/dotnet/app/Dockerfile.classic is the hand-written Dockerfile it is
// compared with.
package main

import (
	"github.com/multistage/multistage/internal/examplecli"
	"github.com/multistage/multistage/presets"
)

func main() {
	p := presets.DotNet(presets.DotNetOptions{Project: "hello.csproj"})
	examplecli.Main(p.Build, "examples/dotnet/app")
}
