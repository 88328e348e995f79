package presets

import (
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/multistage/multistage"
)

// NodeBuildOptions configures [NodeBuildStage]. The zero value builds the
// project at the root of the build context: npm from package-lock.json,
// "npm run build", output in dist/.
type NodeBuildOptions struct {
	// Version is the Node.js version: the stage is node:<Version>. It is
	// declared as the build arg NODE_VERSION. The default is "26", the Active
	// LTS line of Node.js.
	Version string
	// Dir is the project's directory in the build context, the one that
	// holds its package.json and lockfile (the root of a workspace), such
	// as "ui" or "web". The default is the root of the context.
	Dir string
	// PackageManager installs the dependencies and runs the script. The
	// default is the one that writes Lockfile, or [Npm].
	PackageManager PackageManager
	// PackageManagerVersion is the version of PackageManager the project
	// pins, as package.json's "packageManager" field says it ("4.5.3",
	// "9.15.0+sha512.…"), or a major version ("9"). Yarn and pnpm then come
	// from corepack at that version; with Yarn 2 or later (Berry) the
	// install is "yarn install --immutable". It must agree with the
	// packageManager field when the project has one (corepack runs that
	// one). The default is none: the image's Yarn 1, and pnpm at
	// corepack's default version. npm is always the image's.
	PackageManagerVersion string
	// Lockfile is the name of the lockfile in Dir; see [PackageManagerOf].
	// The default is the lockfile of PackageManager.
	Lockfile string
	// InstallFiles are more files the install needs, relative to Dir
	// (".npmrc", ".yarnrc.yml", ".yarn/releases", "patches",
	// "pnpm-workspace.yaml", "packages/*/package.json"), each copied to
	// its path before the install. The default is none.
	InstallFiles []string
	// InstallArgs are extra arguments of the install command. The default
	// is none.
	InstallArgs []string
	// InstallEnv are environment variables of the install, set with ENV
	// in each stage that installs, before the install command: such as
	// CYPRESS_INSTALL_BINARY=0, which spares a build the download of a
	// test runner's binary its postinstall script makes. The default is
	// none.
	InstallEnv map[string]string
	// Workspace is the directory, relative to Dir, of the workspace member
	// to build, such as "apps/web": the install runs at the root of the
	// workspace (Dir, with the lockfile and every member's package.json in
	// InstallFiles) and Script runs in the member. The default is none: the
	// project at Dir is built.
	Workspace string
	// WorkspaceDeps are the directories, relative to Dir, of the workspace
	// members that Workspace depends on, directly or not, and that have
	// Script, in an order that builds each after those it depends on.
	// npm and Yarn run Script in each of them first; pnpm selects the
	// same members itself ("pnpm --filter {<Workspace>}..."). The default
	// is none.
	WorkspaceDeps []string
	// Turbo builds Workspace with turborepo ("turbo run <Script>
	// --filter=./<Workspace>", turbo from the project's dependencies),
	// which builds the members it depends on first, as turbo.json says.
	// The default is false.
	Turbo bool
	// Script is the package.json script that builds the files. The
	// default is "build".
	Script string
	// OutputDir is the directory Script writes, relative to the project
	// (Workspace, or Dir). The default is "dist".
	OutputDir string
	// CacheDirs are directories, relative to the project (Workspace, or
	// Dir), that Script uses as a cache from one build to the next, such
	// as ".next/cache": they are cache mounts of the build command, in no
	// layer. The default is none.
	CacheDirs []string
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
//	ARG NODE_VERSION=26
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
// # Package managers
//
// npm installs with "npm ci", Yarn 1 with "yarn install
// --frozen-lockfile", Yarn 2 and later with "yarn install --immutable",
// pnpm with "pnpm install --frozen-lockfile". When Yarn or pnpm is pinned
// (PackageManagerVersion), a RUN step before the manifests installs
// corepack and, with it, that version:
//
//	RUN --mount=type=cache,target=/root/.npm npm install -g --no-audit --no-fund corepack@0.36.0 && corepack enable yarn && corepack install -g yarn@4.5.3
//
// Yarn 2 and later install a node_modules tree (YARN_NODE_LINKER, which
// overrides .yarnrc.yml): a Plug'n'Play install would need Yarn's loader,
// .pnp.cjs and the package cache at run time, where plain node runs the
// application. Their cache is their global folder, /root/.yarn/berry, on a
// cache mount.
//
// [NodeStatic] and [NodeServer] build with the same stage.
func NodeBuildStage(b *multistage.Build, name string, opts NodeBuildOptions) (*multistage.Stage, string) {
	b.Arg("NODE_VERSION", or(opts.Version, defaultNodeVersion))
	return nodeBuildStage(b, name, opts, nodeBuildHow{self: true})
}

// nodeBuildHow is how the presets use the build stage beyond its options.
type nodeBuildHow struct {
	self   bool // run the script of the project (or member) itself, not only of WorkspaceDeps
	target bool // on the target platform: the output holds node_modules
}

// nodeBuildStage is NodeBuildStage without the build arg, for the presets
// that declare it themselves.
func nodeBuildStage(b *multistage.Build, name string, opts NodeBuildOptions, how nodeBuildHow) (*multistage.Stage, string) {
	p := newNodeProject(opts.Dir, opts.Workspace, opts.PackageManager, opts.PackageManagerVersion, opts.Lockfile, opts.Version)
	s := b.Stage(name).FromExpand("node:${NODE_VERSION}")
	if !how.target {
		s.Platform(multistage.BuildPlatform)
	}
	p.prepare(s, opts.InstallFiles, opts.InstallEnv, opts.Steps)
	p.tool.install(s, installAll, "", opts.InstallArgs)
	s.Copy(p.dir, ".", multistage.Exclude("**/node_modules"))
	opts.Steps.beforeBuild(s)
	var caches []multistage.RunOption
	for _, c := range opts.CacheDirs {
		caches = append(caches, multistage.CacheMount(absDir(p.member(), c)))
	}
	s.Run(p.tool.run(or(opts.Script, "build"), p.ws, nodeRels(opts.WorkspaceDeps), opts.Turbo, how.self), caches...)
	opts.Steps.afterBuild(s)
	return s, absDir(p.member(), or(opts.OutputDir, "dist"))
}

// nodeProject is a Node.js project in a directory of the build context,
// or a member of the workspace there.
type nodeProject struct {
	tool nodeTool
	dir  string // the project's directory in the context, "." for the root
	ws   string // the workspace member, relative to dir; "" for none
}

func newNodeProject(dir, ws string, pm PackageManager, pmVersion, lockfile, nodeVersion string) nodeProject {
	p := nodeProject{tool: resolveNodeTool(pm, pmVersion, lockfile, nodeVersion), dir: nodeRel(dir)}
	if w := nodeRel(ws); w != "." {
		p.ws = w
	}
	return p
}

// nodeRel cleans a directory relative to another: "", "./" and "/" are
// ".".
func nodeRel(dir string) string {
	return or(strings.TrimPrefix(path.Clean("/"+dir), "/"), ".")
}

// nodeRels cleans each directory of dirs with nodeRel.
func nodeRels(dirs []string) []string {
	out := make([]string, len(dirs))
	for i, d := range dirs {
		out[i] = nodeRel(d)
	}
	return out
}

// root is the project's directory in a stage.
func (p nodeProject) root() string {
	return path.Join("/app", p.dir)
}

// member is the directory of the workspace member in a stage, or the
// project's without one.
func (p nodeProject) member() string {
	return path.Join(p.root(), p.ws)
}

// prepare sets a stage up for the install: the package manager, the
// working directory, the manifests, the install's environment (in the
// order of its keys) and the caller's BeforeInstall steps.
func (p nodeProject) prepare(s *multistage.Stage, installFiles []string, env map[string]string, steps Steps) {
	p.tool.setup(s)
	s.Workdir(p.root())
	p.copyManifests(s, installFiles)
	for _, k := range slices.Sorted(maps.Keys(env)) {
		s.Env(k, env[k])
	}
	steps.beforeInstall(s)
}

// copyManifests copies package.json, the lockfile and the install files
// of the project into the working directory, the project's directory in
// the stage.
func (p nodeProject) copyManifests(s *multistage.Stage, extra []string) {
	t := p.tool
	if t.pm == Npm && t.lockfile == "package-lock.json" {
		s.Copy(path.Join(p.dir, "package*.json"), "./")
	} else {
		s.Copy(path.Join(p.dir, "package.json"), "./").Copy(path.Join(p.dir, t.lockfile), "./")
	}
	for _, f := range extra {
		if p.dir == "." {
			copyInPlace(s, f)
			continue
		}
		// The working directory is /app/<dir>: --parents keeps the whole
		// context path under /app.
		s.Copy(path.Join(p.dir, f), "/app/", multistage.Parents())
	}
}
