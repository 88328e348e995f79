package presets_test

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/presets"
)

// writeTree creates files (path -> content) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const webCsproj = `<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net9.0</TargetFramework>
  </PropertyGroup>
</Project>
`

func TestDetect(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		files  map[string]string
		want   []presets.Detection
	}{{
		name:   "go",
		reason: "a module with its main package at the root: binary named after the module, Go version of the go directive",
		files:  map[string]string{"go.mod": "module example.com/hello\n\ngo 1.23.4\n", "main.go": "package main\n\nfunc main() {}\n", "main_test.go": "package main\n"},
		want:   []presets.Detection{{Preset: presets.PresetGo, Go: &presets.GoOptions{Version: "1.23", Binary: "hello"}}},
	}, {
		name:   "go-cmd-vendor",
		reason: "the one command under cmd/, a /v2 module path, vendored modules",
		files: map[string]string{"go.mod": "module github.com/acme/tool/v2\n\ngo 1.22\n", "lib.go": "package tool\n",
			"cmd/toold/main.go": "// Command toold.\npackage main\n", "cmd/README.md": "", "vendor/modules.txt": "# none\n"},
		want: []presets.Detection{{Preset: presets.PresetGo, Go: &presets.GoOptions{Version: "1.22", Binary: "toold", Package: "./cmd/toold", Vendor: true}}},
	}, {
		name:   "dotnet",
		reason: "one project at the root, with an assembly name and a target framework",
		files: map[string]string{"Hello.csproj": `<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework>` +
			`<AssemblyName>Greeter</AssemblyName></PropertyGroup></Project>`, "Program.cs": ""},
		want: []presets.Detection{{Preset: presets.PresetDotNet, DotNet: &presets.DotNetOptions{Project: "Hello.csproj", AssemblyName: "Greeter", Version: "8.0"}}},
	}, {
		name:   "dotnet-solution",
		reason: "a solution with the web project among others in src/",
		files: map[string]string{"Acme.sln": "", "src/Api/Api.csproj": webCsproj,
			"src/Lib/Lib.csproj": `<Project Sdk="Microsoft.NET.Sdk"></Project>`, "src/Api/obj/Api.csproj.nuget.g.props": ""},
		want: []presets.Detection{{Preset: presets.PresetDotNet, DotNet: &presets.DotNetOptions{Project: "src/Api/Api.csproj", Version: "9.0"}}},
	}, {
		name:   "dotnet-no-entry",
		reason: "two class libraries: no entry project, so the solution and a hint",
		files: map[string]string{"Acme.sln": "", "A/A.csproj": `<Project Sdk="Microsoft.NET.Sdk"></Project>`,
			"B/B.csproj": `<Project Sdk="Microsoft.NET.Sdk"></Project>`},
		want: []presets.Detection{{Preset: presets.PresetDotNet, DotNet: &presets.DotNetOptions{Project: "Acme.sln"}}},
	}, {
		name:   "node-static-yarn",
		reason: "a build script: static site, Yarn from yarn.lock, Create React App output, Node.js of .nvmrc, SPA for a router",
		files: map[string]string{"package.json": `{"scripts": {"build": "react-scripts build"}, "dependencies": {"react-scripts": "5", "react-router-dom": "6"}}`,
			"yarn.lock": "", ".nvmrc": "v18.19.0\n"},
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{Version: "18", PackageManager: presets.Yarn,
			Lockfile: "yarn.lock", OutputDir: "build", SPA: true}}},
	}, {
		name:   "node-server-first",
		reason: "a tsc build and a start script with a server framework: a server with a build stage whose output holds the entry; a tsc build is no site",
		files: map[string]string{"package.json": `{"scripts": {"build": "tsc", "start": "node dist/index.js"}, "dependencies": {"express": "4"}}`,
			"pnpm-lock.yaml": "lockfileVersion: '9.0'\n"},
		want: []presets.Detection{
			{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Pnpm, PackageManagerVersion: "9", Lockfile: "pnpm-lock.yaml",
				BuildScript: "build", Entry: "dist/index.js", OutputDir: "dist"}},
		},
	}, {
		name:   "node-server-and-site",
		reason: "a server that also builds a front end with vite: the server first, then the site",
		files: map[string]string{"package.json": `{"scripts": {"build": "vite build", "start": "node server.js"}, "dependencies": {"express": "4"}, "devDependencies": {"vite": "5"}}`,
			"package-lock.json": "{}", "server.js": "app.listen(process.env.PORT || 8080)\n", "vite.config.js": "export default { build: { outDir: 'public/app' } }\n"},
		want: []presets.Detection{
			{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm, Lockfile: "package-lock.json",
				BuildScript: "build", Entry: "server.js", OutputDir: "public/app", Port: 8080}},
			{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm, Lockfile: "package-lock.json", OutputDir: "public/app"}},
		},
	}, {
		name:   "node-main",
		reason: "no start script but a main file: node runs it directly; packageManager field without a lockfile pins Yarn",
		files:  map[string]string{"package.json": `{"main": "./src/server.js", "packageManager": "yarn@1.22.22"}`},
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Yarn,
			PackageManagerVersion: "1.22.22", Entry: "src/server.js"}}},
	}, {
		name:   "maven-wrapper",
		reason: "the wrapper, a finalName with a property, the Java version of java.version",
		files: map[string]string{"mvnw": "#!/bin/sh\n", ".mvn/wrapper/maven-wrapper.properties": "",
			"pom.xml": `<project><artifactId>svc</artifactId><version>2.0</version><properties><java.version>21</java.version></properties>` +
				`<build><finalName>${project.artifactId}</finalName></build></project>`},
		want: []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Wrapper: true, Jar: "svc.jar", JavaVersion: "21"}}},
	}, {
		name:   "maven-default-jar",
		reason: "no finalName: artifactId-version.jar; Java 8 written 1.8",
		files: map[string]string{"pom.xml": `<project><artifactId>hello</artifactId><version>1.0.0</version>` +
			`<properties><maven.compiler.source>1.8</maven.compiler.source></properties></project>`},
		want: []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "hello-1.0.0.jar", JavaVersion: "8"}}},
	}, {
		name:   "python",
		reason: "requirements, app.py, local wheels, .python-version",
		files:  map[string]string{"requirements.txt": "greeting==1.0.0\n", "app.py": "", "wheels/greeting-1.0.0-py3-none-any.whl": "", ".python-version": "3.11.4\n"},
		want:   []presets.Detection{{Preset: presets.PresetPython, Python: &presets.PythonOptions{Version: "3.11", FindLinks: "wheels"}}},
	}, {
		name:   "python-project",
		reason: "pyproject.toml with one console script and pinned requirements",
		files: map[string]string{"requirements.txt": "", "pyproject.toml": "[build-system]\nrequires = [\"setuptools\"]\n\n[project]\nname = \"greet\"\n\n" +
			"[project.scripts]\ngreet = \"greet.cli:main\"\n\n[tool.ruff]\nline-length = 100\n"},
		want: []presets.Detection{{Preset: presets.PresetPython, Python: &presets.PythonOptions{Project: true, Requirements: "requirements.txt", Cmd: []string{"greet"}}}},
	}, {
		name:   "python-main",
		reason: "main.py instead of app.py",
		files:  map[string]string{"requirements.txt": "", "main.py": ""},
		want:   []presets.Detection{{Preset: presets.PresetPython, Python: &presets.PythonOptions{Cmd: []string{"python", "main.py"}}}},
	}, {
		name:   "python-tool-settings-only",
		reason: "a pyproject.toml with only tool settings and no requirements: nothing to install, so no Python",
		files:  map[string]string{"pyproject.toml": "[tool.black]\nline-length = 100\n", "app.py": ""},
	}, {
		name:   "python-commented-table",
		reason: "a table header with a comment after it is still the [project] table",
		files:  map[string]string{"pyproject.toml": "[project] # the package\nname = \"greet\"\n", "app.py": ""},
		want:   []presets.Detection{{Preset: presets.PresetPython, Python: &presets.PythonOptions{Project: true}}},
	}, {
		name:   "node-bom-nvmrc-range",
		reason: "a package.json with a byte order mark; an .nvmrc range gets the newest LTS line it allows",
		files:  map[string]string{"package.json": "\ufeff" + `{"scripts": {"start": "node ."}}`, "package-lock.json": "{}", ".nvmrc": ">=18 <23\n"},
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{Version: "22", PackageManager: presets.Npm,
			Lockfile: "package-lock.json", Entry: "."}}},
	}, {
		name:   "node-nvmrc-alias",
		reason: "an .nvmrc alias: lts/iron is Node.js 20; engines.node is read after .nvmrc",
		files: map[string]string{"package.json": `{"scripts": {"start": "node index.js"}, "engines": {"node": ">=18"}}`, "package-lock.json": "{}",
			".nvmrc": "lts/iron\n"},
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{Version: "20", PackageManager: presets.Npm,
			Lockfile: "package-lock.json", Entry: "index.js"}}},
	}, {
		name:   "node-unknown-alias",
		reason: "an .nvmrc alias Detect does not know leaves the default, and the reason says to set Version; engines.node is next",
		files: map[string]string{"package.json": `{"scripts": {"start": "node index.js"}, "engines": {"node": "^20.9.0"}}`, "package-lock.json": "{}",
			".nvmrc": "lts/unknown\n"},
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{Version: "20", PackageManager: presets.Npm,
			Lockfile: "package-lock.json", Entry: "index.js"}}},
	}, {
		name:   "dotnet-assembly-msbuild-property",
		reason: "an AssemblyName made of $(MSBuildProjectName) is resolved; one with another property is left to the default",
		files: map[string]string{"Api.csproj": `<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework>` +
			`<AssemblyName>$(MSBuildProjectName).Host</AssemblyName></PropertyGroup></Project>`},
		want: []presets.Detection{{Preset: presets.PresetDotNet, DotNet: &presets.DotNetOptions{Project: "Api.csproj", AssemblyName: "Api.Host", Version: "8.0"}}},
	}, {
		name:   "dotnet-assembly-other-property",
		reason: "an AssemblyName with a property Detect cannot know",
		files: map[string]string{"Api.csproj": `<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework>` +
			`<AssemblyName>$(Company).Api</AssemblyName></PropertyGroup></Project>`},
		want: []presets.Detection{{Preset: presets.PresetDotNet, DotNet: &presets.DotNetOptions{Project: "Api.csproj", Version: "8.0"}}},
	}, {
		name:   "dotnet-project-dir",
		reason: "a directory whose name looks like a project file is not one",
		files:  map[string]string{"Acme.sln": "", "src/Api/Api.csproj": webCsproj, "src/Old.csproj/README.md": ""},
		want:   []presets.Detection{{Preset: presets.PresetDotNet, DotNet: &presets.DotNetOptions{Project: "src/Api/Api.csproj", Version: "9.0"}}},
	}, {
		name:   "several",
		reason: "a Go server with a web front end: both, Go first",
		files:  map[string]string{"go.mod": "module srv\n", "main.go": "package main\n", "package.json": `{"scripts": {"build": "vite build"}}`, "package-lock.json": "{}"},
		want: []presets.Detection{
			{Preset: presets.PresetGo, Go: &presets.GoOptions{Binary: "srv"}},
			{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm, Lockfile: "package-lock.json", OutputDir: "dist"}},
		},
	}, {
		name:   "nothing",
		reason: "no manifest at all, and a package.json with no script or main",
		files:  map[string]string{"README.md": "", "package.json": `{"name": "x"}`},
	}}
	for _, tt := range tests {
		if tt.reason == "" {
			panic("reason must be provided: " + tt.name)
		}
		t.Run(tt.name, func(t *testing.T) {
			got, err := presets.Detect(writeTree(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(presets.Detection{}, "Reason", "Context")); d != "" {
				t.Errorf("Detect (-want +got):\n%s", d)
			}
			for _, d := range got {
				if d.Reason == "" {
					t.Errorf("%s: empty Reason", d.Preset)
				}
				if _, err := d.Build().Dockerfile(); err != nil {
					t.Errorf("%s: Build().Dockerfile(): %v", d.Preset, err)
				}
			}
		})
	}
}

// TestDetectDirectoryName checks that the name of the project directory
// itself, which may hold characters that glob patterns treat specially,
// changes nothing.
func TestDetectDirectoryName(t *testing.T) {
	files := map[string]string{"Acme.sln": "", "src/Api/Api.csproj": webCsproj,
		"requirements.txt": "", "app.py": "", "wheels/a-1.0-py3-none-any.whl": ""}
	want, err := presets.Detect(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"meta[x", "meta[1]", "a*b?c", `back\slash`} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			if err := os.CopyFS(dir, os.DirFS(writeTree(t, files))); err != nil {
				t.Fatal(err)
			}
			got, err := presets.Detect(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range got {
				if d.Context != dir {
					t.Errorf("Detect(%q): %s detection has Context %q, want the directory itself", name, d.Preset, d.Context)
				}
			}
			if d := cmp.Diff(want, got, cmpopts.IgnoreFields(presets.Detection{}, "Context")); d != "" {
				t.Errorf("Detect(%q) (-plain directory +this one):\n%s", name, d)
			}
		})
	}
}

func TestDetectErrors(t *testing.T) {
	if _, err := presets.Detect(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Detect(missing dir): err = %v, want fs.ErrNotExist", err)
	}
	dir := writeTree(t, map[string]string{"package.json": "{not json", "go.mod": "module ok\n"})
	got, err := presets.Detect(dir)
	if err == nil {
		t.Error("Detect with a broken package.json: no error")
	}
	if len(got) != 1 || got[0].Preset != presets.PresetGo {
		t.Errorf("Detect with a broken package.json: got %v, want the Go detection anyway", got)
	}
	if _, err := (presets.Detection{}).Build().Dockerfile(); !errors.Is(err, multistage.ErrNoStages) {
		t.Errorf("zero Detection: Build().Dockerfile() err = %v, want ErrNoStages", err)
	}
}

// TestDetectSamples checks that Detect recognizes every sample app with
// the options its example uses (the offline switches aside).
func TestDetectSamples(t *testing.T) {
	tests := []struct {
		dir  string
		want presets.Detection
	}{
		{goApp, presets.Detection{Preset: presets.PresetGo, Go: &presets.GoOptions{Version: "1.22", Binary: "hello", Port: 8080}}},
		{nodeApp, presets.Detection{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm, Lockfile: "package-lock.json", OutputDir: "dist"}}},
		{nodeServerApp, presets.Detection{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm, Lockfile: "package-lock.json", Entry: "server.js"}}},
		{pythonApp, presets.Detection{Preset: presets.PresetPython, Python: &presets.PythonOptions{FindLinks: "wheels"}}},
		{mavenApp, presets.Detection{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "hello-1.0.0.jar", JavaVersion: "17"}}},
		{dotnetApp, presets.Detection{Preset: presets.PresetDotNet, DotNet: &presets.DotNetOptions{Project: "hello.csproj", Version: "8.0"}}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(filepath.Dir(tt.dir)), func(t *testing.T) {
			got, err := presets.Detect(tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				t.Fatal("nothing detected")
			}
			t.Logf("%s: %s", got[0].Preset, got[0].Reason)
			if d := cmp.Diff(tt.want, got[0], cmpopts.IgnoreFields(presets.Detection{}, "Reason", "Context")); d != "" {
				t.Errorf("Detect (-want +got):\n%s", d)
			}
		})
	}
}

// TestDetectGoHints: a module whose main package Detect cannot choose
// still gets the Go preset, and the reason says what to set; a module
// with several commands gets one detection per command, each naming the
// others.
func TestDetectGoHints(t *testing.T) {
	got, err := presets.Detect(writeTree(t, map[string]string{"go.mod": "module example.com/lib\n", "lib.go": "package lib\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Preset != presets.PresetGo || !strings.Contains(got[0].Reason, "set Package") {
		t.Errorf("Detect(a library) = %+v, want the Go preset with %q in the reason", got, "set Package")
	}

	got, err = presets.Detect(writeTree(t, map[string]string{"go.mod": "module example.com/tools\n",
		"cmd/a/main.go": "package main\n", "cmd/b/main.go": "package main\n", "cmd/tools/main.go": "package main\n"}))
	if err != nil {
		t.Fatal(err)
	}
	// "tools" is named like the module: it comes first.
	want := []string{"./cmd/tools", "./cmd/a", "./cmd/b"}
	if len(got) != len(want) {
		t.Fatalf("Detect(three commands) = %d detections, want %d", len(got), len(want))
	}
	for i, d := range got {
		if d.Go == nil || d.Go.Package != want[i] || d.Go.Binary != path.Base(want[i]) {
			t.Errorf("detection %d: %+v, want Package %s", i, d.Go, want[i])
			continue
		}
		for j, other := range want {
			if j != i && !strings.Contains(d.Reason, other) {
				t.Errorf("detection %d (%s): the reason %q does not name %s", i, want[i], d.Reason, other)
			}
		}
	}
}
