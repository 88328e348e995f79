package presets

import (
	"strings"

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

// nodeTool is a package manager, at a version, with its lockfile, resolved
// from options.
type nodeTool struct {
	pm       PackageManager
	version  string // the pinned version, "" for the image's own
	lockfile string
	berry    bool // Yarn 2 or later
	corepack bool // the package manager comes from corepack
}

// corepackVersion is the corepack the presets install to run a pinned
// package manager. Node.js 25 and later ship no corepack, and the corepack
// bundled with older ones may not know the npm registry's current signing
// keys, with which it checks pnpm and Yarn.
const corepackVersion = "0.36.0"

func resolveNodeTool(pm PackageManager, version, lockfile, nodeVersion string) nodeTool {
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
	t := nodeTool{pm: pm, lockfile: lockfile}
	if pm == Npm {
		// npm comes with Node.js: the image's is the one the project gets.
		return t
	}
	t.version = version
	t.corepack = version != "" || pm == Pnpm
	if pm == Yarn && version == "" && !bundlesYarn1(nodeVersion) {
		// node:25 and later have no Yarn 1 of their own.
		t.version, t.corepack = "1", true
	}
	t.berry = pm == Yarn && majorOf(t.version) >= 2
	return t
}

// majorOf returns the major version of a version such as "4.5.3",
// "9.15.0+sha512.abc" or "v20", or 0 when it has none.
func majorOf(v string) int {
	v = strings.TrimPrefix(v, "v")
	n := 0
	for i, r := range v {
		if r < '0' || r > '9' {
			if i == 0 {
				return 0
			}
			break
		}
		n = n*10 + int(r-'0')
		if n > 1000 {
			return 0
		}
	}
	return n
}

// bundlesYarn1 reports whether the node image of the Node.js version
// nodeVersion (a build arg default such as "22" or "24-slim") has Yarn 1:
// the images of Node.js 24 and older do. A version that is no number
// ("lts", "current") is taken to be the newest, which does not.
func bundlesYarn1(nodeVersion string) bool {
	m := majorOf(or(nodeVersion, defaultNodeVersion))
	return m > 0 && m <= 24
}

// pnpmStore is where the Node presets keep pnpm's content-addressed store.
const pnpmStore = "/root/.local/share/pnpm/store"

// berryFolder is Yarn 2+'s global folder as root, which holds its cache.
const berryFolder = "/root/.yarn/berry"

// setup prepares a stage, right after its WORKDIR, to run the package
// manager: npm's update check off, the pinned package manager installed
// with corepack (in a layer of its own, before the manifests, so a
// dependency change does not download it again), and Yarn 2+ told to
// install a node_modules tree into its global cache.
func (t nodeTool) setup(s *multistage.Stage) {
	if t.pm == Npm {
		s.Env("NPM_CONFIG_UPDATE_NOTIFIER", "false")
		return
	}
	if t.berry {
		// A node_modules tree runs with plain node, where Plug'n'Play
		// needs Yarn's loader and the cache at run time; the global
		// cache (Yarn 4's default, not 2's and 3's) is a cache mount.
		s.Env("YARN_NODE_LINKER", "node-modules").
			Env("YARN_ENABLE_GLOBAL_CACHE", "true").
			Env("YARN_ENABLE_TELEMETRY", "0")
	}
	if !t.corepack {
		return
	}
	cmd := "npm install -g --no-audit --no-fund corepack@" + corepackVersion + " && corepack enable " + string(t.pm)
	if t.version != "" {
		cmd = shellJoin(cmd+" && corepack install -g", []string{string(t.pm) + "@" + t.version})
	}
	s.Run(cmd, NodeCache(Npm))
}

// installMode is what an install leaves in node_modules.
type installMode int

const (
	installAll   installMode = iota // every dependency
	installProd                     // the production dependencies only
	installPrune                    // every dependency, then the devDependencies removed
)

// install runs a clean install from the lockfile, at the root of the
// project, for the workspace member ws ("" for the whole project) where
// the package manager can install one member's production dependencies.
func (t nodeTool) install(s *multistage.Stage, mode installMode, ws string, args []string) {
	s.Run(t.installCmd(mode, ws, args), t.cache())
}

func (t nodeTool) installCmd(mode installMode, ws string, args []string) string {
	all := func() string {
		switch {
		case t.pm == Pnpm:
			return shellJoin("pnpm install --frozen-lockfile --store-dir="+pnpmStore, args)
		case t.berry:
			return shellJoin("yarn install --immutable", args)
		case t.pm == Yarn:
			return shellJoin("yarn install --frozen-lockfile", args)
		}
		return shellJoin("npm ci --no-audit --no-fund", args)
	}
	focus := func() string {
		if ws == "" {
			return "yarn workspaces focus --all --production"
		}
		return shellJoin("yarn --cwd", []string{ws}) + " workspaces focus --production"
	}
	switch mode {
	case installAll:
		return all()
	case installPrune:
		// The scripts ran in the first install, with the devDependencies
		// there; they are not run again without them.
		switch {
		case t.pm == Pnpm:
			return all() + " && pnpm prune --prod --ignore-scripts"
		case t.berry:
			return all() + " && YARN_ENABLE_SCRIPTS=false " + focus()
		case t.pm == Yarn:
			return all() + " && yarn install --frozen-lockfile --production --ignore-scripts"
		}
		return all() + " && npm prune --omit=dev --ignore-scripts --no-audit --no-fund"
	}
	switch {
	case t.pm == Pnpm:
		cmd := "pnpm install --frozen-lockfile --prod --store-dir=" + pnpmStore
		if ws != "" {
			cmd = shellJoin(cmd+" --filter", []string{"{" + ws + "}..."})
		}
		return shellJoin(cmd, args)
	case t.berry:
		return shellJoin(focus(), args)
	case t.pm == Yarn:
		return shellJoin("yarn install --frozen-lockfile --production", args)
	}
	cmd := "npm ci --omit=dev"
	if ws != "" {
		cmd = shellJoin(cmd, []string{"--workspace=" + ws})
	}
	return shellJoin(cmd+" --no-audit --no-fund", args)
}

// cache is the cache mount of the package manager's downloads.
func (t nodeTool) cache() multistage.RunOption {
	if t.berry {
		return multistage.CacheMount(berryFolder)
	}
	return NodeCache(t.pm)
}

// run runs a package.json script of the project, or of the workspace
// member ws after the members in deps (in that order), or through turbo,
// which finds what to build first itself. Without self, it runs the
// script of the members ws depends on and not ws's own, which it has not.
func (t nodeTool) run(script, ws string, deps []string, turbo, self bool) string {
	switch {
	case ws != "" && turbo:
		exec := "npx"
		switch t.pm {
		case Pnpm:
			exec = "pnpm exec"
		case Yarn:
			exec = "yarn"
		}
		// turbo runs the script of the members ws depends on first, as
		// turbo.json's dependsOn says, and skips those without it.
		return shellJoin(exec+" turbo run", []string{script, "--filter=./" + ws})
	case ws != "" && t.pm == Pnpm:
		// The selector {dir}... takes the member and the members it
		// depends on, {dir}^... only the latter; pnpm runs the script in
		// each that has it, in dependency order.
		sel := "{" + ws + "}..."
		if !self {
			sel = "{" + ws + "}^..."
		}
		return shellJoin("pnpm --filter", []string{sel, "run", script})
	}
	var cmds []string
	for _, d := range deps {
		cmds = append(cmds, t.runIn(script, d))
	}
	if self {
		cmds = append(cmds, t.runIn(script, ws))
	}
	return strings.Join(cmds, " && ")
}

// runIn runs a package.json script in the workspace member dir, or at the
// root for "".
func (t nodeTool) runIn(script, dir string) string {
	switch {
	case dir == "":
		return shellJoin(string(t.pm)+" run", []string{script})
	case t.pm == Pnpm:
		return shellJoin("pnpm --filter", []string{"{" + dir + "}", "run", script})
	case t.pm == Yarn:
		return shellJoin("yarn --cwd", []string{dir, "run", script})
	}
	return shellJoin("npm run", []string{script, "--workspace=" + dir})
}

// NodeCache is a cache mount on the download cache of a package manager
// as root in the node images: /root/.npm for npm,
// /usr/local/share/.cache/yarn for Yarn 1, and the pnpm store
// /root/.local/share/pnpm/store (the presets pass it to pnpm with
// --store-dir). An unknown package manager gets npm's. Yarn 2 and later
// keep their cache in their global folder, /root/.yarn/berry, which the
// presets mount instead.
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
