package presets

import (
	"cmp"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// pyLocked is a package of a lockfile that publishes CPython-specific
// wheels for Linux: the Pythons it installs on without a compiler.
type pyLocked struct {
	name, version string
	wheels        []pyWheel
}

// pyWheel is the tags of a wheel's file name
// ({name}-{version}(-{build})?-{python}-{abi}-{platform}.whl), each a
// list of the dot-separated tags it compresses.
type pyWheel struct{ python, abi, platform []string }

// parseWheel reads the tags of a wheel's file name or URL; ok is false
// for anything else (an sdist).
func parseWheel(file string) (w pyWheel, ok bool) {
	file = path.Base(strings.SplitN(file, "?", 2)[0])
	base, ok := strings.CutSuffix(file, ".whl")
	parts := strings.Split(base, "-")
	if !ok || len(parts) < 5 || len(parts) > 6 {
		return pyWheel{}, false
	}
	n := len(parts)
	return pyWheel{strings.Split(parts[n-3], "."), strings.Split(parts[n-2], "."), strings.Split(parts[n-1], ".")}, true
}

// linux says whether pip installs the wheel on a glibc Linux (the slim
// images): a manylinux, linux or any platform tag.
func (w pyWheel) linux() bool {
	return slices.ContainsFunc(w.platform, func(p string) bool {
		return p == "any" || strings.HasPrefix(p, "manylinux") || strings.HasPrefix(p, "linux_")
	})
}

// cpython returns the CPython minor versions the wheel's python tags name
// (cp310 → 10).
func (w pyWheel) cpython() []int {
	var out []int
	for _, t := range w.python {
		if rest, ok := strings.CutPrefix(t, "cp3"); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// covers says whether the wheel installs on CPython 3.minor: a pure wheel
// (py3, abi none), one built for cp3<minor>, or an abi3 wheel built for
// that or an older CPython.
func (w pyWheel) covers(minor int) bool {
	if slices.ContainsFunc(w.python, func(t string) bool { return strings.HasPrefix(t, "py") }) {
		return true
	}
	abi3 := slices.Contains(w.abi, "abi3")
	for _, m := range w.cpython() {
		if m == minor || abi3 && m < minor {
			return true
		}
	}
	return false
}

// covers says whether one of the package's Linux wheels installs on
// Python v ("3.10").
func (l pyLocked) covers(v string) bool {
	n, ok := parseVersion(v)
	if !ok || len(n) != 2 || n[0] != 3 {
		return false
	}
	return slices.ContainsFunc(l.wheels, func(w pyWheel) bool { return w.covers(n[1]) })
}

// pyLockEdge is a dependency of a locked package: its name, the extras
// it asks for and its environment marker.
type pyLockEdge struct {
	name   string
	extras []string
	marker string
}

// pyLockPackage is one [[package]] of poetry.lock or uv.lock.
type pyLockPackage struct {
	name, version, category, marker string
	files                           []string
	deps                            []pyLockEdge
	extras                          map[string][]pyLockEdge
}

// pythonMarker says whether an environment marker depends on the Python
// version: such a package is installed on some Pythons only, and its
// wheels say nothing about the others.
func pythonMarker(m string) bool { return strings.Contains(m, "python_") }

// lockedWheels reads the lockfile (poetry.lock or uv.lock, which name the
// files of each package) and returns the packages that the project's
// main dependencies install, unconditionally, and that have
// CPython-specific Linux wheels, sorted by name. It returns nil when the
// lockfile cannot be read.
func (py *pyProject) lockedWheels(lockfile string) []pyLocked {
	dir := py.p
	if py.root != "" {
		dir = &project{dir: py.root}
	}
	data, err := dir.read(lockfile)
	if err != nil {
		return nil
	}
	var pkgs map[string]pyLockPackage
	if lockfile == "uv.lock" {
		pkgs = parseUVLock(data)
	} else {
		pkgs = parsePoetryLock(data)
	}
	if pkgs == nil {
		return nil
	}
	// The packages the install reaches from the main dependencies; all
	// but the dev ones when Detect found none.
	installed := map[string]bool{}
	if len(py.deps) == 0 {
		for name, p := range pkgs {
			installed[name] = p.category != "dev" && !pythonMarker(p.marker)
		}
	} else {
		seen := map[string]bool{}
		var walk func(name string, extras []string)
		walk = func(name string, extras []string) {
			name = pyNormalize(name)
			p, ok := pkgs[name]
			key := name + "[" + strings.Join(extras, ",")
			if !ok || pythonMarker(p.marker) || seen[key] {
				return
			}
			seen[key], installed[name] = true, true
			edges := slices.Clone(p.deps)
			for _, e := range extras {
				edges = append(edges, p.extras[strings.ToLower(e)]...)
			}
			for _, e := range edges {
				if !pythonMarker(e.marker) {
					walk(e.name, e.extras)
				}
			}
		}
		for _, name := range slices.Sorted(maps.Keys(py.deps)) {
			walk(name, py.deps[name])
		}
	}
	var out []pyLocked
	for _, name := range slices.Sorted(maps.Keys(pkgs)) {
		p := pkgs[name]
		if !installed[name] {
			continue
		}
		l := pyLocked{name: p.name, version: p.version}
		specific := false
		for _, f := range p.files {
			if w, ok := parseWheel(f); ok && w.linux() {
				l.wheels = append(l.wheels, w)
				specific = specific || len(w.cpython()) > 0
			}
		}
		if specific {
			out = append(out, l)
		}
	}
	return out
}

// parsePoetryLock reads poetry.lock: the files of a package are in its
// files (lock format 2) or in [metadata.files] (Poetry 1.1).
func parsePoetryLock(data []byte) map[string]pyLockPackage {
	var lock struct {
		Package []struct {
			Name, Version string
			Category      any
			Markers       any
			Files         []struct{ File string }
			Dependencies  map[string]any
			Extras        map[string][]string
		}
		Metadata struct {
			Files map[string][]struct{ File string }
		}
	}
	if toml.Unmarshal(data, &lock) != nil {
		return nil
	}
	meta := map[string][]string{}
	for name, files := range lock.Metadata.Files {
		for _, f := range files {
			meta[pyNormalize(name)] = append(meta[pyNormalize(name)], f.File)
		}
	}
	out := map[string]pyLockPackage{}
	for _, p := range lock.Package {
		name := pyNormalize(p.Name)
		lp := pyLockPackage{name: p.Name, version: p.Version, extras: map[string][]pyLockEdge{}}
		lp.category, _ = p.Category.(string)
		lp.marker, _ = p.Markers.(string)
		for _, f := range p.Files {
			lp.files = append(lp.files, f.File)
		}
		if len(lp.files) == 0 {
			lp.files = meta[name]
		}
		for _, dep := range slices.Sorted(maps.Keys(p.Dependencies)) {
			// A dependency is a version, a table, or a list of tables
			// for different markers.
			specs, ok := p.Dependencies[dep].([]any)
			if !ok {
				specs = []any{p.Dependencies[dep]}
			}
			for _, s := range specs {
				e := pyLockEdge{name: dep}
				if t, ok := s.(map[string]any); ok {
					e.marker, _ = t["markers"].(string)
					if t["optional"] == true {
						continue // installed through an extra
					}
					e.extras = anyStrings(t["extras"])
				}
				lp.deps = append(lp.deps, e)
			}
		}
		for extra, reqs := range p.Extras {
			for _, r := range reqs {
				if m := pyNameRe.FindStringSubmatch(r); m != nil {
					lp.extras[strings.ToLower(extra)] = append(lp.extras[strings.ToLower(extra)], pyLockEdge{name: m[1]})
				}
			}
		}
		if _, dup := out[name]; !dup {
			out[name] = lp
		}
	}
	return out
}

// parseUVLock reads uv.lock. A package locked twice, for different
// Pythons (resolution-markers), is conditional: its marker says so.
func parseUVLock(data []byte) map[string]pyLockPackage {
	type edge struct {
		Name   string
		Extra  []string
		Marker string
	}
	var lock struct {
		Package []struct {
			Name, Version        string
			ResolutionMarkers    []string `toml:"resolution-markers"`
			Wheels               []struct{ URL, Path, Filename string }
			Dependencies         []edge
			OptionalDependencies map[string][]edge `toml:"optional-dependencies"`
		}
	}
	if toml.Unmarshal(data, &lock) != nil {
		return nil
	}
	conv := func(es []edge) []pyLockEdge {
		var out []pyLockEdge
		for _, e := range es {
			out = append(out, pyLockEdge{name: e.Name, extras: e.Extra, marker: e.Marker})
		}
		return out
	}
	out := map[string]pyLockPackage{}
	for _, p := range lock.Package {
		name := pyNormalize(p.Name)
		lp := pyLockPackage{name: p.Name, version: p.Version, deps: conv(p.Dependencies), extras: map[string][]pyLockEdge{}}
		if _, dup := out[name]; dup || len(p.ResolutionMarkers) > 0 && slices.ContainsFunc(p.ResolutionMarkers, pythonMarker) {
			lp.marker = "python_version" // locked per Python
		}
		for _, w := range p.Wheels {
			lp.files = append(lp.files, cmp.Or(w.Filename, w.URL, w.Path))
		}
		for extra, es := range p.OptionalDependencies {
			lp.extras[strings.ToLower(extra)] = conv(es)
		}
		out[name] = lp
	}
	return out
}

func anyStrings(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// wheelPython returns the newest of the versions (newest first) that
// every locked package has a wheel for, and the packages that have none
// for a newer one of them, to name in the reason. ok is false when no
// version is covered by all, or when the newest already is.
func wheelPython(versions []string, locked []pyLocked) (v string, limiting []string, ok bool) {
	for i, c := range versions {
		if !slices.ContainsFunc(locked, func(l pyLocked) bool { return !l.covers(c) }) {
			if i == 0 {
				return "", nil, false
			}
			for _, l := range locked {
				if !l.covers(versions[i-1]) {
					limiting = append(limiting, fmt.Sprintf("%s %s", l.name, l.version))
				}
			}
			return c, limiting, true
		}
	}
	return "", nil, false
}
