package presets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// openProject returns the project in dir, with the entries of its root,
// or nil when dir cannot be read.
func openProject(dir string) *project {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	p := &project{dir: dir, fsys: os.DirFS(dir), files: map[string]fs.DirEntry{}}
	for _, e := range entries {
		p.files[e.Name()] = e
	}
	return p
}

// exists reports whether the slash path rel exists under the project's
// directory, as a directory when dir is set and as a file when not.
func (p *project) exists(rel string, dir bool) bool {
	fi, err := os.Stat(filepath.Join(p.dir, filepath.FromSlash(rel)))
	return err == nil && fi.IsDir() == dir
}

// nodeMember is a package of a workspace: its directory relative to the
// root of the workspace ("." for the root) and its package.json.
type nodeMember struct {
	dir string
	pkg packageJSON
	p   *project
}

// workspacePatterns returns the patterns of the workspace members that
// the project at p declares: pnpm-workspace.yaml's packages, or
// package.json's workspaces (a list, or Yarn 1's {"packages": [...]}),
// with the file it read them from. Patterns that start with "!" exclude.
func workspacePatterns(p *project, pkg packageJSON) ([]string, string) {
	if p.has("pnpm-workspace.yaml") {
		data, err := p.read("pnpm-workspace.yaml")
		if err == nil {
			return yamlList(data, "packages"), "pnpm-workspace.yaml"
		}
	}
	if len(pkg.Workspaces) == 0 {
		return nil, ""
	}
	var list []string
	if json.Unmarshal(pkg.Workspaces, &list) == nil {
		return list, "package.json workspaces"
	}
	var obj struct {
		Packages []string `json:"packages"`
	}
	if json.Unmarshal(pkg.Workspaces, &obj) == nil {
		return obj.Packages, "package.json workspaces"
	}
	return nil, ""
}

// yamlList reads the list under a top-level key of a simple YAML file:
//
//	packages:
//	  - "apps/*"
//	  - 'packages/**'
//	  - tools/cli   # a comment
//
// and the flow form "packages: [apps/*, packages/*]".
func yamlList(data []byte, key string) []string {
	var out []string
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") || strings.TrimSpace(line) == "" {
			continue
		}
		if !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "-") {
			k, v, ok := strings.Cut(line, ":")
			in = ok && strings.TrimSpace(k) == key
			if v = strings.TrimSpace(v); in && strings.HasPrefix(v, "[") {
				for _, item := range strings.Split(strings.Trim(v, "[]"), ",") {
					if item = unquote(strings.TrimSpace(item)); item != "" {
						out = append(out, item)
					}
				}
				in = false
			}
			continue
		}
		if in {
			if item, ok := strings.CutPrefix(strings.TrimSpace(line), "-"); ok {
				if item = unquote(strings.TrimSpace(item)); item != "" {
					out = append(out, item)
				}
			}
		}
	}
	return out
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// matchWorkspace reports whether the member directory rel (slash form,
// relative to the root) matches the workspace patterns: one including
// pattern matches it and no excluding one does. "*" matches one path
// element and "**" any number of them.
func matchWorkspace(patterns []string, rel string) bool {
	in := false
	for _, pat := range patterns {
		if neg, ok := strings.CutPrefix(pat, "!"); ok {
			if globMatch(cleanPattern(neg), rel) {
				return false
			}
			continue
		}
		if globMatch(cleanPattern(pat), rel) {
			in = true
		}
	}
	return in
}

// cleanPattern cleans a workspace pattern: "./apps/*/" is "apps/*", and
// a pattern of package.json files names their directories.
func cleanPattern(pat string) string {
	pat = strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+pat), "/"), "/package.json")
	return or(pat, ".")
}

// globMatch matches a slash path against a pattern whose elements are
// path.Match patterns or "**".
func globMatch(pattern, name string) bool {
	return globParts(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func globParts(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if globParts(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// workspaceMembers returns the members of the workspace at p, sorted by
// directory: the directories under it that match the patterns and hold a
// package.json. It does not look into node_modules or hidden directories.
func workspaceMembers(p *project, patterns []string) []nodeMember {
	var members []nodeMember
	_ = filepath.WalkDir(p.dir, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(p.dir, file)
		rel = filepath.ToSlash(rel)
		if !d.IsDir() || rel == "." {
			return nil
		}
		if name := d.Name(); name == "node_modules" || strings.HasPrefix(name, ".") || strings.Count(rel, "/") >= 6 {
			return fs.SkipDir
		}
		if !matchWorkspace(patterns, rel) {
			return nil
		}
		mp := openProject(file)
		if mp == nil || !mp.has("package.json") {
			return nil
		}
		data, err := mp.read("package.json")
		if err != nil {
			return nil
		}
		var pkg packageJSON
		if json.Unmarshal(data, &pkg) != nil {
			return nil
		}
		members = append(members, nodeMember{dir: rel, pkg: pkg, p: mp})
		return nil
	})
	return members
}

// findWorkspaceRoot looks in the directories above dir, up to the root of
// its repository (the directory with .git) or 8 levels, for the root of
// a workspace that has dir as a member. It returns the root, as a path of
// the same form as dir (dir joined with ".."s), and dir relative to it.
func findWorkspaceRoot(dir string) (root *project, rootPath, member string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", ""
	}
	up := dir
	for range 8 {
		if _, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
			return nil, "", ""
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return nil, "", ""
		}
		member = path.Join(filepath.Base(abs), member)
		abs = parent
		up = filepath.Join(up, "..")
		p := openProject(abs)
		if p == nil {
			return nil, "", ""
		}
		var pkg packageJSON
		if p.has("package.json") {
			if data, err := p.read("package.json"); err == nil {
				_ = json.Unmarshal(data, &pkg)
			}
		}
		if patterns, _ := workspacePatterns(p, pkg); len(patterns) > 0 && matchWorkspace(patterns, member) {
			return p, up, member
		}
	}
	return nil, "", ""
}

// localDeps returns the members of the workspace that m depends on,
// directly or not, in an order where each comes after those it depends
// on (a depth-first post-order, by name within a package).
func localDeps(members []nodeMember, m nodeMember) []nodeMember {
	byName := map[string]nodeMember{}
	for _, x := range members {
		if x.pkg.Name != "" {
			byName[x.pkg.Name] = x
		}
	}
	var out []nodeMember
	seen := map[string]bool{m.dir: true}
	var visit func(x nodeMember)
	visit = func(x nodeMember) {
		var names []string
		for _, deps := range []map[string]any{x.pkg.Dependencies, x.pkg.DevDependencies} {
			for n := range deps {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			d, ok := byName[n]
			if !ok || seen[d.dir] {
				continue
			}
			seen[d.dir] = true
			visit(d)
			out = append(out, d)
		}
	}
	visit(m)
	return out
}
