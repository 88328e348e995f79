package presets

import (
	"encoding/json"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Detect reads the configuration files of JavaScript tools (next.config.js,
// vite.config.ts, svelte.config.js, astro.config.mjs) as text, with
// regular expressions, not by running them: a value that the file
// computes (output: process.env.X ? 'standalone' : undefined) is not
// seen, and the reason says what was assumed.

// jsComments matches the comments of a JavaScript file: block comments,
// and line comments that start a line or follow a space (not the // of a
// URL in a string).
var jsComments = regexp.MustCompile(`(?s:/\*.*?\*/)|(?m:(^|[ \t;,{}()])//[^\n]*)`)

// readJSConfig returns the first of the files that exists in the project,
// with its comments removed, and its name.
func readJSConfig(p *project, names ...string) (string, string) {
	for _, n := range names {
		if !p.has(n) {
			continue
		}
		data, err := p.read(n)
		if err != nil {
			continue
		}
		return jsComments.ReplaceAllString(string(data), "$1"), n
	}
	return "", ""
}

// jsString returns the string literal value of the first property key:
// '...' in text, or "".
func jsString(text, key string) string {
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(key) + `\s*:\s*(?:'([^'\n]*)'|"([^"\n]*)"|` + "`([^`$\\n]*)`" + `)`)
	if m := re.FindStringSubmatch(text); m != nil {
		return m[1] + m[2] + m[3]
	}
	return ""
}

// nextConfig is what Detect reads in next.config.{js,mjs,ts,cjs}.
type nextConfig struct {
	file    string // the file read, "" for none
	output  string // "standalone", "export" or ""
	distDir string // "" for .next
	// computedOutput is set when the file sets output to a value it
	// computes (output: process.env.EXPORT ? 'export' : undefined).
	computedOutput bool
}

func readNextConfig(p *project) nextConfig {
	text, file := readJSConfig(p, "next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs", "next.config.mts")
	c := nextConfig{file: file, output: jsString(text, "output"), distDir: jsString(text, "distDir")}
	c.computedOutput = c.output == "" && regexp.MustCompile(`\boutput\b\s*[:,}]`).MatchString(text)
	return c
}

// computed says, for a reason, that the configuration computes output,
// which Detect does not run.
func (c nextConfig) computed() string {
	if c.computedOutput {
		return " that Detect can read (it computes output; assumed none)"
	}
	return ""
}

// viteOutDir returns the directory vite build writes, relative to the
// project, from vite.config.*: build.outDir (relative to root when the
// config sets one), or "dist".
func viteOutDir(p *project) (dir, file string) {
	text, file := readJSConfig(p, "vite.config.ts", "vite.config.js", "vite.config.mts", "vite.config.mjs", "vite.config.cts", "vite.config.cjs")
	out := or(jsString(text, "outDir"), "dist")
	if path.IsAbs(out) {
		return "", file
	}
	if root := jsString(text, "root"); root != "" && !path.IsAbs(root) {
		out = path.Join(root, out)
	}
	return path.Clean(out), file
}

// angularOutput returns the directory of the browser files of the
// application in angular.json: outputPath (a string, or {base,
// browser}), with the browser/ subdirectory that the application builder
// of Angular 17 and later adds, and the name of the project read.
func angularOutput(p *project) (dir, name string, ok bool) {
	data, err := p.read("angular.json")
	if err != nil {
		return "", "", false
	}
	var ws struct {
		DefaultProject string `json:"defaultProject"`
		Projects       map[string]struct {
			ProjectType string `json:"projectType"`
			Architect   map[string]struct {
				Builder string `json:"builder"`
				Options struct {
					OutputPath json.RawMessage `json:"outputPath"`
				} `json:"options"`
			} `json:"architect"`
			Targets map[string]struct {
				Builder string `json:"builder"`
				Options struct {
					OutputPath json.RawMessage `json:"outputPath"`
				} `json:"options"`
			} `json:"targets"`
		} `json:"projects"`
	}
	if json.Unmarshal(data, &ws) != nil {
		return "", "", false
	}
	names := make([]string, 0, len(ws.Projects))
	for n, proj := range ws.Projects {
		if proj.ProjectType == "" || proj.ProjectType == "application" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if slices.Contains(names, ws.DefaultProject) {
		names = []string{ws.DefaultProject}
	}
	if len(names) == 0 {
		return "", "", false
	}
	name = names[0]
	proj := ws.Projects[name]
	build, ok := proj.Architect["build"]
	if !ok {
		build = proj.Targets["build"]
	}
	application := strings.HasSuffix(build.Builder, ":application")
	var out, browser string
	browser = "browser"
	var s string
	var obj struct {
		Base    string  `json:"base"`
		Browser *string `json:"browser"`
	}
	switch {
	case json.Unmarshal(build.Options.OutputPath, &s) == nil:
		out = s
	case json.Unmarshal(build.Options.OutputPath, &obj) == nil:
		out = obj.Base
		if obj.Browser != nil {
			browser = *obj.Browser
		}
	}
	out = or(out, "dist/"+name)
	if application {
		out = path.Join(out, browser)
	}
	return path.Clean(out), name, true
}

// svelteKitAdapter returns the adapter svelte.config.js imports
// ("static", "node", "auto", ...) and, for adapter-static, the directory
// of its pages (option pages, default "build").
func svelteKitAdapter(p *project) (adapter, pages string) {
	text, _ := readJSConfig(p, "svelte.config.js", "svelte.config.mjs", "svelte.config.ts")
	m := regexp.MustCompile(`@sveltejs/adapter-([a-z-]+)`).FindStringSubmatch(text)
	if m == nil {
		return "", ""
	}
	adapter = m[1]
	if adapter == "static" {
		pages = or(jsString(text, "pages"), "build")
	}
	return adapter, pages
}

// astroConfig returns what astro.config.* says of the build: output
// ("server" for a server, "static" by default) and outDir.
func astroConfig(p *project) (output, outDir, file string) {
	text, file := readJSConfig(p, "astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts", "astro.config.cjs")
	return or(jsString(text, "output"), "static"), or(strings.TrimPrefix(jsString(text, "outDir"), "./"), "dist"), file
}

// Ports the start command or the server's code declares.
var (
	portFlag   = regexp.MustCompile(`(?:^|\s)(?:--port[= ]|-p[= ]?)(\d{2,5})\b`)
	portEnv    = regexp.MustCompile(`(?:^|\s)PORT=(\d{2,5})\b`)
	portInCode = regexp.MustCompile(`process\.env\.PORT\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})\b|\.listen\(\s*(\d{2,5})\b|\b(?:const|let|var)\s+(?i:port)\s*=\s*(\d{2,5})\b`)
	portDotenv = regexp.MustCompile(`(?m)^\s*(?:export\s+)?PORT\s*=\s*['"]?(\d{2,5})\b`)
)

// nodePort returns the port the server listens on, as the project says
// it, and where Detect read it: the start command (--port, -p, PORT=),
// the .env file, or the code of the entry file.
func nodePort(p *project, start string, entries []string) (int, string) {
	if m := portFlag.FindStringSubmatch(start); m != nil {
		return atoiPort(m[1]), "the start command's port"
	}
	if m := portEnv.FindStringSubmatch(start); m != nil {
		return atoiPort(m[1]), "the start command's PORT"
	}
	for _, f := range []string{".env", ".env.production"} {
		if p.has(f) {
			if data, err := p.read(f); err == nil {
				if m := portDotenv.FindSubmatch(data); m != nil {
					return atoiPort(string(m[1])), "PORT in " + f
				}
			}
		}
	}
	for _, f := range entries {
		if !p.exists(f, false) {
			continue
		}
		data, err := p.read(f)
		if err != nil || len(data) > 1<<20 {
			continue
		}
		if m := portInCode.FindSubmatch(jsComments.ReplaceAll(data, []byte("$1"))); m != nil {
			return atoiPort(string(m[1]) + string(m[2]) + string(m[3])), "the port in " + f
		}
	}
	return 0, ""
}

func atoiPort(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 65535 {
		return 0
	}
	return n
}
