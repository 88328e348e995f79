package presets

import (
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
	"strconv"
	"strings"
)

// msbuildProject is the part of an MSBuild file (a project,
// Directory.Build.props) that Detect reads.
type msbuildProject struct {
	Sdk         string `xml:"Sdk,attr"`
	SdkElements []struct {
		Name string `xml:"Name,attr"`
	} `xml:"Sdk"`
	PropertyGroups []struct {
		AssemblyName     string `xml:"AssemblyName"`
		TargetFramework  string `xml:"TargetFramework"`
		TargetFrameworks string `xml:"TargetFrameworks"`
		OutputType       string `xml:"OutputType"`
		IsTestProject    string `xml:"IsTestProject"`
		IsAspireHost     string `xml:"IsAspireHost"`
	} `xml:"PropertyGroup"`
	ItemGroups []struct {
		PackageReferences []struct {
			Include string `xml:"Include,attr"`
		} `xml:"PackageReference"`
		ProjectReferences []struct {
			Include string `xml:"Include,attr"`
		} `xml:"ProjectReference"`
	} `xml:"ItemGroup"`
}

// property returns the last non-empty value of a property.
func (p *msbuildProject) property(get func(g int) string) string {
	v := ""
	for i := range p.PropertyGroups {
		if s := strings.TrimSpace(get(i)); s != "" {
			v = s
		}
	}
	return v
}

func (p *msbuildProject) sdks() []string {
	var out []string
	for _, s := range strings.Split(p.Sdk, ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, strings.Split(s, "/")[0])
		}
	}
	for _, e := range p.SdkElements {
		out = append(out, e.Name)
	}
	return out
}

func (p *msbuildProject) references(pkg string) bool {
	for _, g := range p.ItemGroups {
		for _, r := range g.PackageReferences {
			if strings.EqualFold(r.Include, pkg) {
				return true
			}
		}
	}
	return false
}

var (
	// msbuildNodeExecRe matches a target's command that runs a Node.js
	// package manager: <Exec WorkingDirectory="$(SpaRoot)" Command="npm install" />.
	msbuildNodeExecRe = regexp.MustCompile(`<Exec\b[^>]*\bCommand="((?:npm|npx|yarn|pnpm)\b[^"]*)"`)
	msbuildSpaRootRe  = regexp.MustCompile(`<SpaRoot>([^<]+)</SpaRoot>`)
)

var dotnetTFMRe = regexp.MustCompile(`^net(?:coreapp)?(\d+\.\d+)(?:-[\w.]+)?$`)

// dotnetKind is what a project builds, in the order Detect prefers.
type dotnetKind int

const (
	dotnetWeb     dotnetKind = iota // Microsoft.NET.Sdk.Web
	dotnetWorker                    // Microsoft.NET.Sdk.Worker
	dotnetConsole                   // OutputType Exe
	dotnetNone                      // a library, a test project, an Aspire app host
)

func (k dotnetKind) String() string {
	return [...]string{"web", "worker", "console", "not runnable"}[k]
}

// dotnetProject is a project file Detect read.
type dotnetProject struct {
	rel      string // relative to the context, slash-separated
	kind     dotnetKind
	kindWhy  string
	tfm      string // the .NET version of the highest target framework
	tfmName  string // that target framework, "net9.0"
	multiTFM bool   // the project targets several frameworks
	tfmFrom  string // the file the target framework came from
	assembly string
	refs     []string // ProjectReference paths, relative to the context
	proj     msbuildProject
	npm      string // the npm command a target of the project runs, if any
	spaRoot  string // the SpaRoot property, relative to the context
}

func (d dotnetProject) name() string {
	return strings.TrimSuffix(path.Base(d.rel), path.Ext(d.rel))
}

// dotnetTree is the build context of a .NET detection and the projects
// in it.
type dotnetTree struct {
	context  string // in the form of the directory given to Detect
	read     []string
	projects []dotnetProject
	notes    []string
	sdk      string // SDK image tag from global.json
	sdkWhy   string
}

func (t *dotnetTree) osPath(rel string) string {
	return filepath.Join(t.context, filepath.FromSlash(rel))
}

func detectDotNet(p *project) ([]Detection, error) {
	own := append(p.glob("*.csproj"), append(p.glob("*.fsproj"), p.glob("*.vbproj")...)...)
	solutions := append(p.glob("*.sln"), p.glob("*.slnx")...)
	if len(own) == 0 && len(solutions) == 0 {
		return nil, nil
	}
	t := &dotnetTree{context: p.dir}
	var rels []string // the projects to detect, relative to the context
	if len(own) > 0 {
		// A project directory: the context is the solution's root (or the
		// root of the MSBuild files above it) when there is one.
		up, prefix, why := dotnetRoot(p.dir, own)
		if up != "" {
			t.context = up
			t.notes = append(t.notes, why)
		}
		for _, o := range own {
			rels = append(rels, path.Join(prefix, o))
		}
	} else {
		listed, read, err := solutionProjects(p.dir, solutions)
		if err != nil {
			return nil, err
		}
		t.read = append(t.read, read...)
		rels = listed
		if len(rels) == 0 {
			var err error
			if rels, err = globProjects(p.fsys); err != nil {
				return nil, err
			}
			t.read = append(t.read, "projects in subdirectories: "+listSome(rels, 8))
		}
	}
	for _, rel := range rels {
		d, err := t.readProject(rel)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				t.notes = append(t.notes, rel+" is listed but missing")
				continue
			}
			return nil, err
		}
		t.projects = append(t.projects, d)
	}
	t.globalJSON()
	return t.detect(solutions), nil
}

// dotnetRoot looks above dir, up to the repository root (the directory
// holding .git) and six levels at most, for the directory the project
// must be built from: one with a solution that lists a project of dir, or
// else the highest one with files MSBuild or NuGet read for every project
// below them (Directory.Build.props, Directory.Packages.props,
// global.json, NuGet.config). It returns that directory in the form of
// dir, dir's path relative to it, and why; or "" when dir is the root.
func dotnetRoot(dir string, own []string) (string, string, string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", ""
	}
	rel, up := "", dir
	best, bestRel, why := "", "", ""
	for range 6 {
		if _, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
			break
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			break
		}
		rel = path.Join(filepath.Base(abs), rel)
		abs, up = parent, filepath.Join(up, "..")
		entries, err := os.ReadDir(abs)
		if err != nil {
			break
		}
		var sols []string
		shared := ""
		for _, e := range entries {
			n := e.Name()
			switch ext := path.Ext(n); {
			case ext == ".sln" || ext == ".slnx":
				sols = append(sols, n)
			case strings.HasPrefix(n, "Directory.") && (strings.HasSuffix(n, ".props") || strings.HasSuffix(n, ".targets")),
				n == "global.json", strings.EqualFold(n, "nuget.config"):
				shared = n
			}
		}
		if len(sols) > 0 {
			listed, _, _ := solutionProjects(up, sols)
			for _, o := range own {
				if slices.Contains(listed, path.Join(rel, o)) {
					return up, rel, "the solution " + path.Join(upRel(rel), sols[0]) + " lists " + path.Join(rel, o) + ": built from its directory"
				}
			}
		}
		if shared != "" {
			best, bestRel, why = up, rel, path.Join(upRel(rel), shared)+" applies to the project: built from its directory"
		}
	}
	return best, bestRel, why
}

// upRel is the way up from the directory rel: "../.." for "src/Api".
func upRel(rel string) string {
	return strings.TrimSuffix(strings.Repeat("../", strings.Count(rel, "/")+1), "/")
}

var slnProjectRe = regexp.MustCompile(`(?m)^Project\("\{[^}]*\}"\)\s*=\s*"[^"]*",\s*"([^"]+\.(?:cs|fs|vb)proj)"`)

// slnx is the part of an XML solution (.slnx) Detect reads.
type slnx struct {
	Projects []struct {
		Path string `xml:"Path,attr"`
	} `xml:"Project"`
	Folders []struct {
		Projects []struct {
			Path string `xml:"Path,attr"`
		} `xml:"Project"`
	} `xml:"Folder"`
}

// solutionProjects lists the projects of the solutions in dir, relative
// to dir, in the order of the files.
func solutionProjects(dir string, solutions []string) ([]string, []string, error) {
	var out, read []string
	add := func(p string) {
		p = path.Clean(strings.ReplaceAll(p, `\`, "/"))
		if !slices.Contains(out, p) && !strings.HasPrefix(p, "../") {
			out = append(out, p)
		}
	}
	for _, sol := range solutions {
		data, err := os.ReadFile(filepath.Join(dir, sol))
		if err != nil {
			return nil, nil, fmt.Errorf("detect: %w", err)
		}
		n := len(out)
		if path.Ext(sol) == ".slnx" {
			var x slnx
			if err := xml.Unmarshal(data, &x); err != nil && len(data) > 0 {
				return nil, nil, fmt.Errorf("detect: %s: %w", sol, err)
			}
			for _, p := range x.Projects {
				add(p.Path)
			}
			for _, f := range x.Folders {
				for _, p := range f.Projects {
					add(p.Path)
				}
			}
		} else {
			for _, m := range slnProjectRe.FindAllSubmatch(data, -1) {
				add(string(m[1]))
			}
		}
		read = append(read, fmt.Sprintf("%s (%d projects)", sol, len(out)-n))
	}
	return out, read, nil
}

// globProjects finds project files in subdirectories, three levels at
// most (src/Api/Api.csproj, src/Services/Api/Api.csproj), outside bin/,
// obj/ and hidden directories.
func globProjects(fsys fs.FS) ([]string, error) {
	var out []string
	for _, pattern := range []string{"*/*.??proj", "*/*/*.??proj", "*/*/*/*.??proj"} {
		// fs.Glob on the directory, not filepath.Glob on a joined path:
		// the directory's own name may hold '[' or '*'.
		matches, err := fs.Glob(fsys, pattern)
		if err != nil {
			return nil, err
		}
		for _, rel := range matches {
			if fi, err := fs.Stat(fsys, rel); err != nil || fi.IsDir() {
				continue
			}
			ext := path.Ext(rel)
			if ext != ".csproj" && ext != ".fsproj" && ext != ".vbproj" {
				continue
			}
			if slices.ContainsFunc(strings.Split(path.Dir(rel), "/"), func(e string) bool {
				return e == "bin" || e == "obj" || e == "node_modules" || strings.HasPrefix(e, ".")
			}) {
				continue
			}
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out, nil
}

// readProject reads a project file and the Directory.Build.props files
// above it, up to the context, for what it builds.
func (t *dotnetTree) readProject(rel string) (dotnetProject, error) {
	d := dotnetProject{rel: rel, kind: dotnetNone}
	data, err := os.ReadFile(t.osPath(rel))
	if err != nil {
		return d, fmt.Errorf("detect: %w", err)
	}
	data = trimBOM(data)
	if err := xml.Unmarshal(data, &d.proj); err != nil {
		return d, fmt.Errorf("detect: %s: %w", rel, err)
	}
	proj := &d.proj
	// Properties the project leaves unset come from the nearest
	// Directory.Build.props that sets them.
	var props []msbuildProject
	var propsFiles []string
	for dir := path.Dir(rel); ; dir = path.Dir(dir) {
		name := path.Join(dir, "Directory.Build.props")
		if data, err := os.ReadFile(t.osPath(name)); err == nil {
			var p msbuildProject
			if xml.Unmarshal(trimBOM(data), &p) == nil {
				props, propsFiles = append(props, p), append(propsFiles, name)
			}
		}
		if dir == "." {
			break
		}
	}
	prop := func(get func(p *msbuildProject, g int) string) (string, string) {
		if v := proj.property(func(g int) string { return get(proj, g) }); v != "" {
			return v, rel
		}
		for i := range props {
			if v := props[i].property(func(g int) string { return get(&props[i], g) }); v != "" {
				return v, propsFiles[i]
			}
		}
		return "", ""
	}
	tf, tfFrom := prop(func(p *msbuildProject, g int) string { return p.PropertyGroups[g].TargetFramework })
	if tf == "" {
		tf, tfFrom = prop(func(p *msbuildProject, g int) string { return p.PropertyGroups[g].TargetFrameworks })
	}
	n := 0
	var osOnly []string
	for _, f := range strings.Split(tf, ";") {
		if f = strings.TrimSpace(f); f != "" {
			n++
		}
		m := dotnetTFMRe.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		if strings.Contains(f, "-") {
			// net9.0-android, net9.0-windows10.0.19041.0: not for Linux.
			osOnly = append(osOnly, f)
			continue
		}
		if versionLess(d.tfm, m[1]) {
			d.tfm, d.tfmName, d.tfmFrom = m[1], f, tfFrom
		}
	}
	d.multiTFM = n > 1
	d.assembly, _ = prop(func(p *msbuildProject, g int) string { return p.PropertyGroups[g].AssemblyName })
	outputType, _ := prop(func(p *msbuildProject, g int) string { return p.PropertyGroups[g].OutputType })
	isTest, _ := prop(func(p *msbuildProject, g int) string { return p.PropertyGroups[g].IsTestProject })
	isHost, _ := prop(func(p *msbuildProject, g int) string { return p.PropertyGroups[g].IsAspireHost })
	sdks := proj.sdks()
	hasSdk := func(name string) bool {
		return slices.ContainsFunc(sdks, func(s string) bool { return strings.EqualFold(s, name) })
	}
	switch {
	case d.tfm == "" && len(osOnly) > 0:
		d.kindWhy = "targets " + strings.Join(osOnly, ", ") + " only, not Linux"
	case strings.EqualFold(isTest, "true") || proj.references("Microsoft.NET.Test.Sdk") || hasSdk("MSTest.Sdk"):
		d.kindWhy = "a test project"
	case strings.EqualFold(isHost, "true") || hasSdk("Aspire.AppHost.Sdk") || proj.references("Aspire.Hosting.AppHost"):
		d.kindWhy = "an Aspire app host, which runs the others in development"
	case hasSdk("Microsoft.NET.Sdk.Web"):
		d.kind, d.kindWhy = dotnetWeb, "Microsoft.NET.Sdk.Web"
	case hasSdk("Microsoft.NET.Sdk.Worker"):
		d.kind, d.kindWhy = dotnetWorker, "Microsoft.NET.Sdk.Worker"
	case strings.EqualFold(outputType, "Exe"):
		d.kind, d.kindWhy = dotnetConsole, "OutputType Exe"
	case hasSdk("Microsoft.NET.Sdk.BlazorWebAssembly"):
		d.kindWhy = "a Blazor WebAssembly client, served by a web project"
	default:
		d.kindWhy = "a library"
	}
	if m := msbuildNodeExecRe.FindSubmatch(data); m != nil {
		d.npm = string(m[1])
	}
	if m := msbuildSpaRootRe.FindSubmatch(data); m != nil {
		d.spaRoot = path.Join(path.Dir(rel), strings.ReplaceAll(strings.TrimSpace(string(m[1])), `\`, "/"))
	}
	for _, g := range proj.ItemGroups {
		for _, r := range g.ProjectReferences {
			inc := strings.ReplaceAll(r.Include, `\`, "/")
			d.refs = append(d.refs, path.Join(path.Dir(rel), inc))
		}
	}
	return d, nil
}

func trimBOM(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return data[3:]
	}
	return data
}

// versionLess compares dotted version numbers; "" is less than any.
func versionLess(a, b string) bool {
	if a == "" {
		return b != ""
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

// globalJSON reads the SDK that global.json pins and the image tag that
// satisfies it with its rollForward policy.
func (t *dotnetTree) globalJSON() {
	data, err := os.ReadFile(t.osPath("global.json"))
	if err != nil {
		return
	}
	var g struct {
		SDK struct {
			Version     string `json:"version"`
			RollForward string `json:"rollForward"`
		} `json:"sdk"`
	}
	if err := json.Unmarshal(jsoncToJSON(trimBOM(data)), &g); err != nil {
		t.notes = append(t.notes, "global.json: "+err.Error()+": SDK from the target framework")
		return
	}
	v, roll := strings.TrimSpace(g.SDK.Version), g.SDK.RollForward
	if v == "" {
		return
	}
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 3 {
		t.notes = append(t.notes, "global.json: sdk.version "+strconv.Quote(v)+" is not a full SDK version: ignored")
		return
	}
	if roll == "" {
		roll = "latestPatch"
	}
	switch strings.ToLower(roll) {
	case "patch", "latestpatch", "disable":
		// The feature band is fixed (8.0.1xx): no floating tag keeps it,
		// the SDK image of that exact version does.
		t.sdk = v
		t.sdkWhy = "SDK " + v + " from global.json (rollForward " + roll + " keeps its feature band: the image of that version)"
	default:
		t.sdk = parts[0] + "." + parts[1]
		t.sdkWhy = "SDK " + v + " from global.json (rollForward " + roll + ": the newest " + t.sdk + " SDK satisfies it)"
	}
	t.read = append(t.read, "global.json")
}

// jsoncToJSON drops the comments and trailing commas that .NET's JSON
// configuration files may hold.
func jsoncToJSON(data []byte) []byte {
	var out []byte
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString:
			out = append(out, c)
			if c == '\\' && i+1 < len(data) {
				out = append(out, data[i+1])
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
			out = append(out, c)
		case c == '/' && i+1 < len(data) && data[i+1] == '/':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			out = append(out, '\n')
		case c == '/' && i+1 < len(data) && data[i+1] == '*':
			end := strings.Index(string(data[i+2:]), "*/")
			if end < 0 {
				return out
			}
			i += end + 3
		case c == '}' || c == ']':
			// A trailing comma before the closing bracket.
			j := len(out) - 1
			for j >= 0 && (out[j] == ' ' || out[j] == '\t' || out[j] == '\n' || out[j] == '\r') {
				j--
			}
			if j >= 0 && out[j] == ',' {
				out = append(out[:j], out[j+1:]...)
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

// detect returns one detection per runnable project, web projects first,
// each naming the others; with none, one detection that says what to set.
func (t *dotnetTree) detect(solutions []string) []Detection {
	var runnable []dotnetProject
	for _, d := range t.projects {
		if d.kind != dotnetNone {
			runnable = append(runnable, d)
		}
	}
	slices.SortStableFunc(runnable, func(a, b dotnetProject) int {
		if a.kind != b.kind {
			return int(a.kind) - int(b.kind)
		}
		return dotnetNameRank(a, solutions) - dotnetNameRank(b, solutions)
	})
	var names []string
	for _, d := range t.projects {
		names = append(names, d.rel)
	}
	head := "found " + listSome(append(slices.Clone(t.read), names...), 10)
	if len(t.read) > 0 {
		head = "read " + strings.Join(t.read, ", ")
	}
	for _, n := range t.notes {
		head += "; " + n
	}
	if len(runnable) == 0 {
		o := &DotNetOptions{SDKVersion: t.sdk}
		if len(solutions) == 1 {
			o.Project = solutions[0]
		}
		var kinds []string
		for _, d := range t.projects {
			kinds = append(kinds, d.rel+" ("+d.kindWhy+")")
		}
		reason := head + "; no runnable project (web, worker or OutputType Exe)"
		if len(kinds) > 0 {
			reason += " among " + listSome(kinds, 8)
		}
		return []Detection{{Preset: PresetDotNet, Reason: reason + ": set Project and AssemblyName", DotNet: o, Context: t.context}}
	}
	var out []Detection
	for i, d := range runnable {
		o := &DotNetOptions{Project: d.rel, SDKVersion: t.sdk}
		reason := head + "; publishing " + d.rel + " (" + d.kind.String() + ": " + d.kindWhy
		if len(runnable) > 1 {
			var others []string
			for j, other := range runnable {
				if j != i {
					others = append(others, other.rel+" ("+other.kind.String()+")")
				}
			}
			reason += fmt.Sprintf("; %d of %d runnable projects, the others each a detection of its own: %s", i+1, len(runnable), listSome(others, 8))
		}
		reason += ")"
		if d.assembly != "" {
			name := strings.ReplaceAll(d.assembly, "$(MSBuildProjectName)", d.name())
			if strings.Contains(name, "$(") {
				reason += "; AssemblyName " + d.assembly + " uses MSBuild properties: set AssemblyName"
			} else if name != d.name() {
				o.AssemblyName = name
				reason += "; assembly " + name
			}
		}
		if d.tfm != "" {
			o.Version = d.tfm
			if o.SDKVersion == d.tfm {
				o.SDKVersion = ""
			}
			reason += "; .NET " + d.tfm + " (target framework in " + d.tfmFrom + ")"
			if d.multiTFM {
				// dotnet publish needs one framework (NETSDK1129).
				o.PublishArgs = []string{"-f", d.tfmName}
				reason += ", the highest of several: published with -f " + d.tfmName
			}
		} else {
			reason += "; no target framework found: .NET " + or(o.Version, defaultDotNetVersion) + " assumed, set Version"
		}
		if t.sdkWhy != "" {
			reason += "; " + t.sdkWhy
		}
		if missing := t.missingRefs(d); len(missing) > 0 {
			reason += "; references " + strings.Join(missing, ", ") + ", outside the build context or missing: Detect on their common parent"
		}
		if t.has("Directory.Packages.props") {
			reason += "; central package versions (Directory.Packages.props), copied before the restore"
		}
		switch d.kind {
		case dotnetWeb:
			p, why := t.dotnetPort(d)
			if p > 0 {
				o.Port = p
			}
			reason += "; " + why
		default:
			o.Port = -1
			reason += "; no port (not a web project)"
		}
		if d.npm != "" {
			o.NodeVersion = defaultNodeVersion
			from := ""
			if d.spaRoot != "" {
				if found, err := Detect(t.osPath(d.spaRoot)); err == nil {
					for _, nd := range found {
						if v := nodeVersionOf(nd); v != "" {
							o.NodeVersion, from = v, " (of "+d.spaRoot+")"
							break
						}
					}
				}
			}
			reason += "; its publish runs `" + d.npm + "`: Node.js " + o.NodeVersion + from + " in the SDK stage (NodeVersion)"
		}
		if hint := t.sqliteHint(d); hint != "" {
			reason += "; " + hint
		}
		out = append(out, Detection{Preset: PresetDotNet, Reason: reason, DotNet: o, Context: t.context})
	}
	return out
}

// dotnetNameRank ranks projects of one kind: named like the solution,
// then the names of a site or host, then of an API, then the rest, in
// the solution's order.
func dotnetNameRank(d dotnetProject, solutions []string) int {
	name := strings.ToLower(d.name())
	for _, s := range solutions {
		if strings.EqualFold(strings.TrimSuffix(s, path.Ext(s)), d.name()) {
			return 0
		}
	}
	for rank, suffixes := range [][]string{{"web", "webapp", "site", "server", "host", "app", "frontend"}, {"api", "webapi"}} {
		for _, suffix := range suffixes {
			if name == suffix || strings.HasSuffix(name, "."+suffix) {
				return rank + 1
			}
		}
	}
	return 3
}

func (t *dotnetTree) has(rel string) bool {
	_, err := os.Stat(t.osPath(rel))
	return err == nil
}

// missingRefs lists the projects d references, directly or not, that the
// build context does not hold.
func (t *dotnetTree) missingRefs(d dotnetProject) []string {
	var missing []string
	seen := map[string]bool{d.rel: true}
	queue := slices.Clone(d.refs)
	for len(queue) > 0 && len(seen) < 1000 {
		r := queue[0]
		queue = queue[1:]
		if seen[r] {
			continue
		}
		seen[r] = true
		if r == ".." || strings.HasPrefix(r, "../") || !t.has(r) {
			missing = append(missing, r)
			continue
		}
		if i := slices.IndexFunc(t.projects, func(p dotnetProject) bool { return p.rel == r }); i >= 0 {
			queue = append(queue, t.projects[i].refs...)
		} else if p, err := t.readProject(r); err == nil {
			queue = append(queue, p.refs...)
		}
	}
	return missing
}

var (
	// UseUrls("http://*:5000"), app.Run("http://0.0.0.0:5000"),
	// WebHost.UseUrls, ListenAnyIP(5000), Listen(IPAddress.Any, 5000).
	dotnetURLCodeRe    = regexp.MustCompile(`(?:UseUrls|\.Run|Urls\.Add)\(\s*"https?://[^":/]+:(\d{2,5})`)
	dotnetListenCodeRe = regexp.MustCompile(`\.Listen(?:AnyIP|Localhost)?\(\s*(?:IPAddress\.\w+\s*,\s*)?(\d{2,5})\b`)
	urlPortRe          = regexp.MustCompile(`^https?://[^/]*:(\d{2,5})`)
)

// dotnetPort finds the port a web project listens on in production:
// Kestrel endpoints or "Urls" in appsettings.json, then the code. It says
// what it read and that launchSettings.json, which only "dotnet run"
// reads, was not used.
func (t *dotnetTree) dotnetPort(d dotnetProject) (int, string) {
	dir := path.Dir(d.rel)
	note := ""
	if data, err := os.ReadFile(t.osPath(path.Join(dir, "Properties", "launchSettings.json"))); err == nil {
		if u := launchURL(data); u != "" {
			note = " (Properties/launchSettings.json's applicationUrl " + u + " is for dotnet run in development, not read)"
		}
	}
	if data, err := os.ReadFile(t.osPath(path.Join(dir, "appsettings.json"))); err == nil {
		var cfg map[string]json.RawMessage
		if json.Unmarshal(jsoncToJSON(trimBOM(data)), &cfg) == nil {
			for k, v := range cfg {
				if strings.EqualFold(k, "urls") {
					var s string
					if json.Unmarshal(v, &s) == nil {
						if m := urlPortRe.FindStringSubmatch(strings.Split(s, ";")[0]); m != nil {
							n, _ := strconv.Atoi(m[1])
							return n, "port " + m[1] + ": Urls in " + path.Join(dir, "appsettings.json") + note
						}
					}
				}
				if strings.EqualFold(k, "Kestrel") {
					if n, url := kestrelPort(v); n > 0 {
						return n, "port " + strconv.Itoa(n) + ": Kestrel endpoint " + url + " in " + path.Join(dir, "appsettings.json") + note
					}
				}
			}
		}
	}
	entries, _ := os.ReadDir(t.osPath(dir))
	for _, e := range entries {
		if e.IsDir() || (path.Ext(e.Name()) != ".cs" && path.Ext(e.Name()) != ".fs") {
			continue
		}
		data, err := os.ReadFile(t.osPath(path.Join(dir, e.Name())))
		if err != nil {
			continue
		}
		for _, re := range []*regexp.Regexp{dotnetURLCodeRe, dotnetListenCodeRe} {
			if m := re.FindSubmatch(data); m != nil {
				n, _ := strconv.Atoi(string(m[1]))
				return n, "port " + string(m[1]) + ": " + path.Join(dir, e.Name()) + " `" + string(m[0]) + "`" + note
			}
		}
	}
	return 0, "no port in appsettings.json or the code: ASP.NET Core's 8080 (ASPNETCORE_HTTP_PORTS)" + note
}

// kestrelPort returns the port of the first http endpoint of a Kestrel
// configuration section.
func kestrelPort(raw json.RawMessage) (int, string) {
	var k struct {
		Endpoints map[string]struct {
			URL string `json:"Url"`
		} `json:"Endpoints"`
	}
	if json.Unmarshal(raw, &k) != nil {
		return 0, ""
	}
	var names []string
	for name := range k.Endpoints {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		u := k.Endpoints[name].URL
		if m := urlPortRe.FindStringSubmatch(u); m != nil && strings.HasPrefix(u, "http://") {
			n, _ := strconv.Atoi(m[1])
			return n, u
		}
	}
	return 0, ""
}

// launchURL returns the first http applicationUrl of launchSettings.json.
func launchURL(data []byte) string {
	var ls struct {
		Profiles map[string]struct {
			ApplicationURL string `json:"applicationUrl"`
		} `json:"profiles"`
	}
	if json.Unmarshal(jsoncToJSON(trimBOM(data)), &ls) != nil {
		return ""
	}
	var names []string
	for name := range ls.Profiles {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, u := range strings.Split(ls.Profiles[name].ApplicationURL, ";") {
			if strings.HasPrefix(u, "http://") {
				return u
			}
		}
	}
	return ""
}

var sqliteSourceRe = regexp.MustCompile(`(?i)"[^"]*"\s*:\s*"[^"]*Data Source\s*=\s*([^;"]+\.(?:db|sqlite3?))`)

// sqliteHint says what to set when the project's connection strings name
// a SQLite file relative to the working directory, which the non-root
// user cannot create in /app.
func (t *dotnetTree) sqliteHint(d dotnetProject) string {
	data, err := os.ReadFile(t.osPath(path.Join(path.Dir(d.rel), "appsettings.json")))
	if err != nil {
		return ""
	}
	m := sqliteSourceRe.FindSubmatch(data)
	if m == nil {
		return ""
	}
	file := strings.TrimSpace(string(m[1]))
	if path.IsAbs(file) {
		return "SQLite file " + file + ": set WritableDirs to " + path.Dir(file)
	}
	return "SQLite file " + file + " under /app, which user " + DotNetUser + " cannot write: set WritableDirs (e.g. \"data\") and the connection string to a file in it (ConnectionStrings__<name>=\"Data Source=/app/data/" + path.Base(file) + "\")"
}

// nodeVersionOf is the Node.js version a Node detection read, or "".
func nodeVersionOf(d Detection) string {
	switch {
	case d.NodeStatic != nil:
		return d.NodeStatic.Version
	case d.NodeServer != nil:
		return d.NodeServer.Version
	}
	return ""
}
