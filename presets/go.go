package presets

import (
	"github.com/multistage/multistage"
)

// GoRuntime is the base image of the runtime stage of [Go]: one of the
// constants below, or any image reference that can run a static binary.
type GoRuntime string

// Runtime bases for [GoOptions].Runtime.
const (
	// GoDistroless is gcr.io/distroless/static-debian12:nonroot: CA
	// certificates, time zone data and an /etc/passwd with the nonroot
	// user, and nothing else (no shell). The default.
	GoDistroless GoRuntime = "gcr.io/distroless/static-debian12:nonroot"
	// GoAlpine is alpine:3, which adds a shell and busybox, handy for
	// debugging inside the container.
	GoAlpine GoRuntime = "alpine:3"
	// GoScratch is the empty image. The preset copies the builder's CA
	// bundle into it, so that the binary can make TLS connections.
	GoScratch GoRuntime = "scratch"
)

// GoOptions configures [Go]. The zero value builds the main package at the
// root of the module into a static binary named "app" that listens on 8080.
type GoOptions struct {
	// Version is the Go version: the builder is golang:<Version>. It is
	// declared as the build arg GO_VERSION, so "--build-arg GO_VERSION=1.23"
	// overrides it. The default is "1.22".
	Version string
	// Package is the main package to build, relative to the module root,
	// such as "./cmd/server". The default is ".".
	Package string
	// Binary is the name of the executable, installed as
	// /usr/local/bin/<Binary> in the runtime image. The default is "app".
	Binary string
	// Runtime is the base image of the runtime stage. The default is
	// [GoDistroless].
	Runtime GoRuntime
	// Port is the TCP port the server listens on, declared with EXPOSE.
	// The default is 8080; a negative Port declares none.
	Port int
	// BuildFlags are extra arguments of "go build", one argument per
	// element, such as {"-tags", "netgo"}. The default is none.
	BuildFlags []string
	// LDFlags are linker flags added after "-s -w", such as
	// "-X main.version=1.2.3". The default is none.
	LDFlags string
	// Vendor says that the module vendors its dependencies (vendor/ in the
	// build context): "go mod download" is skipped and go build uses the
	// vendor directory. The default is false.
	Vendor bool
	// User is the user the binary runs as. The default is [NonRootUser].
	User string
	// Args are the default arguments of the binary (CMD). The default is
	// none.
	Args []string
}

// GoBuild is the build made by [Go], with handles to its stages so the
// caller can keep editing them.
type GoBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Builder is the "build" stage: golang on the build platform,
	// cross-compiling for the target platform. The binary is
	// /out/<Binary>.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage: the binary on the runtime base.
	Runtime *multistage.Stage
}

// Go returns a build that compiles a Go module into a static binary and
// runs it, as a non-root user, on a minimal base:
//
//	ARG GO_VERSION=1.22
//
//	FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
//	WORKDIR /src
//	COPY go.mod ./
//	COPY go.sum* ./
//	RUN --mount=type=cache,target=/go/pkg/mod go mod download
//	COPY . .
//	ARG TARGETOS
//	ARG TARGETARCH
//	RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
//	    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath '-ldflags=-s -w' -o /out/app .
//
//	FROM gcr.io/distroless/static-debian12:nonroot AS runtime
//	COPY --from=build --link /out/app /usr/local/bin/app
//	USER 65532:65532
//	EXPOSE 8080
//	ENTRYPOINT ["/usr/local/bin/app"]
//
// go.mod and go.sum come first, so the download step is cached until they
// change. The module cache and the build cache are cache mounts: a rebuild
// after a one-line change recompiles that package, not the standard
// library. The builder runs natively on $BUILDPLATFORM and cross-compiles
// for $TARGETPLATFORM (CGO_ENABLED=0), so a multi-platform build runs no
// emulated compiler.
func Go(opts GoOptions) *GoBuild {
	bin := or(opts.Binary, "app")
	pkg := or(opts.Package, ".")
	runtime := GoRuntime(or(string(opts.Runtime), string(GoDistroless)))

	b := multistage.New()
	b.Arg("GO_VERSION", or(opts.Version, "1.22"))
	build := b.Stage("build").FromExpand("golang:${GO_VERSION}").Platform(multistage.BuildPlatform).
		Workdir("/src")
	if !opts.Vendor {
		build.With(GoModDownload)
	}
	args := append([]string{"-trimpath", "-ldflags=-s -w" + prefixSpace(opts.LDFlags)}, opts.BuildFlags...)
	args = append(args, "-o", "/out/"+bin, pkg)
	build.Copy(".", ".").
		Arg(multistage.TargetOS).
		Arg(multistage.TargetArch).
		Run(shellJoin("CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build", args), GoCache())

	rt := b.Stage("runtime").From(string(runtime))
	if runtime == GoScratch {
		rt.CopyFrom(build, "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/", multistage.Link())
	}
	rt.CopyFrom(build, "/out/"+bin, "/usr/local/bin/"+bin, multistage.Link()).
		User(or(opts.User, NonRootUser))
	expose(rt, port(opts.Port, 8080))
	rt.Entrypoint("/usr/local/bin/" + bin)
	if len(opts.Args) > 0 {
		rt.Cmd(opts.Args...)
	}
	return &GoBuild{Build: b, Builder: build, Runtime: rt}
}

// GoModDownload is a fragment for a Go build stage whose working directory
// will hold the module: it copies go.mod and go.sum (if there is one) and
// downloads the modules into the module cache mount, so that the step is
// cached until they change:
//
//	COPY go.mod ./
//	COPY go.sum* ./
//	RUN --mount=type=cache,target=/go/pkg/mod go mod download
//
// Use it as s.With(presets.GoModDownload).
func GoModDownload(s *multistage.Stage) {
	s.Copy("go.mod", "./").
		Copy("go.sum*", "./").
		Run("go mod download", GoModCache())
}

// GoModCache is a cache mount on the Go module cache of the golang images,
// /go/pkg/mod ($GOMODCACHE), for "go mod download" and "go build".
func GoModCache() multistage.RunOption {
	return multistage.CacheMount("/go/pkg/mod")
}

// GoBuildCache is a cache mount on the Go build cache of the root user,
// /root/.cache/go-build ($GOCACHE), which keeps compiled packages between
// builds.
func GoBuildCache() multistage.RunOption {
	return multistage.CacheMount("/root/.cache/go-build")
}

// GoCache is [GoModCache] and [GoBuildCache] together, for "go build",
// "go test" and "go vet":
//
//	s.Run("go test ./...", presets.GoCache())
func GoCache() multistage.RunOptions {
	return multistage.RunOptions{GoModCache(), GoBuildCache()}
}

func prefixSpace(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}
