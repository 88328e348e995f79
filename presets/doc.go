// Package presets builds ready-made multi-stage builds for common kinds of
// applications, with the techniques that make them smaller, faster to
// rebuild and safer than the Dockerfiles usually written by hand.
//
// Each preset is a function that takes a plain options struct, whose zero
// value gives good defaults, and returns an ordinary [multistage.Build]
// with handles to its stages. The caller can keep editing the stages,
// render the build as a Dockerfile, compile it to LLB or solve it:
//
//	g := presets.Go(presets.GoOptions{Package: "./cmd/server", Binary: "server"})
//	g.Runtime.Label("org.opencontainers.image.source", "https://example.com/repo")
//	dockerfile, err := g.Build.Dockerfile()
//
// The presets use only the public API of package multistage.
//
// # Presets
//
//   - [DotNet]: restore and publish with the .NET SDK, run on the ASP.NET
//     Core runtime (or a chiseled or self-contained base).
//   - [Go]: a static, cross-compiled binary on distroless, alpine or
//     scratch; with cgo, a binary built on the target platform and run
//     on a glibc base.
//   - [NodeStatic]: a static site built with Node.js (npm, Yarn or pnpm,
//     at the project's pinned version) and served by nginx, optionally as
//     a single-page application.
//   - [NodeServer]: a Node.js server with its production dependencies
//     only, or a Next.js standalone server.
//   - [Maven]: a jar built with Maven (or the Maven wrapper), run on a JRE.
//   - [Python]: packages installed into a virtual environment in a builder
//     and copied into a clean image of the same Python.
//
// [Detect] looks at a project directory and returns the presets that fit
// it, with the options it could read from the project:
//
//	found, err := presets.Detect(".")
//	for _, d := range found {
//		fmt.Println(d.Preset, d.Reason)
//	}
//	dockerfile, err := found[0].Build().Dockerfile()
//
// # What every preset does
//
//   - The manifest or lockfile (go.mod, *.csproj, package-lock.json,
//     pom.xml, requirements.txt) is copied and its dependencies are fetched
//     before the rest of the sources, so that a source change reuses the
//     dependency layer.
//   - The package manager's cache (Go module and build caches, NuGet, npm,
//     Yarn, pnpm, Maven, pip) is a cache mount ([GoCache], [NuGetCache],
//     [NodeCache], [MavenCache], [PipCache]): it survives a change of the
//     manifest, and it is never part of an image.
//   - Where the output does not depend on the target platform (Go and .NET
//     cross-compile, bytecode, static sites), the build stage runs on
//     $BUILDPLATFORM, so multi-platform builds run no emulated compilers.
//   - The runtime stage holds the application and its runtime only (not
//     the SDK, compiler, package manager cache or sources it does not
//     need), runs as a non-root user ([NonRootUser] unless the base image
//     has one), and copies the application with COPY --link, so that a
//     new base image does not invalidate it.
//   - Versions are build args declared before the first stage
//     (GO_VERSION, DOTNET_VERSION, NODE_VERSION, JAVA_VERSION,
//     PYTHON_VERSION), used by every stage that needs them, so builder and
//     runtime versions always match and "--build-arg" changes both.
//   - The rendered Dockerfiles pass BuildKit's linter with no warning, and
//     BuildKit's Dockerfile frontend compiles them to exactly the LLB that
//     [multistage.Build.Compile] produces.
//
// # Fragments
//
// The cache mounts are exported as run options, [GoModDownload] as a
// stage fragment, and [NodeBuildStage] adds the stage that builds a
// Node.js project (a web UI another stage embeds), for builds written by
// hand:
//
//	b := multistage.New()
//	b.Stage("test").From("golang:1.22").
//		Workdir("/src").
//		With(presets.GoModDownload).
//		Copy(".", ".").
//		Run("go test ./...", presets.GoCache())
package presets
