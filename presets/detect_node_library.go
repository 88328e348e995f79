package presets

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
)

// nodeSiteFrameworks are the dependencies that make a package a web site
// or a server whatever its package.json says of its entry points.
// Bundlers (vite, webpack, rollup) and UI libraries (react, vue) are not
// among them: libraries are built with them too.
var nodeSiteFrameworks = []string{"react-scripts", "@angular/cli", "@vue/cli-service", "gatsby", "astro", "@sveltejs/kit", "next", "nuxt",
	"ember-cli", "@11ty/eleventy", "vitepress", "@docusaurus/core", "@remix-run/dev", "@remix-run/serve", "html-webpack-plugin"}

// buildDirs are the directories that packages conventionally publish
// their built code from, checked in or not.
var buildDirs = []string{"dist", "build", "out", "lib", "es", "esm", "cjs", "umd", "types"}

// library reports whether the package is a library: a package with a
// build script whose main, module, types, typings or exports point into
// its build output (a directory absent from the sources, or one of
// buildDirs), and that has no HTML entry (index.html, public/index.html, src/index.html), no
// site framework, no server dependency and no angular.json. Such a
// package is built for other packages to import: its build output is
// no web site and its main is no server, so it gets no detection of its
// own, whatever bundler or UI library it builds with.
func (a *nodeApp) library() bool {
	pkg, p := a.pkg, a.m.p
	if _, ok := pkg.Scripts["build"]; !ok {
		return false
	}
	if pkg.has(nodeSiteFrameworks...) || pkg.has(nodeServerDeps...) || p.has("angular.json") ||
		p.has("index.html") || p.exists("public/index.html", false) || p.exists("src/index.html", false) {
		return false
	}
	entries := append([]string{pkg.Main, pkg.Module, pkg.Types, pkg.Typings}, exportsFiles(pkg.Exports)...)
	for _, e := range entries {
		top, _, nested := strings.Cut(path.Clean(strings.TrimPrefix(e, "./")), "/")
		if e == "" || !nested || top == ".." {
			continue
		}
		if slices.Contains(buildDirs, top) || !p.exists(top, true) {
			return true
		}
	}
	return false
}

// exportsFiles returns the files that the exports field of package.json
// names: a string, or the strings of its (nested) conditions and
// subpaths.
func exportsFiles(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(v[k])
			}
		}
	}
	walk(v)
	return out
}
