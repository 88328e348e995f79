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
var scriptRunners = []string{"run-s", "run-p", "npm-run-all", "npm-run-all2", "concurrently"}

// devScript is what devOnly found in a script: whether it only builds or
// watches assets or runs development servers, and the first development
// server it runs.
type devScript struct {
	pkg     packageJSON
	members []nodeMember // of the workspace, for pnpm --filter and yarn workspace
	seen    map[string]bool
	server  string // the first development server, "vite", "webpack serve"
	depth   int
	steps   int // scripts read, which the runners could make exponential
}

// devOnly reports whether a script of pkg is for development only, and
// the first development server it starts (or ""): each of its commands
// compiles style sheets (sass, less, stylus, postcss, tailwindcss), runs
// a tool other than a runtime in watch mode (--watch, -w, a watch
// subcommand: tsc -w, webpack --watch, gulp watch), starts a front-end
// tool's development server (webpack-dev-server, webpack serve, vite,
// next dev, ng serve, react-scripts start, vue-cli-service serve, parcel
// without build, ...), or runs other scripts of the package (npm run,
// yarn, pnpm, run-s, run-p, npm-run-all, concurrently) or of a member of
// its workspace (pnpm --filter, yarn workspace) that are. Such a start
// script ("npm run build-css && npm run watch-css", "npm-run-all
// --parallel watch webpack-dev-server") is a developer's asset watcher
// or dev server, often beside an application in another language, and
// starts no production server.
func devOnly(pkg packageJSON, members []nodeMember, script string) (ok bool, server string) {
	d := &devScript{pkg: pkg, members: members, seen: map[string]bool{}}
	ok = d.script(pkg, script)
	return ok, d.server
}

// script reports whether a script of pkg is for development only.
func (d *devScript) script(pkg packageJSON, script string) bool {
	d.depth++
	d.steps++
	defer func() { d.depth-- }()
	if d.depth > 16 || d.steps > 1000 {
		return false // runners of runners built to take for ever
	}
	cmds := regexp.MustCompile(`&&|\|\||[;|&]`).Split(script, -1)
	n := 0
	for _, c := range cmds {
		words := commandWords(c)
		if len(words) == 0 {
			continue
		}
		n++
		if !d.command(pkg, words) {
			return false
		}
	}
	return n > 0
}

// isWatch reports whether the arguments of a tool put it in watch mode:
// a watch flag or a watch subcommand.
func isWatch(args []string) bool {
	return watchFlag(args) || len(args) > 0 && args[0] == "watch"
}

// watchFlag reports whether arguments hold --watch or -w.
func watchFlag(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		return a == "--watch" || a == "-w" || strings.HasPrefix(a, "--watch=")
	})
}

// concurrentlyValueFlags are the options of concurrently that take a
// value.
var concurrentlyValueFlags = map[string]bool{"-n": true, "--names": true, "-c": true, "--prefix-colors": true, "-p": true, "--prefix": true,
	"-t": true, "--timestamp-format": true, "-s": true, "--success": true, "-m": true, "--max-processes": true, "--restart-tries": true,
	"--restart-after": true, "--default-input-target": true, "-l": true, "--prefix-length": true}

// shellWords splits s into words as a shell does, with single and
// double quotes (no escapes or expansions).
func shellWords(s string) []string {
	var out []string
	var w strings.Builder
	in, quote := false, rune(0)
	for _, c := range s {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(c)
		case c == '"' || c == '\'':
			quote, in = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				out = append(out, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(c)
			in = true
		}
	}
	if in {
		out = append(out, w.String())
	}
	return out
}

// command reports whether one command of a script of pkg is for
// development only, as devOnly says.
func (d *devScript) command(pkg packageJSON, words []string) bool {
	tool := path.Base(words[0])
	args := words[1:]
	all := args
	if tool == "concurrently" {
		args = shellWords(strings.Join(args, " "))
	}
	if s := devServerCommand(words); s != "" {
		if d.server == "" {
			d.server = s
		}
		return true
	}
	if i := slices.Index(args, "--"); i >= 0 && !slices.Contains(scriptRunners, tool) {
		args = args[:i] // the arguments passed on to a script
	}
	var scripts []string
	switch {
	case slices.Contains(styleTools, tool):
		return true
	case slices.Contains(nodeRuntimes, tool):
		return false
	case (tool == "npm" || tool == "pnpm" || tool == "yarn") && len(args) > 1 && (args[0] == "run" || args[0] == "run-script"):
		if watchFlag(all[2:]) {
			return true // npm run build -- --watch: the script in watch mode
		}
		scripts = []string{args[1]}
	case tool == "pnpm" && len(args) > 1 && (args[0] == "--filter" || args[0] == "-F" || strings.HasPrefix(args[0], "--filter=")),
		tool == "yarn" && len(args) > 2 && args[0] == "workspace":
		// pnpm --filter <member> <script>, yarn workspace <member> <script>
		name, rest := args[1], args[2:]
		if v, ok := strings.CutPrefix(args[0], "--filter="); ok {
			name, rest = v, args[1:]
		}
		if len(rest) > 0 && (rest[0] == "run" || rest[0] == "run-script") {
			rest = rest[1:]
		}
		m, ok := d.member(name)
		if !ok || len(rest) == 0 {
			return false
		}
		if watchFlag(rest[1:]) {
			return true
		}
		return d.run(m.pkg, m.pkg.Name, []string{rest[0]})
	case tool == "pnpm" && len(args) > 0 && pkg.Scripts[args[0]] != "":
		scripts = []string{args[0]}
	case slices.Contains(scriptRunners, tool):
		for i, a := range args {
			if strings.HasPrefix(a, "-") || tool == "concurrently" && i > 0 && concurrentlyValueFlags[args[i-1]] {
				continue
			}
			if tool == "concurrently" {
				// concurrently "npm:watch-*" "webpack serve": commands,
				// or scripts with npm: (yarn:, pnpm:).
				if _, s, ok := strings.Cut(a, ":"); ok && regexp.MustCompile(`^(npm|yarn|pnpm|bun):`).MatchString(a) {
					a = s
				} else {
					if !d.script(pkg, a) {
						return false
					}
					continue
				}
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
		if len(scripts) == 0 && tool != "concurrently" {
			return false
		}
	case pkg.Scripts[tool] != "" && !d.seen[pkg.Name+"\x00"+tool]:
		// yarn watch-css, from which commandWords dropped yarn.
		if watchFlag(args) {
			return true
		}
		scripts = []string{tool}
	default:
		return isWatch(args)
	}
	return d.run(pkg, pkg.Name, scripts)
}

// run reports whether the scripts of pkg are all for development only.
func (d *devScript) run(pkg packageJSON, id string, scripts []string) bool {
	slices.Sort(scripts)
	for _, s := range scripts {
		key := id + "\x00" + s
		if d.seen[key] || pkg.Scripts[s] == "" {
			return false // a script that runs itself, or none
		}
		d.seen[key] = true
		ok := d.script(pkg, pkg.Scripts[s])
		delete(d.seen, key)
		if !ok {
			return false
		}
	}
	return true
}

// member returns the member of the workspace that a pnpm --filter or
// yarn workspace argument names: by its package name, or by its
// directory (./viz-lib, {viz-lib}).
func (d *devScript) member(name string) (nodeMember, bool) {
	dir := path.Clean(strings.Trim(name, "{}"))
	for _, m := range d.members {
		if m.pkg.Name == name || m.dir == dir {
			return m, true
		}
	}
	return nodeMember{}, false
}

// devServers are the development servers of front-end tools, with the
// subcommands that start them ("" for the tool alone): a start script
// that runs one starts no production server.
var devServers = map[string][]string{
	"ng": {"serve"}, "vite": {"", "dev", "serve", "preview"}, "react-scripts": {"start"}, "webpack": {"serve"},
	"webpack-dev-server": {""}, "vue-cli-service": {"serve"}, "parcel": {"", "serve"}, "gatsby": {"develop"}, "ember": {"serve"},
	"astro": {"dev", "preview"}, "nuxt": {"dev"}, "nuxi": {"dev"}, "next": {"dev"}, "svelte-kit": {"dev"}, "rsbuild": {"dev", "preview"},
	"rspack": {"serve", "dev"}, "remix": {"dev"}, "vitepress": {"dev"}, "docusaurus": {"start"}, "umi": {"dev"}, "quasar": {"dev"},
}

// entryArgTools are the dev servers that take their entry or root as
// an argument (parcel index.html, vite src): any argument other than
// their other subcommands starts the server.
var entryArgTools = map[string][]string{
	"parcel": {"build", "watch"}, "vite": {"build", "optimize"}, "webpack-dev-server": {},
}

// devServerCommand returns the development server the words of one
// command start ("vite", "webpack serve"), or "".
func devServerCommand(words []string) string {
	if len(words) == 0 {
		return ""
	}
	tool := path.Base(words[0])
	sub := ""
	if len(words) > 1 && !strings.HasPrefix(words[1], "-") {
		sub = words[1]
	}
	if others, ok := entryArgTools[tool]; ok && sub != "" && !slices.Contains(others, sub) && !slices.Contains(devServers[tool], sub) {
		return tool
	}
	if slices.Contains(devServers[tool], sub) {
		return strings.TrimSpace(tool + " " + sub)
	}
	return ""
}

// devServer returns the development server the first command of a
// script starts, or "".
func devServer(script string) string {
	for _, c := range regexp.MustCompile(`&&|\|\||[;|]`).Split(script, -1) {
		if words := commandWords(c); len(words) > 0 {
			return devServerCommand(words)
		}
	}
	return ""
}
