package presets

import (
	"fmt"
	"os"
	"path/filepath"
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

func TestEOLNote(t *testing.T) {
	day := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		d    Detection
		want []string // nil: no note
	}{
		{Detection{NodeServer: &NodeServerOptions{Version: "20"}}, []string{"; Node.js 20, which the project pins, reached its end of life on 2026-04-30", "2026-04-30", "move the project to Node.js 26, the preset's default"}},
		{Detection{NodeStatic: &NodeStaticOptions{Version: "v18.19.0"}}, []string{"Node.js 18", "2025-04-30"}},
		{Detection{Go: &GoOptions{Version: "1.22"}}, []string{"Go 1.22", "move the project to Go 1.27"}},
		{Detection{Python: &PythonOptions{Version: "3.9"}}, []string{"Python 3.9", "on 2025-10-31", "move the project to Python 3.14"}},
		{Detection{DotNet: &DotNetOptions{Version: "8.0"}}, []string{".NET 8.0", "2026-11-10", ".NET 10.0"}},
		{Detection{Maven: &MavenOptions{JavaVersion: "11"}}, nil}, // Temurin 11: at least until October 2027
		{Detection{Maven: &MavenOptions{JavaVersion: "23"}}, []string{"Java 23", "move the project to Java 25"}},
		{Detection{NodeServer: &NodeServerOptions{Version: "24"}}, nil},
		{Detection{NodeServer: &NodeServerOptions{}}, nil}, // the default applies
		{Detection{NodeServer: &NodeServerOptions{Version: "lts/iron"}}, nil},
	} {
		got := eolNote(c.d, day)
		if c.want == nil {
			if got != "" {
				t.Errorf("%+v: note %q, want none", c.d, got)
			}
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%+v: note %q does not say %q", c.d, got, w)
			}
		}
	}
}

// TestDetectPastEOL: Detect keeps a pinned version past its end of life
// and says so at the end of its reason.
func TestDetectPastEOL(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"package.json":      `{"name": "api", "scripts": {"start": "node server.js"}}`,
		"package-lock.json": `{"lockfileVersion": 3}`,
		".nvmrc":            "20\n",
		"server.js":         "",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := Detect(dir)
	if err != nil || len(ds) == 0 || ds[0].NodeServer == nil {
		t.Fatalf("Detect = %+v, %v", ds, err)
	}
	if v := ds[0].NodeServer.Version; v != "20" {
		t.Errorf("Version = %q, want the project's 20", v)
	}
	if !strings.HasSuffix(ds[0].Reason, "; move the project to Node.js 26, the preset's default") || !strings.Contains(ds[0].Reason, "Node.js 20, which the project pins, reached its end of life") {
		t.Errorf("Reason = %q, want it to end with the end-of-life note", ds[0].Reason)
	}
}
