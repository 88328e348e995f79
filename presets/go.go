package presets

import (
	"path"
	"strings"

	"github.com/multistage/multistage"
)

// GoRuntime is the base image of the runtime stage of [Go]: one of the
// constants below, or any image reference that can run the binary.
type GoRuntime string

// Runtime bases for [GoOptions].Runtime.
const (
	// GoDistroless is gcr.io/distroless/static-debian12:nonroot: CA
	// certificates, time zone data and an /etc/passwd with the nonroot
	// user, and nothing else (no shell, no C library). The default
	// without cgo.
	GoDistroless GoRuntime = "gcr.io/distroless/static-debian12:nonroot"
	// GoAlpine is alpine:3, which adds a shell and busybox, handy for
	// debugging inside the container. Its C library is musl, not glibc.
	GoAlpine GoRuntime = "alpine:3"
	// GoScratch is the empty image. The preset copies the builder's CA
	// bundle into it, so that the binary can make TLS connections.
	GoScratch GoRuntime = "scratch"
	// GoDistrolessCC is gcr.io/distroless/cc-debian12:nonroot: the
	// static image plus Debian 12's glibc, libssl, libgcc and libstdc++,
	// for a binary built with cgo, including one that links C++ code
	// (no shell). The default with [GoOptions].CGO.
	GoDistrolessCC GoRuntime = "gcr.io/distroless/cc-debian12:nonroot"
	// GoDistrolessBase is gcr.io/distroless/base-debian12:nonroot: the
	// static image plus Debian 12's glibc and libssl, without libgcc and
	// libstdc++, for a cgo binary that links C code only.
	GoDistrolessBase GoRuntime = "gcr.io/distroless/base-debian12:nonroot"
	// GoDebianSlim is debian:bookworm-slim: glibc, a shell and apt, for a
	// cgo binary that loads C libraries of Debian 12 at run time
	// (install them with [Steps].Runtime).
	GoDebianSlim GoRuntime = "debian:bookworm-slim"
)

// static reports whether r has no glibc: a cgo binary must be
// linked statically to run on it.
func (r GoRuntime) static() bool {
	return r == GoDistroless || r == GoScratch || r == GoAlpine ||
		strings.HasPrefix(string(r), "gcr.io/distroless/static")
}

// GoOptions configures [Go]. The zero value builds the main package at the
// root of the module into a static binary named "app" that listens on 8080.
type GoOptions struct {
	// Version is the Go version: the builder is golang:<Version>. It is
	// declared as the build arg GO_VERSION, so "--build-arg GO_VERSION=1.23"
	// overrides it. The default is "1.27", the newest Go release (Go
	// supports the two newest).
	Version string
	// ModuleDir is the directory of the main module (its go.mod),
	// relative to the build context, where "go mod download" and
	// "go build" run (go -C <ModuleDir>). The default is ".". Set it when
	// the context is above the module: a member of a Go workspace, or a
	// module with a replace directive to a directory beside it.
	ModuleDir string
	// Package is the main package to build, relative to ModuleDir, such
	// as "./cmd/server". The default is ".".
	Package string
	// Modules are the directories, relative to the build context, of the
	// modules whose go.mod and go.sum are copied before "go mod download"
	// (keeping their paths): the members of the workspace, and the
	// targets of local replace directives. The default is ModuleDir
	// alone.
	Modules []string
	// Workspace copies go.work and go.work.sum (if there is one) from the
	// root of the build context with the go.mod files, so that the
	// download and the build run in workspace mode, as they do in the
	// repository. The default is false.
	Workspace bool
	// Binary is the name of the executable, installed as
	// /usr/local/bin/<Binary> in the runtime image. The default is "app".
	Binary string
	// CGO builds with cgo (CGO_ENABLED=1), for a package that imports "C"
	// or a dependency that does (github.com/mattn/go-sqlite3 and the
	// like). The builder is then golang:<Version>-bookworm, so that the
	// binary needs no newer glibc than Debian 12's, and runs on the target
	// platform, not the build platform: cgo needs a C compiler for the
	// target, so a multi-platform build compiles each platform natively
	// (emulated where the builder cannot run it) instead of
	// cross-compiling. The default runtime becomes [GoDistrolessCC]. With
	// a runtime that has no glibc ([GoDistroless], [GoScratch],
	// [GoAlpine]) the binary is linked statically
	// (-linkmode=external -extldflags=-static), which suits self-contained
	// C code such as SQLite. The default is false: CGO_ENABLED=0, a
	// static binary cross-compiled on the build platform.
	CGO bool
	// Runtime is the base image of the runtime stage. The default is
	// [GoDistroless], or [GoDistrolessCC] with CGO.
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
	// LinkVars are string variables that the linker sets from build
	// args (-X), such as the version the binary reports. The default is
	// none.
	LinkVars []GoLinkVar
	// Vendor says that the module vendors its dependencies (vendor/ in the
	// build context): "go mod download" is skipped and go build uses the
	// vendor directory. The default is false.
	Vendor bool
	// User is the user the binary runs as. The default is [NonRootUser].
	User string
	// Args are the default arguments of the binary (CMD). The default is
	// none.
	Args []string
	// WritableDirs are directories the binary must be able to write (a
	// SQLite database, uploads), relative to the working directory /app
	// or absolute: the runtime stage creates them owned by User, then
	// works in /app. The default is none, and no working directory is
	// set.
	WritableDirs []string
	// UI are Node.js projects whose build output the program embeds
	// (//go:embed ui/dist): each is built in a stage of its own by
	// [NodeBuildStage], named "ui" ("ui-2", ... for more), and its output
	// directory, <Dir>/<Workspace>/<OutputDir>, is copied to the same path in the
	// sources after they are copied and before BeforeBuild and go build.
	// The sources are copied without that directory and without
	// <Dir>/node_modules, so that nothing built on the host gets in. The
	// default is none. The build arg NODE_VERSION is the first UI's
	// Version.
	UI []NodeBuildOptions
	// Steps are the caller's own instructions at named points: in the
	// builder, BeforeInstall after go.mod and go.sum are copied and
	// before "go mod download" (with Vendor, before the sources are
	// copied), BeforeBuild after the sources are copied and before
	// "go build", AfterBuild after it; Runtime in the runtime stage
	// after the binary is copied and before USER.
	Steps Steps `json:",omitzero"`
}

// GoLinkVar is a string variable of the program that "go build" sets at
// link time from a build arg:
//
//	ARG VERSION=dev
//	RUN ... go build "-ldflags=-s -w -X 'main.version=${VERSION}'" ...
//
// so "--build-arg VERSION=1.2.3" stamps the binary without editing the
// Dockerfile. The value may hold spaces but no single quote.
type GoLinkVar struct {
	// Var is the variable, qualified by its package's import path:
	// "main.version", "example.com/app/internal/build.Commit".
	Var string
	// Arg is the build arg that holds the value, such as "VERSION".
	Arg string
	// Default is the value when the build passes no such build arg. An
	// empty Default sets the variable to "" (the ARG has no default).
	Default string
}

// GoBuild is the build made by [Go], with handles to its stages so the
// caller can keep editing them.
type GoBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Builder is the "build" stage: golang on the build platform,
	// cross-compiling for the target platform (with CGO, golang on the
	// target platform). The binary is /out/<Binary>.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage: the binary on the runtime base.
	Runtime *multistage.Stage
}

// Go returns a build that compiles a Go module into a static binary and
// runs it, as a non-root user, on a minimal base:
//
//	ARG GO_VERSION=1.27
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
//
// With [GoOptions].CGO the builder is golang:<Version>-bookworm on the
// target platform, builds with CGO_ENABLED=1 and the runtime is
// [GoDistrolessCC]:
//
//	FROM golang:${GO_VERSION}-bookworm AS build
//	...
//	RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
//	    CGO_ENABLED=1 go build -trimpath '-ldflags=-s -w' -o /out/app .
//
//	FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
//
// For a workspace member, go.work and every member's go.mod come first,
// keeping their paths, and the go commands run in the member
// ([GoOptions].ModuleDir, [GoOptions].Modules, [GoOptions].Workspace):
//
//	COPY --parents go.work go.work.sum* api/go.mod api/go.sum* lib/go.mod lib/go.sum* ./
//	RUN --mount=type=cache,target=/go/pkg/mod go -C api mod download
func Go(opts GoOptions) *GoBuild {
	bin := or(opts.Binary, "app")
	pkg := or(opts.Package, ".")
	runtime := opts.Runtime
	if runtime == "" {
		runtime = GoDistroless
		if opts.CGO {
			runtime = GoDistrolessCC
		}
	}
	goCmd := "go"
	if dir := cleanRel(opts.ModuleDir); dir != "." {
		goCmd = "go -C " + shellQuote(dir)
	}

	b := multistage.New()
	b.Arg("GO_VERSION", or(opts.Version, defaultGoVersion))
	type uiOutput struct {
		stage    *multistage.Stage
		out, dst string
	}
	var uis []uiOutput
	var noHostBuilds []string
	for i, ui := range opts.UI {
		name := "ui"
		if i > 0 {
			name = "ui-" + itoa(i+1)
		}
		if i == 0 {
			// One NODE_VERSION for all the UI stages: the first's.
			b.Arg("NODE_VERSION", or(ui.Version, defaultNodeVersion))
		}
		st, out := nodeBuildStage(b, name, ui, nodeBuildHow{self: true})
		dir := cleanRel(ui.Dir)
		dst := path.Join(dir, ui.Workspace, or(ui.OutputDir, "dist"))
		uis = append(uis, uiOutput{st, out, dst})
		noHostBuilds = append(noHostBuilds, dst, path.Join(dir, "node_modules"))
	}
	build := b.Stage("build")
	if opts.CGO {
		build.FromExpand("golang:${GO_VERSION}-bookworm")
	} else {
		build.FromExpand("golang:${GO_VERSION}").Platform(multistage.BuildPlatform)
	}
	build.Workdir("/src")
	if !opts.Vendor {
		copyGoModules(build, opts)
		opts.Steps.beforeInstall(build)
		build.Run(goCmd+" mod download", GoModCache())
	} else {
		opts.Steps.beforeInstall(build)
	}
	if len(uis) > 0 {
		build.Copy(".", ".", multistage.Exclude(noHostBuilds...))
	} else {
		build.Copy(".", ".")
	}
	for _, ui := range uis {
		build.CopyFrom(ui.stage, ui.out, "./"+ui.dst)
	}
	opts.Steps.beforeBuild(build)

	ldflags := "-s -w"
	env := "CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH "
	if opts.CGO {
		env = "CGO_ENABLED=1 "
		if runtime.static() {
			ldflags += " -linkmode=external -extldflags=-static"
		}
	} else {
		build.Arg(multistage.TargetOS).Arg(multistage.TargetArch)
	}
	ldflags += prefixSpace(opts.LDFlags)
	for _, v := range opts.LinkVars {
		if v.Default != "" {
			build.Arg(v.Arg, v.Default)
		} else {
			build.Arg(v.Arg)
		}
	}
	cmd := env + goCmd + " build -trimpath " + ldflagsArg(ldflags, opts.LinkVars)
	cmd = shellJoin(cmd, opts.BuildFlags)
	cmd = shellJoin(cmd, []string{"-o", "/out/" + bin, pkg})
	build.Run(cmd, GoCache())
	opts.Steps.afterBuild(build)

	rt := b.Stage("runtime").From(string(runtime))
	if runtime == GoScratch {
		rt.CopyFrom(build, "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/", multistage.Link())
	}
	rt.CopyFrom(build, "/out/"+bin, "/usr/local/bin/"+bin, multistage.Link())
	opts.Steps.runtime(rt)
	rt.User(or(opts.User, NonRootUser))
	writableDirs(rt, "/app", opts.WritableDirs)
	expose(rt, port(opts.Port, 8080))
	rt.Entrypoint("/usr/local/bin/" + bin)
	if len(opts.Args) > 0 {
		rt.Cmd(opts.Args...)
	}
	return &GoBuild{Build: b, Builder: build, Runtime: rt}
}

// copyGoModules copies go.mod and go.sum of the modules of opts (and
// go.work with go.work.sum in a workspace) into the working directory,
// keeping their paths. The one module at the root keeps the two plain
// copies of [GoModDownload].
func copyGoModules(s *multistage.Stage, opts GoOptions) {
	mods := opts.Modules
	if len(mods) == 0 {
		mods = []string{or(opts.ModuleDir, ".")}
	}
	if !opts.Workspace && len(mods) == 1 && cleanRel(mods[0]) == "." {
		s.Copy("go.mod", "./").Copy("go.sum*", "./")
		return
	}
	var srcs []string
	if opts.Workspace {
		srcs = append(srcs, "go.work", "go.work.sum*")
	}
	for _, m := range mods {
		m = cleanRel(m)
		srcs = append(srcs, path.Join(m, "go.mod"), path.Join(m, "go.sum*"))
	}
	s.Copy(srcs[0], "./", multistage.Parents(), multistage.MoreSources(srcs[1:]...))
}

// cleanRel cleans a slash-separated relative directory; "" is ".".
func cleanRel(dir string) string {
	if dir == "" {
		return "."
	}
	return strings.TrimPrefix(path.Clean(dir), "./")
}

// ldflagsArg is the -ldflags argument of go build, quoted for /bin/sh:
// single-quoted when it is literal, double-quoted (with the build args
// of vars expanded by the shell) when it sets variables.
func ldflagsArg(flags string, vars []GoLinkVar) string {
	if len(vars) == 0 {
		return shellQuote("-ldflags=" + flags)
	}
	var b strings.Builder
	b.WriteString(`"-ldflags=`)
	b.WriteString(dquoteEscape(flags))
	for _, v := range vars {
		b.WriteString(" -X '")
		b.WriteString(dquoteEscape(v.Var))
		b.WriteString("=${")
		b.WriteString(v.Arg)
		b.WriteString("}'")
	}
	b.WriteByte('"')
	return b.String()
}

// dquoteEscape escapes s for the inside of a /bin/sh double-quoted string,
// where a backslash escapes $, `, ", \ and a newline.
func dquoteEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("$`\"\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
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
