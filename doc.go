// Package multistage composes multi-stage container builds from Go code and
// builds them with BuildKit.
//
// A [Build] is an ordered set of stages. A [Stage] starts from an image, from
// scratch or from another stage, and appends instructions: Workdir, Env,
// Copy, CopyFrom, Run, Expose, User, Entrypoint, Cmd and the rest of what a
// Dockerfile can say, down to ADD ([Stage.Add], [Stage.AddURL],
// [Stage.AddGit]), heredocs ([Stage.CopyContent], [Stage.RunHeredoc]),
// ONBUILD ([Stage.OnBuild]) and MAINTAINER ([Stage.Maintainer]). Stages
// refer to each other by value, so a reference to a stage that does not
// exist does not compile. [ParseDockerfile] reads an existing Dockerfile
// into the same calls.
//
// One model, two backends. [Build.Dockerfile] renders the build as a
// Dockerfile; [Build.Compile] compiles it directly to BuildKit LLB and an OCI
// image config, without writing or parsing a Dockerfile. The two agree: for
// the rendered Dockerfile, BuildKit's own Dockerfile frontend produces the
// same LLB, op for op, and the same image config. The project's tests check
// this for every pipeline, and build both on a real BuildKit daemon.
//
// # A whole build
//
// A Go service, built in the golang image and shipped on alpine:
//
//	b := multistage.New()
//
//	build := b.Stage("build").From("golang:1.27").
//		Workdir("/src").
//		Copy("go.mod", ".").
//		Copy("go.sum", ".").
//		Run("go mod download", multistage.CacheMount("/go/pkg/mod")).
//		Copy(".", ".").
//		Run("CGO_ENABLED=0 go build -o /out/app .",
//			multistage.CacheMount("/go/pkg/mod"),
//			multistage.CacheMount("/root/.cache/go-build"))
//
//	b.Stage("run").From("alpine:latest").
//		CopyFrom(build, "/out/app", "/usr/local/bin/app").
//		User("65534").
//		Expose(8080).
//		Entrypoint("/usr/local/bin/app")
//
//	dockerfile, err := b.Dockerfile()
//
// renders
//
//	FROM golang:1.27 AS build
//	WORKDIR /src
//	COPY go.mod .
//	COPY go.sum .
//	RUN --mount=type=cache,target=/go/pkg/mod go mod download
//	COPY . .
//	RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /out/app .
//
//	FROM alpine:latest AS run
//	COPY --from=build /out/app /usr/local/bin/app
//	USER 65534
//	EXPOSE 8080
//	ENTRYPOINT ["/usr/local/bin/app"]
//
// and
//
//	compiled, err := b.Compile(ctx, multistage.WithMetaResolver(resolver))
//
// gives the LLB definition of the last stage (compiled.Definition) and its
// image config (compiled.Image). [Build.Solve] does both inside a BuildKit
// gateway build and exports the image.
//
// # Targets
//
// The last stage added is the target. [Target] picks another one: the
// Dockerfile then holds only the stages the target needs, with the target
// last, and Compile compiles that stage. A test stage is a branch:
//
//	test := b.Stage("test").FromStage(build).Run("go test ./...")
//	out, err := b.Compile(ctx, multistage.Target(test))
//
// # Values are literal
//
// Every string a caller passes means exactly what it says. A '$' in an env
// value, a label, a path or an argument is not expanded, neither by this
// package nor by BuildKit: the renderer escapes it. Shell-form [Stage.Run]
// commands reach the shell byte for byte (the shell then expands variables
// as it would anywhere). Where expansion is wanted, the API says so:
// [Stage.EnvExpand], [Stage.EnvExpandAll], [Stage.WorkdirExpand],
// [Stage.UserExpand], [Stage.LabelExpand], [Stage.FromExpand],
// [Stage.ExposeExpand], [Stage.VolumeExpand], [Stage.StopSignalExpand],
// [Expand] for copies, and [MountExpand] and [MountOptionExpand] for
// mounts. A value that cannot be written to a Dockerfile so that BuildKit
// reads back the same value (a newline in an env value, a NUL byte, invalid
// UTF-8) is refused with [ErrUnsafeValue], never rendered differently.
//
// # Errors
//
// Builder methods never fail and never panic: a method given a bad value
// records the problem, and [Build.Dockerfile], [Build.Compile] and
// [Build.Validate] report every problem of the build at once, joined with
// [errors.Join]. Each wraps a sentinel such as [ErrInvalidStageName],
// [ErrInvalidImageRef], [ErrNoBase], [ErrCycle] or [ErrUnsafeValue], and a
// problem of an instruction is an [*InstructionError] naming the stage and
// the instruction, so errors.Is and errors.As work.
//
// [Build.Lint] returns [Warning]s about what works but is likely a
// mistake, such as a secret-looking name (NPM_TOKEN, DB_PASSWORD) set with
// ENV or declared as an ARG, where it is kept in the image; pass secrets
// with [SecretMount]; or a base image whose release line is past its end
// of life, such as node:20 or golang:1.22, which gets no security fixes.
//
// # Resolving base images
//
// With [WithMetaResolver], Compile resolves each base image once: the LLB
// pins it by digest and the stage inherits its config (Env such as PATH,
// WorkingDir, User, Entrypoint and Cmd), exactly as the Dockerfile frontend
// does. Without a resolver, Compile does no network I/O: base images are
// referenced by tag and their configs are unknown, so PATH is BuildKit's
// default and an inherited Entrypoint, Cmd or Env is missing from the image
// config. A BuildKit gateway client is a resolver that honours the daemon's
// registry mirrors.
//
// # Building
//
// [Build.Solve] builds on BuildKit: the one built into Docker Engine, a
// local daemon or a remote fleet. [Dial] connects to any of them ("docker",
// unix://, tcp:// with TLS, docker-container://, kube-pod://, ...; empty:
// $BUILDKIT_HOST, else Docker Engine), and Solve takes any
// *client.Client of github.com/moby/buildkit/client. It compiles inside a
// gateway build, so base images are resolved by the daemon, sends the
// build context (honouring .dockerignore) and exports the image with its
// config; [Load] puts it into Docker Engine for "docker run":
//
//	c, err := multistage.Dial(ctx, "docker")
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	res, err := b.Solve(ctx, c,
//		multistage.ContextDir("."),
//		multistage.Load("app:dev"),
//		multistage.SecretFromFile("npmrc", os.ExpandEnv("$HOME/.npmrc")),
//		multistage.ExportCache("inline", nil),
//		multistage.Progress("auto", os.Stderr))
//
// Other options pick exporters ([OutputOCI], [OutputDocker], [OutputLocal], [Push]),
// cache ([ImportCache], [ExportCache]), secrets and SSH ([SecretFromEnv],
// [SSHAgent]) and [Platforms].
//
// # Presets and imports
//
// Package presets returns ready-made builds for .NET, Go, Node, Maven and
// Python applications; each is an ordinary Build whose stages can be edited
// further. [ParseDockerfile] reads an existing Dockerfile into a Build, and
// the dockerfile2go command writes the Go code that makes it.
//
// # Testing and drawing builds
//
// Package multistagetest tests builds from go test: Golden keeps a build's
// Dockerfile, LLB and image config in a golden file, and Run and the
// checks beside it build the image on BuildKit and run commands in it,
// through [Inspect]. [Build.Mermaid] and [Build.DOT] draw the stages and
// what each takes from the others.
//
// # Determinism
//
// The same build gives the same Dockerfile bytes and the same LLB digest in
// every process: data is kept in ordered slices, the platform defaults to
// the machine's and can be pinned with [WithPlatform], and the build
// context's local source gets a stable id.
package multistage
