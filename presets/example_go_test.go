package presets_test

import (
	"fmt"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/presets"
)

// A Go server that stores its data with the cgo SQLite driver and embeds
// a web UI that Node.js builds (//go:embed ui/dist): the UI has a stage of
// its own, the binary is built with cgo and runs on distroless cc, the
// version is a build arg, and the data directory belongs to the
// unprivileged user.
func ExampleGo_cgoAndUI() {
	g := presets.Go(presets.GoOptions{
		Version:      "1.26",
		Binary:       "notes",
		CGO:          true,
		UI:           []presets.NodeBuildOptions{{Dir: "ui", Version: "22"}},
		LinkVars:     []presets.GoLinkVar{{Var: "main.version", Arg: "VERSION", Default: "dev"}},
		WritableDirs: []string{"data"},
		Port:         8090,
	})
	df, err := g.Build.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// ARG GO_VERSION=1.26
	// ARG NODE_VERSION=22
	//
	// FROM --platform=$BUILDPLATFORM node:${NODE_VERSION} AS ui
	// ENV NPM_CONFIG_UPDATE_NOTIFIER=false
	// WORKDIR /app/ui
	// COPY ui/package*.json ./
	// RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
	// COPY --exclude=**/node_modules ui .
	// RUN npm run build
	//
	// FROM golang:${GO_VERSION}-bookworm AS build
	// WORKDIR /src
	// COPY go.mod ./
	// COPY go.sum* ./
	// RUN --mount=type=cache,target=/go/pkg/mod go mod download
	// COPY --exclude=ui/dist --exclude=ui/node_modules . .
	// COPY --from=ui /app/ui/dist ./ui/dist
	// ARG VERSION=dev
	// RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=1 go build -trimpath "-ldflags=-s -w -X 'main.version=${VERSION}'" -o /out/notes .
	//
	// FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
	// COPY --from=build --link /out/notes /usr/local/bin/notes
	// USER 65532:65532
	// WORKDIR /app/data
	// WORKDIR /app
	// EXPOSE 8090
	// ENTRYPOINT ["/usr/local/bin/notes"]
}

// A member of a Go workspace, built from the workspace's root: go.work
// and every member's go.mod come first, and the go commands run in the
// member. A step before the build generates code.
func ExampleGo_workspace() {
	g := presets.Go(presets.GoOptions{
		Version:   "1.26",
		Workspace: true,
		Modules:   []string{"libs/shared", "services/api"},
		ModuleDir: "services/api",
		Package:   "./cmd/api",
		Binary:    "api",
		Steps: presets.Steps{BeforeBuild: func(s *multistage.Stage) {
			s.Run("go -C services/api generate ./...", presets.GoCache())
		}},
	})
	df, err := g.Build.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// ARG GO_VERSION=1.26
	//
	// FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
	// WORKDIR /src
	// COPY --parents go.work go.work.sum* libs/shared/go.mod libs/shared/go.sum* services/api/go.mod services/api/go.sum* ./
	// RUN --mount=type=cache,target=/go/pkg/mod go -C services/api mod download
	// COPY . .
	// RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go -C services/api generate ./...
	// ARG TARGETOS
	// ARG TARGETARCH
	// RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go -C services/api build -trimpath '-ldflags=-s -w' -o /out/api ./cmd/api
	//
	// FROM gcr.io/distroless/static-debian12:nonroot AS runtime
	// COPY --from=build --link /out/api /usr/local/bin/api
	// USER 65532:65532
	// EXPOSE 8080
	// ENTRYPOINT ["/usr/local/bin/api"]
}

// One web project of a solution, with the SDK its global.json pins, run
// with a writable directory for its SQLite file.
func ExampleDotNet_solution() {
	d := presets.DotNet(presets.DotNetOptions{
		Version:      "9.0",
		SDKVersion:   "9.0.100",
		Project:      "src/Shop.Api/Shop.Api.csproj",
		WritableDirs: []string{"data"},
		Port:         5080,
	})
	df, err := d.Build.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// ARG DOTNET_VERSION=9.0
	// ARG DOTNET_SDK_VERSION=9.0.100
	//
	// FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:${DOTNET_SDK_VERSION} AS build
	// ARG TARGETARCH
	// WORKDIR /src
	// COPY --parents --exclude=**/bin --exclude=**/obj **/*.??proj ./
	// COPY *.sln* global.json* ./
	// COPY --parents --exclude=**/bin --exclude=**/obj **/Directory.* ./
	// COPY --parents --exclude=**/bin --exclude=**/obj ["**/[Nn]u[Gg]et.[Cc]onfig", "./"]
	// RUN --mount=type=cache,target=/root/.nuget/packages dotnet restore src/Shop.Api/Shop.Api.csproj -a $TARGETARCH
	// COPY --exclude=**/bin --exclude=**/obj . .
	// RUN --mount=type=cache,target=/root/.nuget/packages dotnet publish src/Shop.Api/Shop.Api.csproj -c Release -o /app -a $TARGETARCH --no-restore
	// RUN rm -rf /app/data
	//
	// FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
	// WORKDIR /app
	// COPY --from=build --link /app .
	// ENV ASPNETCORE_HTTP_PORTS=5080
	// EXPOSE 5080
	// USER 1654
	// WORKDIR /app/data
	// WORKDIR /app
	// ENTRYPOINT ["dotnet", "Shop.Api.dll"]
}
