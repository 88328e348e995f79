package presets

import (
	"fmt"
	"time"

	"github.com/multistage/multistage/internal/lifecycle"
)

// The default versions of the presets: for each toolchain the newest line
// that is supported and that its official images publish. The support
// dates are in internal/lifecycle, the one table of release lines and
// their end of life; TestDefaultVersions fails when a default comes within
// a month of its end of life, so that the defaults cannot silently age.
// Detect keeps what a project pins instead, and says when that is past its
// end of life.
const (
	// defaultGoVersion is the newest Go release: Go supports only the two
	// newest, and the newest supports the go.mod of every older one.
	defaultGoVersion = "1.27"
	// defaultNodeVersion is the Active LTS line of Node.js.
	defaultNodeVersion = "26"
	// defaultPythonVersion is the newest Python whose wheels the common
	// packages publish: 3.15 (October 2026) is still gaining its cp315
	// wheels, and a package without one builds from source, or fails on a
	// slim image with no compiler.
	defaultPythonVersion = "3.14"
	// defaultDotNetVersion is the newest .NET LTS line (three years of
	// support; the STS line in between gets two).
	defaultDotNetVersion = "10.0"
	// defaultJavaVersion is the newest Java LTS line, which the Temurin and
	// Maven images ship.
	defaultJavaVersion = "25"
)

// now is the clock of the end-of-life notes of Detect; the tests fix it,
// so that a golden reason does not change on the day a line ends.
var now = time.Now

// pinned returns the toolchain of a detection and the version the project
// pins, "" when it pins none (the preset's default then applies).
func (d Detection) pinned() (lifecycle.Toolchain, string) {
	switch {
	case d.Go != nil:
		return lifecycle.Go, d.Go.Version
	case d.NodeStatic != nil:
		return lifecycle.Node, d.NodeStatic.Version
	case d.NodeServer != nil:
		return lifecycle.Node, d.NodeServer.Version
	case d.Python != nil:
		return lifecycle.Python, d.Python.Version
	case d.DotNet != nil:
		return lifecycle.DotNet, d.DotNet.Version
	case d.Maven != nil:
		return lifecycle.Java, d.Maven.JavaVersion
	}
	return "", ""
}

// eolNote is the end of a detection's reason when the version the project
// pins is past its end of life on the day of t: Detect keeps the version,
// since the build must match the project, and says so.
func eolNote(d Detection, t time.Time) string {
	toolchain, version := d.pinned()
	if version == "" {
		return ""
	}
	l, ok := lifecycle.Find(toolchain, version)
	if !ok || !l.PastEOL(t) {
		return ""
	}
	note := fmt.Sprintf("; %s, which the project pins, reached its end of life %s and gets no security fixes: kept so that the image matches the project", l, l.EOLString())
	if def, ok := lifecycle.Find(toolchain, defaultVersion(toolchain)); ok && compareLines(def, l) > 0 {
		note += fmt.Sprintf("; move the project to %s, the preset's default", def)
	}
	return note
}

// defaultVersion returns the preset default of a toolchain.
func defaultVersion(t lifecycle.Toolchain) string {
	switch t {
	case lifecycle.Go:
		return defaultGoVersion
	case lifecycle.Node:
		return defaultNodeVersion
	case lifecycle.Python:
		return defaultPythonVersion
	case lifecycle.DotNet:
		return defaultDotNetVersion
	case lifecycle.Java:
		return defaultJavaVersion
	}
	return ""
}

// compareLines orders two lines of one toolchain by release.
func compareLines(a, b lifecycle.Line) int { return a.Released.Compare(b.Released) }
