package presets

import (
	"path"

	"github.com/multistage/multistage"
)

// NodeBuildOptions configures [NodeBuildStage]. The zero value builds the
// project at the root of the build context: npm from package-lock.json,
// "npm run build", output in dist/.
type NodeBuildOptions struct {
	// Version is the Node.js version: the stage is node:<Version>. It is
	// declared as the build arg NODE_VERSION. The default is "20".
	Version string
	// Dir is the project's directory in the build context, the one that
	// holds its package.json and lockfile, such as "ui" or "web". The
	// default is the root of the context.
	Dir string
	// PackageManager installs the dependencies and runs the script. The
	// default is the one that writes Lockfile, or [Npm].
	PackageManager PackageManager
	// Lockfile is the name of the lockfile in Dir; see [PackageManagerOf].
	// The default is the lockfile of PackageManager.
	Lockfile string
	// InstallFiles are more files the install needs, relative to Dir
	// (".npmrc", "patches"), each copied to its path before the install.
	// The default is none.
	InstallFiles []string
	// InstallArgs are extra arguments of the install command. The default
	// is none.
	InstallArgs []string
	// Script is the package.json script that builds the files. The
	// default is "build".
	Script string
	// OutputDir is the directory Script writes, relative to Dir. The
	// default is "dist".
	OutputDir string
	// Steps adds instructions of the caller's own to the stage:
	// BeforeInstall after the manifests are copied, BeforeBuild after the
	// sources are copied, AfterBuild after the script. Steps.Runtime is not
	// called: the stage has no runtime.
	Steps Steps
}

// NodeBuildStage adds to b a stage, named name, that installs the
// dependencies of the Node.js project in opts.Dir and runs its build
// script, and returns the stage and the absolute path in it of the
// directory the script writes. It is the building block for a build whose
// other stages need files made by Node.js, such as a Go server that embeds
// a web UI:
//
//	b := multistage.New()
//	ui, out := presets.NodeBuildStage(b, "ui", presets.NodeBuildOptions{Dir: "ui", OutputDir: "build"})
//	b.Stage("build").From("golang:1.24").
//		Workdir("/src").
//		Copy(".", ".").
//		CopyFrom(ui, out, "./ui/build").
//		Run("go build -o /out/server .")
//
// With Dir "ui" the stage is:
//
//	ARG NODE_VERSION=20
//
//	FROM --platform=$BUILDPLATFORM node:${NODE_VERSION} AS ui
//	ENV NPM_CONFIG_UPDATE_NOTIFIER=false
//	WORKDIR /app/ui
//	COPY ui/package*.json ./
//	RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
//	COPY --exclude=**/node_modules ui .
//	RUN npm run build
//
// and out is "/app/ui/build". The project is in /app/<Dir>, so that its
// files keep their context paths. The manifests come first, so the install
// is cached until they change, and the package manager's download cache is
// a cache mount ([NodeCache]). The files a Node.js build writes (bundles,
// CSS, HTML) do not depend on the platform, so the stage runs on
// $BUILDPLATFORM. NodeBuildStage declares the build arg NODE_VERSION
// before the first stage, with Version as its default; a build that
// calls it twice declares it twice, and the later default wins.
//
// [NodeStatic] builds its site with the same stage.
func NodeBuildStage(b *multistage.Build, name string, opts NodeBuildOptions) (*multistage.Stage, string) {
	b.Arg("NODE_VERSION", or(opts.Version, "20"))
	return nodeBuildStage(b, name, opts)
}

// nodeBuildStage is NodeBuildStage without the build arg, for the presets
// that declare it themselves.
func nodeBuildStage(b *multistage.Build, name string, opts NodeBuildOptions) (*multistage.Stage, string) {
	tool := resolveNodeTool(opts.PackageManager, opts.Lockfile)
	dir := projectDir(opts.Dir)
	work := path.Join("/app", dir)

	s := b.Stage(name).FromExpand("node:${NODE_VERSION}").Platform(multistage.BuildPlatform)
	tool.quiet(s)
	s.Workdir(work)
	tool.copyManifests(s, dir, opts.InstallFiles)
	opts.Steps.beforeInstall(s)
	tool.install(s, false, opts.InstallArgs)
	s.Copy(dir, ".", multistage.Exclude("**/node_modules"))
	opts.Steps.beforeBuild(s)
	s.Run(tool.run(or(opts.Script, "build")))
	opts.Steps.afterBuild(s)
	return s, path.Join(work, or(opts.OutputDir, "dist"))
}
