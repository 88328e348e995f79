// Command dotnet is the classic two-stage ASP.NET build written with multistage:
// restore and publish on the .NET SDK image, run on the ASP.NET runtime.
//
// It prints the Dockerfile and a summary of the LLB, one line per op; with
// -llb, the whole LLB as JSON; with -buildkit-addr (default $BUILDKIT_HOST),
// it also builds the image on that BuildKit daemon. Run it from the root of
// the repository:
//
//	go run ./examples/classic/dotnet [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// pipeline uses only the public API: copy it and change it.
package main

import (
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/examplecli"
)

// pipeline is the build:
//
//	FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
//	WORKDIR /source
//	COPY *.csproj ./
//	RUN dotnet restore
//	COPY . .
//	RUN dotnet publish -c Release -o out
//
//	FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS final
//	WORKDIR /app
//	COPY --from=build /source/out .
//	ENTRYPOINT ["dotnet", "learningapp.dll"]
//
// Restoring before copying the rest of the sources keeps the restored
// packages cached while only the code changes.
func pipeline() *multistage.Build {
	b := multistage.New()
	build := b.Stage("build").From("mcr.microsoft.com/dotnet/sdk:8.0").
		Workdir("/source").
		Copy("*.csproj", "./").
		Run("dotnet restore").
		Copy(".", ".").
		Run("dotnet publish -c Release -o out")
	b.Stage("final").From("mcr.microsoft.com/dotnet/aspnet:8.0").
		Workdir("/app").
		CopyFrom(build, "/source/out", ".").
		Entrypoint("dotnet", "learningapp.dll")
	return b
}

func main() {
	examplecli.Main(pipeline(), "testdata/apps/dotnet")
}
