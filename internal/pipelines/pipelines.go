// Package pipelines holds the classic multi-stage pipelines the project is
// tested with, written with the public API only: the golden tests, the
// backend cross-checks, the end-to-end tests and the benchmarks build
// these. The programs in examples/classic build the same pipelines inline,
// so that users can copy them; their tests hold them to the same golden
// files (testdata/golden/<name>.txtar) as these.
package pipelines

import (
	"time"

	"github.com/multistage/multistage"
)

// Pipeline is a named build with the stages callers may target.
type Pipeline struct {
	Name  string
	Build *multistage.Build
	// Stages by name, for Target.
	Stages map[string]*multistage.Stage
}

func pipeline(name string, b *multistage.Build) Pipeline {
	p := Pipeline{Name: name, Build: b, Stages: map[string]*multistage.Stage{}}
	for _, s := range b.Stages() {
		p.Stages[s.Name()] = s
	}
	return p
}

// All returns every pipeline, in a fixed order.
func All() []Pipeline {
	return []Pipeline{DotNet(), Go(), NodeNginx(), Maven(), Python(), Kitchen()}
}

// DotNet is the classic ASP.NET pipeline: restore and publish in the SDK
// image, run on the ASP.NET runtime image.
func DotNet() Pipeline {
	b := multistage.New()
	build := b.Stage("build").From("mcr.microsoft.com/dotnet/sdk:8.0").
		Workdir("/source").
		Copy("*.csproj", "./").
		Run("dotnet restore").
		Copy(".", ".").
		Run("dotnet publish -c Release -o out")
	b.Stage("final").From("mcr.microsoft.com/dotnet/aspnet:8.0").
		Workdir("/app").
		CopyFrom(build, "/source/out", ".").
		Entrypoint("dotnet", "learningapp.dll")
	return pipeline("dotnet", b)
}

// Go is the classic Go pipeline: build in golang, run on alpine. The binary
// is static (CGO_ENABLED=0): alpine has no glibc to load a cgo binary.
func Go() Pipeline {
	b := multistage.New()
	builder := b.Stage("builder").From("golang:1.22").
		Env("CGO_ENABLED", "0").
		Workdir("/app").
		Copy(".", ".").
		Run("go build -o myapp")
	b.Stage("run").From("alpine:latest").
		Workdir("/root/").
		CopyFrom(builder, "/app/myapp", ".").
		Expose(8080).
		Cmd("./myapp")
	return pipeline("go", b)
}

// NodeNginx builds a static site with npm and serves it with nginx.
func NodeNginx() Pipeline {
	b := multistage.New()
	build := b.Stage("build").From("node:20").
		Workdir("/app").
		Copy("package*.json", "./").
		Run("npm install").
		Copy(".", ".").
		Run("npm run build")
	b.Stage("web").From("nginx:alpine").
		CopyFrom(build, "/app/build", "/usr/share/nginx/html").
		Expose(80).
		Cmd("nginx", "-g", "daemon off;")
	return pipeline("node-nginx", b)
}

// Maven builds a jar with Maven and runs it on a JDK image.
func Maven() Pipeline {
	b := multistage.New()
	builder := b.Stage("builder").From("maven:3.9-eclipse-temurin-17").
		Workdir("/app").
		Copy("pom.xml", ".").
		Run("mvn dependency:go-offline").
		Copy("src", "./src").
		Run("mvn clean package -DskipTests")
	b.Stage("run").From("eclipse-temurin:17-jdk-alpine").
		Workdir("/app").
		CopyFrom(builder, "/app/target/myapp.jar", "myapp.jar").
		Expose(8080).
		Cmd("java", "-jar", "myapp.jar")
	return pipeline("maven", b)
}

// Python installs requirements into a prefix and copies it into a clean
// runtime image. The requirements are wheels of the build context, installed
// without a package index (as builds that vendor their wheels do, and as the
// test machines need: PyPI is not reachable there).
func Python() Pipeline {
	b := multistage.New()
	builder := b.Stage("builder").From("python:3.10-slim").
		Workdir("/app").
		Copy("requirements.txt", ".").
		Copy("wheels/", "./wheels/").
		Run("pip install --no-cache-dir --no-index --find-links=wheels --prefix=/install -r requirements.txt")
	b.Stage("run").From("python:3.10-slim").
		Workdir("/app").
		CopyFrom(builder, "/install", "/usr/local").
		Copy(".", ".").
		Cmd("python", "app.py")
	return pipeline("python", b)
}

// Kitchen uses every instruction and option of the API at least once.
func Kitchen() Pipeline {
	b := multistage.New()
	b.Arg("GO_VERSION", "1.22").Arg("BASE")
	build := b.Stage("build").FromExpand("golang:${GO_VERSION}").Platform(multistage.BuildPlatform).
		Arg(multistage.TargetOS).
		Arg(multistage.TargetArch).
		Arg("VERSION", "dev").
		Env("CGO_ENABLED", "0").
		Env("LITERAL", `price: $5 "quoted" \ back`).
		EnvExpand("PATH", "/opt/tools/bin:$PATH").
		Workdir("src").
		Copy("go.mod", "./", multistage.Chown("1000:1000"), multistage.Chmod(0o644)).
		Copy("docs dir", "/docs/", multistage.Link(), multistage.Exclude("*.tmp")).
		Copy("cmd/./app/*.go", "/parents/", multistage.Parents()).
		Run("go mod download",
			multistage.CacheMount("/go/pkg/mod", multistage.MountID("gomod"), multistage.Sharing("locked")),
			multistage.SecretMount("netrc", multistage.MountTarget("/root/.netrc"), multistage.Required()),
			multistage.SecretMount("token", multistage.SecretEnv("GITHUB_TOKEN")),
			multistage.SSHMount(),
			multistage.Network("none")).
		Run("GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .",
			multistage.CacheMount("/root/.cache/go-build", multistage.UID(1000), multistage.GID(1000), multistage.Mode(0o700)),
			multistage.BindMount("go.sum", multistage.MountSource("go.sum")),
			multistage.BindMount("/mnt/etc", multistage.MountFromImage("alpine:latest"), multistage.MountSource("/etc"), multistage.ReadWrite()),
			multistage.TmpfsMount("/tmp", multistage.Size(64<<20))).
		RunExec([]string{"go", "version"}).
		Run("echo first line\necho second line", multistage.Security("insecure")).
		Add("vendor.tar.gz", "vendor/", multistage.Chown("1000:1000")).
		AddURL("https://example.com/tool.tgz", "/opt/tools/",
			multistage.Checksum("sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d")).
		AddGit("https://github.com/example/repo.git#v1.0", "/src/repo", multistage.KeepGitDir()).
		CopyContent("build.conf", "version=${VERSION}\n", "/etc/", multistage.Expand()).
		Copy("scripts", "/scripts/", multistage.ChmodSymbolic("u+x,go-w")).
		EnvExpandAll("OLD_PATH", "$PATH", "PATH", "/opt/tools/bin:$PATH").
		RunHeredoc("sh -eu <<'EOF'\necho \"$VERSION\" > /version\nEOF",
			multistage.CacheMount("/root/.cache/${TARGETARCH}", multistage.MountID("gobuild-${TARGETARCH}"), multistage.MountExpand())).
		OnBuild("RUN echo triggered by $VERSION")
	test := b.Stage("test").FromStage(build).
		Shell("/bin/bash", "-o", "pipefail", "-c").
		Run("go test ./... | tee /tmp/test.log")
	_ = test
	b.Stage("release").From("alpine:latest").
		CopyFromImage("nginx:alpine", "/etc/nginx/nginx.conf", "/etc/nginx/").
		CopyFrom(build, "/out/app", "/usr/local/bin/app", multistage.Chmod(0o755)).
		Label("org.opencontainers.image.title", "Kitchen sink").
		Label("org.opencontainers.image.description", `Uses "every" option, even $HOME`).
		Expose(8080).
		ExposeUDP(5353).
		Volume("/data").
		StopSignal("SIGQUIT").
		Healthcheck([]string{"/usr/local/bin/app", "-health"}, multistage.Interval(30*time.Second), multistage.Timeout(5*time.Second), multistage.Retries(3)).
		LabelExpand("org.opencontainers.image.base.name", "${BASE:-alpine}").
		Maintainer("Kitchen Sink <kitchen@example.com>").
		User("65534:65534").
		Entrypoint("/usr/local/bin/app").
		Cmd("serve")
	return pipeline("kitchen", b)
}
