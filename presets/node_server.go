package presets

import (
	"github.com/multistage/multistage"
)

// NodeServerOptions configures [NodeServer]. The zero value installs the
// production dependencies with npm from package-lock.json and runs
// "npm start" as the user node, listening on 3000.
type NodeServerOptions struct {
	// Version is the Node.js version: dependencies are installed with
	// node:<Version> and the server runs on node:<Version>-slim. It is
	// declared as the build arg NODE_VERSION, used by every stage, so
	// native modules always match the runtime. The default is "20".
	Version string
	// PackageManager installs the dependencies. The default is the one that
	// writes Lockfile, or [Npm].
	PackageManager PackageManager
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
	// Entry is the script node runs, such as "server.js" or
	// "dist/main.js". The default is none: the server is started with
	// "npm start".
	Entry string
	// BuildScript is a package.json script that compiles the server (for
	// TypeScript, say). When set, a "build" stage installs every
	// dependency, runs it, and the runtime gets its OutputDir. The default
	// is none.
	BuildScript string
	// OutputDir is the directory BuildScript writes to. The default is
	// "dist".
	OutputDir string
	// Port is the port the server listens on, declared with EXPOSE. The
	// default is 3000; a negative Port declares none.
	Port int
	// User is the user the server runs as. The default is "node", the
	// unprivileged user (uid 1000) of the node images.
	User string
}

// NodeServerBuild is the build made by [NodeServer], with handles to its
// stages.
type NodeServerBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Deps is the "deps" stage: package.json, the lockfile and the
	// production dependencies in /app/node_modules, installed on the
	// target platform.
	Deps *multistage.Stage
	// Builder is the "build" stage that runs BuildScript; nil without one.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage.
	Runtime *multistage.Stage
}

// NodeServer returns a build that runs a Node.js server on node:<ver>-slim
// with its production dependencies only, as the user node:
//
//	ARG NODE_VERSION=20
//
//	FROM node:${NODE_VERSION} AS deps
//	ENV NPM_CONFIG_UPDATE_NOTIFIER=false
//	WORKDIR /app
//	COPY package*.json ./
//	RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
//
//	FROM node:${NODE_VERSION}-slim AS runtime
//	ENV NODE_ENV=production
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
// owned by root, so the server cannot modify its own code.
func NodeServer(opts NodeServerOptions) *NodeServerBuild {
	tool := resolveNodeTool(opts.PackageManager, opts.Lockfile)
	out := or(opts.OutputDir, "dist")

	b := multistage.New()
	b.Arg("NODE_VERSION", or(opts.Version, "20"))
	deps := b.Stage("deps").FromExpand("node:${NODE_VERSION}")
	tool.quiet(deps)
	deps.Workdir("/app")
	tool.copyManifests(deps, ".", opts.InstallFiles)
	tool.install(deps, true, opts.InstallArgs)

	var build *multistage.Stage
	if opts.BuildScript != "" {
		build, _ = nodeBuildStage(b, "build", NodeBuildOptions{PackageManager: opts.PackageManager, Lockfile: opts.Lockfile,
			InstallFiles: opts.InstallFiles, InstallArgs: opts.InstallArgs, Script: opts.BuildScript, OutputDir: out})
	}

	rt := b.Stage("runtime").FromExpand("node:${NODE_VERSION}-slim").
		Env("NODE_ENV", "production").
		Workdir("/app").
		CopyFrom(deps, "/app", ".", multistage.Link())
	if build != nil {
		rt.Copy(".", ".", multistage.Link(), multistage.Exclude("**/node_modules", out)).
			CopyFrom(build, "/app/"+out, "./"+out, multistage.Link())
	} else {
		rt.Copy(".", ".", multistage.Link(), multistage.Exclude("**/node_modules"))
	}
	rt.User(or(opts.User, "node"))
	expose(rt, port(opts.Port, 3000))
	if opts.Entry != "" {
		rt.Cmd("node", opts.Entry)
	} else {
		rt.Cmd("npm", "start")
	}
	return &NodeServerBuild{Build: b, Deps: deps, Builder: build, Runtime: rt}
}
