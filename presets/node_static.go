package presets

import (
	"github.com/multistage/multistage"
)

// NodeStaticOptions configures [NodeStatic]. The zero value installs with
// npm from package-lock.json, runs "npm run build" and serves dist/ with
// nginx:alpine on port 80.
type NodeStaticOptions struct {
	// Version is the Node.js version: the builder is node:<Version>. It is
	// declared as the build arg NODE_VERSION. The default is "26", the Active
	// LTS line of Node.js.
	Version string
	// PackageManager installs the dependencies and runs the script. The
	// default is the one that writes Lockfile, or [Npm].
	PackageManager PackageManager
	// PackageManagerVersion is the version of Yarn or pnpm the project
	// pins, installed with corepack, as in [NodeBuildOptions]. The
	// default is none.
	PackageManagerVersion string
	// Lockfile is the name of the lockfile at the root of the build
	// context; see [PackageManagerOf]. The default is the lockfile of
	// PackageManager.
	Lockfile string
	// InstallFiles are more files copied before the install, such as
	// ".npmrc", "pnpm-workspace.yaml", ".yarnrc.yml" or
	// "packages/*/package.json". Each keeps its path in the build context
	// (COPY --parents). The default is none. Pass registry credentials as
	// a secret, not as a copied .npmrc.
	InstallFiles []string
	// InstallArgs are extra arguments of the install command. The default
	// is none.
	InstallArgs []string
	// InstallEnv are environment variables of the install, set with ENV
	// in the build stage, before the install command: such as
	// CYPRESS_INSTALL_BINARY=0, which spares a build the download of a
	// test runner's binary its postinstall script makes. The default is
	// none.
	InstallEnv map[string]string
	// Workspace is the directory of the workspace member that is the site,
	// such as "apps/web", with the workspace's root at the root of the
	// build context; WorkspaceDeps and Turbo say how its dependencies are
	// built. See [NodeBuildOptions]. The default is none.
	Workspace string
	// WorkspaceDeps are the members Workspace depends on that have
	// Script, as in [NodeBuildOptions]. The default is none.
	WorkspaceDeps []string
	// Turbo builds Workspace with turborepo, as in [NodeBuildOptions].
	// The default is false.
	Turbo bool
	// Script is the package.json script that builds the site. The default
	// is "build".
	Script string
	// OutputDir is the directory the script writes the site to, relative to
	// the project (Workspace, or the root): "dist" (Vite, Angular < 17),
	// "build" (Create React App), "out" (Next.js static export). The
	// default is "dist".
	OutputDir string
	// CacheDirs are directories the build script keeps a cache in, as in
	// [NodeBuildOptions]: ".next/cache" for Next.js. The default is none.
	CacheDirs []string
	// SPA makes nginx answer every path that is not a file with
	// /index.html, as client-side routing needs. The default is false.
	SPA bool
	// CleanURLs makes nginx answer /about with about.html when there is no
	// file or directory about, as sites generated with one HTML file per
	// page expect (a Next.js static export, Astro). The default is false.
	CleanURLs bool
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
	// Steps adds instructions of the caller's own: BeforeInstall,
	// BeforeBuild and AfterBuild in the "build" stage (see
	// [NodeBuildStage]), Runtime in the nginx stage after the site is
	// copied, before its USER and CMD.
	Steps Steps
}

// NodeStaticBuild is the build made by [NodeStatic], with handles to its
// stages.
type NodeStaticBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Builder is the "build" stage: node on the build platform, with the
	// built site in /app/<Workspace>/<OutputDir>.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage: nginx serving the site.
	Runtime *multistage.Stage
}

// NodeStatic returns a build that builds a static site with Node.js and
// serves it with nginx:
//
//	ARG NODE_VERSION=26
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
// node_modules. The build stage is the one of [NodeBuildStage], which
// says how each package manager (pinned Yarn and pnpm with corepack, Yarn
// 2+) and a workspace member are installed and built.
//
// With SPA, CleanURLs, or a Port other than the image's, a RUN step of
// the runtime stage, before the site is copied (so it stays cached when
// the site changes) and without network, writes
// /etc/nginx/conf.d/default.conf (the location block only with SPA or
// CleanURLs; CleanURLs tries $uri.html after $uri, and answers 404
// without SPA):
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
	b := multistage.New()
	b.Arg("NODE_VERSION", or(opts.Version, defaultNodeVersion))
	build, site := nodeBuildStage(b, "build", NodeBuildOptions{Version: opts.Version,
		PackageManager: opts.PackageManager, PackageManagerVersion: opts.PackageManagerVersion, Lockfile: opts.Lockfile,
		InstallFiles: opts.InstallFiles, InstallArgs: opts.InstallArgs, InstallEnv: opts.InstallEnv,
		Workspace: opts.Workspace, WorkspaceDeps: opts.WorkspaceDeps, Turbo: opts.Turbo,
		Script: opts.Script, OutputDir: opts.OutputDir, CacheDirs: opts.CacheDirs, Steps: opts.Steps}, nodeBuildHow{self: true})

	image, imagePort := "nginx:alpine", 80
	if opts.Unprivileged {
		image, imagePort = "nginxinc/nginx-unprivileged:alpine", 8080
	}
	p := port(opts.Port, imagePort)
	rt := b.Stage("runtime").From(or(opts.NginxImage, image))
	switch {
	case opts.ConfigFile != "":
		rt.Copy(opts.ConfigFile, "/etc/nginx/conf.d/default.conf", multistage.Link())
	case opts.SPA || opts.CleanURLs || p != imagePort:
		// The image's own default.conf listens on imagePort only.
		rt.Run("cat > /etc/nginx/conf.d/default.conf <<'CONF'\n"+nginxConf(p, opts.SPA, opts.CleanURLs)+"CONF", multistage.Network("none"))
	}
	rt.CopyFrom(build, site, "/usr/share/nginx/html", multistage.Link())
	opts.Steps.runtime(rt)
	if opts.Unprivileged {
		rt.User("101")
	}
	expose(rt, p)
	rt.Cmd("nginx", "-g", "daemon off;")
	return &NodeStaticBuild{Build: b, Builder: build, Runtime: rt}
}

// nginxConf is a server that serves the site on port; with clean URLs,
// answers /about with about.html; and, for a single-page application,
// answers /index.html for paths that are no files.
func nginxConf(port int, spa, clean bool) string {
	conf := "server {\n" +
		"    listen " + itoa(port) + ";\n" +
		"    server_name _;\n" +
		"    root /usr/share/nginx/html;\n" +
		"    index index.html;\n"
	if spa || clean {
		try := "$uri $uri/"
		if clean {
			try = "$uri $uri.html $uri/"
		}
		if spa {
			try += " /index.html"
		} else {
			try += " =404"
		}
		conf += "    location / {\n" +
			"        try_files " + try + ";\n" +
			"    }\n"
	}
	return conf + "}\n"
}
