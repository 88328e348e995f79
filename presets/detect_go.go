package presets

import (
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

var majorSuffixRe = regexp.MustCompile(`^v\d+$`)

// goTree is what the Go rules read: the build context and the modules
// under it whose go.mod files the build copies.
type goTree struct {
	// context is the build context, in the form of the directory given to
	// Detect (filepath.Join(dir, "..") for a workspace member).
	context string
	// modules are the modules copied before go mod download, by
	// directory relative to context ("." for the root), in the order of
	// go.work or with the main module first.
	modules []goModule
	// work is the go.work at the root of context, or nil.
	work *modfile.WorkFile
	// read says which files were read, for the reason.
	read []string
	// notes are remarks on the tree for every detection's reason.
	notes []string
}

// goModule is a module of a goTree.
type goModule struct {
	dir  string // relative to the context, slash-separated
	file *modfile.File
}

func (m goModule) path() string {
	if m.file.Module == nil {
		return ""
	}
	return m.file.Module.Mod.Path
}

// byPath returns the module of the tree whose path is the longest prefix
// of the import path, and the package's directory in it.
func (t *goTree) byPath(importPath string) (goModule, string, bool) {
	var best goModule
	found := false
	for _, m := range t.modules {
		mp := m.path()
		if mp == "" || (importPath != mp && !strings.HasPrefix(importPath, mp+"/")) {
			continue
		}
		if !found || len(mp) > len(best.path()) {
			best, found = m, true
		}
	}
	if !found {
		return goModule{}, "", false
	}
	return best, path.Join(best.dir, strings.TrimPrefix(importPath[len(best.path()):], "/")), true
}

// osPath is the OS path of rel, a directory relative to the context.
func (t *goTree) osPath(rel string) string {
	return filepath.Join(t.context, filepath.FromSlash(rel))
}

func detectGo(p *project) ([]Detection, error) {
	switch {
	case p.has("go.work"):
		t, err := readGoWorkspace(p.dir)
		if err != nil {
			return nil, err
		}
		if len(t.modules) == 0 {
			return []Detection{{Preset: PresetGo, Reason: strings.Join(t.read, ", ") + "; " + strings.Join(t.notes, "; ") + ": no module to build", Go: &GoOptions{Workspace: true}, Context: p.dir}}, nil
		}
		return t.detect(t.modules...), nil
	case p.has("go.mod"):
	default:
		return nil, nil
	}
	if t, member, err := enclosingGoWorkspace(p.dir); err != nil {
		return nil, err
	} else if t != nil {
		return t.detect(member), nil
	}
	t, err := readGoModuleTree(p.dir)
	if err != nil {
		return nil, err
	}
	return t.detect(t.modules[0]), nil
}

// parseGoMod parses a go.mod file, leniently when the strict parser
// refuses a directive newer than it knows.
func parseGoMod(name string, data []byte) (*modfile.File, error) {
	f, err := modfile.Parse(name, data, nil)
	if err != nil {
		var lerr error
		if f, lerr = modfile.ParseLax(name, data, nil); lerr != nil {
			return nil, fmt.Errorf("detect: %w", err)
		}
	}
	return f, nil
}

func readGoMod(dir, rel string) (*modfile.File, error) {
	name := filepath.Join(dir, filepath.FromSlash(rel), "go.mod")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	return parseGoMod(path.Join(rel, "go.mod"), data)
}

// readGoWorkspace reads the go.work in root and the go.mod of each module
// it uses. A used directory that holds no go.mod is left out, with a note.
func readGoWorkspace(root string) (*goTree, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	work, err := modfile.ParseWork("go.work", data, nil)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	t := &goTree{context: root, work: work}
	read := "go.work uses"
	for _, u := range work.Use {
		rel := cleanRel(filepath.ToSlash(u.Path))
		if path.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, "../") {
			t.notes = append(t.notes, "go.work uses "+u.Path+", outside the build context: left out")
			continue
		}
		f, err := readGoMod(root, rel)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				t.notes = append(t.notes, "go.work uses "+rel+", which has no go.mod: left out")
				continue
			}
			return nil, err
		}
		t.modules = append(t.modules, goModule{dir: rel, file: f})
		read += " " + rel
	}
	t.read = append(t.read, read)
	return t, nil
}

// enclosingGoWorkspace looks for a go.work in the directories above dir,
// up to the root of the repository (the directory holding .git), and
// returns its tree when it uses dir, with dir's module.
func enclosingGoWorkspace(dir string) (*goTree, goModule, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, goModule{}, nil
	}
	rel := ""
	up := dir
	for i := 0; i < 8; i++ {
		if _, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
			break
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			break
		}
		rel = path.Join(filepath.Base(abs), rel)
		abs = parent
		up = filepath.Join(up, "..")
		if _, err := os.Stat(filepath.Join(abs, "go.work")); err != nil {
			continue
		}
		t, err := readGoWorkspace(up)
		if err != nil {
			return nil, goModule{}, err
		}
		for _, m := range t.modules {
			if m.dir == rel {
				return t, m, nil
			}
		}
		// A go.work that does not use dir: the go command still finds it
		// and refuses to build dir; say so.
		return nil, goModule{}, fmt.Errorf("detect: %s is not used by %s: add it (go work use) or build with GOWORK=off", dir, filepath.Join(up, "go.work"))
	}
	return nil, goModule{}, nil
}

// readGoModuleTree reads the module in dir and the modules its local
// replace directives point to. When one is beside dir, not below it,
// the context moves up to their common parent.
func readGoModuleTree(dir string) (*goTree, error) {
	f, err := readGoMod(dir, ".")
	if err != nil {
		return nil, err
	}
	var targets []string // relative to dir, cleaned, may start with ../
	for _, r := range f.Replace {
		np := filepath.ToSlash(r.New.Path)
		if r.New.Version != "" || !(strings.HasPrefix(np, "./") || strings.HasPrefix(np, "../")) {
			continue
		}
		targets = append(targets, path.Clean(np))
	}
	// How far up the context must be: the most "../" of any target.
	levels := 0
	for _, tg := range targets {
		n := 0
		for rest := tg; rest == ".." || strings.HasPrefix(rest, "../"); rest = strings.TrimPrefix(strings.TrimPrefix(rest, ".."), "/") {
			n++
		}
		levels = max(levels, n)
	}
	t := &goTree{context: dir, read: []string{"go.mod"}}
	self := "."
	if levels > 0 {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("detect: %w", err)
		}
		parts := strings.Split(filepath.ToSlash(abs), "/")
		if levels >= len(parts)-1 {
			levels = 0
			t.notes = append(t.notes, "a replace directive points above the file system root: not copied")
		} else {
			self = strings.Join(parts[len(parts)-levels:], "/")
			t.context = filepath.Join(append([]string{dir}, slices.Repeat([]string{".."}, levels)...)...)
		}
	}
	t.modules = append(t.modules, goModule{dir: self, file: f})
	for _, tg := range targets {
		rel := path.Join(self, tg)
		if rel == ".." || strings.HasPrefix(rel, "../") {
			continue
		}
		mf, err := readGoMod(t.context, rel)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				t.notes = append(t.notes, "replace directive to "+tg+", which has no go.mod")
				continue
			}
			return nil, err
		}
		t.modules = append(t.modules, goModule{dir: rel, file: mf})
		t.read = append(t.read, path.Join(tg, "go.mod")+" (replace)")
	}
	return t, nil
}

// moduleDirs lists the directories of the tree's modules.
func (t *goTree) moduleDirs() []string {
	var out []string
	for _, m := range t.modules {
		out = append(out, m.dir)
	}
	return out
}

// goVersion is the Go version the build needs: the go directive of
// go.work in a workspace, else of the module's go.mod, as major.minor.
func (t *goTree) goVersion(m goModule) string {
	v := ""
	if t.work != nil && t.work.Go != nil {
		v = t.work.Go.Version
	} else if m.file != nil && m.file.Go != nil {
		v = m.file.Go.Version
	}
	if parts := strings.SplitN(v, ".", 3); len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}

// moduleBinary is the binary name for the module's root package: the
// last element of its path, without a major version suffix.
func moduleBinary(modPath string) string {
	parts := strings.Split(modPath, "/")
	if len(parts) > 1 && majorSuffixRe.MatchString(parts[len(parts)-1]) {
		parts = parts[:len(parts)-1]
	}
	return binaryName(parts[len(parts)-1])
}

// detect returns one detection per main package of the modules mods,
// the most likely first, each naming the others. A module with no main
// package gets a detection that says to set Package, unless others have
// main packages (the libraries of a workspace).
func (t *goTree) detect(mods ...goModule) []Detection {
	var mains []mainPackage
	for _, m := range mods {
		mains = append(mains, t.mainPackages(m)...)
	}
	slices.SortStableFunc(mains, func(a, b mainPackage) int { return a.rank - b.rank })
	if len(mains) == 0 {
		m := mods[0]
		o := t.baseOptions(m)
		o.Binary = moduleBinary(m.path())
		where := "in the module"
		if len(mods) > 1 {
			where = "in the workspace's modules"
			o.ModuleDir = ""
		}
		return []Detection{{Preset: PresetGo, Reason: t.head(m) + "; no main package " + where + ": set Package", Go: &o, Context: t.context}}
	}
	var out []Detection
	for i, mp := range mains {
		o := t.baseOptions(mp.mod)
		reason := t.head(mp.mod)
		if mp.dir == "." {
			o.Binary = moduleBinary(mp.mod.path())
			reason += ", main package at the module root"
		} else {
			o.Package = "./" + mp.dir
			o.Binary = binaryName(path.Base(mp.dir))
			reason += ", main package " + o.Package
			if mp.mod.dir != "." {
				reason += " of " + mp.mod.dir
			}
		}
		if len(mains) > 1 {
			var others []string
			for j, other := range mains {
				if j != i {
					others = append(others, other.name())
				}
			}
			reason += fmt.Sprintf(" (%d of %d main packages, %s; the others, each a detection of its own: %s)", i+1, len(mains), mp.why, listSome(others, 8))
		}
		a := t.analyze(mp.mod, mp.dir)
		reason += a.apply(&o)
		out = append(out, Detection{Preset: PresetGo, Reason: reason, Go: &o, Context: t.context})
	}
	return out
}

// head is the start of the reason of a detection in module m: what was
// read, the module, the Go version.
func (t *goTree) head(m goModule) string {
	head := strings.Join(t.read, ", ")
	if t.work != nil {
		head += "; " + path.Join(m.dir, "go.mod") + " declares " + m.path()
	} else {
		head += " declares module " + m.path()
	}
	if version := t.goVersion(m); version != "" {
		if t.work != nil {
			head += ", go.work: go " + version
		} else {
			head += ", go " + version
		}
	}
	for _, n := range t.notes {
		head += "; " + n
	}
	if t.vendored(m) {
		head += ", vendored dependencies (vendor/modules.txt)"
	}
	return head
}

// vendored reports whether module m vendors its dependencies. In a
// workspace, vendor/ of a module is not used (go work vendor makes its
// own at the root).
func (t *goTree) vendored(m goModule) bool {
	fi, err := os.Stat(filepath.Join(t.osPath(m.dir), "vendor", "modules.txt"))
	return err == nil && !fi.IsDir() && t.work == nil
}

// baseOptions are the options every detection in module m shares.
func (t *goTree) baseOptions(m goModule) GoOptions {
	o := GoOptions{Version: t.goVersion(m), Workspace: t.work != nil, Vendor: t.vendored(m)}
	if m.dir != "." {
		o.ModuleDir = m.dir
	}
	if t.work != nil || len(t.modules) > 1 {
		o.Modules = t.moduleDirs()
	}
	return o
}

// listSome joins the first n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

// mainPackage is a directory of a module that holds a main package.
type mainPackage struct {
	mod  goModule
	dir  string // relative to the module, "." for its root
	rank int
	why  string // why it ranks where it does
}

// serverNames are command names that say "this is the server".
var serverNames = []string{"server", "web", "api", "app", "serve", "service", "backend", "http", "httpd", "daemon"}

// toolDirs are directory names whose commands are rarely the application:
// examples, tools, test and build helpers.
var toolDirs = []string{"example", "examples", "_examples", "tools", "tool", "hack", "scripts", "script", "test", "tests", "e2e",
	"integration", "bench", "benchmark", "benchmarks", "docs", "doc", "contrib", "misc", "demo", "demos", "sample", "samples",
	"gen", "generate", "generator", "codegen", "internal", "testutil", "testing", "mock", "mocks", "dev"}

// mainPackages finds the main packages of module m, four directory
// levels deep at most, not descending into nested modules, vendor/,
// testdata/, node_modules/ and directories starting with '.' or '_',
// and ranks them: the module root; a command named like the module or a
// server; the other commands under cmd/; other directories; examples,
// tools and test helpers.
func (t *goTree) mainPackages(m goModule) []mainPackage {
	root := t.osPath(m.dir)
	modName := moduleBinary(m.path())
	var out []mainPackage
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel != "." {
			name := d.Name()
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "vendor" || name == "testdata" || name == "node_modules" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			if strings.Count(rel, "/") >= 4 {
				return filepath.SkipDir
			}
		}
		// An error about test files (cgo in a _test.go file) does not
		// stop go build; two packages in one directory does.
		pkg, err := goContext().ImportDir(p, 0)
		var multi *build.MultiplePackageError
		if pkg == nil || pkg.Name != "main" || errors.As(err, &multi) {
			return nil
		}
		mp := mainPackage{mod: m, dir: rel}
		elems := strings.Split(rel, "/")
		last := elems[len(elems)-1]
		if rel == "." && m.dir != "." {
			// A workspace member's root package: ranked by the member's
			// directory, as a command.
			elems = strings.Split(m.dir, "/")
			last = elems[len(elems)-1]
		}
		switch {
		case rel == "." && m.dir == ".":
			mp.rank, mp.why = 0, "at the module root"
		case slices.ContainsFunc(elems[:len(elems)-1], func(e string) bool { return slices.Contains(toolDirs, e) }):
			mp.rank, mp.why = 4, "under a directory of examples, tools or tests"
		case last == modName || slices.Contains(serverNames, last) || last == modName+"-server" || last == modName+"d":
			mp.rank, mp.why = 1, "named like the module or a server"
		case slices.Contains(toolDirs, last):
			mp.rank, mp.why = 4, "named like examples, tools or tests"
		case elems[0] == "cmd" || rel == ".":
			mp.rank, mp.why = 2, "a command"
		default:
			mp.rank, mp.why = 3, "outside cmd/"
		}
		out = append(out, mp)
		return nil
	})
	slices.SortStableFunc(out, func(a, b mainPackage) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if da, db := strings.Count(a.dir, "/"), strings.Count(b.dir, "/"); da != db {
			return da - db
		}
		return strings.Compare(a.dir, b.dir)
	})
	return out
}

// name is the main package's directory relative to the context.
func (mp mainPackage) name() string {
	if n := path.Join(mp.mod.dir, mp.dir); n != "." {
		return "./" + n
	}
	return "."
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
