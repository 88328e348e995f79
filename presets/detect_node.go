package presets

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// packageJSON is the part of package.json that Detect reads.
type packageJSON struct {
	Name            string            `json:"name"`
	Main            string            `json:"main"`
	Module          string            `json:"module"`
	Types           string            `json:"types"`
	Typings         string            `json:"typings"`
	Exports         json.RawMessage   `json:"exports"`
	Scripts         map[string]string `json:"scripts"`
	Dependencies    map[string]any    `json:"dependencies"`
	DevDependencies map[string]any    `json:"devDependencies"`
	PackageManager  string            `json:"packageManager"`
	Engines         map[string]any    `json:"engines"`
	Volta           map[string]any    `json:"volta"`
	Workspaces      json.RawMessage   `json:"workspaces"`
	Prisma          struct {
		Schema string `json:"schema"`
	} `json:"prisma"`
}

// has reports whether any of the packages is a dependency or a
// devDependency.
func (pkg packageJSON) has(names ...string) bool {
	for _, n := range names {
		if _, ok := pkg.Dependencies[n]; ok {
			return true
		}
		if _, ok := pkg.DevDependencies[n]; ok {
			return true
		}
	}
	return false
}

// isDev reports whether name is a devDependency and no dependency.
func (pkg packageJSON) isDev(name string) bool {
	_, dev := pkg.DevDependencies[name]
	_, prod := pkg.Dependencies[name]
	return dev && !prod
}

// field returns a string field of an object such as engines or volta.
func field(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func readPackageJSON(p *project) (packageJSON, error) {
	var pkg packageJSON
	data, err := p.read("package.json")
	if err != nil {
		return pkg, err
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return pkg, fmt.Errorf("detect: %s: %w", "package.json", err)
	}
	return pkg, nil
}

// nodeServerDeps are dependencies that make a package a server.
var nodeServerDeps = []string{"express", "fastify", "koa", "@hapi/hapi", "@nestjs/core", "next", "nuxt", "@remix-run/serve", "hono", "@hono/node-server", "restify", "@adonisjs/core", "@feathersjs/feathers", "socket.io", "apollo-server", "@apollo/server", "@sveltejs/adapter-node", "@astrojs/node"}

// nodeWebDeps are dependencies that make a build script build a web site.
var nodeWebDeps = []string{"vite", "react-scripts", "@angular/core", "@angular/cli", "webpack", "parcel", "@vue/cli-service", "gatsby", "astro", "@sveltejs/kit",
	"next", "nuxt", "react", "vue", "svelte", "preact", "solid-js", "ember-cli", "@11ty/eleventy", "vitepress", "@docusaurus/core", "@remix-run/dev", "rsbuild", "@rsbuild/core"}

// nitroDeps are the frameworks that build their server with Nitro, into
// .output/server/index.mjs.
var nitroDeps = []string{"nuxt", "nitro", "nitropack", "@tanstack/react-start", "@tanstack/solid-start", "@solidjs/start", "@analogjs/platform"}

// nodeRouterDeps are client-side routers: a site that has one is a
// single-page application.
var nodeRouterDeps = []string{"react-router", "react-router-dom", "vue-router", "@angular/router", "svelte-spa-router", "@tanstack/react-router", "wouter", "preact-router", "@solidjs/router"}

func detectNode(p *project) ([]Detection, error) {
	if !p.has("package.json") {
		return nil, nil
	}
	pkg, err := readPackageJSON(p)
	if err != nil {
		return nil, err
	}
	self := nodeMember{dir: ".", pkg: pkg, p: p}
	if patterns, _ := workspacePatterns(p, pkg); len(patterns) == 0 && nodeLockfile(p) == "" {
		// No lockfile and no workspace of its own: a workspace member,
		// whose lockfile is at the root of the workspace?
		if rp, rootPath, member := findWorkspaceRoot(p.dir); rp != nil {
			root, err := newNodeRoot(rp)
			if err != nil {
				return nil, err
			}
			self.dir = member
			ds := root.detectMember(self)
			for i := range root.after {
				root.after[i].Context = rootPath
			}
			p.after = append(p.after, root.after...)
			for i := range ds {
				ds[i].Context = rootPath
			}
			return ds, nil
		}
	}
	root, err := newNodeRoot(p)
	if err != nil {
		return nil, err
	}
	var ds []Detection
	if len(root.members) > 0 {
		ds = root.detectWorkspace(self)
	} else {
		ds = root.detectMember(self)
	}
	p.after = append(p.after, root.after...)
	return ds, nil
}

// nodeLockfile returns the name of the lockfile in the project, or "".
func nodeLockfile(p *project) string {
	for _, name := range []string{"pnpm-lock.yaml", "yarn.lock", "package-lock.json", "npm-shrinkwrap.json"} {
		if p.has(name) {
			return name
		}
	}
	return ""
}

// nodeRoot is the root of a Node.js project or workspace, where its
// lockfile and package manager are.
type nodeRoot struct {
	p            *project
	pkg          packageJSON
	pm           PackageManager
	pmVersion    string
	lockfile     string
	using        []string // what Detect read about the package manager
	installFiles []string // relative to the root
	patternsFrom string
	members      []nodeMember
	turbo        bool
	after        []Detection // detections that belong after the other presets' (see javaOwner)
	noFocus      bool        // Yarn 2 or 3 without the workspace-tools plugin
}

var (
	yarnPathRe    = regexp.MustCompile(`(?m)^yarnPath:\s*["']?([^"'\s]+)`)
	yarnReleaseRe = regexp.MustCompile(`yarn-(\d+\.\d+\.\d+[0-9A-Za-z.-]*)\.c?js$`)
	yarnLockMeta  = regexp.MustCompile(`(?m)^__metadata:\s*\n\s+version:\s*(\d+)`)
	pnpmLockVer   = regexp.MustCompile(`(?m)^lockfileVersion:\s*['"]?(\d+)\.(\d+)`)
	nodeLinkerRe  = regexp.MustCompile(`(?m)^nodeLinker:\s*["']?([a-z-]+)`)
	yarnPluginRe  = regexp.MustCompile(`plugin-workspace-tools`)
)

func newNodeRoot(p *project) (*nodeRoot, error) {
	pkg, err := readPackageJSON(p)
	if err != nil {
		return nil, err
	}
	r := &nodeRoot{p: p, pkg: pkg}
	found := nodeLockfile(p)
	name, version, pinned := strings.Cut(pkg.PackageManager, "@")
	known := name == "npm" || name == "yarn" || name == "pnpm"
	switch {
	case pinned && known:
		r.pm = PackageManager(name)
		r.using = append(r.using, name+" "+version+" (packageManager in package.json)")
		if name != "npm" {
			r.pmVersion = version
		}
	case found != "":
		r.pm = lockfiles[found]
		r.using = append(r.using, string(r.pm)+" (its lockfile "+found+")")
	default:
		r.pm = Npm
		r.using = append(r.using, "npm (no lockfile and no packageManager field)")
	}
	if pinned && !known {
		r.using = append(r.using, "packageManager "+pkg.PackageManager+" is not one the Node presets run: "+string(r.pm)+" instead")
	}
	for _, lf := range []string{"pnpm-lock.yaml", "yarn.lock", "package-lock.json", "npm-shrinkwrap.json"} {
		if p.has(lf) && lockfiles[lf] == r.pm {
			r.lockfile = lf
			break
		}
	}
	if r.lockfile == "" {
		r.using = append(r.using, "no "+string(r.pm)+" lockfile: the clean install will fail; commit one")
	}
	if p.has("bun.lockb") || p.has("bun.lock") {
		r.using = append(r.using, "bun's lockfile is not read: the presets do not run bun")
	}

	switch r.pm {
	case Yarn:
		r.yarnVersion()
	case Pnpm:
		r.pnpmVersion()
	}
	r.findInstallFiles()
	if patterns, from := workspacePatterns(p, pkg); len(patterns) > 0 {
		r.patternsFrom = from
		r.members = workspaceMembers(p, patterns)
		r.memberManifests(patterns)
	}
	r.turbo = p.has("turbo.json") && pkg.has("turbo")
	return r, nil
}

// yarnVersion finds the Yarn of a project that does not pin it in
// packageManager: its checked-in release (yarnPath), or the major version
// of the format of yarn.lock.
func (r *nodeRoot) yarnVersion() {
	p := r.p
	var rc string
	if p.has(".yarnrc.yml") {
		if data, err := p.read(".yarnrc.yml"); err == nil {
			rc = string(data)
		}
	}
	if r.pmVersion == "" {
		if m := yarnPathRe.FindStringSubmatch(rc); m != nil {
			if v := yarnReleaseRe.FindStringSubmatch(m[1]); v != nil {
				r.pmVersion = v[1]
				r.using = append(r.using, "Yarn "+v[1]+" (yarnPath "+m[1]+" in .yarnrc.yml)")
			}
		}
	}
	if r.pmVersion == "" && r.lockfile != "" {
		if data, err := p.read(r.lockfile); err == nil {
			if m := yarnLockMeta.FindSubmatch(data); m != nil {
				major := "4"
				switch v := atoiPort(string(m[1])); {
				case v <= 4:
					major = "2"
				case v <= 6:
					major = "3"
				}
				r.pmVersion = major
				r.using = append(r.using, "Yarn "+major+", the newest of that major (yarn.lock's format, version "+string(m[1])+"; pin the exact one with packageManager in package.json)")
			}
		}
	}
	if majorOf(r.pmVersion) < 2 {
		return
	}
	if majorOf(r.pmVersion) < 4 && !yarnPluginRe.MatchString(rc) {
		r.noFocus = true
	}
	linker := "Yarn's default linker, Plug'n'Play"
	if m := nodeLinkerRe.FindStringSubmatch(rc); m != nil {
		linker = ".yarnrc.yml's nodeLinker " + m[1]
	}
	if !strings.HasSuffix(linker, "node-modules") {
		r.using = append(r.using, "installed as a node_modules tree (YARN_NODE_LINKER) rather than with "+linker+", so that plain node runs it without Yarn's loader")
	}
}

// pnpmVersion finds the pnpm of a project that does not pin it in
// packageManager: engines.pnpm, or the major version that writes the
// lockfile's format.
func (r *nodeRoot) pnpmVersion() {
	if r.pmVersion != "" {
		return
	}
	if e := field(r.pkg.Engines, "pnpm"); e != "" {
		if m := regexp.MustCompile(`\d+`).FindString(e); m != "" {
			r.pmVersion = m
			r.using = append(r.using, "pnpm "+m+" (engines.pnpm "+e+")")
			return
		}
	}
	if r.lockfile == "" {
		return
	}
	data, err := r.p.read(r.lockfile)
	if err != nil {
		return
	}
	m := pnpmLockVer.FindSubmatch(data)
	if m == nil {
		return
	}
	major := map[string]string{"9": "9", "7": "9", "6": "8"}[string(m[1])]
	if string(m[1]) == "5" {
		major = map[string]string{"4": "7", "3": "6"}[string(m[2])]
	}
	if major != "" {
		r.pmVersion = major
		r.using = append(r.using, "pnpm "+major+", the newest of that major (pnpm-lock.yaml's lockfileVersion "+string(m[1])+"."+string(m[2])+"; pin the exact one with packageManager in package.json)")
	}
}

// findInstallFiles lists the files of the root that the install reads:
// the package managers' configuration, Yarn's releases, plugins and
// patches, pnpm's hooks, patch directories.
func (r *nodeRoot) findInstallFiles() {
	p := r.p
	var files []string
	for _, f := range []string{".npmrc", ".pnpmfile.cjs", ".pnpmfile.mjs", "pnpm-workspace.yaml"} {
		if p.has(f) {
			files = append(files, f)
		}
	}
	if r.pm == Yarn {
		for _, f := range []string{".yarnrc", ".yarnrc.yml"} {
			if p.has(f) {
				files = append(files, f)
			}
		}
		for _, d := range []string{".yarn/releases", ".yarn/plugins", ".yarn/patches"} {
			if p.exists(d, true) {
				files = append(files, d)
			}
		}
	}
	if p.hasDir("patches") {
		files = append(files, "patches")
	}
	if len(files) > 0 {
		r.using = append(r.using, "copies "+strings.Join(files, ", ")+" before the install")
	}
	r.installFiles = files
}

// memberManifests adds the package.json of every member to the install
// files: as the workspace's own patterns ("apps/*/package.json"), which
// COPY --parents expands, unless a pattern has "**", which would also
// reach into node_modules: then one path per member.
func (r *nodeRoot) memberManifests(patterns []string) {
	deep := false
	for _, pat := range patterns {
		deep = deep || strings.Contains(pat, "**") || strings.HasPrefix(pat, "!")
	}
	if deep {
		for _, m := range r.members {
			r.installFiles = append(r.installFiles, path.Join(m.dir, "package.json"))
		}
		return
	}
	for _, pat := range patterns {
		r.installFiles = append(r.installFiles, path.Join(cleanPattern(pat), "package.json"))
	}
}

// detectWorkspace returns a detection per member of the workspace that is
// an application (one that no other member depends on), in the order of
// their directories, and then the root's own when it is an application
// and not only the scripts that build the members.
func (r *nodeRoot) detectWorkspace(self nodeMember) []Detection {
	libs := map[string]bool{}
	for _, m := range r.members {
		for _, d := range localDeps(r.members, m) {
			libs[d.dir] = true
		}
	}
	var apps []string
	var out []Detection
	for _, m := range r.members {
		if libs[m.dir] {
			continue
		}
		ds := r.detectMember(m)
		if len(ds) > 0 {
			apps = append(apps, m.dir)
		}
		out = append(out, ds...)
	}
	if !delegates(self.pkg) {
		out = append(out, r.detectMember(self)...)
	}
	if len(apps) > 1 {
		for i := range out {
			out[i].Reason += "; the workspace's applications are " + strings.Join(apps, ", ") + ", one detection each"
		}
	}
	return out
}

// delegates reports whether the root's scripts only run the members'
// (turbo, nx, lerna, --workspace, --filter, workspaces foreach), so the
// root is no application of its own.
func delegates(pkg packageJSON) bool {
	for _, s := range []string{"build", "start"} {
		cmd, ok := pkg.Scripts[s]
		if !ok {
			continue
		}
		if !regexp.MustCompile(`\b(turbo|nx|lerna)\b|--workspace|\s-w\s|--filter|-F\s|workspaces? |--recursive|\s-r\s`).MatchString(cmd + " ") {
			return false
		}
	}
	return true
}

// nodeApp is what Detect learned of one package: a project, or a member
// of a workspace.
type nodeApp struct {
	r     *nodeRoot
	m     nodeMember
	ws    string // "" for the root
	why   []string
	pkg   packageJSON
	files []string
	deps  []string // members to build first
}

// detectMember returns the detections of the package m of the root r.
func (r *nodeRoot) detectMember(m nodeMember) []Detection {
	a := &nodeApp{r: r, m: m, pkg: m.pkg, files: slices.Clone(r.installFiles)}
	var head []string
	if m.dir != "." {
		a.ws = m.dir
		head = append(head, "member "+m.dir+" of the "+string(r.pm)+" workspace of "+r.patternsFrom+", built from its root")
		for _, d := range localDeps(r.members, m) {
			if _, ok := d.pkg.Scripts["build"]; ok {
				a.deps = append(a.deps, d.dir)
			}
		}
		if r.turbo {
			a.why = append(a.why, "built with turbo (turbo.json), which builds the members it depends on first")
		} else if len(a.deps) > 0 {
			a.why = append(a.why, "the members it depends on are built first: "+strings.Join(a.deps, ", "))
		}
	}
	a.why = append(a.why, r.using...)
	a.prisma()
	env := a.installEnv()
	version := a.nodeVersion()
	static, server := a.static(), a.server()
	for _, d := range []*Detection{static, server} {
		if d == nil {
			continue
		}
		if o := d.NodeStatic; o != nil {
			o.Version, o.PackageManager, o.PackageManagerVersion, o.Lockfile = version, r.pm, r.pmVersion, r.lockfile
			o.InstallFiles, o.Workspace, o.WorkspaceDeps, o.Turbo = a.files, a.ws, a.deps, r.turbo && a.ws != ""
			o.InstallEnv = env
		}
		if o := d.NodeServer; o != nil {
			o.Version, o.PackageManager, o.PackageManagerVersion, o.Lockfile = version, r.pm, r.pmVersion, r.lockfile
			o.InstallFiles, o.Workspace, o.WorkspaceDeps, o.Turbo = a.files, a.ws, a.deps, r.turbo && a.ws != ""
			o.InstallEnv = env
		}
		d.Reason = strings.Join(slices.Concat(head, []string{d.Reason}, a.why), "; ")
	}
	var outputs []string
	if static != nil {
		outputs = append(outputs, static.NodeStatic.OutputDir)
	}
	if server != nil {
		outputs = append(outputs, server.NodeServer.OutputDir)
	}
	if j := r.javaOwner(m.dir, outputs); j != nil {
		// The front end of a Java application: the Java build runs it,
		// or it writes into the Java build's directory.
		if j.runsFrontEnd || static == nil && server == nil {
			return nil
		}
		for _, d := range []*Detection{static, server} {
			if d != nil {
				d.Reason += "; ranked after the Java build: its output " + j.output + "/ is in the build directory of " + j.file +
					", whose front end it is, but " + j.file + " does not run it (frontend-maven-plugin, node-gradle): build it first, or add the plugin"
				r.after = append(r.after, *d)
			}
		}
		return nil
	}
	switch {
	case server != nil && (static == nil || a.pkg.has(nodeServerDeps...)):
		if static != nil {
			return []Detection{*server, *static}
		}
		return []Detection{*server}
	case static != nil && server != nil:
		return []Detection{*static, *server}
	case static != nil:
		return []Detection{*static}
	}
	return nil
}

// binaryDownloads are devDependencies whose install script downloads a
// large binary that no build needs (a test runner's browser or app), and
// the variable that skips the download.
var binaryDownloads = []struct{ pkg, env, value string }{
	{"cypress", "CYPRESS_INSTALL_BINARY", "0"},
	{"puppeteer", "PUPPETEER_SKIP_DOWNLOAD", "true"},
	{"electron", "ELECTRON_SKIP_BINARY_DOWNLOAD", "1"},
}

// installEnv returns the environment that skips the downloads of the
// binaries of devDependencies that only tests or development use, in the
// package or, for a member, at the root of its workspace.
func (a *nodeApp) installEnv() map[string]string {
	var env map[string]string
	for _, b := range binaryDownloads {
		if a.pkg.isDev(b.pkg) || a.ws != "" && a.r.pkg.isDev(b.pkg) || a.r.members != nil && a.anyMemberDev(b.pkg) {
			if env == nil {
				env = map[string]string{}
			}
			env[b.env] = b.value
			a.why = append(a.why, b.env+"="+b.value+": "+b.pkg+", a devDependency, downloads a binary on install that the image does not need")
		}
	}
	return env
}

// anyMemberDev reports whether a member of the workspace has pkg as a
// devDependency: the install at the root installs every member's.
func (a *nodeApp) anyMemberDev(pkg string) bool {
	for _, m := range a.r.members {
		if m.pkg.isDev(pkg) {
			return true
		}
	}
	return false
}

// prisma adds the Prisma schema to the install files: @prisma/client's
// install generates the client from it.
func (a *nodeApp) prisma() {
	if !a.pkg.has("prisma", "@prisma/client") {
		return
	}
	schema := a.pkg.Prisma.Schema
	switch {
	case schema != "":
	case a.m.p.exists("prisma/schema.prisma", false):
		schema = "prisma/schema.prisma"
	case a.m.p.exists("prisma/schema", true):
		schema = "prisma/schema"
	case a.m.p.exists("prisma", true):
		schema = "prisma"
	default:
		return
	}
	f := path.Join(a.ws, schema)
	a.files = append(a.files, f)
	a.why = append(a.why, "copies the Prisma schema "+f+" before the install, which generates the client from it")
}

// nodeVersion returns the Node.js version of the package, from .nvmrc,
// .node-version, Volta or engines.node, of the member first and then of
// the root.
func (a *nodeApp) nodeVersion() string {
	places := []nodeMember{a.m}
	if a.ws != "" {
		places = append(places, nodeMember{dir: ".", pkg: a.r.pkg, p: a.r.p})
	}
	for _, m := range places {
		for _, src := range []struct{ name, value string }{
			{".nvmrc", m.p.firstLine(".nvmrc")},
			{".node-version", m.p.firstLine(".node-version")},
			{"volta.node in package.json", field(m.pkg.Volta, "node")},
			{"engines.node " + field(m.pkg.Engines, "node"), field(m.pkg.Engines, "node")},
		} {
			if src.value == "" {
				continue
			}
			where := path.Join(m.dir, src.name)
			if strings.HasPrefix(src.name, "volta") || strings.HasPrefix(src.name, "engines") {
				where = src.name
				if m.dir != "." {
					where += " of " + m.dir
				}
			}
			v, how := nodeVersionFrom(src.value)
			if v == "" {
				a.why = append(a.why, where+": "+src.value+" names no Node.js version Detect knows; the default version (set Version)")
				continue
			}
			if how != "" {
				how = ", " + how
			}
			a.why = append(a.why, "Node.js "+v+" ("+where+how+")")
			return v
		}
	}
	return ""
}

// static returns the NodeStatic detection of the package, or nil when it
// builds no site.
func (a *nodeApp) static() *Detection {
	pkg, p := a.pkg, a.m.p
	build, ok := pkg.Scripts["build"]
	if !ok || a.library() {
		return nil
	}
	o := &NodeStaticOptions{OutputDir: "dist", SPA: pkg.has(nodeRouterDeps...)}
	var reason string
	webpack := runsWebpack(pkg, build)
	switch {
	case pkg.has("next"):
		nc := readNextConfig(p)
		if nc.output != "export" {
			return nil
		}
		o.OutputDir = or(strings.TrimPrefix(nc.distDir, "./"), "out")
		o.SPA, o.CleanURLs = false, true
		if nc.distDir == "" {
			o.CacheDirs = []string{".next/cache"}
		}
		reason = nc.file + " sets output: 'export': next build writes the static site to " + o.OutputDir + "/, served with clean URLs (/about is about.html)"
	case pkg.has(nitroDeps...):
		if !pkg.has("nuxt") || !strings.Contains(build, "generate") {
			return nil
		}
		o.OutputDir = ".output/public"
		reason = "the build script runs nuxt generate: the static site is in .output/public/"
	case pkg.has("@sveltejs/kit"):
		adapter, pages := svelteKitAdapter(p)
		if adapter != "static" {
			return nil
		}
		o.OutputDir = pages
		reason = "svelte.config.js uses adapter-static: the site is in " + pages + "/"
	case pkg.has("astro"):
		output, outDir, file := astroConfig(p)
		if output == "server" {
			return nil
		}
		o.OutputDir = outDir
		o.CleanURLs = true
		reason = "Astro builds a static site into " + outDir + "/ (" + or(file, "no astro.config") + ")"
	case p.has("angular.json"):
		out, name, ok := angularOutput(p)
		if !ok {
			return nil
		}
		o.OutputDir, o.SPA = out, true
		reason = "angular.json: the application " + name + " is built to " + out + "/"
	case pkg.has("react-scripts"):
		o.OutputDir = "build"
		reason = "Create React App writes build/"
	case pkg.has("vite") || strings.Contains(build, "vite"):
		out, file := viteOutDir(p)
		if out == "" {
			return nil
		}
		o.OutputDir = out
		reason = "vite writes " + out + "/ (" + or(file, "no vite config") + ")"
	case webpack != nil:
		o.OutputDir, reason, _ = webpackOutput(p, webpack)
		reason = "the build script runs webpack: " + reason
	case pkg.has(nodeWebDeps...) || p.has("index.html") || p.exists("public/index.html", false) || p.exists("src/index.html", false):
		reason = "the build script builds a web site, assumed into dist/ (set OutputDir)"
	default:
		return nil
	}
	if o.SPA {
		reason += "; a client-side router: a single-page application (SPA)"
	}
	return &Detection{Preset: PresetNodeStatic, Reason: "package.json has a build script; " + reason, NodeStatic: o}
}

// startScripts are the scripts that may start the server, in the order
// Detect reads them.
var startScripts = []string{"start", "start:prod", "serve", "start:production"}

// server returns the NodeServer detection of the package, or nil when it
// is no server.
func (a *nodeApp) server() *Detection {
	pkg, p := a.pkg, a.m.p
	_, hasBuild := pkg.Scripts["build"]
	o := &NodeServerOptions{}
	var reason []string
	start := pkg.Scripts["start"]
	switch {
	case pkg.has("next"):
		nc := readNextConfig(p)
		if nc.output == "export" || !hasBuild {
			return nil
		}
		o.BuildScript = "build"
		if nc.distDir == "" {
			o.CacheDirs = []string{".next/cache"}
		}
		if nc.output == "standalone" {
			o.NextStandalone = true
			reason = append(reason, nc.file+" sets output: 'standalone': next build, then node server.js of .next/standalone with .next/static and public/")
			if nc.distDir != "" {
				reason = append(reason, "distDir "+nc.distDir+" is not read: the preset takes .next")
			}
		} else {
			o.OutputDir = or(strings.TrimPrefix(nc.distDir, "./"), ".next")
			run := "the start script (next start)"
			if tools := commandTools(start); !slices.Equal(tools, []string{"next"}) || devServer(start) != "" {
				// The runtime has no Yarn or pnpm, and a dev server is
				// no production server.
				o.Cmd = []string{"npx", "--no", "next", "start"}
				run = "next start (the start script, " + strconv.Quote(start) + ", is not just next start)"
			}
			reason = append(reason, or(nc.file, "no next.config")+" sets no output"+nc.computed()+": next build, then "+run+" with the production dependencies; set output: 'standalone' in next.config for a smaller image, and NextStandalone")
		}
	case pkg.has(nitroDeps...):
		if !hasBuild || strings.Contains(pkg.Scripts["build"], "generate") {
			return nil
		}
		o.BuildScript, o.OutputDir, o.Entry = "build", ".output", ".output/server/index.mjs"
		reason = append(reason, "a Nitro server ("+strings.Join(slices.DeleteFunc(slices.Clone(nitroDeps), func(n string) bool { return !pkg.has(n) }), ", ")+"): the build script, then node .output/server/index.mjs")
	case pkg.has("@sveltejs/kit"):
		adapter, _ := svelteKitAdapter(p)
		if adapter != "node" || !hasBuild {
			return nil
		}
		o.BuildScript, o.OutputDir, o.Entry = "build", "build", "build/index.js"
		reason = append(reason, "SvelteKit with adapter-node: the build script, then node build/index.js")
	case pkg.has("astro"):
		output, outDir, file := astroConfig(p)
		if output != "server" || !hasBuild {
			return nil
		}
		o.BuildScript, o.OutputDir, o.Entry = "build", outDir, path.Join(outDir, "server/entry.mjs")
		reason = append(reason, file+" sets output: 'server': node "+o.Entry+" (Astro's node adapter listens on localhost unless HOST=0.0.0.0: set it with Steps.Runtime)")
	default:
		entry, script, how := a.entry()
		if entry == "" && script == "" {
			return nil
		}
		o.Entry = entry
		reason = append(reason, how)
		if script != "" {
			start = pkg.Scripts[script]
		}
		if hasBuild {
			o.BuildScript = "build"
			o.OutputDir, how = a.buildOutput(entry)
			reason = append(reason, how)
		}
		if tool := a.devTool(start); tool != "" && entry == "" {
			o.DevDependencies = true
			reason = append(reason, "the start script runs "+tool+", a devDependency: the runtime keeps the devDependencies (DevDependencies); compile with the build script and start with node for a smaller image")
		}
	}
	if a.r.noFocus && !o.DevDependencies && !o.NextStandalone {
		o.DevDependencies = true
		reason = append(reason, "Yarn "+a.r.pmVersion+" installs production dependencies alone only with its workspace-tools plugin (yarn workspaces focus), which .yarnrc.yml does not list: the runtime gets every dependency (DevDependencies); add the plugin for a smaller image")
	}
	if script, tool := a.lifecycle(); tool != "" && !o.DevDependencies && !o.NextStandalone {
		o.Prune = true
		reason = append(reason, "the "+script+" script runs "+tool+", a devDependency: the production dependencies are installed in full and then pruned without scripts (Prune), rather than installed alone")
	}
	var portWhy string
	o.Port, portWhy = a.port(o, start)
	reason = append(reason, portWhy)
	return &Detection{Preset: PresetNodeServer, Reason: strings.Join(reason, "; "), NodeServer: o}
}

// entry finds how the server starts: the file node runs, or the script
// npm start runs, and says which.
func (a *nodeApp) entry() (entry, script, how string) {
	pkg := a.pkg
	for _, s := range startScripts {
		if f, tool := nodeFile(pkg.Scripts[s]); tool == "node" {
			return f, "", "the " + s + " script runs node " + f + ": node runs it directly"
		}
	}
	// A start script that only builds or watches assets or runs a
	// development server starts no production server; main or a server
	// file may still, unless it is a front-end tool's dev server in a
	// package without a server dependency.
	devStart := false
	if cmd, ok := pkg.Scripts["start"]; ok {
		dev, server := devOnly(pkg, a.r.members, cmd)
		devStart = dev
		if dev && server != "" && !a.pkg.has(nodeServerDeps...) {
			return "", "", ""
		}
		if !dev {
			if f, tool := nodeFile(cmd); f != "" {
				return f, "", "the start script runs " + tool + " " + f + ", a development watcher: node runs " + f
			}
			return "", "start", "package.json has a start script: npm start"
		}
	}
	if f := path.Clean(pkg.Main); pkg.Main != "" && !a.library() && !regexp.MustCompile(`\.[cm]?tsx?$`).MatchString(f) && !pkg.has("react-native", "expo") && (!devStart || a.builtOrPresent(f)) {
		return f, "", "package.json has main " + f + ": node runs it"
	}
	for _, f := range []string{"server.js", "index.js", "app.js", "main.js"} {
		if a.m.p.has(f) && a.pkg.has(nodeServerDeps...) {
			return f, "", "a server dependency and " + f + ": node runs it (set Entry if another file starts it)"
		}
	}
	return "", "", ""
}

// builtOrPresent reports whether the file f of the package is in its
// sources, or in a directory its build writes (one absent from the
// sources, or one of buildDirs). npm's default main, index.js, is often
// left in the package.json of a front end that has no such file, whose
// start script runs a dev server: its main is no server unless the file
// is there.
func (a *nodeApp) builtOrPresent(f string) bool {
	p := a.m.p
	if p.exists(f, false) {
		return true
	}
	top, _, nested := strings.Cut(f, "/")
	if !nested {
		return false
	}
	_, hasBuild := a.pkg.Scripts["build"]
	return hasBuild && (!p.exists(top, true) || slices.Contains(buildDirs, top))
}

// nodeFile returns the file of a command that only runs node (or a file
// watcher) on it: "node server.js", "nodemon src/index.js". Options of
// node make it another command.
func nodeFile(cmd string) (file, tool string) {
	f := strings.Fields(cmd)
	if len(f) != 2 || strings.HasPrefix(f[1], "-") || strings.ContainsAny(f[1], "$&|;<>'\"`") {
		return "", ""
	}
	switch f[0] {
	case "node", "nodemon", "node-dev":
		return path.Clean(f[1]), f[0]
	}
	return "", ""
}

// buildOutput returns the directory the server's build script writes:
// the top directory of the entry when it is not in the sources, vite's
// outDir, the outDir of tsconfig.json for tsc and nest build, or dist.
func (a *nodeApp) buildOutput(entry string) (string, string) {
	p := a.m.p
	if top, _, ok := strings.Cut(entry, "/"); ok && top != "." && !p.exists(top, true) {
		return top, "the build script writes " + top + "/, where the entry is"
	}
	if a.pkg.has("vite") {
		if out, file := viteOutDir(p); out != "" {
			return out, "the build script runs vite, which writes " + out + "/ (" + or(file, "no vite config") + ")"
		}
	}
	if w := runsWebpack(a.pkg, a.pkg.Scripts["build"]); w != nil {
		if out, how, ok := webpackOutput(p, w); ok {
			return out, "the build script runs webpack: " + how
		}
	}
	if b := a.pkg.Scripts["build"]; regexp.MustCompile(`\b(tsc|nest build)\b`).MatchString(b) && p.has("tsconfig.json") {
		if data, err := p.read("tsconfig.json"); err == nil {
			if m := regexp.MustCompile(`"outDir"\s*:\s*"([^"]+)"`).FindSubmatch(data); m != nil {
				out := path.Clean(strings.TrimPrefix(string(m[1]), "./"))
				return out, "the build script writes " + out + "/ (outDir of tsconfig.json)"
			}
		}
	}
	return "dist", "the build script is assumed to write dist/ (set OutputDir)"
}

// knownBins maps commands to the packages that provide them, where the
// names differ.
var knownBins = map[string]string{
	"tsc": "typescript", "ngcc": "@angular/compiler-cli", "nest": "@nestjs/cli", "nuxi": "nuxt", "svelte-kit": "@sveltejs/kit",
	"react-scripts": "react-scripts", "ts-node-dev": "ts-node-dev", "tsnd": "ts-node-dev", "vue-cli-service": "@vue/cli-service",
	"run-p": "npm-run-all", "run-s": "npm-run-all",
}

// commandTools returns the commands a script runs: the first word of each
// command of it, through npx, npm exec, pnpm exec, yarn and env
// assignments.
func commandTools(script string) []string {
	var tools []string
	for _, c := range regexp.MustCompile(`&&|\|\||[;|]`).Split(script, -1) {
		if words := commandWords(c); len(words) > 0 {
			tools = append(tools, words[0])
		}
	}
	return tools
}

// commandWords returns the words of one command of a script from the
// tool it runs on, past npx, npm exec, pnpm exec, yarn and env
// assignments.
func commandWords(c string) []string {
	words := strings.Fields(c)
	for len(words) > 0 {
		w := words[0]
		switch {
		case strings.Contains(w, "=") && !strings.HasPrefix(w, "-"),
			w == "npx", w == "exec", w == "cross-env", w == "dotenv", w == "--":
			words = words[1:]
			continue
		case (w == "npm" || w == "pnpm" || w == "yarn") && len(words) > 1 && words[1] == "exec":
			words = words[2:]
			continue
		case w == "yarn" && len(words) > 1 && !slices.Contains([]string{"run", "install", "build", "workspace", "workspaces"}, words[1]):
			words = words[1:]
			continue
		}
		break
	}
	return words
}

// devTool returns the first command of script that a devDependency of the
// package (or of the workspace's root) provides, or "".
func (a *nodeApp) devTool(script string) string {
	for _, t := range commandTools(script) {
		pkgName := t
		if n, ok := knownBins[t]; ok {
			pkgName = n
		}
		if a.pkg.isDev(pkgName) || a.ws != "" && a.r.pkg.isDev(pkgName) && !a.pkg.has(pkgName) {
			return t
		}
	}
	return ""
}

// lifecycle returns the first install script of the package or of the
// workspace's root that runs a devDependency, and the command. Yarn 2
// and later run no prepare script on install.
func (a *nodeApp) lifecycle() (script, tool string) {
	scripts := []string{"preinstall", "install", "postinstall", "prepare"}
	if majorOf(a.r.pmVersion) >= 2 && a.r.pm == Yarn {
		scripts = scripts[:3]
	}
	pkgs := []nodeMember{a.m}
	if a.ws != "" {
		pkgs = append(pkgs, nodeMember{dir: ".", pkg: a.r.pkg, p: a.r.p})
	}
	for _, m := range pkgs {
		for _, s := range scripts {
			cmd, ok := m.pkg.Scripts[s]
			if !ok {
				continue
			}
			for _, t := range commandTools(cmd) {
				name := t
				if n, ok := knownBins[t]; ok {
					name = n
				}
				if m.pkg.isDev(name) || a.pkg.isDev(name) {
					if m.dir == "." && a.ws != "" {
						return "root's " + s, t
					}
					return s, t
				}
			}
		}
	}
	return "", ""
}

// port returns the port of the server (0 for the preset's default,
// 3000): where the project says it, or the framework's default, and says
// where it came from.
func (a *nodeApp) port(o *NodeServerOptions, start string) (int, string) {
	entries := []string{}
	if o.Entry != "" {
		entries = append(entries, o.Entry)
	}
	entries = append(entries, "src/main.ts", "src/index.ts", "src/server.ts", "src/app.ts", "server.ts", "index.ts",
		"server.js", "index.js", "app.js", "src/index.js", "src/server.js", "src/app.js", "bin/www")
	if p, how := nodePort(a.m.p, start, entries); p != 0 {
		why := "port " + itoa(p) + " (" + how + "), passed as PORT"
		if p == 3000 {
			return 0, why
		}
		return p, why
	}
	if a.pkg.has("next", "nuxt", "@sveltejs/kit", "@nestjs/core", "@remix-run/serve") {
		return 0, "port 3000 (the framework's default), passed as PORT"
	}
	return 0, "port 3000 assumed, passed as PORT (set Port if the server listens on another)"
}
