package presets_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/multistage/multistage/presets"
)

// TestProjectsGo runs Detect on the Go fixture applications.
func TestProjectsGo(t *testing.T) {
	checkProjects(t, []projectCase{
		{"go-cmd", "a module whose one command is under cmd/", []string{"."}},
		{"go-cgo-ui", "a server with the cgo SQLite driver, a version variable and a UI built by Node.js and embedded", []string{"."}},
		{"go-work", "a go.work workspace: a library, an API with its command under cmd/ and a worker; detected at the root and on a member", []string{".", "services/api"}},
	})
}

// TestDetectGoCgo checks when Detect builds with cgo: for the packages
// the command is built from, not for the module as a whole, and not for
// the pure Go SQLite drivers.
func TestDetectGoCgo(t *testing.T) {
	const mod = "module example.com/app\n\ngo 1.26\n"
	tests := []struct {
		name  string
		files map[string]string
		want  bool
		why   string // in the reason
	}{
		{"import C in an imported package", map[string]string{
			"go.mod":               mod,
			"main.go":              "package main\n\nimport _ \"example.com/app/internal/native\"\n\nfunc main() {}\n",
			"internal/native/n.go": "package native\n\n// #include <stdlib.h>\nimport \"C\"\n",
		}, true, `internal/native/n.go imports "C"`},
		{"import C only in a test file", map[string]string{
			"go.mod":           mod,
			"main.go":          "package main\n\nfunc main() {}\n",
			"main_cgo_test.go": "package main\n\nimport \"C\"\n",
		}, false, "no cgo"},
		{"import C in a package the command does not import", map[string]string{
			"go.mod":               mod,
			"main.go":              "package main\n\nfunc main() {}\n",
			"internal/native/n.go": "package native\n\nimport \"C\"\n",
		}, false, "no cgo"},
		{"import C for windows only", map[string]string{
			"go.mod":          mod,
			"main.go":         "package main\n\nfunc main() {}\n",
			"main_windows.go": "package main\n\nimport \"C\"\n",
		}, false, "no cgo"},
		{"mattn/go-sqlite3", map[string]string{
			"go.mod":  mod + "\nrequire github.com/mattn/go-sqlite3 v1.14.32\n",
			"main.go": "package main\n\nimport _ \"github.com/mattn/go-sqlite3\"\n\nfunc main() {}\n",
		}, true, "main.go imports github.com/mattn/go-sqlite3"},
		{"modernc.org/sqlite is pure Go", map[string]string{
			"go.mod":  mod + "\nrequire modernc.org/sqlite v1.38.0\n",
			"main.go": "package main\n\nimport _ \"modernc.org/sqlite\"\n\nfunc main() {}\n",
		}, false, "no cgo"},
		{"a wrapper of the cgo driver", map[string]string{
			"go.mod":  mod + "\nrequire gorm.io/driver/sqlite v1.6.0\n",
			"main.go": "package main\n\nimport _ \"gorm.io/driver/sqlite\"\n\nfunc main() {}\n",
		}, true, "gorm.io/driver/sqlite"},
		{"an indirect cgo requirement", map[string]string{
			"go.mod":  mod + "\nrequire (\n\texample.com/orm v1.0.0\n\tgithub.com/mattn/go-sqlite3 v1.14.32 // indirect\n)\n",
			"main.go": "package main\n\nimport _ \"example.com/orm\"\n\nfunc main() {}\n",
		}, true, "indirect"},
		{"confluent-kafka-go v2", map[string]string{
			"go.mod":  mod + "\nrequire github.com/confluentinc/confluent-kafka-go/v2 v2.11.0\n",
			"main.go": "package main\n\nimport _ \"github.com/confluentinc/confluent-kafka-go/v2/kafka\"\n\nfunc main() {}\n",
		}, true, "confluent-kafka-go/v2/kafka"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := presets.Detect(writeTree(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Go == nil {
				t.Fatalf("Detect = %+v, want one Go detection", got)
			}
			if got[0].Go.CGO != tt.want || !strings.Contains(got[0].Reason, tt.why) {
				t.Errorf("CGO = %v, reason %q; want CGO %v and %q in the reason", got[0].Go.CGO, got[0].Reason, tt.want, tt.why)
			}
		})
	}
}

// TestDetectGoCgoPerCommand: a direct requirement of the cgo driver is
// one command's, not the other's.
func TestDetectGoCgoPerCommand(t *testing.T) {
	got, err := presets.Detect(writeTree(t, map[string]string{
		"go.mod":              "module example.com/app\n\ngo 1.26\n\nrequire github.com/mattn/go-sqlite3 v1.14.32\n",
		"cmd/server/main.go":  "package main\n\nimport _ \"example.com/app/internal/db\"\n\nfunc main() {}\n",
		"internal/db/db.go":   "package db\n\nimport _ \"github.com/mattn/go-sqlite3\"\n",
		"cmd/healthz/main.go": "package main\n\nfunc main() {}\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	cgo := map[string]bool{}
	for _, d := range got {
		cgo[d.Go.Package] = d.Go.CGO
	}
	if d := cmp.Diff(map[string]bool{"./cmd/server": true, "./cmd/healthz": false}, cgo); d != "" {
		t.Errorf("CGO by package (-want +got):\n%s", d)
	}
	if got[0].Go.Package != "./cmd/server" {
		t.Errorf("first detection %s, want ./cmd/server (named like a server)", got[0].Go.Package)
	}
}

// TestDetectGoPort checks the port patterns on small programs.
func TestDetectGoPort(t *testing.T) {
	for _, tt := range []struct {
		code string
		want int
	}{
		{`http.ListenAndServe(":3000", nil)`, 3000},
		{`srv := &http.Server{Addr: ":9000"}; srv.ListenAndServe()`, 9000},
		{`addr := flag.String("listen-addr", "0.0.0.0:7000", "where")`, 7000},
		{`port := flag.Int("port", 8088, "port")`, 8088},
		{`r.Run(":8085")`, 8085},
		{`p := os.Getenv("PORT"); if p == "" { p = "4000" }`, 4000},
		// A client's address is not the port the server listens on.
		{`redis.NewClient(&redis.Options{Addr: "localhost:6379"})`, 0},
		{`db := flag.String("db", "postgres://localhost:5432/app", "database")`, 0},
		{`cache := flag.String("redis-addr", "localhost:6379", "redis")`, 0},
		{`flags.StringP("address", "a", "127.0.0.1", "address"); flags.StringP("port", "p", "8080", "port")`, 8080},
	} {
		got, err := presets.Detect(writeTree(t, map[string]string{
			"go.mod":  "module example.com/app\n",
			"main.go": "package main\n\nfunc main() {\n\t" + tt.code + "\n}\n",
		}))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(tt.code, `"127.0.0.1"`) && !strings.Contains(got[0].Reason, "loopback interface only") {
			t.Errorf("%s: reason %q does not name the loopback default", tt.code, got[0].Reason)
		}
		if got[0].Go.Port != tt.want {
			t.Errorf("%s: Port = %d, want %d (%s)", tt.code, got[0].Go.Port, tt.want, got[0].Reason)
		}
	}
}

// TestDetectGoReplace: a local replace directive to a module beside the
// one detected moves the context up to their parent.
func TestDetectGoReplace(t *testing.T) {
	root := writeTree(t, map[string]string{
		"app/go.mod":  "module example.com/app\n\ngo 1.26\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n",
		"app/main.go": "package main\n\nimport _ \"example.com/lib\"\n\nfunc main() {}\n",
		"lib/go.mod":  "module example.com/lib\n\ngo 1.26\n",
		"lib/lib.go":  "package lib\n\n// #include <stdlib.h>\nimport \"C\"\n",
	})
	dir := filepath.Join(root, "app")
	got, err := presets.Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("Detect = %+v, want one detection", got)
	}
	d := got[0]
	if d.Context != filepath.Join(dir, "..") {
		t.Errorf("Context = %q, want %q", d.Context, filepath.Join(dir, ".."))
	}
	want := presets.GoOptions{ModuleDir: "app", Modules: []string{"app", "lib"}, Binary: "app", Version: "1.26", CGO: true}
	if diff := cmp.Diff(want, *d.Go, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Port" || p.Last().String() == ".Steps" }, cmp.Ignore())); diff != "" {
		t.Errorf("options (-want +got):\n%s\nreason: %s", diff, d.Reason)
	}
}

// TestDetectGoWorkspaceMember: Detect on a member of a go.work workspace
// builds from the workspace root; on a module the go.work does not use,
// it says what to do.
func TestDetectGoWorkspaceMember(t *testing.T) {
	root := writeTree(t, map[string]string{
		"go.work":       "go 1.26\n\nuse ./api\n",
		"api/go.mod":    "module example.com/api\n",
		"api/main.go":   "package main\n\nfunc main() {}\n",
		"other/go.mod":  "module example.com/other\n",
		"other/main.go": "package main\n\nfunc main() {}\n",
	})
	got, err := presets.Detect(filepath.Join(root, "api"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Context != filepath.Join(root, "api", "..") || got[0].Go.ModuleDir != "api" || !got[0].Go.Workspace {
		t.Errorf("Detect(api) = %+v, want the workspace root as context and ModuleDir api", got)
	}
	_, err = presets.Detect(filepath.Join(root, "other"))
	if err == nil || !strings.Contains(err.Error(), "go work use") {
		t.Errorf("Detect(other) err = %v, want one that says to add it to go.work", err)
	}
}

// TestDetectGoUI checks the Node.js builds Detect finds for go:embed
// patterns: beside the package.json, and elsewhere, where a script of
// the UI project writes into the embedded directory.
func TestDetectGoUI(t *testing.T) {
	const mod = "module example.com/app\n\ngo 1.26\n"
	pkg := func(scripts string) string { return `{"name": "ui", "scripts": {` + scripts + `}}` }
	tests := []struct {
		name  string
		files map[string]string
		want  []presets.NodeBuildOptions
	}{
		{"ui/dist beside ui/package.json", map[string]string{
			"go.mod":               mod,
			"main.go":              "package main\n\nimport \"embed\"\n\n//go:embed ui/dist\nvar ui embed.FS\n\nfunc main() {}\n",
			"ui/package.json":      pkg(`"build": "vite build"`),
			"ui/package-lock.json": "{}",
		}, []presets.NodeBuildOptions{{Dir: "ui", PackageManager: presets.Npm, Lockfile: "package-lock.json", OutputDir: "dist"}}},
		{"a committed placeholder, written by a release script of web/", map[string]string{
			"go.mod":                     mod,
			"main.go":                    "package main\n\nimport _ \"example.com/app/server/web\"\n\nfunc main() {}\n",
			"server/web/web.go":          "package web\n\nimport \"embed\"\n\n//go:embed dist/*\nvar Dist embed.FS\n",
			"server/web/dist/index.html": "<p>build the UI first</p>",
			"web/package.json":           pkg(`"build": "vite build", "release": "vite build --outDir=../server/web/dist --emptyOutDir"`),
			"web/pnpm-lock.yaml":         "lockfileVersion: '9.0'\n",
		}, []presets.NodeBuildOptions{{Dir: "web", PackageManager: presets.Pnpm, Lockfile: "pnpm-lock.yaml", Script: "release", OutputDir: "../server/web/dist"}}},
		{"a UI that .dockerignore leaves out", map[string]string{
			"go.mod":             mod,
			"main.go":            "package main\n\nimport \"embed\"\n\n//go:embed web/dist\nvar ui embed.FS\n\nfunc main() {}\n",
			"web/package.json":   pkg(`"build": "vite build"`),
			"web/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
			".dockerignore":      "# the UI is built before docker build\n/web/\n",
		}, []presets.NodeBuildOptions{{Dir: "web", PackageManager: presets.Pnpm, Lockfile: "pnpm-lock.yaml", OutputDir: "dist"}}},
		{"committed static files are not a UI build", map[string]string{
			"go.mod":            mod,
			"main.go":           "package main\n\nimport \"embed\"\n\n//go:embed static\nvar static embed.FS\n\nfunc main() {}\n",
			"static/style.css":  "body{}",
			"static/index.html": "<p>hi</p>",
			"package.json":      pkg(`"lint": "eslint ."`),
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := presets.Detect(writeTree(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(tt.name, ".dockerignore") && !strings.Contains(got[0].Reason, ".dockerignore leaves out web/package.json") {
				t.Errorf("reason %q does not say that .dockerignore leaves the UI out", got[0].Reason)
			}
			var ui []presets.NodeBuildOptions
			for _, d := range got {
				if d.Go != nil {
					ui = d.Go.UI
					break
				}
			}
			if d := cmp.Diff(tt.want, ui, cmpopts.IgnoreFields(presets.NodeBuildOptions{}, "Version", "InstallFiles", "PackageManagerVersion")); d != "" {
				t.Errorf("UI (-want +got):\n%s", d)
			}
		})
	}
}
