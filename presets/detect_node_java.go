package presets

import (
	"path"
	"regexp"
	"strings"
)

var (
	// frontendMavenRe finds frontend-maven-plugin in a pom.xml.
	frontendMavenRe = regexp.MustCompile(`<artifactId>\s*frontend-maven-plugin\s*</artifactId>`)
	// frontendGradleRe finds the Gradle plugins that run a Node.js build
	// (node-gradle, its former id, frontend-gradle-plugin).
	frontendGradleRe = regexp.MustCompile(`com\.github\.node-gradle\.node|com\.moowork\.node|org\.siouan\.frontend`)
	xmlCommentRe     = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// javaBuild is the Java build that a Node.js package is the front end
// of.
type javaBuild struct {
	file         string // pom.xml, build.gradle or build.gradle.kts, relative to the root
	runsFrontEnd bool   // the build runs the package's build (frontend-maven-plugin, node-gradle)
	output       string // the Node.js build's output in the Java build's directory, or ""
}

// javaOwner returns the Java build that the package at dir (relative to
// the root r) belongs to, or nil: the pom.xml or build.gradle(.kts) of
// dir when it runs a Node.js build (frontend-maven-plugin, the
// node-gradle or frontend-gradle plugin), or the one of dir or a
// directory above it in the project whose build directory (target/ for
// Maven, build/ for Gradle) holds one of outputs, the directories the
// package's build writes (relative to dir). Spring Boot and Quarkus
// applications serve a front end that way, from the jar's classpath
// (target/classes/static/): the Node.js build is a step of the Java
// build, not an image of its own.
func (r *nodeRoot) javaOwner(dir string, outputs []string) *javaBuild {
	if b := r.javaBuildAt(dir); b != nil && b.runsFrontEnd {
		return b
	}
	for _, out := range outputs {
		if out == "" {
			continue
		}
		full := path.Join(dir, out)
		if full == ".." || strings.HasPrefix(full, "../") {
			continue
		}
		for d := dir; ; d = path.Dir(d) {
			if b := r.javaBuildAt(d); b != nil {
				buildDir := path.Join(d, "target")
				if !strings.HasSuffix(b.file, "pom.xml") {
					buildDir = path.Join(d, "build")
				}
				if full == buildDir || strings.HasPrefix(full, buildDir+"/") {
					b.output = full
					return b
				}
			}
			if d == "." {
				break
			}
		}
	}
	return nil
}

// javaBuildAt returns the Maven or Gradle build of the directory d of
// the root, or nil.
func (r *nodeRoot) javaBuildAt(d string) *javaBuild {
	for _, f := range []string{"pom.xml", "build.gradle.kts", "build.gradle"} {
		file := path.Join(d, f)
		if !r.p.exists(file, false) {
			continue
		}
		b := &javaBuild{file: file}
		if data, err := r.p.read(file); err == nil {
			if f == "pom.xml" {
				b.runsFrontEnd = frontendMavenRe.Match(xmlCommentRe.ReplaceAll(data, nil))
			} else {
				b.runsFrontEnd = frontendGradleRe.Match(data)
			}
		}
		return b
	}
	return nil
}
