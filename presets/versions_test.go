package presets

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/multistage/multistage/internal/lifecycle"
)

// defaultVersions are the preset defaults with their toolchain, whether
// the default must be an LTS line, and how long a newer line may be out
// before the default should move to it (Python waits for the common
// packages to publish wheels for a new release).
var defaultVersions = []struct {
	name      string
	toolchain lifecycle.Toolchain
	version   string
	lts       bool
	wait      time.Duration
}{
	{"defaultGoVersion", lifecycle.Go, defaultGoVersion, false, 0},
	{"defaultNodeVersion", lifecycle.Node, defaultNodeVersion, true, 0},
	{"defaultPythonVersion", lifecycle.Python, defaultPythonVersion, false, 183 * 24 * time.Hour},
	{"defaultDotNetVersion", lifecycle.DotNet, defaultDotNetVersion, true, 0},
	{"defaultJavaVersion", lifecycle.Java, defaultJavaVersion, true, 0},
}

// eolMargin is how long before a default's end of life the test fails, so
// that the new default lands before anyone builds on an unsupported line.
const eolMargin = 30 * 24 * time.Hour

// defaultProblems returns what is wrong with the defaults on the day of
// now: a default the table does not know, past or within eolMargin of its
// end of life, not LTS where it must be, or older than a line that has
// been supported for longer than its wait.
func defaultProblems(now time.Time) []string {
	var out []string
	for _, d := range defaultVersions {
		l, ok := lifecycle.Find(d.toolchain, d.version)
		if !ok || l.Older {
			out = append(out, fmt.Sprintf("%s = %q is no %s line of internal/lifecycle's table", d.name, d.version, d.toolchain))
			continue
		}
		if !l.Supported(now.Add(eolMargin)) {
			out = append(out, fmt.Sprintf("%s = %q: support for %s ends %s; move the default to the newest supported line and regenerate the golden files (go test ./... -update)", d.name, d.version, l, l.EOLString()))
		}
		if d.lts && !l.IsLTS(now) {
			out = append(out, fmt.Sprintf("%s = %q: %s is not an LTS line", d.name, d.version, l))
		}
		for _, n := range lifecycle.Lines() {
			if n.Toolchain != d.toolchain || n.Version == l.Version || n.Released.Before(l.Released) || (d.lts && !n.IsLTS(now)) {
				continue
			}
			since := n.Released
			if n.LTSFrom.After(since) && d.lts {
				since = n.LTSFrom
			}
			if n.Supported(now) && now.Sub(since) > d.wait {
				out = append(out, fmt.Sprintf("%s = %q: %s is newer and supported since %s; move the default to it", d.name, d.version, n, since.Format(time.DateOnly)))
			}
		}
	}
	return out
}

// TestDefaultVersions fails when a preset default ages: when it comes
// within a month of its end of life, by the dates of internal/lifecycle,
// or when a newer line it should move to has come out. It depends on the
// day it runs, on purpose: it is how the defaults are kept current.
func TestDefaultVersions(t *testing.T) {
	for _, p := range defaultProblems(time.Now()) {
		t.Error(p)
	}
}

// TestDefaultProblems checks defaultProblems on fixed days, so that the
// check itself is known to work whatever day the tests run.
func TestDefaultProblems(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if p := defaultProblems(day("2026-12-04")); len(p) != 0 {
		t.Errorf("on 2026-12-04 (when the defaults were chosen): %q", p)
	}
	for date, want := range map[string]string{
		"2027-07-15": "defaultGoVersion",     // Go 1.27 is expected to end in August 2027
		"2027-04-10": "defaultPythonVersion", // Python 3.15 has been out six months
		"2028-10-20": "defaultDotNetVersion", // .NET 10 ends 2028-11-14
		"2029-04-05": "defaultNodeVersion",   // Node.js 26 ends 2029-04-30
		"2031-08-15": "defaultJavaVersion",   // Temurin 25 ends September 2031
		"2026-06-01": "defaultNodeVersion = \"26\": Node.js 26 is not an LTS line",
	} {
		p := defaultProblems(day(date))
		if !strings.Contains(strings.Join(p, "\n"), want) {
			t.Errorf("on %s: problems %q, want one about %s", date, p, want)
		}
	}
}
