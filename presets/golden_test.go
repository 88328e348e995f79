package presets_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/golden"
	"github.com/multistage/multistage/internal/testresolver"
	"github.com/multistage/multistage/multistagetest"
	"github.com/multistage/multistage/presets"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// presetCase is one golden case: a preset with options.
type presetCase struct {
	name   string
	reason string
	build  func() *multistage.Build
}

// presetCases are the golden cases: every preset with its defaults, and
// the options that change the shape of the build.
func presetCases() []presetCase {
	cases := []presetCase{
		{"dotnet", "defaults: SDK on $BUILDPLATFORM, ASP.NET Core runtime, user 1654",
			func() *multistage.Build { return presets.DotNet(presets.DotNetOptions{}).Build }},
		{"dotnet-chiseled-self-contained", "a project in a subdirectory, self-contained on chiseled runtime-deps",
			func() *multistage.Build {
				return presets.DotNet(presets.DotNetOptions{Project: "src/Api/Api.csproj", SelfContained: true, Chiseled: true, Version: "9.0"}).Build
			}},
		{"dotnet-sdk-steps", "an SDK pinned by global.json, the Steps at their documented points, a writable data directory",
			func() *multistage.Build {
				return presets.DotNet(presets.DotNetOptions{Version: "9.0", SDKVersion: "9.0.100", Project: "src/Shop.Web/Shop.Web.csproj",
					Steps: presets.Steps{
						BeforeInstall: func(s *multistage.Stage) { s.Run("dotnet nuget add source /src/packages --name local") },
						BeforeBuild:   func(s *multistage.Stage) { s.Run("dotnet tool restore") },
						AfterBuild:    func(s *multistage.Stage) { s.Run("test -f /app/Shop.Web.dll") },
						Runtime:       func(s *multistage.Stage) { s.Copy("appsettings.Production.json", "./") },
					},
					WritableDirs: []string{"data", "wwwroot/uploads", "/tmp/cache"},
				}).Build
			}},
		{"go", "defaults: cross-compiled static binary on distroless nonroot",
			func() *multistage.Build { return presets.Go(presets.GoOptions{}).Build }},
		{"go-alpine", "alpine runtime, a command under cmd/, extra flags that need quoting",
			func() *multistage.Build {
				return presets.Go(presets.GoOptions{Runtime: presets.GoAlpine, Package: "./cmd/server", Binary: "server",
					BuildFlags: []string{"-tags", "netgo osusergo"}, LDFlags: "-X main.version=1.2.3", Args: []string{"serve"}}).Build
			}},
		{"go-scratch-vendor", "scratch runtime gets the CA bundle; vendored modules skip go mod download",
			func() *multistage.Build {
				return presets.Go(presets.GoOptions{Runtime: presets.GoScratch, Vendor: true, Port: -1}).Build
			}},
		{"go-cgo", "cgo: golang bookworm on the target platform, CGO_ENABLED=1, distroless cc runtime",
			func() *multistage.Build { return presets.Go(presets.GoOptions{CGO: true, Version: "1.26"}).Build }},
		{"go-cgo-static", "cgo on a runtime without glibc: linked statically",
			func() *multistage.Build {
				return presets.Go(presets.GoOptions{CGO: true, Runtime: presets.GoScratch, BuildFlags: []string{"-tags", "sqlite_omit_load_extension"}}).Build
			}},
		{"go-workspace", "a member of a go.work workspace: every member's go.mod copied with its path, go -C the member",
			func() *multistage.Build {
				return presets.Go(presets.GoOptions{Workspace: true, ModuleDir: "services/api", Modules: []string{"services/api", "libs/shared"},
					Package: "./cmd/api", Binary: "api"}).Build
			}},
		{"go-ui", "a UI built by Node.js in a stage of its own, its output copied into the sources before go build",
			func() *multistage.Build {
				return presets.Go(presets.GoOptions{CGO: true, UI: []presets.NodeBuildOptions{{Dir: "ui", OutputDir: "build"}, {Dir: "admin", PackageManager: presets.Pnpm}}}).Build
			}},
		{"go-steps", "the Steps at their documented points, link-time variables from build args, a writable data directory",
			func() *multistage.Build {
				return presets.Go(presets.GoOptions{
					LDFlags:  "-X 'main.greeting=hello world'",
					LinkVars: []presets.GoLinkVar{{Var: "main.version", Arg: "VERSION", Default: "dev"}, {Var: "example.com/app/internal/build.Commit", Arg: "COMMIT"}},
					Steps: presets.Steps{
						BeforeInstall: func(s *multistage.Stage) { s.Env("GOPRIVATE", "example.com/private") },
						BeforeBuild:   func(s *multistage.Stage) { s.Run("go generate ./...", presets.GoCache()) },
						AfterBuild:    func(s *multistage.Stage) { s.Run("go test ./...", presets.GoCache()) },
						Runtime:       func(s *multistage.Stage) { s.Copy("config.yaml", "/etc/app/config.yaml") },
					},
					WritableDirs: []string{"data", "/var/lib/app"},
				}).Build
			}},
		{"node-static", "defaults: npm ci, npm run build, dist/ on nginx:alpine",
			func() *multistage.Build { return presets.NodeStatic(presets.NodeStaticOptions{}).Build }},
		{"node-static-yarn-spa", "Yarn from its lockfile, SPA fallback configuration written without network",
			func() *multistage.Build {
				return presets.NodeStatic(presets.NodeStaticOptions{Lockfile: "yarn.lock", SPA: true, OutputDir: "build"}).Build
			}},
		{"node-static-pnpm-unprivileged", "pnpm with corepack, unprivileged nginx on 8080 with a configuration file",
			func() *multistage.Build {
				return presets.NodeStatic(presets.NodeStaticOptions{PackageManager: presets.Pnpm, InstallFiles: []string{"pnpm-workspace.yaml"},
					Unprivileged: true, ConfigFile: "nginx.conf"}).Build
			}},
		{"node-static-port", "a port other than nginx's: a server configuration that listens on it, no SPA fallback",
			func() *multistage.Build { return presets.NodeStatic(presets.NodeStaticOptions{Port: 8081}).Build }},
		{"node-server-workspace", "a pnpm workspace: install files in subdirectories keep their paths",
			func() *multistage.Build {
				return presets.NodeServer(presets.NodeServerOptions{PackageManager: presets.Pnpm,
					InstallFiles: []string{"pnpm-workspace.yaml", "packages/*/package.json", ".yarn/releases", ".npm-hooks", "*.patch"}}).Build
			}},
		{"node-build-stage", "a Node.js stage in a subdirectory, with steps, feeding a stage of the caller's",
			func() *multistage.Build {
				b := multistage.New()
				ui, out := presets.NodeBuildStage(b, "ui", presets.NodeBuildOptions{Dir: "web/ui", Lockfile: "yarn.lock", OutputDir: "build",
					InstallFiles: []string{".yarnrc", "patches"}, Steps: presets.Steps{
						BeforeInstall: func(s *multistage.Stage) { s.Env("STEP", "before-install") },
						BeforeBuild:   func(s *multistage.Stage) { s.Env("STEP", "before-build") },
						AfterBuild:    func(s *multistage.Stage) { s.Run("test -f build/index.html") },
						Runtime:       func(s *multistage.Stage) { s.Env("STEP", "never called") },
					}})
				b.Stage("site").From("busybox:stable").CopyFrom(ui, out, "/www", multistage.Link())
				return b
			}},
		{"node-server", "defaults: production dependencies, slim runtime, npm start as node",
			func() *multistage.Build { return presets.NodeServer(presets.NodeServerOptions{}).Build }},
		{"node-server-build", "a build stage compiles the server; node runs the entry directly",
			func() *multistage.Build {
				return presets.NodeServer(presets.NodeServerOptions{BuildScript: "build", Entry: "dist/main.js", Port: 8080}).Build
			}},
		{"maven", "defaults: Maven on $BUILDPLATFORM, the one jar on a JRE",
			func() *multistage.Build { return presets.Maven(presets.MavenOptions{}).Build }},
		{"maven-wrapper", "the Maven wrapper on a JDK, a named jar, tests, JVM options",
			func() *multistage.Build {
				return presets.Maven(presets.MavenOptions{Wrapper: true, JavaVersion: "21", Jar: "app-1.0.0.jar", RunTests: true,
					JavaOpts: []string{"-XX:MaxRAMPercentage=75"}}).Build
			}},
		{"maven-reactor-boot", "a Spring Boot 3.4 module of a reactor: module POMs first, -pl -am, layers extracted with jarmode tools; every step and a writable directory",
			func() *multistage.Build {
				return presets.Maven(presets.MavenOptions{Module: "services/web", InstallFiles: []string{"services/core/pom.xml", "services/web/pom.xml", "services/pom.xml", ".mvn"},
					SpringBootVersion: "3.4.1", JavaVersion: "21", Port: 8081, WritableDirs: []string{"data"}, Steps: steps("mvn")}).Build
			}},
		{"maven-boot-layertools", "Spring Boot 2.7 on the wrapper: layertools extraction, the JarLauncher of before 3.2",
			func() *multistage.Build {
				return presets.Maven(presets.MavenOptions{Wrapper: true, SpringBootVersion: "2.7.18", JavaOpts: []string{"-XX:MaxRAMPercentage=75"}}).Build
			}},
		{"maven-quarkus", "a Quarkus fast-jar: quarkus-app's lib/, jars, app/ and quarkus/ as layers of their own, started with java -jar quarkus-run.jar",
			func() *multistage.Build {
				return presets.Maven(presets.MavenOptions{Quarkus: true, JavaVersion: "21", Port: 8083, Module: "rest-heroes", InstallFiles: []string{"rest-heroes/pom.xml"}}).Build
			}},
		{"maven-sources", "a build that reads lombok.config beside src/: both copied, each to its own path",
			func() *multistage.Build {
				return presets.Maven(presets.MavenOptions{Sources: []string{"src", "./lombok.config"}}).Build
			}},
		{"maven-war", "a war deployed as Tomcat 9.0's ROOT.war on a Java 11 JRE, owned directories for Tomcat, JVM options as CATALINA_OPTS",
			func() *multistage.Build {
				return presets.Maven(presets.MavenOptions{War: true, TomcatVersion: "9.0", JavaVersion: "11", Jar: "guestbook.war",
					JavaOpts: []string{"-XX:MaxRAMPercentage=75"}}).Build
			}},
		{"python-uv-steps", "a uv project with Django's collectstatic, system packages in both stages, every step and a writable directory",
			func() *multistage.Build {
				return presets.Python(presets.PythonOptions{PackageManager: presets.UV, Project: true, Version: "3.13", DjangoSettings: "mysite.settings", CollectStatic: true, Extras: []string{"postgres"},
					BuildPackages: []string{"gcc", "libpq-dev"}, RuntimePackages: []string{"libpq5"}, WritableDirs: []string{"media"}, Port: 8000,
					Cmd: []string{"gunicorn", "mysite.wsgi"}, Steps: steps("python")}).Build
			}},
		{"python-pipenv", "Pipfile.lock installed by pip with its hashes, offline from local wheels, the project after the sources",
			func() *multistage.Build {
				return presets.Python(presets.PythonOptions{PackageManager: presets.Pipenv, FindLinks: "wheels", NoIndex: true, Project: true}).Build
			}},
		{"python", "defaults: requirements into /install, copied into the same slim Python",
			func() *multistage.Build { return presets.Python(presets.PythonOptions{}).Build }},
		{"python-offline", "local wheels with --no-index, as the sample app builds offline",
			func() *multistage.Build {
				return presets.Python(presets.PythonOptions{FindLinks: "wheels", NoIndex: true, Cmd: []string{"python", "app.py", "--serve"}, Port: 8000}).Build
			}},
		{"python-requirements-subdir", "a requirements file in a subdirectory is copied to its own path, where pip -r finds it",
			func() *multistage.Build {
				return presets.Python(presets.PythonOptions{Requirements: "requirements/prod.txt"}).Build
			}},
		{"python-project", "pyproject.toml installed with --no-deps after pinned requirements",
			func() *multistage.Build {
				return presets.Python(presets.PythonOptions{Project: true, Requirements: "requirements.txt", PipArgs: []string{"--no-build-isolation"},
					Cmd: []string{"greet"}}).Build
			}},
	}
	for _, c := range cases {
		if c.reason == "" {
			panic("reason must be provided: " + c.name)
		}
	}
	return cases
}

// steps returns Steps that each add a RUN naming the point it runs at, so
// that a golden file shows where a preset calls each one.
func steps(tool string) presets.Steps {
	at := func(point string) func(*multistage.Stage) {
		return func(s *multistage.Stage) { s.Run("echo " + tool + " " + point) }
	}
	return presets.Steps{BeforeInstall: at("before-install"), BeforeBuild: at("before-build"), AfterBuild: at("after-build"), Runtime: at("runtime")}
}

// linuxAMD64 pins the platform so golden files do not depend on the
// machine that runs the tests.
var linuxAMD64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// TestGolden compares the Dockerfile, the LLB dump and the image config of
// every preset case with testdata/<case>.golden (multistagetest.Golden,
// as users test their builds, with the static resolver so that the files
// record the base images' configs), and checks that BuildKit's Dockerfile
// frontend compiles the rendered Dockerfile to the same LLB and config.
// Run "go test ./presets -update" to rewrite the files.
func TestGolden(t *testing.T) {
	ctx := context.Background()
	for _, c := range presetCases() {
		t.Run(c.name, func(t *testing.T) {
			if !golden.Updating() {
				t.Parallel()
			}
			b := c.build()
			multistagetest.Golden(t, b, c.name, multistage.WithMetaResolver(testresolver.New()))

			diff, _, err := crosscheck.Check(ctx, b, crosscheck.Options{Resolver: testresolver.New()})
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("Compile and dockerfile2llb disagree:\n%s", diff)
			}
		})
	}
}

// TestGoldenFilesHaveCases finds golden files that no case writes any
// more, such as a case's testdata/<case>.txtar from before the files were
// multistagetest.Golden's testdata/<case>.golden.
func TestGoldenFilesHaveCases(t *testing.T) {
	cases := map[string]bool{}
	for _, c := range presetCases() {
		cases[c.name] = true
	}
	for _, pattern := range []string{"testdata/*.golden", "testdata/*.txtar", "testdata/graph/*.txtar"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
			if filepath.Ext(f) == ".txtar" && filepath.Base(filepath.Dir(f)) != "graph" || !cases[name] {
				t.Errorf("%s: no preset case writes it: remove it (a case's golden file is testdata/<case>.golden)", f)
			}
		}
	}
}
