package presets

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// styleTools are commands that compile style sheets and serve nothing.
var styleTools = []string{"sass", "node-sass", "lessc", "stylus", "postcss", "tailwindcss", "tailwind", "sass-embedded"}

// nodeRuntimes are commands that run a program, in watch mode too
// (node --watch, nodemon -w src): a script that runs one may start a
// server.
var nodeRuntimes = []string{"node", "nodemon", "node-dev", "ts-node", "ts-node-dev", "tsnd", "tsx", "bun", "deno", "pm2", "pm2-runtime", "forever", "babel-node"}

// scriptRunners are commands that run other scripts of the package.
var scriptRunners = []string{"run-s", "run-p", "npm-run-all", "npm-run-all2"}

// assetsOnly reports whether a script of pkg only builds or watches
// assets: each of its commands compiles style sheets (sass, less, stylus,
// postcss, tailwindcss), runs a tool other than a runtime in watch mode
// (--watch, -w, a watch subcommand: tsc -w, webpack --watch, gulp watch),
// or runs other scripts of the package (npm run, yarn, pnpm, run-s,
// run-p, npm-run-all) that do. Such a start script ("npm run build-css
// && npm run watch-css") is a developer's asset watcher, often beside an
// application in another language, and starts no server.
func assetsOnly(pkg packageJSON, script string) bool {
	return assetsOnlyIn(pkg, script, map[string]bool{})
}

func assetsOnlyIn(pkg packageJSON, script string, seen map[string]bool) bool {
	cmds := regexp.MustCompile(`&&|\|\||[;|&]`).Split(script, -1)
	n := 0
	for _, c := range cmds {
		words := commandWords(c)
		if len(words) == 0 {
			continue
		}
		n++
		if !assetCommand(pkg, words, seen) {
			return false
		}
	}
	return n > 0
}

// assetCommand reports whether one command of a script only builds or
// watches assets, as assetsOnly says.
func assetCommand(pkg packageJSON, words []string, seen map[string]bool) bool {
	tool := path.Base(words[0])
	args := words[1:]
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[:i] // the arguments passed on to a script
	}
	var scripts []string
	switch {
	case slices.Contains(styleTools, tool):
		return true
	case slices.Contains(nodeRuntimes, tool):
		return false
	case (tool == "npm" || tool == "pnpm" || tool == "yarn") && len(args) > 1 && (args[0] == "run" || args[0] == "run-script"):
		scripts = []string{args[1]}
	case tool == "pnpm" && len(args) > 0 && pkg.Scripts[args[0]] != "":
		scripts = []string{args[0]}
	case slices.Contains(scriptRunners, tool):
		for _, a := range args {
			if strings.HasPrefix(a, "-") {
				continue
			}
			if !strings.ContainsAny(a, "*?[") && pkg.Scripts[a] == "" {
				return false
			}
			for name := range pkg.Scripts {
				if ok, _ := path.Match(a, name); ok {
					scripts = append(scripts, name)
				}
			}
		}
		if len(scripts) == 0 {
			return false
		}
	case pkg.Scripts[tool] != "" && !seen[tool]:
		// yarn watch-css, from which commandWords dropped yarn.
		scripts = []string{tool}
	default:
		return slices.ContainsFunc(args, func(a string) bool {
			return a == "--watch" || a == "-w" || strings.HasPrefix(a, "--watch=")
		}) || len(args) > 0 && args[0] == "watch"
	}
	slices.Sort(scripts)
	for _, s := range scripts {
		if seen[s] {
			return false // a script that runs itself
		}
		seen[s] = true
		ok := assetsOnlyIn(pkg, pkg.Scripts[s], seen)
		delete(seen, s)
		if !ok {
			return false
		}
	}
	return true
}
