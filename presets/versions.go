package presets

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
