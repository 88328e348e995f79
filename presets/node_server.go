package presets

import (
	"path"

	"github.com/multistage/multistage"
)

// NodeServerOptions configures [NodeServer]. The zero value installs the
// production dependencies with npm from package-lock.json and runs
// "npm start" as the user node, listening on 3000.
type NodeServerOptions struct {
	// Version is the Node.js version: dependencies are installed with
	// node:<Version> and the server runs on node:<Version>-slim. It is
	// declared as the build arg NODE_VERSION, used by every stage, so
	// native modules always match the runtime. The default is "26", the
	// Active LTS line of Node.js.
	Version string
	// PackageManager installs the dependencies. The default is the one that
	// writes Lockfile, or [Npm].
	PackageManager PackageManager
	// PackageManagerVersion is the version of Yarn or pnpm the project
	// pins, installed with corepack, as in [NodeBuildOptions]. The
	// default is none.
	PackageManagerVersion string
	// Lockfile is the name of the lockfile at the root of the build
	// context; see [PackageManagerOf]. The default is the lockfile of
	// PackageManager.
	Lockfile string
	// InstallFiles are more files copied before the installs, each to
	// its path in the build context, as in NodeStaticOptions. The default
	// is none.
	InstallFiles []string
	// InstallArgs are extra arguments of the install commands. The default
	// is none.
	InstallArgs []string
	// InstallEnv are environment variables of the install, set with ENV
	// in each stage that installs, before the install command: such as
	// CYPRESS_INSTALL_BINARY=0, which spares a build the download of a
	// test runner's binary its postinstall script makes. The default is
	// none.
	InstallEnv map[string]string
	// Workspace is the directory of the workspace member that is the
	// server, such as "apps/api", with the workspace's root at the root of
	// the build context. The production install is the member's where the
	// package manager has one (npm --workspace, pnpm --filter, yarn
	// workspaces focus; Yarn 1 installs the whole workspace's), the server
	// runs in the member's directory, and the members it depends on come
	// from the build stage with what their own build wrote. See
	// [NodeBuildOptions]. The default is none.
	Workspace string
	// WorkspaceDeps are the members Workspace depends on that have a
	// build script, as in [NodeBuildOptions]: the build stage runs it in
	// them (BuildScript, or "build" when the server has none of its own),
	// and the runtime gets their directories with what it wrote. The
	// default is none.
	WorkspaceDeps []string
	// Turbo builds Workspace with turborepo, as in [NodeBuildOptions].
	// The default is false.
	Turbo bool
	// Entry is the script node runs, such as "server.js" or
	// "dist/main.js", relative to the project (Workspace, or the root).
	// The default is none: the server is started with "npm start".
	Entry string
	// Cmd is the command that starts the server, in exec form, when it is
	// neither "node <Entry>" nor "npm start": ["npx", "--no", "next",
	// "start"] for a Next.js application whose start script runs another
	// package manager or a development server. The default is none.
	Cmd []string
	// BuildScript is a package.json script that compiles the server (for
	// TypeScript, say). When set, a "build" stage installs every
	// dependency, runs it, and the runtime gets its OutputDir. The default
	// is none.
	BuildScript string
	// OutputDir is the directory BuildScript writes to, relative to the
	// project (Workspace, or the root). The default is "dist".
	OutputDir string
	// CacheDirs are directories BuildScript keeps a cache in, as in
	// [NodeBuildOptions]. The default is none.
	CacheDirs []string
	// Prune installs the production dependencies by installing every
	// dependency, with the project's own lifecycle scripts, and then
	// removing the devDependencies without running any script again
	// ("npm ci && npm prune --omit=dev --ignore-scripts"), for a project
	// whose prepare or postinstall script runs a devDependency (husky,
	// say), which a production-only install does not have. The default is
	// false: a production-only install.
	Prune bool
	// DevDependencies installs every dependency for the runtime, devDependencies
	// included: for a server started through a devDependency (ts-node,
	// tsx), or a Yarn 2 or 3 project without the workspace-tools plugin
	// that "yarn workspaces focus --production" needs. The default is
	// false.
	DevDependencies bool
	// NextStandalone runs a Next.js application built with output:
	// 'standalone' in next.config: BuildScript (default "build") runs next
	// build with the whole dependency tree, and the runtime gets the
	// standalone server (.next/standalone, which holds the node_modules it
	// needs), .next/static and public/, and runs node server.js, listening
	// on all interfaces (HOSTNAME=0.0.0.0). There is no deps stage. In a
	// workspace (Workspace set), the standalone tree is taken to mirror
	// the workspace, with the server in <Workspace>/server.js, as Next.js
	// writes it when its file tracing root is the workspace's root (the
	// default in a monorepo since Next.js 15, outputFileTracingRoot
	// before). The default is false.
	NextStandalone bool
	// Port is the port the server listens on: the runtime sets the
	// environment variable PORT to it, which Next.js, Nuxt and most
	// servers read, and declares it with EXPOSE. The default is 3000; a
	// negative Port sets and declares none.
	Port int
	// User is the user the server runs as. The default is "node", the
	// unprivileged user (uid 1000) of the node images.
	User string
	// WritableDirs are directories, relative to the server's working
	// directory or absolute, that the server must be able to write to
	// (uploads, a SQLite file): created and owned by User in the image,
	// and left out of the copy of the sources. The default is none.
	WritableDirs []string
	// Steps adds instructions of the caller's own: BeforeInstall in the
	// deps and build stages, BeforeBuild and AfterBuild in the build stage
	// (see [NodeBuildStage]), Runtime in the runtime stage after the
	// application is copied, before its USER and CMD.
	Steps Steps
}

// NodeServerBuild is the build made by [NodeServer], with handles to its
// stages.
type NodeServerBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Deps is the "deps" stage: package.json, the lockfile and the
	// production dependencies in /app/node_modules, installed on the
	// target platform; nil with NextStandalone.
	Deps *multistage.Stage
	// Builder is the "build" stage that runs BuildScript; nil without one.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage.
	Runtime *multistage.Stage
}

// NodeServer returns a build that runs a Node.js server on node:<ver>-slim
// with its production dependencies only, as the user node:
//
//	ARG NODE_VERSION=26
//
//	FROM node:${NODE_VERSION} AS deps
//	ENV NPM_CONFIG_UPDATE_NOTIFIER=false
//	WORKDIR /app
//	COPY package*.json ./
//	RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
//
//	FROM node:${NODE_VERSION}-slim AS runtime
//	ENV NODE_ENV=production
//	ENV PORT=3000
//	WORKDIR /app
//	COPY --from=deps --link /app .
//	COPY --link --exclude=**/node_modules . .
//	USER node
//	EXPOSE 3000
//	CMD ["npm", "start"]
//
// The dependencies are installed in the full node image, which has the
// compilers native modules need, and copied into the slim one (with the
// manifests they were installed from: /app of the deps stage, so a project
// with no production dependency, and so no node_modules, works too). With
// npm, the stages that run it turn off npm's update check, as in
// [NodeStatic]; the runtime stage does not. The application files are
// owned by root, so the server cannot modify its own code. The install
// commands of each package manager, and the build stage, are those of
// [NodeBuildStage]; the production install is "npm ci --omit=dev", "yarn
// install --frozen-lockfile --production" (Yarn 1), "yarn workspaces focus
// --all --production" (Yarn 2+) or "pnpm install --frozen-lockfile --prod".
//
// With NextStandalone, the runtime holds Next.js's standalone server
// instead:
//
//	FROM node:${NODE_VERSION}-slim AS runtime
//	ENV NODE_ENV=production
//	ENV PORT=3000
//	ENV HOSTNAME=0.0.0.0
//	WORKDIR /app
//	COPY --from=build --link /app/.next/standalone .
//	COPY --from=build --link /app/.next/static ./.next/static
//	COPY --from=build --link /app/publi[c] ./public/
//	USER node
//	EXPOSE 3000
//	CMD ["node", "server.js"]
//
// (the pattern publi[c] copies public/ when the project has one, and
// nothing when it has none).
func NodeServer(opts NodeServerOptions) *NodeServerBuild {
	p := newNodeProject(".", opts.Workspace, opts.PackageManager, opts.PackageManagerVersion, opts.Lockfile, opts.Version)
	out := or(opts.OutputDir, "dist")
	script := opts.BuildScript
	if opts.NextStandalone {
		script = or(script, "build")
	}

	b := multistage.New()
	b.Arg("NODE_VERSION", or(opts.Version, defaultNodeVersion))
	var deps *multistage.Stage
	if !opts.NextStandalone {
		deps = b.Stage("deps").FromExpand("node:${NODE_VERSION}")
		p.prepare(deps, opts.InstallFiles, opts.InstallEnv, opts.Steps)
		mode := installProd
		switch {
		case opts.DevDependencies:
			mode = installAll
		case opts.Prune:
			mode = installPrune
		}
		p.tool.install(deps, mode, p.ws, opts.InstallArgs)
	}

	// The members the server depends on are built even when the server
	// itself has nothing to build.
	var build *multistage.Stage
	var built string
	if script != "" || len(opts.WorkspaceDeps) > 0 || opts.Turbo && p.ws != "" {
		build, built = nodeBuildStage(b, "build", NodeBuildOptions{Version: opts.Version,
			PackageManager: opts.PackageManager, PackageManagerVersion: opts.PackageManagerVersion, Lockfile: opts.Lockfile,
			InstallFiles: opts.InstallFiles, InstallArgs: opts.InstallArgs, InstallEnv: opts.InstallEnv,
			Workspace: opts.Workspace, WorkspaceDeps: opts.WorkspaceDeps, Turbo: opts.Turbo,
			Script: or(script, "build"), OutputDir: out, CacheDirs: opts.CacheDirs, Steps: opts.Steps},
			nodeBuildHow{self: script != "", target: opts.NextStandalone})
	}

	workdir := p.member()
	listen := port(opts.Port, 3000)
	rt := b.Stage("runtime").FromExpand("node:${NODE_VERSION}-slim").
		Env("NODE_ENV", "production")
	if listen > 0 {
		rt.Env("PORT", itoa(listen))
	}
	if opts.NextStandalone {
		rt.Env("HOSTNAME", "0.0.0.0")
	}
	rt.Workdir("/app")
	if opts.NextStandalone {
		ws := path.Join(".", p.ws)
		rt.CopyFrom(build, path.Join(workdir, ".next/standalone"), ".", multistage.Link()).
			CopyFrom(build, path.Join(workdir, ".next/static"), "./"+path.Join(ws, ".next/static"), multistage.Link()).
			CopyFrom(build, path.Join(workdir, "publi[c]"), "./"+path.Join(ws, "public")+"/", multistage.Link())
	} else {
		rt.CopyFrom(deps, "/app", ".", multistage.Link())
		excludes := []string{"**/node_modules"}
		if p.tool.berry {
			// Yarn's own files: the install put node_modules in place.
			excludes = append(excludes, ".yarn/cache", ".yarn/unplugged", ".yarn/install-state.gz", ".pnp.*")
		}
		if script != "" {
			excludes = append(excludes, path.Join(p.ws, out))
		}
		for _, d := range opts.WritableDirs {
			if !path.IsAbs(d) {
				excludes = append(excludes, path.Join(p.ws, d))
			}
		}
		rt.Copy(".", ".", multistage.Link(), multistage.Exclude(excludes...))
		if script != "" {
			rt.CopyFrom(build, built, "./"+path.Join(p.ws, out), multistage.Link())
		}
		if build != nil {
			for _, d := range opts.WorkspaceDeps {
				d = nodeRel(d)
				rt.CopyFrom(build, path.Join("/app", d), "./"+d, multistage.Link(), multistage.Exclude("**/node_modules"))
			}
		}
	}
	opts.Steps.runtime(rt)
	if workdir != "/app" {
		rt.Workdir(workdir)
	}
	user := or(opts.User, "node")
	rt.User(user)
	writableDirs(rt, workdir, opts.WritableDirs)
	expose(rt, listen)
	switch {
	case opts.NextStandalone:
		rt.Cmd("node", "server.js")
	case len(opts.Cmd) > 0:
		rt.Cmd(opts.Cmd...)
	case opts.Entry != "":
		rt.Cmd("node", opts.Entry)
	default:
		rt.Cmd("npm", "start")
	}
	return &NodeServerBuild{Build: b, Deps: deps, Builder: build, Runtime: rt}
}
