package presets

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// goContext is the build context Detect reads Go packages with: the
// files that "go build" compiles for linux with cgo enabled.
func goContext() *build.Context {
	c := build.Default
	c.GOOS, c.GOARCH, c.CgoEnabled = "linux", "amd64", true
	c.GOPATH = ""
	return &c
}

// cgoModules are modules every package of which needs cgo (bindings to C
// libraries). A module in go.mod's require list (direct or indirect)
// counts. Pure Go alternatives such as modernc.org/sqlite,
// github.com/glebarez/sqlite and github.com/ncruces/go-sqlite3 do not.
var cgoModules = []string{
	"github.com/mattn/go-sqlite3",
	"github.com/rqlite/go-sqlite3",
	"github.com/mutecomm/go-sqlcipher",
	"github.com/xeodou/go-sqlcipher",
	"github.com/crawshaw/sqlite",
	"github.com/bvinc/go-sqlite-lite",
	"github.com/marcboeker/go-duckdb",
	"github.com/duckdb/duckdb-go",
	"github.com/confluentinc/confluent-kafka-go",
	"github.com/godror/godror",
	"github.com/mattn/go-oci8",
	"github.com/linxGnu/grocksdb",
	"github.com/tecbot/gorocksdb",
	"github.com/jmhodges/levigo",
	"github.com/DataDog/zstd",
	"github.com/valyala/gozstd",
	"github.com/libgit2/git2go",
	"github.com/go-gl/gl",
	"github.com/go-gl/glfw",
	"github.com/veandco/go-sdl2",
	"github.com/gotk3/gotk3",
	"github.com/diamondburned/gotk4",
	"github.com/mattn/go-gtk",
	"github.com/therecipe/qt",
	"fyne.io/fyne",
	"github.com/gen2brain/raylib-go",
	"github.com/hajimehoshi/ebiten",
	"github.com/gographics/imagick",
	"gopkg.in/gographics/imagick.v2",
	"gopkg.in/gographics/imagick.v3",
	"github.com/h2non/bimg",
	"github.com/davidbyttow/govips",
	"github.com/chai2010/webp",
	"github.com/kolesa-team/go-webp",
	"github.com/wtolson/go-taglib",
	"github.com/miekg/pkcs11",
	"github.com/ceph/go-ceph",
	"github.com/pebbe/zmq4",
	"github.com/zeromq/goczmq",
	"github.com/seccomp/libseccomp-golang",
	"github.com/yalue/onnxruntime_go",
	"github.com/go-vgo/robotgo",
	"github.com/karalabe/hid",
}

// cgoPackages are packages that need cgo in modules that are otherwise
// pure Go, and packages that wrap a cgo module (importing them is as
// good as importing it).
var cgoPackages = []string{
	"github.com/google/gopacket/pcap",
	"github.com/gopacket/gopacket/pcap",
	"github.com/coreos/go-systemd/sdjournal",
	"github.com/coreos/go-systemd/v22/sdjournal",
	"gorm.io/driver/sqlite",
	"github.com/jinzhu/gorm/dialects/sqlite",
	"github.com/golang-migrate/migrate/v4/database/sqlite3",
	"github.com/upper/db/v4/adapter/sqlite",
	"github.com/gobuffalo/pop",
}

// inModule reports whether the import path p is in module, or is it.
func inModule(p, module string) bool {
	return p == module || strings.HasPrefix(p, module+"/")
}

// goAnalysis is what Detect reads from the packages a main package is
// built from, within the modules of the build context.
type goAnalysis struct {
	cgo      string // why the build needs cgo, or ""
	port     int
	portWhy  string
	linkVars []GoLinkVar
	varsWhy  []string
	embeds   []goEmbed
	ui       []NodeBuildOptions
	uiWhy    []string
}

// goEmbed is a go:embed pattern that matches files another toolchain
// builds: a directory beside a package.json.
type goEmbed struct {
	pattern string // as written, in package dir
	pkgDir  string // the package, relative to the context
	uiDir   string // the directory of package.json, relative to the context
	outDir  string // the output directory the pattern reads, relative to the context
	script  string // the package.json script that writes outDir, when it is not "build"
}

// analyze reads the main package in dir of module m and the packages of
// the tree's modules it imports, transitively.
func (t *goTree) analyze(m goModule, dir string) goAnalysis {
	var a goAnalysis
	ctx := goContext()
	start := path.Join(m.dir, dir)
	queue := []string{start}
	seen := map[string]bool{start: true}
	external := map[string]bool{}
	var files []goFile
	for len(queue) > 0 && len(seen) < 5000 {
		rel := queue[0]
		queue = queue[1:]
		pkg, err := ctx.ImportDir(t.osPath(rel), build.ImportComment)
		var multi *build.MultiplePackageError
		if pkg == nil || pkg.Name == "" || errors.As(err, &multi) {
			continue
		}
		if a.cgo == "" && len(pkg.CgoFiles) > 0 {
			a.cgo = path.Join(rel, pkg.CgoFiles[0]) + ` imports "C"`
		}
		for _, name := range append(slices.Clone(pkg.GoFiles), pkg.CgoFiles...) {
			files = append(files, goFile{rel: path.Join(rel, name), main: rel == start, os: filepath.Join(pkg.Dir, name)})
		}
		for _, pattern := range pkg.EmbedPatterns {
			if e, ok := t.builtEmbed(rel, pattern); ok {
				a.embeds = append(a.embeds, e)
			}
		}
		for _, imp := range pkg.Imports {
			if _, pdir, ok := t.byPath(imp); ok {
				if !seen[pdir] {
					seen[pdir] = true
					queue = append(queue, pdir)
				}
				continue
			}
			if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
				external[imp] = true
				if a.cgo == "" && (slices.ContainsFunc(cgoPackages, func(c string) bool { return inModule(imp, c) }) ||
					slices.ContainsFunc(cgoModules, func(c string) bool { return inModule(imp, c) })) {
					a.cgo = path.Join(rel, importFile(pkg, imp)) + " imports " + imp + ", which needs cgo"
				}
			}
		}
	}
	if a.cgo == "" {
		a.cgo = t.cgoRequirement(m, external)
	}
	a.port, a.portWhy = goPort(files)
	if why := loopbackFlag(files); why != "" && !strings.Contains(a.portWhy, "loopback") {
		a.portWhy += "; " + why
	}
	if a.port == 0 {
		for _, dir := range []string{m.dir, "."} {
			if p, why := envFilePort(t.osPath(dir), dir); p > 0 {
				a.port, a.portWhy = p, why
				break
			}
		}
	}
	a.linkVars, a.varsWhy = goLinkVars(files)
	for _, e := range a.embeds {
		if slices.ContainsFunc(a.ui, func(o NodeBuildOptions) bool { return path.Join(o.Dir, o.OutputDir) == e.outDir }) {
			continue
		}
		ui, why := t.nodeUI(e)
		a.ui = append(a.ui, ui)
		a.uiWhy = append(a.uiWhy, why)
	}
	return a
}

// nodeUI returns the Node.js build of an embedded directory, with what
// Detect reads in the UI project (package manager, lockfile, Node.js
// version, build script, the workspace it is a member of).
func (t *goTree) nodeUI(e goEmbed) (NodeBuildOptions, string) {
	o := NodeBuildOptions{OutputDir: relFrom(e.uiDir, e.outDir), Script: e.script}
	if e.uiDir != "." {
		o.Dir = e.uiDir
	}
	why := e.pkgDir + " embeds " + strconv.Quote(e.pattern) + ", which " + path.Join(e.uiDir, "package.json") + " builds into " + e.outDir + ": a Node.js stage builds it (UI)"
	if manifest := path.Join(e.uiDir, "package.json"); t.dockerIgnored(manifest) {
		why += "; but .dockerignore leaves out " + manifest + ", so the build fails until that line goes (the project's own Dockerfile expects the UI built beforehand)"
	}
	found, err := Detect(t.osPath(e.uiDir))
	if err != nil {
		return o, why + " (" + err.Error() + ": check UI)"
	}
	for _, d := range found {
		if d.NodeStatic == nil {
			continue
		}
		n := d.NodeStatic
		root, err := filepath.Rel(t.context, d.Context)
		if root = filepath.ToSlash(root); err != nil || root == ".." || strings.HasPrefix(root, "../") {
			return o, why + "; the UI belongs to a Node.js workspace at " + d.Context + ", outside the build context: set UI"
		}
		o = nodeBuildOf(n)
		o.Dir = cleanRel(root)
		o.OutputDir = relFrom(path.Join(o.Dir, o.Workspace), e.outDir)
		if e.script != "" {
			o.Script = e.script
			why += ", with its script " + strconv.Quote(e.script)
		}
		if o.Dir == "." {
			o.Dir = ""
		}
		why += " with " + or(string(n.PackageManager), "npm")
		if n.Lockfile != "" {
			why += " (" + n.Lockfile + ")"
		}
		if n.Workspace != "" {
			why += ", as the member " + n.Workspace + " of the workspace at " + cleanRel(root)
		}
		return o, why
	}
	return o, why + "; its package.json has no build script Detect recognizes: set the UI's Script"
}

// nodeBuildOf is the Node.js build of a NodeStatic detection: the fields
// the two options share (TestNodeBuildOf checks that none is left out).
func nodeBuildOf(n *NodeStaticOptions) NodeBuildOptions {
	return NodeBuildOptions{Version: n.Version, PackageManager: n.PackageManager, PackageManagerVersion: n.PackageManagerVersion,
		Lockfile: n.Lockfile, InstallFiles: n.InstallFiles, InstallArgs: n.InstallArgs, InstallEnv: n.InstallEnv,
		Workspace: n.Workspace, WorkspaceDeps: n.WorkspaceDeps, Turbo: n.Turbo, Script: n.Script, OutputDir: n.OutputDir,
		CacheDirs: n.CacheDirs}
}

// dockerIgnored reports whether the .dockerignore of the context leaves
// out rel, a file relative to the context.
func (t *goTree) dockerIgnored(rel string) bool {
	return dockerIgnored(t.context, rel)
}

// dockerIgnored reports whether the .dockerignore of the build context in
// dir leaves out rel, a file relative to dir.
func dockerIgnored(dir, rel string) bool {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if err != nil {
		return false
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return false
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return false
	}
	ignored, _ := pm.MatchesOrParentMatches(rel)
	return ignored
}

// relFrom returns target relative to base, both cleaned slash paths
// relative to the same root: "dist" from "ui" to "ui/dist",
// "../server/dist" from "web" to "server/dist".
func relFrom(base, target string) string {
	if base == "." || base == "" {
		return target
	}
	if rel, ok := strings.CutPrefix(target, base+"/"); ok {
		return rel
	}
	return path.Join(strings.Repeat("../", strings.Count(base, "/")+1), target)
}

// importFile names the file of pkg that imports imp.
func importFile(pkg *build.Package, imp string) string {
	if pos := pkg.ImportPos[imp]; len(pos) > 0 {
		return filepath.Base(pos[0].Filename)
	}
	return ""
}

// cgoRequirement returns why the build needs cgo from go.mod: an
// indirect requirement of a cgo module (some dependency imports it, which
// Detect cannot see without the module cache), or a direct one whose
// packages the main package imports. A direct requirement the main
// package does not import is another command's.
func (t *goTree) cgoRequirement(m goModule, external map[string]bool) string {
	for _, r := range m.file.Require {
		mod := r.Mod.Path
		i := slices.IndexFunc(cgoModules, func(c string) bool { return inModule(mod, c) })
		if i < 0 {
			continue
		}
		if r.Indirect {
			return path.Join(m.dir, "go.mod") + " requires " + mod + " (indirect: through a dependency), which needs cgo"
		}
		for imp := range external {
			if inModule(imp, mod) {
				return path.Join(m.dir, "go.mod") + " requires " + mod + ", imported by the package, which needs cgo"
			}
		}
	}
	return ""
}

// builtEmbed reports whether a go:embed pattern of the package in pkgDir
// reads the output of a Node.js build: a directory the pattern names that
// is missing, ignored by git or holds only placeholders, directly in a
// directory with a package.json ("ui/dist" beside ui/package.json,
// "build/*" in a package beside its package.json), or else anywhere below
// the nearest package.json above the package.
func (t *goTree) builtEmbed(pkgDir, pattern string) (goEmbed, bool) {
	var lit []string // the literal leading elements of the pattern
	for _, e := range strings.Split(strings.TrimPrefix(pattern, "all:"), "/") {
		if strings.ContainsAny(e, "*?[\\") || e == "." || e == ".." || e == "" {
			break
		}
		lit = append(lit, e)
	}
	for k := 1; k <= len(lit); k++ {
		parent := path.Join(pkgDir, path.Join(lit[:k-1]...))
		out := path.Join(parent, lit[k-1])
		if fileExists(filepath.Join(t.osPath(parent), "package.json")) && builtOutput(t.osPath(out), t.osPath(parent), lit[k-1]) {
			return goEmbed{pattern: pattern, pkgDir: pkgDir, uiDir: parent, outDir: out}, true
		}
	}
	if len(lit) == 0 {
		return goEmbed{}, false
	}
	// A Node.js project elsewhere that writes there: a script with
	// --outDir=../server/web/dist, or outDir in its vite configuration.
	for k := len(lit); k >= 1; k-- {
		out := path.Join(pkgDir, path.Join(lit[:k]...))
		if ui, script, ok := t.nodeWriter(out); ok {
			return goEmbed{pattern: pattern, pkgDir: pkgDir, uiDir: ui, outDir: out, script: script}, true
		}
	}
	out := path.Join(pkgDir, lit[0])
	if _, err := os.Stat(t.osPath(out)); err == nil {
		return goEmbed{}, false
	}
	for d := path.Dir(pkgDir); d != "."; d = path.Dir(d) {
		if fileExists(filepath.Join(t.osPath(d), "package.json")) {
			return goEmbed{pattern: pattern, pkgDir: pkgDir, uiDir: d, outDir: out}, true
		}
	}
	if pkgDir != "." && fileExists(filepath.Join(t.context, "package.json")) {
		return goEmbed{pattern: pattern, pkgDir: pkgDir, uiDir: ".", outDir: out}, true
	}
	return goEmbed{}, false
}

// outDirRe matches the output directory in a build command or a bundler
// configuration: --outDir=x, --out-dir x, outDir: 'x', outputPath: "x".
var outDirRe = regexp.MustCompile(`(?:--out-?[dD]ir[= ]|outDir\s*:\s*|outputPath\s*:\s*)["']?([^"'\s,]+)`)

// nodeWriter finds the Node.js project, four directory levels deep at
// most, whose scripts or vite configuration write the directory out
// (relative to the context), and the script that does.
func (t *goTree) nodeWriter(out string) (string, string, bool) {
	var ui, script string
	_ = filepath.WalkDir(t.context, func(p string, d fs.DirEntry, err error) error {
		if err != nil || ui != "" {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(t.context, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" || name == "testdata" || strings.Count(rel, "/") >= 4) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "package.json" {
			return nil
		}
		dir := path.Dir(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		var pkg struct {
			Scripts map[string]string `json:"scripts"`
		}
		if json.Unmarshal(data, &pkg) != nil {
			return nil
		}
		names := slices.Sorted(maps.Keys(pkg.Scripts))
		for _, name := range names {
			for _, m := range outDirRe.FindAllStringSubmatch(pkg.Scripts[name], -1) {
				if path.Join(dir, m[1]) == out {
					ui, script = dir, name
					return filepath.SkipAll
				}
			}
		}
		for _, cfg := range []string{"vite.config.ts", "vite.config.js", "vite.config.mts", "vite.config.mjs"} {
			data, err := os.ReadFile(filepath.Join(filepath.Dir(p), cfg))
			if err != nil {
				continue
			}
			for _, m := range outDirRe.FindAllStringSubmatch(string(data), -1) {
				if path.Join(dir, m[1]) == out {
					ui = dir
					return filepath.SkipAll
				}
			}
		}
		return nil
	})
	return ui, script, ui != ""
}

// builtOutput reports whether dir looks like build output rather than
// sources: missing, holding only dot files and placeholders, or named in
// the .gitignore of the UI project.
func builtOutput(dir, uiDir, name string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return true
	}
	real := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && e.Name() != "README.md" {
			real++
		}
	}
	if real == 0 {
		return true
	}
	data, err := os.ReadFile(filepath.Join(uiDir, ".gitignore"))
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(data)) {
		l := strings.Trim(strings.TrimSpace(line), "/")
		if l == name {
			return true
		}
	}
	return false
}

func fileExists(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && !fi.IsDir()
}

// goFile is a Go source file of the analysed packages.
type goFile struct {
	rel  string // relative to the context
	os   string
	main bool // in the main package
}

// Patterns of the port a Go server listens on, strongest first. Each has
// the port as its last non-empty group.
var goPortPatterns = []struct {
	re   *regexp.Regexp
	what string
}{
	// http.ListenAndServe(":8080", …), r.Run(":8080"), e.Start(":1323"),
	// app.Listen(":3000"), net.Listen("tcp", ":8080").
	{regexp.MustCompile(`(?:ListenAndServe(?:TLS)?|\.Listen|\.Run|\.Start|\.Serve)\(\s*(?:"tcp[46]?"\s*,\s*)?"(?:0\.0\.0\.0|\[::\]|localhost|127\.0\.0\.1)?:(\d{2,5})"`), "listens on"},
	// http.Server{Addr: ":8080"}: only a listening address (no host), a
	// client's Addr names one ("localhost:6379").
	{regexp.MustCompile(`\bAddr(?:ess)?\s*:\s*"(?:0\.0\.0\.0|\[::\])?:(\d{2,5})"`), "listens on"},
	// flag.String("addr", ":8080", …), flag.Int("port", 8080, …),
	// pflag's IntVarP(&p, "port", "p", 8080, …), viper.SetDefault("http.port", 8080).
	{regexp.MustCompile(`(?i)"[\w.-]*(?:addr|port|listen|bind)[\w.-]*"\s*,\s*(?:"\w?"\s*,\s*)?(?:"(?:0\.0\.0\.0|\[::\]|localhost|127\.0\.0\.1)?:(\d{2,5})"|"(\d{2,5})"|(\d{2,5})\s*[,)])`), "has the default"},
	// envconfig:"PORT" default:"8080"
	{regexp.MustCompile("(?i)(?:env|envconfig)[:=]\"[\\w]*PORT\"[^`]*default[:=]\"(\\d{2,5})\""), "has the default"},
	// port := os.Getenv("PORT"); if port == "" { port = "8080" }
	{regexp.MustCompile(`(?s)Getenv\("[A-Z_]*PORT"\).{0,160}?"(?::)?(\d{2,5})"`), "defaults $PORT to"},
	// Configuration defaults: Server{Port: 80}, Port int `default:"8080"`.
	{regexp.MustCompile(`\b(?:HTTP|Http|Listen|Server)?Port\s*:\s*(\d{2,5})\s*[,}\n]`), "sets"},
	{regexp.MustCompile(`\b\w*Port\s+u?int\w*\s+` + "`" + `[^` + "`" + `]*default:"(\d{2,5})"`), "has the default"},
}

// nonHTTPPorts are the ports of databases and brokers, which a Go server
// names as a client, not as the port it listens on.
// loopbackFlagRe matches a flag or setting for the listen address whose
// default is the loopback interface: flags.StringP("address", "a",
// "127.0.0.1", …).
var loopbackFlagRe = regexp.MustCompile(`(?i)"[\w.-]*(?:addr|address|host|bind|listen)[\w.-]*"\s*,\s*(?:"\w?"\s*,\s*)?"(?:127\.0\.0\.1|localhost)"`)

// loopbackFlag says which file gives the listen address a loopback
// default, which nothing outside the container reaches.
func loopbackFlag(files []goFile) string {
	for _, f := range files {
		data, err := os.ReadFile(f.os)
		if err != nil {
			continue
		}
		if m := loopbackFlagRe.Find(data); m != nil {
			return f.rel + " has the listen address default `" + string(m) + "`, the loopback interface only, which nothing outside the container reaches: pass the address 0.0.0.0 (Args)"
		}
	}
	return ""
}

var loopbackRe = regexp.MustCompile(`"(?:localhost|127\.0\.0\.1):\d`)

var nonHTTPPorts = []int{5432, 3306, 6379, 27017, 9092, 2181, 11211, 5672, 4222, 1433, 1521, 9042, 26379, 9200}

// goPort finds the port the program listens on: the first match of the
// strongest pattern, in the main package first.
func goPort(files []goFile) (int, string) {
	ordered := slices.Clone(files)
	slices.SortStableFunc(ordered, func(a, b goFile) int {
		switch {
		case a.main == b.main:
			return 0
		case a.main:
			return -1
		}
		return 1
	})
	contents := make([]string, len(ordered))
	for i, f := range ordered {
		data, err := os.ReadFile(f.os)
		if err == nil {
			contents[i] = string(data)
		}
	}
	for _, pat := range goPortPatterns {
		for i, f := range ordered {
			for _, m := range pat.re.FindAllStringSubmatch(contents[i], -1) {
				p := lastGroup(m)
				n, err := strconv.Atoi(p)
				if err != nil || n <= 0 || n > 65535 || slices.Contains(nonHTTPPorts, n) {
					continue
				}
				why := f.rel + " " + pat.what + " `" + strings.Join(strings.Fields(m[0][:min(len(m[0]), 60)]), " ") + "`"
				if loopbackRe.MatchString(m[0]) {
					why += ", on the loopback interface only, which nothing outside the container reaches: make it listen on all interfaces (Args)"
				}
				return n, why
			}
		}
	}
	return 0, ""
}

func lastGroup(m []string) string {
	for i := len(m) - 1; i > 0; i-- {
		if m[i] != "" {
			return m[i]
		}
	}
	return ""
}

var envPortRe = regexp.MustCompile(`(?m)^\s*(?:export\s+)?PORT\s*=\s*["']?(\d{2,5})["']?\s*$`)

// envFilePort reads PORT from .env, .env.example or .env.sample in dir.
func envFilePort(dir, rel string) (int, string) {
	for _, name := range []string{".env", ".env.example", ".env.sample"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		if m := envPortRe.FindSubmatch(data); m != nil {
			if n, err := strconv.Atoi(string(m[1])); err == nil && n > 0 && n <= 65535 {
				return n, path.Join(rel, name) + " sets PORT=" + string(m[1]) + " (the image does not read it: the program's own default applies unless PORT is set)"
			}
		}
	}
	return 0, ""
}

// linkVarNames are the names of package-level string variables that
// release tooling (goreleaser, Makefiles) sets with -X.
var linkVarNames = []string{"version", "commit", "gitcommit", "revision", "date", "builddate", "buildtime"}

// goLinkVars finds the package-level string variables of the main
// package named version, commit, date and the like, and makes each a
// build arg with its value in the source as default.
func goLinkVars(files []goFile) ([]GoLinkVar, []string) {
	var vars []GoLinkVar
	var why []string
	fset := token.NewFileSet()
	for _, f := range files {
		if !f.main {
			continue
		}
		file, err := parser.ParseFile(fset, f.os, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !slices.Contains(linkVarNames, strings.ToLower(name.Name)) {
						continue
					}
					def, ok := stringVarValue(vs, i)
					if !ok {
						continue
					}
					vars = append(vars, GoLinkVar{Var: "main." + name.Name, Arg: argName(name.Name), Default: def})
					why = append(why, "main."+name.Name)
				}
			}
		}
	}
	return vars, why
}

// stringVarValue returns the value of the i-th name of a var spec when it
// is a string variable: declared "string" with no value, or set to a
// string literal.
func stringVarValue(vs *ast.ValueSpec, i int) (string, bool) {
	if len(vs.Values) == 0 {
		id, ok := vs.Type.(*ast.Ident)
		return "", ok && id.Name == "string"
	}
	if len(vs.Values) != len(vs.Names) {
		return "", false
	}
	if vs.Type != nil {
		if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "string" {
			return "", false
		}
	}
	lit, ok := vs.Values[i].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil || strings.ContainsAny(s, "'\n") {
		return "", false
	}
	return s, true
}

// argName makes a build arg name of a Go identifier: buildDate gives
// BUILD_DATE.
func argName(id string) string {
	var b strings.Builder
	for i, r := range id {
		if i > 0 && unicode.IsUpper(r) && !unicode.IsUpper(rune(id[i-1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// apply sets the options the analysis found and returns what to add to
// the reason.
func (a goAnalysis) apply(o *GoOptions) string {
	var r string
	if a.cgo != "" {
		o.CGO = true
		r += "; cgo: " + a.cgo + ", so CGO with glibc (" + string(GoDistrolessCC) + "); set Runtime to " + string(GoDebianSlim) + " for C libraries from Debian"
	} else {
		r += "; no cgo (no import \"C\", no cgo dependency in go.mod)"
	}
	if a.port > 0 {
		o.Port = a.port
		r += "; port " + strconv.Itoa(a.port) + ": " + a.portWhy
		if a.port < 1024 {
			r += "; a port below 1024, which the non-root user binds only where the runtime allows it (Docker does, Kubernetes by default does not): prefer the program's setting for a port above 1023"
		}
	} else {
		r += "; no port in the code: assumed 8080, set Port"
	}
	if len(a.linkVars) > 0 {
		o.LinkVars = a.linkVars
		r += "; -X build args for " + strings.Join(a.varsWhy, ", ")
	}
	o.UI = a.ui
	for _, why := range a.uiWhy {
		r += "; " + why
	}
	return r
}
