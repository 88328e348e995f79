package presets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/multistage/multistage"
)

// Names of the presets, as [Detection].Preset reports them.
const (
	PresetDotNet     = "dotnet"
	PresetGo         = "go"
	PresetNodeStatic = "node-static"
	PresetNodeServer = "node-server"
	PresetMaven      = "maven"
	PresetPython     = "python"
)

// Detection is a preset that fits a project directory, with the options
// [Detect] read from the project. Exactly one of the option fields is set,
// the one of Preset; the caller may change it before calling
// [Detection.Build].
type Detection struct {
	// Preset is the name of the preset: PresetGo, PresetDotNet, ...
	Preset string
	// Reason says which files made Detect choose the preset.
	Reason string

	// DotNet holds the options of a PresetDotNet detection.
	DotNet *DotNetOptions
	// Go holds the options of a PresetGo detection.
	Go *GoOptions
	// NodeStatic holds the options of a PresetNodeStatic detection.
	NodeStatic *NodeStaticOptions
	// NodeServer holds the options of a PresetNodeServer detection.
	NodeServer *NodeServerOptions
	// Maven holds the options of a PresetMaven detection.
	Maven *MavenOptions
	// Python holds the options of a PresetPython detection.
	Python *PythonOptions
}

// Build returns the build of the detected preset with its options. For a
// Detection that names no preset it returns an empty build, which
// [multistage.Build.Dockerfile] reports with [multistage.ErrNoStages].
func (d Detection) Build() *multistage.Build {
	switch {
	case d.DotNet != nil:
		return DotNet(*d.DotNet).Build
	case d.Go != nil:
		return Go(*d.Go).Build
	case d.NodeStatic != nil:
		return NodeStatic(*d.NodeStatic).Build
	case d.NodeServer != nil:
		return NodeServer(*d.NodeServer).Build
	case d.Maven != nil:
		return Maven(*d.Maven).Build
	case d.Python != nil:
		return Python(*d.Python).Build
	}
	return multistage.New()
}

// Detect looks at the project in dir and returns the presets that fit it,
// most specific first, each with the reason and the options read from the
// project:
//
//   - go.mod: [Go], with the Go version of its go directive, the main
//     package (the root or the one command under cmd/), the binary name
//     and whether dependencies are vendored;
//   - *.csproj, *.fsproj, *.vbproj or a solution: [DotNet], with the
//     project to publish (the ASP.NET Core one when there are several),
//     its assembly name and its .NET version;
//   - package.json with a "build" script: [NodeStatic]; with a "start"
//     script or a "main" file: [NodeServer]; both with the package manager
//     of the lockfile (or of the "packageManager" field) and the Node.js
//     version of .nvmrc or .node-version;
//   - pom.xml: [Maven], with the Maven wrapper when mvnw is there, the jar
//     name and the Java version from the POM;
//   - requirements.txt, or a pyproject.toml with a [project] or
//     [build-system] table: [Python], with the Python version
//     of .python-version, a wheels/ directory as --find-links, and the
//     entry point (app.py, main.py or the one [project.scripts] entry).
//
// A project can match several presets (a Go server with a web front end,
// a Node.js application with both scripts). Detect returns no error for a
// directory that matches nothing; it returns an error only when dir or a
// manifest in it cannot be read or parsed.
func Detect(dir string) ([]Detection, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	p := &project{dir: dir, fsys: os.DirFS(dir), files: map[string]fs.DirEntry{}}
	for _, e := range entries {
		p.files[e.Name()] = e
	}
	var out []Detection
	var errs []error
	for _, detect := range []func(*project) ([]Detection, error){detectGo, detectDotNet, detectNode, detectMaven, detectPython} {
		ds, err := detect(p)
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, ds...)
	}
	return out, errors.Join(errs...)
}

// project is the directory Detect looks at.
type project struct {
	dir   string
	fsys  fs.FS                  // the directory
	files map[string]fs.DirEntry // entries of the root
}

func (p *project) has(name string) bool {
	e, ok := p.files[name]
	return ok && !e.IsDir()
}

func (p *project) hasDir(name string) bool {
	e, ok := p.files[name]
	return ok && e.IsDir()
}

func (p *project) read(name string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(p.dir, filepath.FromSlash(name)))
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	// Editors on Windows start files with a byte order mark, which npm
	// and the other tools skip and encoding/json does not.
	return bytes.TrimPrefix(data, []byte("\ufeff")), nil
}

// glob returns the root files whose names match pattern, sorted.
func (p *project) glob(pattern string) []string {
	var out []string
	for name, e := range p.files {
		if ok, _ := path.Match(pattern, name); ok && !e.IsDir() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// firstLine returns the first non-empty line of a root file, trimmed, or "".
func (p *project) firstLine(name string) string {
	if !p.has(name) {
		return ""
	}
	data, err := p.read(name)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

var (
	goModuleRe    = regexp.MustCompile(`(?m)^module\s+"?([^\s"]+)"?`)
	goDirectiveRe = regexp.MustCompile(`(?m)^go\s+(\d+\.\d+)`)
	goMainRe      = regexp.MustCompile(`(?m)^package\s+main\b`)
	majorSuffixRe = regexp.MustCompile(`^v\d+$`)
)

func detectGo(p *project) ([]Detection, error) {
	if !p.has("go.mod") {
		return nil, nil
	}
	mod, err := p.read("go.mod")
	if err != nil {
		return nil, err
	}
	o := &GoOptions{}
	reason := "go.mod"
	if m := goModuleRe.FindSubmatch(mod); m != nil {
		module := string(m[1])
		reason += " declares module " + module
		parts := strings.Split(module, "/")
		if len(parts) > 1 && majorSuffixRe.MatchString(parts[len(parts)-1]) {
			parts = parts[:len(parts)-1]
		}
		o.Binary = binaryName(parts[len(parts)-1])
	}
	if m := goDirectiveRe.FindSubmatch(mod); m != nil {
		o.Version = string(m[1])
		reason += ", go " + o.Version
	}
	if !p.hasMain(".") {
		switch cmds := p.mainCommands(); len(cmds) {
		case 1:
			o.Package = "./cmd/" + cmds[0]
			o.Binary = binaryName(cmds[0])
			reason += ", main package " + o.Package
		case 0:
			reason += "; no main package at the root or under cmd/: set Package"
		default:
			reason += "; several commands under cmd/ (" + strings.Join(cmds, ", ") + "): set Package and Binary"
		}
	}
	if p.hasDir("vendor") {
		if _, err := os.Stat(filepath.Join(p.dir, "vendor", "modules.txt")); err == nil {
			o.Vendor = true
			reason += ", vendored dependencies"
		}
	}
	return []Detection{{Preset: PresetGo, Reason: reason, Go: o}}, nil
}

// hasMain reports whether the directory rel holds a Go main package.
func (p *project) hasMain(rel string) bool {
	entries, err := os.ReadDir(filepath.Join(p.dir, filepath.FromSlash(rel)))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(p.dir, filepath.FromSlash(rel), e.Name()))
		if err == nil && goMainRe.Match(data) {
			return true
		}
	}
	return false
}

// mainCommands lists the directories cmd/<name> that hold a main package.
func (p *project) mainCommands() []string {
	if !p.hasDir("cmd") {
		return nil
	}
	entries, err := os.ReadDir(filepath.Join(p.dir, "cmd"))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && p.hasMain("cmd/"+e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// binaryName keeps the characters of name that are safe in a file name.
func binaryName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return -1
	}, name)
	if name == "" || name == "." || name == ".." {
		return ""
	}
	return name
}

// msbuildProject is the part of a .csproj that Detect reads.
type msbuildProject struct {
	Sdk            string `xml:"Sdk,attr"`
	PropertyGroups []struct {
		AssemblyName     string `xml:"AssemblyName"`
		TargetFramework  string `xml:"TargetFramework"`
		TargetFrameworks string `xml:"TargetFrameworks"`
	} `xml:"PropertyGroup"`
}

var dotnetTFMRe = regexp.MustCompile(`^net(\d+\.\d+)$`)

func detectDotNet(p *project) ([]Detection, error) {
	projects := append(p.glob("*.csproj"), append(p.glob("*.fsproj"), p.glob("*.vbproj")...)...)
	solutions := append(p.glob("*.sln"), p.glob("*.slnx")...)
	if len(projects) == 0 && len(solutions) == 0 {
		return nil, nil
	}
	if len(projects) == 0 {
		// A solution with its projects in subdirectories, two levels at most
		// (src/Api/Api.csproj).
		for _, pattern := range []string{"*/*.??proj", "*/*/*.??proj"} {
			// fs.Glob on the directory, not filepath.Glob on a joined
			// path: the directory's own name may hold '[' or '*'.
			matches, err := fs.Glob(p.fsys, pattern)
			if err != nil {
				return nil, err
			}
			for _, rel := range matches {
				if fi, err := fs.Stat(p.fsys, rel); err != nil || fi.IsDir() {
					continue
				}
				if !strings.Contains(rel, "/bin/") && !strings.Contains(rel, "/obj/") {
					projects = append(projects, rel)
				}
			}
		}
		slices.Sort(projects)
	}
	o := &DotNetOptions{}
	reason := "found " + strings.Join(append(slices.Clone(solutions), projects...), ", ")
	// The entry project: the one ASP.NET Core project, else the one project.
	var chosen string
	var chosenProj msbuildProject
	for _, name := range projects {
		data, err := p.read(name)
		if err != nil {
			return nil, err
		}
		var proj msbuildProject
		if err := xml.Unmarshal(data, &proj); err != nil {
			return nil, fmt.Errorf("detect: %s: %w", name, err)
		}
		if strings.EqualFold(proj.Sdk, "Microsoft.NET.Sdk.Web") || len(projects) == 1 {
			if chosen == "" {
				chosen, chosenProj = name, proj
			}
		}
	}
	if chosen == "" {
		if len(solutions) == 1 {
			o.Project = solutions[0]
		}
		reason += "; no single ASP.NET Core project: set Project and AssemblyName"
		return []Detection{{Preset: PresetDotNet, Reason: reason, DotNet: o}}, nil
	}
	o.Project = chosen
	reason += "; publishing " + chosen
	for _, g := range chosenProj.PropertyGroups {
		if name := strings.TrimSpace(g.AssemblyName); name != "" {
			// MSBuild properties: the project's own name is known, any
			// other is not, and then the preset's default (the project
			// name) is a better guess than a name with "$(" in it.
			project := strings.TrimSuffix(path.Base(chosen), path.Ext(chosen))
			name = strings.ReplaceAll(name, "$(MSBuildProjectName)", project)
			if strings.Contains(name, "$(") {
				reason += "; AssemblyName " + g.AssemblyName + " uses MSBuild properties: set AssemblyName"
			} else {
				o.AssemblyName = name
			}
		}
		tfm := g.TargetFramework
		if tfm == "" && g.TargetFrameworks != "" {
			tfm = strings.Split(g.TargetFrameworks, ";")[0]
		}
		if m := dotnetTFMRe.FindStringSubmatch(strings.TrimSpace(tfm)); m != nil {
			o.Version = m[1]
			reason += ", " + m[0]
		}
	}
	return []Detection{{Preset: PresetDotNet, Reason: reason, DotNet: o}}, nil
}

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

// pom is the part of pom.xml that Detect reads.
type pom struct {
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Packaging  string `xml:"packaging"`
	Parent     struct {
		Version string `xml:"version"`
	} `xml:"parent"`
	Properties struct {
		Entries []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"properties"`
	Build struct {
		FinalName string `xml:"finalName"`
	} `xml:"build"`
}

var pomPropertyRe = regexp.MustCompile(`\$\{([^}]+)\}`)

func detectMaven(p *project) ([]Detection, error) {
	if !p.has("pom.xml") {
		return nil, nil
	}
	data, err := p.read("pom.xml")
	if err != nil {
		return nil, err
	}
	var x pom
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("detect: pom.xml: %w", err)
	}
	props := map[string]string{
		"project.artifactId": x.ArtifactID, "artifactId": x.ArtifactID, "pom.artifactId": x.ArtifactID,
		"project.version": or(x.Version, x.Parent.Version), "version": or(x.Version, x.Parent.Version), "pom.version": or(x.Version, x.Parent.Version),
	}
	for _, e := range x.Properties.Entries {
		props[e.XMLName.Local] = strings.TrimSpace(e.Value)
	}
	expand := func(s string) string {
		return pomPropertyRe.ReplaceAllStringFunc(s, func(m string) string {
			if v, ok := props[m[2:len(m)-1]]; ok {
				return v
			}
			return m
		})
	}
	o := &MavenOptions{Wrapper: p.has("mvnw") && p.hasDir(".mvn")}
	reason := "pom.xml"
	if o.Wrapper {
		reason += " with the Maven wrapper"
	}
	if packaging := or(x.Packaging, "jar"); packaging != "jar" {
		reason += "; packaging " + packaging + " is not a runnable jar: set Jar and RuntimeImage"
	} else {
		name := expand(x.Build.FinalName)
		if name == "" && x.ArtifactID != "" && props["project.version"] != "" {
			name = expand(x.ArtifactID + "-" + props["project.version"])
		}
		if name != "" && !strings.Contains(name, "${") {
			o.Jar = name + ".jar"
			reason += "; builds target/" + o.Jar
		}
	}
	for _, key := range []string{"maven.compiler.release", "java.version", "maven.compiler.target", "maven.compiler.source"} {
		if v := strings.TrimPrefix(expand(props[key]), "1."); v != "" && !strings.Contains(v, "${") {
			o.JavaVersion = v
			reason += ", Java " + v
			break
		}
	}
	return []Detection{{Preset: PresetMaven, Reason: reason, Maven: o}}, nil
}

var (
	tomlSectionRe = regexp.MustCompile(`^\s*\[([^\]]+)\]\s*(?:#.*)?$`)
	tomlKeyRe     = regexp.MustCompile(`^\s*"?([A-Za-z0-9_.\-]+)"?\s*=`)
	pyVersionRe   = regexp.MustCompile(`^(\d+\.\d+)`)
	nodeVersionRe = regexp.MustCompile(`^v?(\d+)(?:\.\d+){0,2}$`)
)

func detectPython(p *project) ([]Detection, error) {
	hasReq, hasProject := p.has("requirements.txt"), p.has("pyproject.toml")
	if !hasReq && !hasProject {
		return nil, nil
	}
	o := &PythonOptions{}
	var found []string
	if hasReq {
		found = append(found, "requirements.txt")
	}
	var scripts []string
	if hasProject {
		found = append(found, "pyproject.toml")
		data, err := p.read("pyproject.toml")
		if err != nil {
			return nil, err
		}
		section := ""
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := sc.Text()
			if m := tomlSectionRe.FindStringSubmatch(line); m != nil {
				section = strings.TrimSpace(m[1])
				if section == "project" || section == "build-system" {
					o.Project = true
				}
				continue
			}
			if m := tomlKeyRe.FindStringSubmatch(line); m != nil && section == "project.scripts" {
				scripts = append(scripts, m[1])
			}
		}
		if !o.Project && !hasReq {
			// A pyproject.toml with only tool settings (black, ruff) is
			// no installable project, and the preset would copy a
			// requirements.txt that is not there.
			return nil, nil
		}
	}
	reason := strings.Join(found, " and ")
	if o.Project {
		reason += "; installing the project"
		if hasReq {
			o.Requirements = "requirements.txt"
			reason += " with --no-deps after the pinned requirements"
		}
	}
	if v := pyVersionRe.FindString(p.firstLine(".python-version")); v != "" {
		o.Version = v
		reason += ", Python " + v
	}
	if p.hasDir("wheels") {
		if whl, _ := fs.Glob(p.fsys, "wheels/*.whl"); len(whl) > 0 {
			o.FindLinks = "wheels"
			reason += ", wheels/ as --find-links"
		}
	}
	switch {
	case o.Project && len(scripts) == 1:
		o.Cmd = []string{scripts[0]}
	case p.has("app.py"):
	case p.has("main.py"):
		o.Cmd = []string{"python", "main.py"}
	case p.has("manage.py"):
		o.Cmd = []string{"python", "manage.py", "runserver", "0.0.0.0:8000"}
		o.Port = 8000
	default:
		reason += "; no app.py or main.py: set Cmd"
	}
	if len(o.Cmd) > 0 {
		reason += "; runs " + strings.Join(o.Cmd, " ")
	} else if p.has("app.py") {
		reason += "; runs python app.py"
	}
	return []Detection{{Preset: PresetPython, Reason: reason, Python: o}}, nil
}
