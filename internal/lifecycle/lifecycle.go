// Package lifecycle is the support schedule of the toolchains whose
// official images the presets build on: Go, Node.js, Python, .NET and Java
// (Eclipse Temurin). It is one table, [Lines], with each release line's
// first release and end of life as the projects publish them, and the
// rules that map an image reference such as "node:20-slim" or
// "maven:3.9-eclipse-temurin-17" to its line.
//
// The presets use it for their defaults and for Detect's reasons, and
// multistage's Build.Lint for its warning about a base image past its end
// of life; neither depends on the other.
package lifecycle

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
)

// Toolchain names a toolchain as its project spells it.
type Toolchain string

// The toolchains of the table.
const (
	Go     Toolchain = "Go"
	Node   Toolchain = "Node.js"
	Python Toolchain = "Python"
	DotNet Toolchain = ".NET"
	Java   Toolchain = "Java"
)

// Line is one release line of a toolchain, such as Node.js 20.
type Line struct {
	Toolchain Toolchain
	// Version is the line as image tags spell it: "1.27" (Go), "26"
	// (Node.js), "3.14" (Python), "10.0" (.NET), "25" (Java).
	Version string
	// Released is the day of the line's first release.
	Released time.Time
	// EOL is the first day the line gets no more fixes, security fixes
	// included.
	EOL time.Time
	// Estimated marks an EOL the project has not dated yet: the expected
	// day of the event that ends the line, such as the release of the Go
	// version two newer.
	Estimated bool
	// LTS marks a long-term-support line (Node.js, .NET, Java).
	LTS bool
	// LTSFrom is the day a line becomes LTS after its release (Node.js),
	// zero for a line that is LTS from its first release.
	LTSFrom time.Time
	// Older marks a version older than every line of the table: its EOL is
	// the oldest line's, a day the version had reached already.
	Older bool
	// Source is the address of the schedule the dates come from.
	Source string
}

// String returns the toolchain and the line, such as "Node.js 20".
func (l Line) String() string { return string(l.Toolchain) + " " + l.Version }

// PastEOL reports whether the line gets no more fixes on the day of now.
func (l Line) PastEOL(now time.Time) bool { return !now.Before(l.EOL) }

// IsLTS reports whether the line is a long-term-support line on the day
// of now.
func (l Line) IsLTS(now time.Time) bool { return l.LTS && !now.Before(l.LTSFrom) }

// Supported reports whether the line has been released and still gets
// fixes on the day of now.
func (l Line) Supported(now time.Time) bool { return !now.Before(l.Released) && !l.PastEOL(now) }

// EOLString says when the line's support ends or ended, with the source:
// "on 2026-04-30 (https://...)", "by 2021-04-30 (...)" for an older
// version and "about 2027-08-01 (...)" for an estimate.
func (l Line) EOLString() string {
	d := "on " + l.EOL.Format(time.DateOnly)
	switch {
	case l.Older:
		d = "by " + l.EOL.Format(time.DateOnly)
	case l.Estimated:
		d = "about " + l.EOL.Format(time.DateOnly)
	}
	return d + " (" + l.Source + ")"
}

// Lines returns the table, toolchain by toolchain, oldest line first.
func Lines() []Line { return slices.Clone(lines) }

// Find returns the line of version, a version of toolchain as a project
// pins it or an image tag spells it: "1.22", "1.22.5" and "go1.22" are Go
// 1.22; "20", "v20.11.1" are Node.js 20; "3.10.4" is Python 3.10;
// "8.0.100" and "net8.0" are .NET 8.0; "17", "17.0.2" and "1.8" (Java 8)
// are Java lines. A well-formed version older than every line of the
// table returns a line marked Older. It returns false for anything else:
// a range, a name such as "lts", a version newer than the table knows.
func Find(t Toolchain, version string) (Line, bool) {
	key, ok := lineKey(t, version)
	if !ok {
		return Line{}, false
	}
	var oldest *Line
	for i := range lines {
		l := &lines[i]
		if l.Toolchain != t {
			continue
		}
		if l.Version == key {
			return *l, true
		}
		if oldest == nil {
			oldest = l
		}
	}
	if oldest != nil && compareVersions(key, oldest.Version) < 0 {
		older := *oldest
		older.Version, older.Older, older.Released = key, true, time.Time{}
		return older, true
	}
	return Line{}, false
}

// Newest returns the newest line of t that is supported on the day of
// now, only among LTS lines when lts is set.
func Newest(t Toolchain, now time.Time, lts bool) (Line, bool) {
	var best Line
	found := false
	for _, l := range lines {
		if l.Toolchain != t || !l.Supported(now) || (lts && !l.IsLTS(now)) {
			continue
		}
		if !found || compareVersions(l.Version, best.Version) > 0 {
			best, found = l, true
		}
	}
	return best, found
}

// versionPatterns extract a line key from a version: the capture is the
// line, what follows it is a patch version, a build or nothing.
var versionPatterns = map[Toolchain]*regexp.Regexp{
	Go:     regexp.MustCompile(`^(?:go)?(1\.[0-9]+)(?:\.[0-9]+)?$`),
	Node:   regexp.MustCompile(`^v?([0-9]+)(?:\.[0-9]+){0,2}$`),
	Python: regexp.MustCompile(`^(3\.[0-9]+)(?:\.[0-9]+)?$`),
	DotNet: regexp.MustCompile(`^(?:net(?:coreapp)?)?([0-9]+\.[0-9]+)(?:\.[0-9]+)?$`),
	Java:   regexp.MustCompile(`^(?:1\.)?([0-9]+)(?:\.[0-9]+){0,2}$`),
}

// lineKey returns the line version names, as the table spells lines.
func lineKey(t Toolchain, version string) (string, bool) {
	re := versionPatterns[t]
	if re == nil {
		return "", false
	}
	m := re.FindStringSubmatch(strings.TrimSpace(version))
	if m == nil {
		return "", false
	}
	key := m[1]
	if t == Java && strings.HasPrefix(version, "1.") && key != "8" && key != "7" && key != "6" {
		return "", false // "1.8" is Java 8; "1.17" is no Java version
	}
	return key, true
}

// compareVersions compares dotted decimal versions.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// images maps the repositories of the official images to their
// toolchain, and says where the version is in a tag: the line is the
// first submatch.
var images = []struct {
	repo      *regexp.Regexp
	toolchain Toolchain
	tag       *regexp.Regexp
}{
	{regexp.MustCompile(`^docker\.io/library/golang$`), Go, regexp.MustCompile(`^(1\.[0-9]+)(?:\.[0-9]+)?(?:-|$)`)},
	{regexp.MustCompile(`^docker\.io/library/node$`), Node, regexp.MustCompile(`^([0-9]+)(?:\.[0-9]+){0,2}(?:-|$)`)},
	{regexp.MustCompile(`^docker\.io/library/python$`), Python, regexp.MustCompile(`^(3\.[0-9]+)(?:\.[0-9]+)?(?:-|$)`)},
	{regexp.MustCompile(`^mcr\.microsoft\.com/dotnet/(?:sdk|aspnet|runtime|runtime-deps)$`), DotNet, regexp.MustCompile(`^([0-9]+\.[0-9]+)(?:\.[0-9]+)?(?:-|$)`)},
	{regexp.MustCompile(`^docker\.io/library/eclipse-temurin$`), Java, regexp.MustCompile(`^([0-9]+)(?:(?:\.[0-9]+){1,3}(?:_[0-9]+)?|u[0-9]+-b[0-9]+)?(?:-|$)`)},
	{regexp.MustCompile(`^docker\.io/library/maven$`), Java, regexp.MustCompile(`-eclipse-temurin-([0-9]+)(?:-|$)`)},
}

// ForImage returns the line an image runs on: Node.js 20 for
// "node:20-slim", Go 1.22 for "golang:1.22.5-alpine", Java 17 for
// "maven:3.9-eclipse-temurin-17", .NET 8.0 for
// "mcr.microsoft.com/dotnet/aspnet:8.0". It returns false for other
// images and for tags that follow no line ("latest", "lts-slim", "1").
func ForImage(ref string) (Line, bool) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return Line{}, false
	}
	tagged, ok := named.(reference.Tagged)
	if !ok {
		return Line{}, false
	}
	name, tag := named.Name(), tagged.Tag()
	for _, im := range images {
		if !im.repo.MatchString(name) {
			continue
		}
		m := im.tag.FindStringSubmatch(tag)
		if m == nil {
			return Line{}, false
		}
		return Find(im.toolchain, m[1])
	}
	return Line{}, false
}

// Warning says that l, the line of what, is past its end of life on the
// day of now, and names the line to move to; it returns "" for a line
// that is still supported.
func Warning(what string, l Line, now time.Time) string {
	if !l.PastEOL(now) {
		return ""
	}
	msg := fmt.Sprintf("%s is %s, whose support ended %s: it gets no security fixes", what, l, l.EOLString())
	ltsOnly := l.Toolchain == Node || l.Toolchain == DotNet || l.Toolchain == Java
	if n, ok := Newest(l.Toolchain, now, ltsOnly); ok {
		msg += fmt.Sprintf("; the newest supported line is %s", n)
	}
	return msg
}

// day parses a date of the table.
func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic("lifecycle: bad date " + s)
	}
	return t
}
