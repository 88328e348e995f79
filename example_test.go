package multistage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testresolver"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// A two-stage Go build: compile in the golang image, ship the binary on
// alpine.
func Example() {
	b := multistage.New()
	build := b.Stage("builder").From("golang:1.22").
		Workdir("/app").
		Copy(".", ".").
		Run("CGO_ENABLED=0 go build -o myapp")
	b.Stage("run").From("alpine:latest").
		Workdir("/root/").
		CopyFrom(build, "/app/myapp", ".").
		Expose(8080).
		Cmd("./myapp")

	df, err := b.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// FROM golang:1.22 AS builder
	// WORKDIR /app
	// COPY . .
	// RUN CGO_ENABLED=0 go build -o myapp
	//
	// FROM alpine:latest AS run
	// WORKDIR /root/
	// COPY --from=builder /app/myapp .
	// EXPOSE 8080
	// CMD ["./myapp"]
}

// CopyFrom takes files out of another stage by value: the stage is a Go
// variable, so a typo in its name does not compile.
func ExampleStage_CopyFrom() {
	b := multistage.New()
	assets := b.Stage("assets").From("node:20").
		Workdir("/web").
		Copy("package*.json", "./").
		Run("npm ci").
		Copy(".", ".").
		Run("npm run build")
	b.Stage("site").From("nginx:alpine").
		CopyFrom(assets, "/web/dist", "/usr/share/nginx/html", multistage.Link()).
		CopyFrom(assets, "/web/nginx.conf", "/etc/nginx/conf.d/default.conf", multistage.Chmod(0o644))

	df, err := b.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// FROM node:20 AS assets
	// WORKDIR /web
	// COPY package*.json ./
	// RUN npm ci
	// COPY . .
	// RUN npm run build
	//
	// FROM nginx:alpine AS site
	// COPY --from=assets --link /web/dist /usr/share/nginx/html
	// COPY --from=assets --chmod=644 /web/nginx.conf /etc/nginx/conf.d/default.conf
}

// With Target, the Dockerfile holds only the stages the target needs, with
// the target last, so a plain "docker build" builds it.
func ExampleBuild_Dockerfile() {
	b := multistage.New()
	deps := b.Stage("deps").From("golang:1.22").
		Workdir("/src").
		Copy("go.mod", ".").
		Run("go mod download")
	build := b.Stage("build").FromStage(deps).
		Copy(".", ".").
		Run("go build -o /out/app .")
	test := b.Stage("test").FromStage(deps).
		Copy(".", ".").
		Run("go test ./...")
	b.Stage("run").From("alpine:latest").
		CopyFrom(build, "/out/app", "/usr/local/bin/app").
		Entrypoint("/usr/local/bin/app")

	df, err := b.Dockerfile(multistage.Target(test))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// FROM golang:1.22 AS deps
	// WORKDIR /src
	// COPY go.mod .
	// RUN go mod download
	//
	// FROM deps AS test
	// COPY . .
	// RUN go test ./...
}

// Compile turns the build into LLB and an image config without a
// Dockerfile. With a resolver, each base image is pinned by digest and its
// config (here golang's PATH and GOPATH, alpine's CMD) is inherited as the
// Dockerfile frontend would. This example uses the tests' static resolver;
// a program passes a BuildKit gateway client.
func ExampleBuild_Compile() {
	b := multistage.New()
	build := b.Stage("builder").From("golang:1.22").
		Workdir("/app").
		Copy(".", ".").
		Run("go build -o myapp")
	b.Stage("run").From("alpine:latest").
		CopyFrom(build, "/app/myapp", "/usr/local/bin/myapp").
		Env("APP_ENV", "production")

	resolver := testresolver.New()
	out, err := b.Compile(context.Background(),
		multistage.WithMetaResolver(resolver),
		multistage.WithPlatform(ocispecs.Platform{OS: "linux", Architecture: "amd64"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("target:", out.Target)
	fmt.Println("ops:", len(out.Definition.Def))
	fmt.Println("platform:", out.Image.OS+"/"+out.Image.Architecture)
	fmt.Println("env:", strings.Join(out.Image.Config.Env, " "))
	fmt.Println("cmd:", out.Image.Config.Cmd)
	fmt.Println("golang resolved:", resolver.Calls("docker.io/library/golang:1.22"), "time")
	// Output:
	// target: run
	// ops: 8
	// platform: linux/amd64
	// env: PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin APP_ENV=production
	// cmd: [/bin/sh]
	// golang resolved: 1 time
}

// A cache mount keeps Go's module and build caches between builds; the
// files never end up in a layer.
func ExampleCacheMount() {
	b := multistage.New()
	b.Stage("build").From("golang:1.22").
		Workdir("/src").
		Copy(".", ".").
		Run("go build -o /out/app .",
			multistage.CacheMount("/go/pkg/mod", multistage.Sharing("locked")),
			multistage.CacheMount("/root/.cache/go-build", multistage.MountID("gobuild")))

	df, err := b.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// FROM golang:1.22 AS build
	// WORKDIR /src
	// COPY . .
	// RUN --mount=type=cache,target=/go/pkg/mod,sharing=locked --mount=type=cache,target=/root/.cache/go-build,id=gobuild go build -o /out/app .
}

// Builder methods never fail: problems are recorded and reported together,
// each matching a sentinel error with errors.Is.
func ExampleBuild_Validate() {
	b := multistage.New()
	b.Stage("Build").From("golang:1.22")
	b.Stage("run").From("alpine:latest").Expose(70000)

	err := b.Validate()
	fmt.Println(errors.Is(err, multistage.ErrInvalidStageName))
	fmt.Println(errors.Is(err, multistage.ErrInvalidPort))
	fmt.Println(err)
	// Output:
	// true
	// true
	// stage "Build": FROM: invalid stage name: name "Build": must match ^[a-z][a-z0-9-_.]*$
	// stage "run": instruction 1 (EXPOSE): invalid port: 70000 is outside 1-65535
}
