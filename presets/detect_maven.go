package presets

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func detectMaven(p *project) ([]Detection, error) {
	if !p.has("pom.xml") {
		return nil, nil
	}
	model, err := loadMavenModel(p.dir)
	if err != nil {
		return nil, err
	}
	if len(model.pom.Modules) > 0 || model.packaging() == "pom" {
		mods, err := reactorModules(p.dir, model.pom)
		if err != nil {
			return nil, err
		}
		if len(mods) > 0 {
			return detectReactor(p.dir, "", model, mods, "")
		}
	}
	// A module of a reactor above: build it from the reactor's root.
	rootDir, member := "", ""
	for up, dir := 1, p.dir; up <= 6; up++ {
		dir = filepath.Join(dir, "..")
		if _, err := os.Stat(filepath.Join(dir, "pom.xml")); err != nil {
			break
		}
		x, err := readPOM(filepath.Join(dir, "pom.xml"))
		if err != nil {
			break
		}
		mods, err := reactorModules(dir, x)
		if err != nil {
			break
		}
		rel, err := filepath.Rel(dir, p.dir)
		if err != nil {
			break
		}
		for _, m := range mods {
			if m.rel == filepath.ToSlash(rel) {
				rootDir, member = dir, m.rel
			}
		}
	}
	if rootDir != "" {
		root, err := loadMavenModel(rootDir)
		if err != nil {
			return nil, err
		}
		mods, err := reactorModules(rootDir, root.pom)
		if err != nil {
			return nil, err
		}
		return detectReactor(rootDir, p.dir, root, mods, member)
	}
	return []Detection{mavenProject(p.dir, model, "pom.xml")}, nil
}

// mavenProject returns the detection of the project in dir, built on its
// own from dir, whose reason starts with reason.
func mavenProject(dir string, model *mavenModel, reason string) Detection {
	o := &MavenOptions{}
	o.Wrapper, reason = mavenWrapper(dir, reason)
	if fi, err := os.Stat(filepath.Join(dir, ".mvn")); err == nil && fi.IsDir() && !o.Wrapper {
		o.InstallFiles = []string{".mvn"}
		reason += "; .mvn/ copied with it"
	}
	jar, why, ok := model.runnable()
	switch packaging := model.packaging(); {
	case ok && why == quarkusFastJar:
		o.Quarkus = true
		reason += "; a Quarkus application (" + why + "): runs quarkus-run.jar"
	case packaging == "war" && !ok:
		reason += "; builds target/" + jar + ", but " + why + ": " + mavenWar(o, model, jar)
	case packaging != "jar" && !ok:
		reason += "; packaging " + packaging + " is not a runnable jar: set Jar and RuntimeImage"
	case jar != "":
		o.Jar = jar
		reason += "; builds target/" + jar
		if ok && why != bootPlugin {
			reason += " (" + why + ")"
		}
		if !ok {
			reason += ", but " + why + ": it does not start with java -jar"
		}
	}
	reason += mavenSources(o, model, dir)
	reason += mavenCommon(o, model, dir, dir, "", ok && why == bootPlugin)
	reason += tomcatJava(o)
	reason += mavenIgnored(o, dir)
	return Detection{Preset: PresetMaven, Reason: reason, Maven: o}
}

// detectReactor returns the detections of a reactor rooted in rootDir:
// one per runnable module, or, when member is set (Detect was given the
// module's directory, from), that module's.
func detectReactor(rootDir, from string, root *mavenModel, mods []reactorModule, member string) ([]Detection, error) {
	var poms, names, runnable []string
	for _, m := range mods {
		poms = append(poms, m.rel+"/pom.xml")
		names = append(names, m.rel)
	}
	install := append([]string{}, poms...)
	if fi, err := os.Stat(filepath.Join(rootDir, ".mvn")); err == nil && fi.IsDir() {
		install = append(install, ".mvn")
	}
	reactor := "pom.xml: a reactor of " + strconv.Itoa(len(mods)) + " modules (" + strings.Join(names, ", ") + ")"
	head := reactor + "; every module's pom.xml is copied before the dependencies are resolved"
	wrapper, head := mavenWrapper(rootDir, head)
	if wrapper {
		install = slices.DeleteFunc(install, func(s string) bool { return s == ".mvn" })
	}
	type found struct {
		m   reactorModule
		jar string
		why string
		ok  bool
	}
	var all []found
	for _, m := range mods {
		if m.model.packaging() == "pom" {
			continue
		}
		jar, why, ok := m.model.runnable()
		all = append(all, found{m, jar, why, ok})
		if ok {
			runnable = append(runnable, m.rel)
		}
	}
	var out []Detection
	for _, f := range all {
		if member != "" && f.m.rel != member || member == "" && !f.ok {
			continue
		}
		alone, note := standalone(f.m, root, mods), ""
		if alone && mavenIgnored(mavenProject(f.m.model.dir, f.m.model, "").Maven, f.m.model.dir) != "" {
			// Its own .dockerignore (Quarkus generates one) leaves out
			// what a build from its directory copies, and the reactor's
			// root does not: the reactor build works as it is.
			alone = false
			note = "; " + f.m.rel + " inherits nothing from the reactor, but its .dockerignore leaves out what a build from its own directory copies, so it is built from the reactor's root"
		}
		if alone {
			// Built from its own directory, as Maven builds it there:
			// nothing else in the repository goes into the build.
			dir := f.m.model.dir
			ctx := dir
			if from != "" {
				ctx = from
			}
			d := mavenProject(dir, f.m.model, reactor+"; "+f.m.rel+" inherits nothing from the reactor and uses none of its modules: built on its own, context "+contextName(or(from, rootDir), ctx))
			d.Context = ctx
			if others := slices.DeleteFunc(slices.Clone(runnable), func(s string) bool { return s == f.m.rel }); member == "" && len(others) > 0 {
				d.Reason += "; the other runnable modules: " + strings.Join(others, ", ")
			}
			out = append(out, d)
			continue
		}
		o := &MavenOptions{Module: f.m.rel, InstallFiles: slices.Clone(install), Wrapper: wrapper}
		reason := head + note + "; builds " + f.m.rel + " with -pl " + f.m.rel + " -am"
		others := slices.DeleteFunc(slices.Clone(runnable), func(s string) bool { return s == f.m.rel })
		switch {
		case f.ok && f.why == quarkusFastJar:
			o.Quarkus = true
			reason += ": a Quarkus application (" + f.why + "): runs " + f.m.rel + "/target/quarkus-app/quarkus-run.jar"
		case f.ok:
			o.Jar = f.jar
			reason += ": " + f.m.rel + "/target/" + f.jar + " (" + f.why + ")"
		case f.jar != "" && f.m.model.packaging() == "war":
			reason += ": " + f.m.rel + "/target/" + f.jar + ", but " + f.why + ": " + mavenWar(o, f.m.model, f.jar)
		case f.jar != "":
			o.Jar = f.jar
			reason += ": " + f.m.rel + "/target/" + f.jar + ", but " + f.why + ": it does not start with java -jar"
		default:
			reason += ", but " + f.why + ": set Jar"
		}
		if !f.ok && len(others) > 0 {
			reason += "; set Module to a runnable module (" + strings.Join(others, ", ") + ")"
		}
		reason += mavenCommon(o, f.m.model, rootDir, f.m.model.dir, f.m.rel+"/", f.ok && f.why == bootPlugin)
		reason += tomcatJava(o)
		if f.ok && len(others) > 0 {
			reason += "; the other runnable modules: " + strings.Join(others, ", ")
		}
		d := Detection{Preset: PresetMaven, Reason: reason, Maven: o}
		if from != "" {
			rel, err := filepath.Rel(from, rootDir)
			if err != nil {
				return nil, err
			}
			d.Context = filepath.Join(from, rel)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		var why []string
		for _, f := range all {
			why = append(why, f.m.rel+": "+f.why)
		}
		o := &MavenOptions{InstallFiles: install, Wrapper: wrapper}
		reason := head + "; no module makes a jar that runs with java -jar (" + strings.Join(why, "; ") + "): set Module and Jar"
		reason += mavenCommon(o, root, rootDir, rootDir, "", false)
		d := Detection{Preset: PresetMaven, Reason: reason, Maven: o}
		if from != "" {
			rel, err := filepath.Rel(from, rootDir)
			if err != nil {
				return nil, err
			}
			d.Context = filepath.Join(from, rel)
		}
		out = append(out, d)
	}
	return out, nil
}

// standalone says whether module m of a reactor is a project of its own:
// it inherits from no POM on disk (its parent, if any, is an artifact
// such as spring-boot-starter-parent, not the reactor's root or a
// module) and uses no artifact another module of the reactor (or its
// root) builds, so Maven builds it the same from its own directory.
func standalone(m reactorModule, root *mavenModel, mods []reactorModule) bool {
	if len(m.model.chain) > 1 {
		return false
	}
	built := map[string]bool{root.coordinates(): true}
	for _, o := range mods {
		if o.rel != m.rel {
			built[o.model.coordinates()] = true
		}
	}
	for _, id := range m.model.uses() {
		if built[id] {
			return false
		}
	}
	return true
}

// contextName returns dir relative to base, with forward slashes, as a
// reason names a context ("services/api", "..").
func contextName(base, dir string) string {
	rel, err := filepath.Rel(base, dir)
	if err != nil {
		return filepath.ToSlash(dir)
	}
	return filepath.ToSlash(rel)
}

// mavenIgnored returns what the reason says when the .dockerignore of
// dir, the context, leaves out files the build of o copies, as the one
// Quarkus generates does ("*", then only target/ let in): it is written
// for a Dockerfile that copies a jar built beforehand, and the build
// fails until it lets them in.
func mavenIgnored(o *MavenOptions, dir string) string {
	files := append([]string{"pom.xml"}, o.InstallFiles...)
	if o.Wrapper {
		files = append(files, "mvnw", ".mvn")
	}
	if len(o.Sources) == 0 {
		files = append(files, "src")
	}
	files = append(files, o.Sources...)
	var out []string
	for _, f := range files {
		if f != "." && dockerIgnored(dir, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "; but .dockerignore leaves out " + strings.Join(out, ", ") + " (it is written for a Dockerfile that copies a jar built beforehand), so the build fails until it lets them in"
}

// mavenWar sets o to deploy the war the module m builds, target/<war>,
// in Tomcat ([MavenOptions].War), and returns what it adds to the reason.
func mavenWar(o *MavenOptions, m *mavenModel, war string) string {
	o.War, o.Jar = true, war
	reason := "deployed as Tomcat's ROOT.war"
	switch v, from := m.tomcatVersion(); {
	case v != "":
		o.TomcatVersion = v
		reason += ", Tomcat " + v + " (" + from + ")"
	case from != "":
		reason += "; Tomcat 10.1 (jakarta.servlet) assumed: " + from + ", set TomcatVersion"
	default:
		reason += "; no servlet API among the dependencies: Tomcat 10.1 (jakarta.servlet) assumed, set TomcatVersion (9.0 for javax.servlet)"
	}
	return reason
}

// tomcatJava raises o.JavaVersion to the oldest Java the Tomcat line of a
// war runs on (10.1 needs Java 11, 11.0 Java 17; Tomcat's images have no
// older JRE for them), and returns what it adds to the reason.
func tomcatJava(o *MavenOptions) string {
	if !o.War {
		return ""
	}
	least := map[string]int{"10.1": 11, "11.0": 17}[or(o.TomcatVersion, "10.1")]
	if n, err := strconv.Atoi(o.JavaVersion); err == nil && n < least {
		o.JavaVersion = strconv.Itoa(least)
		return "; Tomcat " + or(o.TomcatVersion, "10.1") + " runs on Java " + o.JavaVersion + " or later: JavaVersion " + o.JavaVersion + " (the classes still target Java " + strconv.Itoa(n) + ")"
	}
	return ""
}

// mavenSources sets o.Sources for a project built from its root without
// a Module when its build reads more than src/, and returns what it
// adds to the reason.
func mavenSources(o *MavenOptions, m *mavenModel, dir string) string {
	if _, ok := m.plugin("frontend-maven-plugin"); ok || m.profilePlugin("frontend-maven-plugin") != "" {
		o.Sources = []string{"."}
		reason := "; the Maven build runs the front end's build (frontend-maven-plugin), whose output the jar serves, so the Node.js project is no detection of its own; it reads files outside src/: the whole context is copied"
		if id := m.profilePlugin("frontend-maven-plugin"); id != "" && !ok {
			reason += " (the plugin is in profile " + id + ": set MavenArgs -P" + id + " to build it)"
		}
		return reason
	}
	if fileExists(filepath.Join(dir, "lombok.config")) {
		o.Sources = []string{"src", "lombok.config"}
		return "; lombok.config copied with src/"
	}
	return ""
}

// mavenWrapper says whether the project in dir has the Maven wrapper, and
// adds it to reason.
func mavenWrapper(dir, reason string) (bool, string) {
	fi, err := os.Stat(filepath.Join(dir, "mvnw"))
	if err != nil || fi.IsDir() {
		return false, reason
	}
	if fi, err := os.Stat(filepath.Join(dir, ".mvn")); err != nil || !fi.IsDir() {
		return false, reason
	}
	return true, reason + "; the Maven wrapper (mvnw, .mvn/)"
}

// mavenCommon fills the options every Maven detection shares (Spring Boot,
// the Java version, the port) from the module in modDir, built from
// rootDir, and returns what it adds to the reason. prefix is the module's
// path for the reason ("web/"). boot says whether the module's jar is a
// Spring Boot jar (made by spring-boot-maven-plugin).
func mavenCommon(o *MavenOptions, m *mavenModel, rootDir, modDir, prefix string, boot bool) string {
	var reason string
	if v := m.springBootVersion(); v != "" && boot {
		switch {
		case bootAtLeast(v, 3, 3):
			o.SpringBootVersion = v
			reason += "; Spring Boot " + v + ": the jar is extracted into layers (jarmode tools)"
		case bootAtLeast(v, 2, 3):
			o.SpringBootVersion = v
			reason += "; Spring Boot " + v + ": the jar is extracted into layers (jarmode layertools)"
		default:
			reason += "; Spring Boot " + v + " has no layered jars: runs the fat jar"
		}
	}
	pomJava, from := m.javaVersion()
	fileJava, file := "", ""
	for _, dir := range []string{modDir, rootDir} {
		if v := sdkmanJava(dir); v != "" {
			fileJava, file = v, ".sdkmanrc"
		} else if v := javaMajor(strings.TrimPrefix(firstLineOf(filepath.Join(dir, ".java-version")), "temurin-")); v != "" {
			fileJava, file = v, ".java-version"
		}
		if fileJava != "" {
			if dir != rootDir {
				file = prefix + file
			}
			break
		}
	}
	switch {
	case fileJava != "":
		o.JavaVersion = fileJava
		reason += ", Java " + fileJava + " (" + file + ")"
		if pomJava != "" && pomJava != fileJava {
			reason += "; the POM targets Java " + pomJava + " (" + from + ")"
		}
	case pomJava != "":
		o.JavaVersion = pomJava
		reason += ", Java " + pomJava + " (" + from + ")"
	default:
		reason += "; no Java version in the POM: Java 17 assumed, set JavaVersion"
	}
	if port, key, file := m.port(); port > 0 {
		o.Port = port
		reason += ", port " + strconv.Itoa(port) + " (" + key + " in " + prefix + file + ")"
	} else {
		reason += "; port 8080 assumed, set Port"
	}
	return reason
}

// sdkmanJava returns the major Java version of dir's .sdkmanrc
// ("java=21.0.2-tem").
func sdkmanJava(dir string) string {
	data, err := readFile(filepath.Join(dir, ".sdkmanrc"))
	if err != nil {
		return ""
	}
	return javaMajor(propertiesValue(data, "java"))
}
