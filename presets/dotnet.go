package presets

import (
	"path"
	"strings"

	"github.com/multistage/multistage"
)

// DotNetUser is the user the .NET runtime stage runs as: 1654, the value
// of $APP_UID in Microsoft's .NET 8 and later images, where it is the
// non-root user "app".
const DotNetUser = "1654"

// DotNetOptions configures [DotNet]. The zero value publishes the one
// project (or solution) at the root of the build context as the assembly
// app.dll and runs it on the ASP.NET Core runtime, listening on 8080.
type DotNetOptions struct {
	// Version is the .NET version: the images are
	// mcr.microsoft.com/dotnet/sdk:<Version> and the runtime image of the
	// same version. It is declared as the build arg DOTNET_VERSION, used
	// by both stages, so the SDK and the runtime always match. The default
	// is "10.0", the newest .NET LTS line.
	Version string
	// SDKVersion is the tag of the SDK image when it must differ from
	// Version: the SDK a global.json pins, such as "8.0.404" (an exact
	// version, for the default rollForward, which keeps the feature band)
	// or "9.0". It is declared as the build arg DOTNET_SDK_VERSION. The
	// default is Version.
	SDKVersion string
	// Project is the project or solution file to restore and publish,
	// relative to the root of the build context, such as
	// "src/Api/Api.csproj". The default is none: dotnet then uses the one
	// project or solution file at the root.
	Project string
	// AssemblyName is the name of the entry assembly, without ".dll". The
	// default is the file name of Project without its extension when
	// Project is a project file, and "app" otherwise.
	AssemblyName string
	// SelfContained publishes a self-contained application, which carries
	// its own runtime, and runs it on the runtime-deps image instead of the
	// ASP.NET Core image. The default is false.
	SelfContained bool
	// Chiseled uses the Ubuntu chiseled variant of the runtime image
	// (<Version>-noble-chiseled): no shell, no package manager, a fraction
	// of the size. The default is false.
	Chiseled bool
	// RuntimeImage replaces the runtime base image chosen by Version,
	// SelfContained and Chiseled. The default is none.
	RuntimeImage string
	// Port is the port ASP.NET Core listens on (ASPNETCORE_HTTP_PORTS),
	// declared with EXPOSE. The default is 8080; a negative Port sets and
	// declares none.
	Port int
	// User is the user the application runs as. The default is
	// [DotNetUser].
	User string
	// RestoreArgs are extra arguments of "dotnet restore", one argument per
	// element. The default is none.
	RestoreArgs []string
	// PublishArgs are extra arguments of "dotnet publish", one argument
	// per element, such as {"-p:PublishTrimmed=true"}. The default is
	// none.
	PublishArgs []string
	// NodeVersion brings Node.js into the SDK stage, for a project whose
	// publish runs npm (the SpaRoot of the ASP.NET Core templates with
	// Angular or React): /usr/local of node:<NodeVersion>-bookworm-slim
	// (node, npm, npx, corepack) is copied in before the project files.
	// The default is none: the SDK image has no Node.js.
	NodeVersion string
	// WritableDirs are directories the application must be able to write
	// (a SQLite database, uploads), relative to /app or absolute: the
	// runtime stage creates them owned by User, and the builder removes
	// what the publish put there. The default is none.
	WritableDirs []string
	// Steps are the caller's own instructions at named points: in the
	// builder, BeforeInstall after the project files are copied and before
	// "dotnet restore", BeforeBuild after the sources are copied and before
	// "dotnet publish", AfterBuild after it; Runtime in the runtime stage
	// after the application is copied and before USER.
	Steps Steps `json:",omitzero"`
	// RestoreOnPublish lets "dotnet publish" restore again instead of
	// passing --no-restore. The default (false) publishes with
	// --no-restore, from the packages the restore step left in the NuGet
	// cache mount. Set it on builders whose cache mounts may be
	// garbage-collected while the restore layer stays cached (BuildKit
	// drops cache mounts unused for 48 hours by default): publish would
	// then fail with NETSDK1064 until a project file changes, where with
	// RestoreOnPublish it downloads the packages again.
	RestoreOnPublish bool
}

// DotNetBuild is the build made by [DotNet], with handles to its stages.
type DotNetBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Builder is the "build" stage: the SDK on the build platform,
	// publishing for the target platform into /app.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage.
	Runtime *multistage.Stage
}

// DotNet returns a build that restores and publishes a .NET application
// with the SDK and runs it on the ASP.NET Core runtime as a non-root user:
//
//	ARG DOTNET_VERSION=10.0
//
//	FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
//	ARG TARGETARCH
//	WORKDIR /src
//	COPY --parents --exclude=**/bin --exclude=**/obj **/*.??proj ./
//	COPY *.sln* global.json* ./
//	COPY --parents --exclude=**/bin --exclude=**/obj **/Directory.* ./
//	COPY --parents --exclude=**/bin --exclude=**/obj ["**/[Nn]u[Gg]et.[Cc]onfig", "./"]
//	RUN --mount=type=cache,target=/root/.nuget/packages dotnet restore -a $TARGETARCH
//	COPY --exclude=**/bin --exclude=**/obj . .
//	RUN --mount=type=cache,target=/root/.nuget/packages dotnet publish -c Release -o /app -a $TARGETARCH --no-restore
//
//	FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
//	WORKDIR /app
//	COPY --from=build --link /app .
//	ENV ASPNETCORE_HTTP_PORTS=8080
//	EXPOSE 8080
//	USER 1654
//	ENTRYPOINT ["dotnet", "app.dll"]
//
// The project files (every *.csproj, *.fsproj and *.vbproj, keeping their
// directories, the solution, global.json, Directory.Build.props,
// Directory.Packages.props and friends, NuGet.config) come first, so the restore step is cached until they change. The NuGet
// packages folder is a cache mount. The SDK runs natively on
// $BUILDPLATFORM and publishes for $TARGETARCH. bin/ and obj/ directories
// of the build context are never copied: their host paths would confuse
// the build.
//
// Publish runs with --no-restore: the restore step already resolved the
// packages for the target architecture; see
// [DotNetOptions.RestoreOnPublish] for builders that drop cache mounts.
func DotNet(opts DotNetOptions) *DotNetBuild {
	b := multistage.New()
	b.Arg("DOTNET_VERSION", or(opts.Version, defaultDotNetVersion))
	sdk := "${DOTNET_VERSION}"
	if opts.SDKVersion != "" {
		b.Arg("DOTNET_SDK_VERSION", opts.SDKVersion)
		sdk = "${DOTNET_SDK_VERSION}"
	}

	var project []string
	if opts.Project != "" {
		project = []string{opts.Project}
	}
	noBinObj := multistage.Exclude("**/bin", "**/obj")
	build := b.Stage("build").FromExpand("mcr.microsoft.com/dotnet/sdk:" + sdk).Platform(multistage.BuildPlatform).
		Arg(multistage.TargetArch)
	if opts.NodeVersion != "" {
		build.CopyFromImage("node:"+opts.NodeVersion+"-bookworm-slim", "/usr/local/", "/usr/local/")
	}
	build.Workdir("/src").
		Copy("**/*.??proj", "./", multistage.Parents(), noBinObj).
		Copy("*.sln*", "./", multistage.MoreSources("global.json*")).
		Copy("**/Directory.*", "./", multistage.Parents(), noBinObj).
		Copy("**/[Nn]u[Gg]et.[Cc]onfig", "./", multistage.Parents(), noBinObj)
	opts.Steps.beforeInstall(build)
	build.Run(restoreCommand(project, opts), NuGetCache()).
		Copy(".", ".", noBinObj)
	opts.Steps.beforeBuild(build)
	build.Run(publishCommand(project, opts), NuGetCache())
	if ex := excludeUnder("/app", opts.WritableDirs); len(ex) > 0 {
		// Published files in a writable directory would keep root as
		// their owner in the runtime stage; it gets an empty one.
		build.Run(shellJoin("rm -rf", ex))
	}
	opts.Steps.afterBuild(build)

	repo, entry := "mcr.microsoft.com/dotnet/aspnet", []string{"dotnet", assemblyName(opts) + ".dll"}
	if opts.SelfContained {
		repo, entry = "mcr.microsoft.com/dotnet/runtime-deps", []string{"/app/" + assemblyName(opts)}
	}
	tag := "${DOTNET_VERSION}"
	if opts.Chiseled {
		tag += "-noble-chiseled"
	}
	rt := b.Stage("runtime")
	if opts.RuntimeImage != "" {
		rt.From(opts.RuntimeImage)
	} else {
		rt.FromExpand(repo + ":" + tag)
	}
	rt.Workdir("/app")
	rt.CopyFrom(build, "/app", ".", multistage.Link())
	opts.Steps.runtime(rt)
	if p := port(opts.Port, 8080); p > 0 {
		rt.Env("ASPNETCORE_HTTP_PORTS", itoa(p))
		rt.Expose(p)
	}
	rt.User(or(opts.User, DotNetUser))
	writableDirs(rt, "/app", opts.WritableDirs)
	rt.Entrypoint(entry...)
	return &DotNetBuild{Build: b, Builder: build, Runtime: rt}
}

// restoreCommand is "dotnet restore [project] -a $TARGETARCH [args]".
func restoreCommand(project []string, opts DotNetOptions) string {
	cmd := shellJoin("dotnet restore", project) + " -a $TARGETARCH"
	if opts.SelfContained {
		cmd += " -p:SelfContained=true"
	}
	return shellJoin(cmd, opts.RestoreArgs)
}

// publishCommand is "dotnet publish [project] -c Release -o /app -a $TARGETARCH --no-restore [args]".
func publishCommand(project []string, opts DotNetOptions) string {
	cmd := shellJoin("dotnet publish", project) + " -c Release -o /app -a $TARGETARCH"
	if opts.SelfContained {
		cmd += " --self-contained"
	}
	if !opts.RestoreOnPublish {
		cmd += " --no-restore"
	}
	return shellJoin(cmd, opts.PublishArgs)
}

// assemblyName is the entry assembly of opts.
func assemblyName(opts DotNetOptions) string {
	if opts.AssemblyName != "" {
		return opts.AssemblyName
	}
	base := path.Base(strings.ReplaceAll(opts.Project, `\`, "/"))
	if ext := path.Ext(base); strings.HasSuffix(ext, "proj") {
		return strings.TrimSuffix(base, ext)
	}
	return "app"
}

// NuGetCache is a cache mount on the NuGet global packages folder of the
// root user, /root/.nuget/packages, for "dotnet restore", "dotnet build",
// "dotnet test" and "dotnet publish". NuGet locks the folder itself, so
// builds share it.
func NuGetCache() multistage.RunOption {
	return multistage.CacheMount("/root/.nuget/packages")
}

// excludeUnder returns the dirs (relative to workdir or absolute) that
// are below workdir, as absolute paths.
func excludeUnder(workdir string, dirs []string) []string {
	var out []string
	for _, d := range dirs {
		if abs := absDir(workdir, d); strings.HasPrefix(abs, workdir+"/") {
			out = append(out, abs)
		}
	}
	return out
}
