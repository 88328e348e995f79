package presets

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
)

var nodeVersionRe = regexp.MustCompile(`^v?(\d+)(?:\.\d+){0,2}$`)

// packageJSON is the part of package.json that Detect reads.
type packageJSON struct {
	Main            string            `json:"main"`
	Scripts         map[string]string `json:"scripts"`
	Dependencies    map[string]any    `json:"dependencies"`
	DevDependencies map[string]any    `json:"devDependencies"`
	PackageManager  string            `json:"packageManager"`
}

// nodeServerDeps are dependencies that make a package a server.
var nodeServerDeps = []string{"express", "fastify", "koa", "@hapi/hapi", "@nestjs/core", "next", "nuxt", "@remix-run/serve", "hono"}

func detectNode(p *project) ([]Detection, error) {
	if !p.has("package.json") {
		return nil, nil
	}
	data, err := p.read("package.json")
	if err != nil {
		return nil, err
	}
	var pkg packageJSON
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, fmt.Errorf("detect: package.json: %w", err)
	}
	var pm PackageManager
	var lockfile string
	for _, name := range []string{"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"} {
		if p.has(name) {
			pm, lockfile = lockfiles[name], name
			break
		}
	}
	if lockfile == "" {
		if name, _, ok := strings.Cut(pkg.PackageManager, "@"); ok {
			pm = PackageManager(name)
		}
	}
	using := "npm"
	if pm != "" {
		using = string(pm)
	}
	if lockfile != "" {
		using += " (" + lockfile + ")"
	} else {
		using += " (no lockfile: the clean install will fail; commit one)"
	}
	// Only a version number names an image tag; aliases (lts/*, node,
	// stable) and ranges (>=18) are left to the default.
	var version string
	if m := nodeVersionRe.FindStringSubmatch(or(p.firstLine(".nvmrc"), p.firstLine(".node-version"))); m != nil {
		version = m[1]
	}

	hasDep := func(names ...string) bool {
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
	var static, server *Detection
	if _, ok := pkg.Scripts["build"]; ok {
		out := "dist"
		switch {
		case hasDep("react-scripts"):
			out = "build"
		case hasDep("next"):
			out = "out"
		}
		static = &Detection{Preset: PresetNodeStatic,
			Reason: "package.json has a build script; " + using + "; serving " + out + "/",
			NodeStatic: &NodeStaticOptions{Version: version, PackageManager: pm, Lockfile: lockfile, OutputDir: out,
				SPA: hasDep("react-router", "react-router-dom", "vue-router", "@angular/router", "svelte-spa-router")}}
	}
	_, hasStart := pkg.Scripts["start"]
	if hasStart || pkg.Main != "" {
		o := &NodeServerOptions{Version: version, PackageManager: pm, Lockfile: lockfile}
		reason := "package.json has a start script"
		if !hasStart {
			o.Entry = path.Clean(pkg.Main)
			reason = "package.json has main " + o.Entry
		}
		if _, ok := pkg.Scripts["build"]; ok {
			o.BuildScript = "build"
			reason += " and a build script"
		}
		server = &Detection{Preset: PresetNodeServer, Reason: reason + "; " + using, NodeServer: o}
	}
	var out []Detection
	switch {
	case server != nil && (hasDep(nodeServerDeps...) || static == nil):
		out = append(out, *server)
		if static != nil {
			out = append(out, *static)
		}
	case static != nil:
		out = append(out, *static)
		if server != nil {
			out = append(out, *server)
		}
	}
	return out, nil
}
