package presets

import (
	"github.com/multistage/multistage"
)

// PackageManager is a Node.js package manager: [Npm], [Yarn] or [Pnpm].
// The presets treat any other value as npm.
type PackageManager string

// The package managers the Node presets know.
const (
	// Npm is npm, whose lockfile is package-lock.json (or
	// npm-shrinkwrap.json). Installs run "npm ci".
	Npm PackageManager = "npm"
	// Yarn is Yarn, whose lockfile is yarn.lock. Installs run
	// "yarn install --frozen-lockfile".
	Yarn PackageManager = "yarn"
	// Pnpm is pnpm, whose lockfile is pnpm-lock.yaml. Installs enable it
	// with corepack and run "pnpm install --frozen-lockfile".
	Pnpm PackageManager = "pnpm"
)

// lockfiles maps the lockfile names the Node presets recognize to the
// package manager that writes them.
var lockfiles = map[string]PackageManager{
	"package-lock.json":   Npm,
	"npm-shrinkwrap.json": Npm,
	"yarn.lock":           Yarn,
	"pnpm-lock.yaml":      Pnpm,
}

// PackageManagerOf returns the package manager that writes the file named
// lockfile (package-lock.json, npm-shrinkwrap.json, yarn.lock or
// pnpm-lock.yaml), or "" for another name.
func PackageManagerOf(lockfile string) PackageManager { return lockfiles[lockfile] }

// nodeTool is a package manager with its lockfile, resolved from options.
type nodeTool struct {
	pm       PackageManager
	lockfile string
}

func resolveNodeTool(pm PackageManager, lockfile string) nodeTool {
	if pm == "" {
		pm = lockfiles[lockfile]
	}
	if pm != Yarn && pm != Pnpm {
		pm = Npm
	}
	if lockfile == "" {
		switch pm {
		case Yarn:
			lockfile = "yarn.lock"
		case Pnpm:
			lockfile = "pnpm-lock.yaml"
		default:
			lockfile = "package-lock.json"
		}
	}
	return nodeTool{pm: pm, lockfile: lockfile}
}

// pnpmStore is where the Node presets keep pnpm's content-addressed store.
const pnpmStore = "/root/.local/share/pnpm/store"

// copyManifests copies package.json, the lockfile and extra files into the
// working directory.
func (t nodeTool) copyManifests(s *multistage.Stage, extra []string) {
	if t.pm == Npm && t.lockfile == "package-lock.json" {
		s.Copy("package*.json", "./")
	} else {
		s.Copy("package.json", "./").Copy(t.lockfile, "./")
	}
	for _, f := range extra {
		copyInPlace(s, f)
	}
}

// quiet turns off npm's update check in a stage that runs npm:
//
//	ENV NPM_CONFIG_UPDATE_NOTIFIER=false
//
// npm looks for a newer npm on the registry unless the file
// /root/.npm/_update-notifier-last-checked is less than a week old. The
// install keeps /root/.npm on a cache mount, so that file is never in a
// layer, and every later npm command of the stage ("npm run build" on each
// rebuild) would check again: about 0.2 s each time, measured on the sample
// app, more with a slow registry. It is never set in a runtime stage.
func (t nodeTool) quiet(s *multistage.Stage) {
	if t.pm == Npm {
		s.Env("NPM_CONFIG_UPDATE_NOTIFIER", "false")
	}
}

// buildStage adds the "build" stage: on the build platform, the manifests
// and a clean install of all dependencies first, then the sources (without
// node_modules) and the package script.
func (t nodeTool) buildStage(b *multistage.Build, installFiles, installArgs []string, script string) *multistage.Stage {
	build := b.Stage("build").FromExpand("node:${NODE_VERSION}").Platform(multistage.BuildPlatform)
	t.quiet(build)
	build.Workdir("/app")
	t.copyManifests(build, installFiles)
	t.install(build, false, installArgs)
	return build.Copy(".", ".", multistage.Exclude("**/node_modules")).
		Run(t.run(script))
}

// install runs a clean install from the lockfile, of the production
// dependencies only when prod is set.
func (t nodeTool) install(s *multistage.Stage, prod bool, args []string) {
	var cmd string
	switch t.pm {
	case Yarn:
		cmd = "yarn install --frozen-lockfile"
		if prod {
			cmd += " --production"
		}
	case Pnpm:
		cmd = "corepack enable pnpm && pnpm install --frozen-lockfile --store-dir=" + pnpmStore
		if prod {
			cmd += " --prod"
		}
	default:
		cmd = "npm ci"
		if prod {
			cmd += " --omit=dev"
		}
		cmd += " --no-audit --no-fund"
	}
	s.Run(shellJoin(cmd, args), NodeCache(t.pm))
}

// run runs a package.json script.
func (t nodeTool) run(script string) string {
	return shellJoin(string(t.pm)+" run", []string{script})
}

// NodeCache is a cache mount on the download cache of a package manager
// as root in the node images: /root/.npm for npm,
// /usr/local/share/.cache/yarn for Yarn, and the pnpm store
// /root/.local/share/pnpm/store (the presets pass it to pnpm with
// --store-dir). An unknown package manager gets npm's.
//
// Note: /root/.npm also holds the date of npm's last update check, which
// on a cache mount is in no layer; a later npm command of the stage
// without the mount checks the registry again, unless the stage sets
// NPM_CONFIG_UPDATE_NOTIFIER=false, as the presets do.
func NodeCache(pm PackageManager) multistage.RunOption {
	switch pm {
	case Yarn:
		return multistage.CacheMount("/usr/local/share/.cache/yarn")
	case Pnpm:
		return multistage.CacheMount(pnpmStore)
	}
	return multistage.CacheMount("/root/.npm")
}

// NodeStaticOptions configures [NodeStatic]. The zero value installs with
// npm from package-lock.json, runs "npm run build" and serves dist/ with
// nginx:alpine on port 80.
type NodeStaticOptions struct {
	// Version is the Node.js version: the builder is node:<Version>. It is
	// declared as the build arg NODE_VERSION. The default is "20".
	Version string
	// PackageManager installs the dependencies and runs the script. The
	// default is the one that writes Lockfile, or [Npm].
	PackageManager PackageManager
	// Lockfile is the name of the lockfile at the root of the build
	// context; see [PackageManagerOf]. The default is the lockfile of
	// PackageManager.
	Lockfile string
	// InstallFiles are more files copied before the install, such as
	// "pnpm-workspace.yaml", ".yarnrc.yml" or "packages/*/package.json".
	// Each keeps its path in the build context (COPY --parents). The
	// default is none. Pass registry credentials as a secret, not as a
	// copied .npmrc.
	InstallFiles []string
	// InstallArgs are extra arguments of the install command. The default
	// is none.
	InstallArgs []string
	// Script is the package.json script that builds the site. The default
	// is "build".
	Script string
	// OutputDir is the directory the script writes the site to, relative to
	// the root of the project: "dist" (Vite, Angular < 17), "build"
	// (Create React App), "out" (Next.js static export). The default is
	// "dist".
	OutputDir string
	// SPA makes nginx answer every path that is not a file with
	// /index.html, as client-side routing needs. The default is false.
	SPA bool
	// ConfigFile is an nginx server configuration in the build context,
	// installed as /etc/nginx/conf.d/default.conf; it replaces the SPA
	// configuration. The default is none (nginx's own default.conf).
	ConfigFile string
	// Unprivileged serves the site with nginxinc/nginx-unprivileged:alpine,
	// which runs entirely as the non-root user 101 and listens on 8080.
	// The default is false: nginx:alpine, whose master process runs as
	// root to bind port 80 and whose worker processes run as the
	// unprivileged user nginx.
	Unprivileged bool
	// NginxImage replaces the nginx image chosen by Unprivileged. The
	// default is none.
	NginxImage string
	// Port is the port nginx listens on, declared with EXPOSE. Another
	// port than the image's default writes a server configuration that
	// listens on it, as SPA does (a ConfigFile must listen on it itself).
	// The default is 80, or 8080 when Unprivileged.
	Port int
}

// NodeStaticBuild is the build made by [NodeStatic], with handles to its
// stages.
type NodeStaticBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Builder is the "build" stage: node on the build platform, with the
	// built site in /app/<OutputDir>.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage: nginx serving the site.
	Runtime *multistage.Stage
}

// NodeStatic returns a build that builds a static site with Node.js and
// serves it with nginx:
//
//	ARG NODE_VERSION=20
//
//	FROM --platform=$BUILDPLATFORM node:${NODE_VERSION} AS build
//	ENV NPM_CONFIG_UPDATE_NOTIFIER=false
//	WORKDIR /app
//	COPY package*.json ./
//	RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
//	COPY --exclude=**/node_modules . .
//	RUN npm run build
//
//	FROM nginx:alpine AS runtime
//	COPY --from=build --link /app/dist /usr/share/nginx/html
//	EXPOSE 80
//	CMD ["nginx", "-g", "daemon off;"]
//
// package.json and the lockfile come first, so the install step is cached
// until they change, and the package manager's download cache is a cache
// mount. With npm, the build stage turns off npm's update check, whose
// state would otherwise live on that cache mount (see [NodeCache]). The
// site is platform-independent, so Node runs natively on $BUILDPLATFORM.
// The runtime image holds nginx and the site, not Node.js or
// node_modules.
//
// With SPA, or a Port other than the image's, a RUN step of the runtime
// stage, before the site is copied (so it stays cached when the site
// changes) and without network, writes /etc/nginx/conf.d/default.conf
// (the location block only with SPA):
//
//	server {
//	    listen 80;
//	    server_name _;
//	    root /usr/share/nginx/html;
//	    index index.html;
//	    location / {
//	        try_files $uri $uri/ /index.html;
//	    }
//	}
func NodeStatic(opts NodeStaticOptions) *NodeStaticBuild {
	tool := resolveNodeTool(opts.PackageManager, opts.Lockfile)
	out := or(opts.OutputDir, "dist")

	b := multistage.New()
	b.Arg("NODE_VERSION", or(opts.Version, "20"))
	build := tool.buildStage(b, opts.InstallFiles, opts.InstallArgs, or(opts.Script, "build"))

	image, imagePort := "nginx:alpine", 80
	if opts.Unprivileged {
		image, imagePort = "nginxinc/nginx-unprivileged:alpine", 8080
	}
	p := port(opts.Port, imagePort)
	rt := b.Stage("runtime").From(or(opts.NginxImage, image))
	switch {
	case opts.ConfigFile != "":
		rt.Copy(opts.ConfigFile, "/etc/nginx/conf.d/default.conf", multistage.Link())
	case opts.SPA || p != imagePort:
		// The image's own default.conf listens on imagePort only.
		rt.Run("cat > /etc/nginx/conf.d/default.conf <<'CONF'\n"+nginxConf(p, opts.SPA)+"CONF", multistage.Network("none"))
	}
	rt.CopyFrom(build, "/app/"+out, "/usr/share/nginx/html", multistage.Link())
	if opts.Unprivileged {
		rt.User("101")
	}
	expose(rt, p)
	rt.Cmd("nginx", "-g", "daemon off;")
	return &NodeStaticBuild{Build: b, Builder: build, Runtime: rt}
}

// nginxConf is a server that serves the site on port and, for a
// single-page application, answers /index.html for paths that are not
// files.
func nginxConf(port int, spa bool) string {
	conf := "server {\n" +
		"    listen " + itoa(port) + ";\n" +
		"    server_name _;\n" +
		"    root /usr/share/nginx/html;\n" +
		"    index index.html;\n"
	if spa {
		conf += "    location / {\n" +
			"        try_files $uri $uri/ /index.html;\n" +
			"    }\n"
	}
	return conf + "}\n"
}

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
	tool.copyManifests(deps, opts.InstallFiles)
	tool.install(deps, true, opts.InstallArgs)

	var build *multistage.Stage
	if opts.BuildScript != "" {
		build = tool.buildStage(b, opts.InstallFiles, opts.InstallArgs, opts.BuildScript)
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
