// pom.go reads Maven POMs for Detect: a module with the parents it
// inherits from on disk, and the modules of a reactor.

package presets

import (
	"bufio"
	"bytes"
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

// pom is the part of a pom.xml that Detect reads.
type pom struct {
	GroupID    string    `xml:"groupId"`
	ArtifactID string    `xml:"artifactId"`
	Version    string    `xml:"version"`
	Packaging  string    `xml:"packaging"`
	Parent     pomParent `xml:"parent"`
	Modules    []string  `xml:"modules>module"`
	Properties struct {
		Entries []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"properties"`
	Dependencies         []pomDependency `xml:"dependencies>dependency"`
	DependencyManagement struct {
		Dependencies []pomDependency `xml:"dependencies>dependency"`
	} `xml:"dependencyManagement"`
	Build    pomBuild     `xml:"build"`
	Profiles []pomProfile `xml:"profiles>profile"`
}

type pomParent struct {
	GroupID      string  `xml:"groupId"`
	ArtifactID   string  `xml:"artifactId"`
	Version      string  `xml:"version"`
	RelativePath *string `xml:"relativePath"`
}

type pomDependency struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Type       string `xml:"type"`
	Scope      string `xml:"scope"`
}

type pomBuild struct {
	FinalName        string          `xml:"finalName"`
	Plugins          []pomPlugin     `xml:"plugins>plugin"`
	Extensions       []pomDependency `xml:"extensions>extension"`
	PluginManagement struct {
		Plugins []pomPlugin `xml:"plugins>plugin"`
	} `xml:"pluginManagement"`
}

type pomPlugin struct {
	GroupID       string          `xml:"groupId"`
	ArtifactID    string          `xml:"artifactId"`
	Version       string          `xml:"version"`
	Inherited     string          `xml:"inherited"`
	Configuration pomConfig       `xml:"configuration"`
	Dependencies  []pomDependency `xml:"dependencies>dependency"`
	Executions    []struct {
		Configuration pomConfig `xml:"configuration"`
	} `xml:"executions>execution"`
}

// pomConfig is a plugin's configuration, kept as XML: each plugin has its
// own elements.
type pomConfig struct {
	Inner string `xml:",innerxml"`
}

type pomProfile struct {
	ID         string `xml:"id"`
	Activation struct {
		ActiveByDefault string `xml:"activeByDefault"`
		File            struct {
			Exists  string `xml:"exists"`
			Missing string `xml:"missing"`
		} `xml:"file"`
	} `xml:"activation"`
	Modules      []string        `xml:"modules>module"`
	Dependencies []pomDependency `xml:"dependencies>dependency"`
	Build        pomBuild        `xml:"build"`
}

var (
	pomPropertyRe = regexp.MustCompile(`\$\{([^}]+)\}`)
	bootVersionRe = regexp.MustCompile(`^(\d+)\.(\d+)`)
)

// mavenModel is a POM read from disk with the local parents it inherits
// from: the effective values Detect needs.
type mavenModel struct {
	dir   string // the module's directory, as Detect's paths go
	pom   *pom
	chain []*pom // the POM, then its local parents
	props map[string]string
}

// readPOM reads and parses the POM file at file.
func readPOM(file string) (*pom, error) {
	data, err := readFile(file)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	var x pom
	if err := xml.Unmarshal(bytes.TrimPrefix(data, []byte("\ufeff")), &x); err != nil {
		return nil, fmt.Errorf("detect: %s: %w", filepath.ToSlash(file), err)
	}
	return &x, nil
}

// loadMavenModel reads the POM of dir and the parents it finds on disk
// (<relativePath>, by default ../pom.xml, when that POM is the parent it
// names).
func loadMavenModel(dir string) (*mavenModel, error) {
	x, err := readPOM(filepath.Join(dir, "pom.xml"))
	if err != nil {
		return nil, err
	}
	m := &mavenModel{dir: dir, pom: x, chain: []*pom{x}}
	cur, curDir := x, dir
	for range 10 {
		if cur.Parent.ArtifactID == "" {
			break
		}
		rel := "../pom.xml"
		if cur.Parent.RelativePath != nil {
			rel = strings.TrimSpace(*cur.Parent.RelativePath)
		}
		if rel == "" {
			break
		}
		file := filepath.Join(curDir, filepath.FromSlash(rel))
		if fi, err := os.Stat(file); err == nil && fi.IsDir() {
			file = filepath.Join(file, "pom.xml")
		}
		parent, err := readPOM(file)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
		if parent.ArtifactID != cur.Parent.ArtifactID {
			break
		}
		// A POM of another group with the same artifactId is not the
		// parent: Maven takes the named one from the repository.
		if g, pg := strings.TrimSpace(cur.Parent.GroupID), strings.TrimSpace(or(parent.GroupID, parent.Parent.GroupID)); g != "" && pg != "" && g != pg {
			break
		}
		m.chain = append(m.chain, parent)
		cur, curDir = parent, filepath.Dir(file)
	}
	m.props = map[string]string{}
	for i := len(m.chain) - 1; i >= 0; i-- {
		for _, e := range m.chain[i].Properties.Entries {
			m.props[e.XMLName.Local] = strings.TrimSpace(e.Value)
		}
	}
	version := m.first(func(p *pom) string { return or(p.Version, p.Parent.Version) })
	group := m.first(func(p *pom) string { return or(p.GroupID, p.Parent.GroupID) })
	for _, prefix := range []string{"project.", "pom.", ""} {
		m.props[prefix+"artifactId"] = x.ArtifactID
		m.props[prefix+"version"] = version
		m.props[prefix+"groupId"] = group
	}
	m.props["project.parent.version"] = x.Parent.Version
	return m, nil
}

// first returns the first non-empty value of f along the chain.
func (m *mavenModel) first(f func(*pom) string) string {
	for _, p := range m.chain {
		if v := strings.TrimSpace(f(p)); v != "" {
			return v
		}
	}
	return ""
}

// expand replaces the ${properties} it knows in s.
func (m *mavenModel) expand(s string) string {
	for range 5 {
		next := pomPropertyRe.ReplaceAllStringFunc(s, func(ref string) string {
			if v, ok := m.props[ref[2:len(ref)-1]]; ok {
				return v
			}
			return ref
		})
		if next == s {
			break
		}
		s = next
	}
	return strings.TrimSpace(s)
}

// resolved returns expand(s), or "" while a property is left in it.
func (m *mavenModel) resolved(s string) string {
	if v := m.expand(s); !strings.Contains(v, "${") {
		return v
	}
	return ""
}

// profileActive says whether a profile is active when Maven builds the
// module in m.dir: by default, or by a file that exists (or is missing)
// relative to the module, as Maven evaluates a parent's profiles for each
// child.
func (m *mavenModel) profileActive(pr pomProfile) bool {
	a := pr.Activation
	if strings.TrimSpace(a.ActiveByDefault) == "true" {
		return true
	}
	fileCheck := func(p string) (bool, bool) {
		p = strings.TrimSpace(strings.NewReplacer("${basedir}", "", "${project.basedir}", "").Replace(p))
		if p == "" || strings.Contains(p, "${") {
			return false, false
		}
		_, err := os.Stat(filepath.Join(m.dir, filepath.FromSlash(strings.TrimPrefix(p, "/"))))
		return err == nil, true
	}
	if ok, known := fileCheck(a.File.Exists); known {
		return ok
	}
	if ok, known := fileCheck(a.File.Missing); known {
		return !ok
	}
	return false
}

// plugins returns the build plugins of the module: its own, those of its
// active profiles, and those its local parents declare (unless
// <inherited>false</inherited>), with the configuration of the matching
// pluginManagement entries appended, as Maven merges them.
func (m *mavenModel) plugins() []pomPlugin {
	var out []pomPlugin
	var managed []pomPlugin
	for i, p := range m.chain {
		builds := []pomBuild{p.Build}
		for _, pr := range p.Profiles {
			if m.profileActive(pr) {
				builds = append(builds, pr.Build)
			}
		}
		for _, b := range builds {
			managed = append(managed, b.PluginManagement.Plugins...)
			for _, pl := range b.Plugins {
				if i > 0 && strings.TrimSpace(pl.Inherited) == "false" {
					continue
				}
				out = append(out, pl)
			}
		}
	}
	for i := range out {
		for _, mp := range managed {
			if mp.ArtifactID == out[i].ArtifactID {
				out[i].Configuration.Inner += mp.Configuration.Inner
				out[i].Executions = append(out[i].Executions, mp.Executions...)
				if out[i].Version == "" {
					out[i].Version = mp.Version
				}
			}
		}
	}
	return out
}

// profilePlugin returns the id of a profile of the module's POM, not
// active by default, whose build has the plugin with artifactId id, or
// "".
func (m *mavenModel) profilePlugin(id string) string {
	for _, pr := range m.pom.Profiles {
		if m.profileActive(pr) {
			continue
		}
		for _, pl := range pr.Build.Plugins {
			if pl.ArtifactID == id {
				return strings.TrimSpace(pr.ID)
			}
		}
	}
	return ""
}

// plugin returns the build plugin with artifactId id, if the module has it.
func (m *mavenModel) plugin(id string) (pomPlugin, bool) {
	for _, p := range m.plugins() {
		if p.ArtifactID == id {
			return p, true
		}
	}
	return pomPlugin{}, false
}

// config returns the text of the first <name> element in the plugin's
// configuration (or one of its executions'), expanded.
func (m *mavenModel) config(pl pomPlugin, name string) string {
	all := []string{pl.Configuration.Inner}
	for _, e := range pl.Executions {
		all = append(all, e.Configuration.Inner)
	}
	re := regexp.MustCompile(`<` + regexp.QuoteMeta(name) + `>\s*([^<]*?)\s*</` + regexp.QuoteMeta(name) + `>`)
	for _, c := range all {
		if sm := re.FindStringSubmatch(c); sm != nil {
			return m.expand(sm[1])
		}
	}
	return ""
}

// springBootVersion returns the Spring Boot version the module builds
// with: of the Spring Boot parent, the imported spring-boot-dependencies,
// or the spring-boot-maven-plugin; "" when it is not a Spring Boot
// module.
func (m *mavenModel) springBootVersion() string {
	for _, p := range m.chain {
		if p.Parent.GroupID == "org.springframework.boot" && (p.Parent.ArtifactID == "spring-boot-starter-parent" || p.Parent.ArtifactID == "spring-boot-dependencies") {
			return m.resolved(p.Parent.Version)
		}
	}
	for _, p := range m.chain {
		for _, d := range p.DependencyManagement.Dependencies {
			if d.GroupID == "org.springframework.boot" && d.ArtifactID == "spring-boot-dependencies" {
				return m.resolved(d.Version)
			}
		}
	}
	if pl, ok := m.plugin("spring-boot-maven-plugin"); ok {
		return m.resolved(pl.Version)
	}
	return ""
}

// bootAtLeast says whether Spring Boot version v is major.minor or later.
func bootAtLeast(v string, major, minor int) bool {
	sm := bootVersionRe.FindStringSubmatch(v)
	if sm == nil {
		return false
	}
	ma, _ := strconv.Atoi(sm[1])
	mi, _ := strconv.Atoi(sm[2])
	return ma > major || ma == major && mi >= minor
}

// javaVersion returns the Java version of the module's POM and where it
// came from.
func (m *mavenModel) javaVersion() (string, string) {
	for _, key := range []string{"maven.compiler.release", "java.version", "maven.compiler.target", "maven.compiler.source"} {
		if v, ok := m.props[key]; ok {
			if v := javaMajor(m.resolved(v)); v != "" {
				return v, key
			}
		}
	}
	if pl, ok := m.plugin("maven-compiler-plugin"); ok {
		for _, key := range []string{"release", "target"} {
			if v := javaMajor(m.config(pl, key)); v != "" {
				return v, "the compiler plugin's <" + key + ">"
			}
		}
	}
	if m.micronautParent() {
		for _, key := range []string{"release.version", "jdk.version"} {
			if v := javaMajor(m.resolved(m.props[key])); v != "" {
				return v, key
			}
		}
	}
	if v := m.springBootVersion(); v != "" {
		if bootAtLeast(v, 3, 0) {
			return "17", "Spring Boot " + v + "'s default"
		}
		return "8", "Spring Boot " + v + "'s default"
	}
	return "", ""
}

// javaMajor returns the major Java version of v: "1.8" is "8", "21.0.2" is
// "21".
func javaMajor(v string) string {
	v = strings.TrimPrefix(strings.TrimSpace(v), "1.")
	if i := strings.IndexAny(v, ".-+_"); i > 0 {
		v = v[:i]
	}
	if _, err := strconv.Atoi(v); err != nil || v == "" {
		return ""
	}
	return v
}

// jarName returns the name of the artifact the module builds, without a
// classifier, or "".
func (m *mavenModel) jarName() string {
	name := m.resolved(m.first(func(p *pom) string { return p.Build.FinalName }))
	if name == "" {
		if v := m.props["project.version"]; m.pom.ArtifactID != "" && v != "" {
			name = m.resolved(m.pom.ArtifactID + "-" + v)
		}
	}
	return name
}

// runnable says how the module's jar starts with java -jar, and its file
// name in target/: a Spring Boot jar, a shaded or assembled jar with a
// Main-Class, or a plain jar with a Main-Class and no dependencies. why
// says what was found, or, when ok is false, why the jar does not start
// ("it has no Main-Class ...").
func (m *mavenModel) runnable() (jar, why string, ok bool) {
	packaging := m.packaging()
	name := m.jarName()
	if packaging != "jar" && packaging != "war" {
		return "", "its packaging is " + packaging + ", not jar", false
	}
	ext := "." + packaging
	if _, boot := m.plugin("spring-boot-maven-plugin"); boot {
		if name == "" {
			return "", "its jar name depends on properties Detect cannot resolve", false
		}
		return name + ext, bootPlugin, true
	}
	if packaging != "jar" {
		return name + ext, "its packaging is war, without spring-boot-maven-plugin: it runs in a servlet container (Tomcat, Jetty), not with java -jar", false
	}
	if _, ok := m.plugin("quarkus-maven-plugin"); ok {
		switch t := m.quarkusPackageType(); t {
		case "", "fast-jar", "mutable-jar":
			return "quarkus-app/quarkus-run.jar", quarkusFastJar, true
		case "uber-jar":
			if name != "" {
				return name + "-runner.jar", "quarkus-maven-plugin, an uber-jar", true
			}
		default:
			return "", "its Quarkus package type is " + t + ": set Jar, RuntimeImage and Steps", false
		}
	}
	if m.micronautParent() && m.resolved(m.props["exec.mainClass"]) != "" && name != "" {
		return name + ".jar", "micronaut-parent's maven-shade-plugin with exec.mainClass", true
	}
	if pl, ok := m.plugin("maven-shade-plugin"); ok && m.config(pl, "mainClass") != "" && name != "" {
		if m.config(pl, "shadedArtifactAttached") == "true" {
			return name + "-" + or(m.config(pl, "shadedClassifierName"), "shaded") + ".jar", "maven-shade-plugin with a Main-Class", true
		}
		return name + ".jar", "maven-shade-plugin with a Main-Class", true
	}
	if pl, ok := m.plugin("maven-assembly-plugin"); ok && m.config(pl, "mainClass") != "" && m.config(pl, "descriptorRef") == "jar-with-dependencies" {
		base := or(m.config(pl, "finalName"), name)
		if base != "" {
			if m.config(pl, "appendAssemblyId") == "false" {
				return base + ".jar", "maven-assembly-plugin jar-with-dependencies with a Main-Class", true
			}
			return base + "-jar-with-dependencies.jar", "maven-assembly-plugin jar-with-dependencies with a Main-Class", true
		}
	}
	if pl, ok := m.plugin("maven-jar-plugin"); ok && m.config(pl, "mainClass") != "" && name != "" {
		for _, d := range m.pom.Dependencies {
			if s := strings.TrimSpace(d.Scope); s == "" || s == "compile" || s == "runtime" {
				return name + ".jar", "its Main-Class (maven-jar-plugin) comes without its dependencies (" + d.ArtifactID + "); add maven-shade-plugin or spring-boot-maven-plugin", false
			}
		}
		return name + ".jar", "maven-jar-plugin with a Main-Class and no dependencies", true
	}
	const none = "it has no Main-Class (no spring-boot-maven-plugin, maven-shade-plugin or mainClass in maven-jar-plugin)"
	if name == "" {
		return "", none, false
	}
	return name + ".jar", none, false
}

// tomcatVersion returns the Tomcat line a war of the module runs on (see
// [MavenOptions].TomcatVersion), from the servlet or Jakarta EE API the
// module depends on, and that dependency; "" when it names none (or its
// version is not known).
func (m *mavenModel) tomcatVersion() (version, from string) {
	for _, d := range m.pom.Dependencies {
		g, a := strings.TrimSpace(d.GroupID), strings.TrimSpace(d.ArtifactID)
		id := g + ":" + a
		major, _, _ := strings.Cut(m.resolved(d.Version), ".")
		n, err := strconv.Atoi(major)
		switch {
		case g == "javax.servlet" || g == "javax" && strings.HasPrefix(a, "javaee"):
			// The javax namespace: Servlet 4.0 at most.
			return "9.0", id
		case err != nil:
			if g == "jakarta.servlet" && a == "jakarta.servlet-api" || g == "jakarta.platform" && strings.HasPrefix(a, "jakarta.jakartaee") {
				return "", id + " (version not known)"
			}
		case g == "jakarta.servlet" && a == "jakarta.servlet-api":
			// 4.0 is Jakarta EE 8, still javax.servlet; 5.0 and 6.0
			// are jakarta.servlet (Tomcat 10.0 is past its end of
			// life, 10.1 runs 5.0 applications); 6.1 is Tomcat 11's.
			switch v := m.resolved(d.Version); {
			case n < 5:
				return "9.0", id + " " + v
			case n == 6 && !strings.HasPrefix(v, "6.0"):
				return "11.0", id + " " + v
			case n > 6:
				return "11.0", id + " " + v
			default:
				return "10.1", id + " " + v
			}
		case g == "jakarta.platform" && strings.HasPrefix(a, "jakarta.jakartaee"):
			// Jakarta EE 8 is javax, 9 and 10 jakarta (Servlet 5.0,
			// 6.0), 11 Servlet 6.1.
			v := m.resolved(d.Version)
			switch {
			case n < 9:
				return "9.0", id + " " + v
			case n < 11:
				return "10.1", id + " " + v
			default:
				return "11.0", id + " " + v
			}
		}
	}
	return "", ""
}

// bootPlugin is the plugin that makes a Spring Boot jar, as runnable names
// it.
const bootPlugin = "spring-boot-maven-plugin"

// quarkusFastJar is what runnable says of a Quarkus application packaged
// as Quarkus's fast-jar, target/quarkus-app/.
const quarkusFastJar = "quarkus-maven-plugin, a fast-jar in target/quarkus-app/"

// packaging returns the module's packaging, "jar" by default, with its
// properties expanded (Micronaut's POMs say ${packaging}).
func (m *mavenModel) packaging() string {
	return or(m.expand(m.pom.Packaging), "jar")
}

// quarkusPackageType returns the Quarkus package type the module is
// configured with (quarkus.package.jar.type, before Quarkus 3.9
// quarkus.package.type) in the POM's properties or the application's
// configuration, or "".
func (m *mavenModel) quarkusPackageType() string {
	keys := []string{"quarkus.package.jar.type", "quarkus.package.type"}
	for _, k := range keys {
		if v := m.resolved(m.props[k]); v != "" {
			return v
		}
	}
	for _, name := range []string{"application.properties", "application.yml", "application.yaml"} {
		data, err := readFile(filepath.Join(m.dir, "src", "main", "resources", name))
		if err != nil {
			continue
		}
		for _, k := range keys {
			v := ""
			if strings.HasSuffix(name, ".properties") {
				v = propertiesValue(data, k)
			} else {
				v = yamlValue(data, k)
			}
			if v = strings.Trim(v, `"'`); v != "" {
				return v
			}
		}
	}
	return ""
}

// micronautParent says whether the module inherits from Micronaut's
// parent POM, which shades the jar with exec.mainClass as its
// Main-Class.
func (m *mavenModel) micronautParent() bool {
	for _, p := range m.chain {
		if p.Parent.ArtifactID == "micronaut-parent" && strings.HasPrefix(p.Parent.GroupID, "io.micronaut") {
			return true
		}
	}
	return false
}

// portKeys are the settings of the HTTP port of the frameworks Detect
// knows: Spring Boot, Quarkus, Micronaut.
var portKeys = []string{"server.port", "quarkus.http.port", "micronaut.server.port"}

// port returns the HTTP port of the module's application.properties or
// application.yml (Spring Boot's server.port, Quarkus's
// quarkus.http.port, Micronaut's micronaut.server.port), and the file it
// is in. Spring Boot also reads config/ of the classpath, before its
// root.
func (m *mavenModel) port() (port int, key, file string) {
	var files []string
	for _, dir := range []string{"src/main/resources/config/", "src/main/resources/"} {
		for _, name := range []string{"application.properties", "application.yml", "application.yaml"} {
			files = append(files, dir+name)
		}
	}
	for _, rel := range files {
		name := path.Base(rel)
		data, err := readFile(filepath.Join(m.dir, filepath.FromSlash(rel)))
		if err != nil {
			continue
		}
		for _, key := range portKeys {
			if key != "server.port" && strings.Contains(rel, "/config/") {
				continue // only Spring Boot reads classpath:/config/
			}
			var v string
			if strings.HasSuffix(name, ".properties") {
				v = propertiesValue(data, key)
			} else {
				v = yamlValue(data, key)
			}
			if p := springPort(v); p > 0 {
				return p, key, rel
			}
		}
	}
	return 0, "", ""
}

// springPort reads a port value: "8081", or "${PORT:8081}" (its default).
func springPort(v string) int {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
		if i := strings.LastIndex(v, ":"); i > 0 {
			v = v[i+1 : len(v)-1]
		}
	}
	p, err := strconv.Atoi(strings.Trim(v, `"'`))
	if err != nil || p <= 0 || p > 65535 {
		return 0
	}
	return p
}

// propertiesValue returns the value of key in a .properties file.
func propertiesValue(data []byte, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' || l[0] == '!' {
			continue
		}
		i := strings.IndexAny(l, "=:")
		if i < 0 {
			continue
		}
		if strings.TrimSpace(l[:i]) == key {
			return strings.TrimSpace(l[i+1:])
		}
	}
	return ""
}

// yamlValue returns the scalar at the dotted key ("quarkus.http.port")
// of the first YAML document (the default profile), written nested, as
// one dotted key, or any mix ("quarkus:" then "  http.port: 8083").
func yamlValue(data []byte, key string) string {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	seen := false // a key of the first document
	for raw := range strings.Lines(string(data)) {
		raw = strings.TrimRight(raw, "\r\n")
		if strings.HasPrefix(raw, "---") {
			if seen {
				break
			}
			continue
		}
		l := strings.TrimSpace(raw)
		if l == "" || l[0] == '#' || l[0] == '-' {
			continue
		}
		if i := strings.Index(l, " #"); i >= 0 {
			l = strings.TrimSpace(l[:i])
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"'`)
		v = strings.TrimSpace(v)
		seen = true
		depth := len(raw) - len(strings.TrimLeft(raw, " "))
		for len(stack) > 0 && stack[len(stack)-1].indent >= depth {
			stack = stack[:len(stack)-1]
		}
		full := k
		if len(stack) > 0 {
			full = stack[len(stack)-1].key + "." + k
		}
		if v == "" {
			stack = append(stack, level{depth, full})
			continue
		}
		if full == key {
			return v
		}
	}
	return ""
}

// reactorModule is a module of a Maven reactor: its directory relative to
// the root, with forward slashes.
type reactorModule struct {
	rel   string
	model *mavenModel
}

// reactorModules returns the modules of the reactor whose root POM is in
// root, depth first in <modules> order (and those of its active profiles),
// with the modules of nested aggregators.
func reactorModules(root string, x *pom) ([]reactorModule, error) {
	var out []reactorModule
	seen := map[string]bool{}
	var walk func(rel string, x *pom, depth int) error
	walk = func(rel string, x *pom, depth int) error {
		if depth > 6 {
			return nil
		}
		mods := slices.Clone(x.Modules)
		mm := &mavenModel{dir: filepath.Join(root, filepath.FromSlash(rel)), pom: x}
		for _, pr := range x.Profiles {
			if strings.TrimSpace(pr.Activation.ActiveByDefault) == "true" || mm.profileActive(pr) {
				mods = append(mods, pr.Modules...)
			}
		}
		for _, mod := range mods {
			mod = strings.TrimSuffix(strings.TrimSpace(mod), "/")
			if strings.HasSuffix(mod, ".xml") {
				mod = path.Dir(mod) // a module named by its POM file
			}
			child := path.Clean(path.Join(rel, mod))
			if child == "." || strings.HasPrefix(child, "../") || seen[child] {
				continue
			}
			seen[child] = true
			dir := filepath.Join(root, filepath.FromSlash(child))
			if _, err := os.Stat(filepath.Join(dir, "pom.xml")); err != nil {
				continue
			}
			model, err := loadMavenModel(dir)
			if err != nil {
				return err
			}
			out = append(out, reactorModule{rel: child, model: model})
			if len(model.pom.Modules) > 0 {
				if err := walk(child, model.pom, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(".", x, 0)
}

// coordinates returns the module's groupId:artifactId, its groupId
// inherited from its parent when it has none.
func (m *mavenModel) coordinates() string {
	return m.resolved(m.props["groupId"]) + ":" + m.resolved(m.pom.ArtifactID)
}

// uses returns the groupId:artifactId of the artifacts the module's own
// POM needs built or resolved: its dependencies (those of its profiles
// too, active or not), the BOMs it imports, its build plugins, their
// dependencies and its build extensions.
func (m *mavenModel) uses() []string {
	var out []string
	dep := func(ds []pomDependency, onlyImports bool) {
		for _, d := range ds {
			if onlyImports && strings.TrimSpace(d.Scope) != "import" {
				continue
			}
			if g, a := m.expand(d.GroupID), m.expand(d.ArtifactID); g != "" && a != "" {
				out = append(out, g+":"+a)
			}
		}
	}
	build := func(b pomBuild) {
		for _, pl := range b.Plugins {
			g := or(m.expand(pl.GroupID), "org.apache.maven.plugins")
			out = append(out, g+":"+m.expand(pl.ArtifactID))
			dep(pl.Dependencies, false)
		}
		dep(b.Extensions, false)
	}
	x := m.pom
	dep(x.Dependencies, false)
	dep(x.DependencyManagement.Dependencies, true)
	build(x.Build)
	for _, pr := range x.Profiles {
		dep(pr.Dependencies, false)
		build(pr.Build)
	}
	return out
}
