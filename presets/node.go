package presets

import (
	"path"
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

// copyManifests copies package.json, the lockfile and extra files of the
// project in the context directory dir ("." for the root) into the working
// directory, which is the project's directory in the stage.
func (t nodeTool) copyManifests(s *multistage.Stage, dir string, extra []string) {
	if t.pm == Npm && t.lockfile == "package-lock.json" {
		s.Copy(inDir(dir, "package*.json"), "./")
	} else {
		s.Copy(inDir(dir, "package.json"), "./").Copy(inDir(dir, t.lockfile), "./")
	}
	for _, f := range extra {
		if dir == "." {
			copyInPlace(s, f)
			continue
		}
		// The working directory is /app/<dir>: --parents keeps the whole
		// context path under /app.
		s.Copy(inDir(dir, f), "/app/", multistage.Parents())
	}
}

// inDir returns the context path of p, relative to the context directory
// dir.
func inDir(dir, p string) string {
	return path.Join(dir, p)
}

// projectDir cleans a project directory of the context: "" and "./" are
// ".".
func projectDir(dir string) string {
	return strings.TrimPrefix(path.Clean("./"+dir), "/")
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
