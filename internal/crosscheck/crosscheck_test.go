package crosscheck_test

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/llbcaps"
	"github.com/multistage/multistage/internal/pipelines"
	"github.com/multistage/multistage/internal/testresolver"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

var (
	linuxAMD64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	linuxARM64 = ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	linuxARMv7 = ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
)

// featureCase is a small build that uses one feature, so that a difference
// between the backends points at that feature; in the classic pipelines
// features hide one another (a tmpfs mount, for one, sends the whole build
// context and so hides which paths the other instructions need).
type featureCase struct {
	name      string
	reason    string
	build     func() (b *multistage.Build, target *multistage.Stage)
	buildArgs map[string]string
}

// one is a build of a single stage "s" from base, shaped by f.
func one(base string, f func(s *multistage.Stage)) func() (*multistage.Build, *multistage.Stage) {
	return func() (*multistage.Build, *multistage.Stage) {
		b := multistage.New()
		f(b.Stage("s").From(base))
		return b, nil
	}
}

// two is a build of a stage "a" from golang shaped by fa, and a last stage
// "b" from alpine shaped by fb, which gets a.
func two(fa func(a *multistage.Stage), fb func(a, b *multistage.Stage)) func() (*multistage.Build, *multistage.Stage) {
	return func() (*multistage.Build, *multistage.Stage) {
		b := multistage.New()
		a := b.Stage("a").From("golang:1.22")
		fa(a)
		fb(a, b.Stage("b").From("alpine:latest"))
		return b, nil
	}
}

func featureCases() []featureCase {
	cases := []featureCase{
		// Bases and stages.
		{name: "scratch", reason: "FROM scratch: no image, empty config",
			build: one("scratch", func(s *multistage.Stage) { s.Copy("app", "/app").Entrypoint("/app") })},
		{name: "image-workdir", reason: "a relative WORKDIR and COPY resolve against the base image's WorkingDir (/go)",
			build: one("golang:1.22", func(s *multistage.Stage) { s.Workdir("src").Copy("go.mod", "mod/").Run("go env") })},
		{name: "from-stage", reason: "FROM another stage inherits its state, env and config",
			build: func() (*multistage.Build, *multistage.Stage) {
				b := multistage.New()
				base := b.Stage("base").From("node:20").Env("NODE_ENV", "production").Workdir("/app").User("node")
				b.Stage("test").FromStage(base).Run("npm test")
				return b, nil
			}},
		{name: "unused-stage", reason: "a stage the target does not need adds nothing, not even context paths",
			build: func() (*multistage.Build, *multistage.Stage) {
				b := multistage.New()
				b.Stage("unused").From("alpine:latest").Copy("unused.txt", "/")
				b.Stage("used").From("alpine:latest").Copy("used.txt", "/")
				return b, nil
			}},
		{name: "target-middle", reason: "Target selects a stage that later stages use",
			build: func() (*multistage.Build, *multistage.Stage) {
				b := multistage.New()
				build := b.Stage("build").From("golang:1.22").Copy("main.go", ".").Run("go build -o /app main.go")
				b.Stage("run").From("alpine:latest").CopyFrom(build, "/app", "/app")
				return b, build
			}},
		{name: "stage-platform", reason: "FROM --platform=linux/arm64 resolves and runs the stage on that platform",
			build: one("alpine:latest", func(s *multistage.Stage) { s.Platform("linux/arm64").Run("uname -m") })},
		{name: "build-platform", reason: "FROM --platform=$BUILDPLATFORM with TARGETOS/TARGETARCH, copied into a target-platform stage",
			build: func() (*multistage.Build, *multistage.Stage) {
				b := multistage.New()
				build := b.Stage("build").From("golang:1.22").Platform(multistage.BuildPlatform).
					Arg(multistage.TargetOS).Arg(multistage.TargetArch).
					Copy(".", ".").
					Run("GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .")
				b.Stage("run").From("alpine:latest").CopyFrom(build, "/out/app", "/app")
				return b, nil
			}},
		{name: "target-platform-arg", reason: "FROM --platform=$TARGETPLATFORM",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Platform(multistage.TargetPlatform).Arg(multistage.TargetPlatformArg).Arg(multistage.BuildArch).Run("echo $TARGETPLATFORM $BUILDARCH")
			})},

		// Args.
		{name: "global-arg-from", reason: "an ARG before FROM, used in FROM",
			build: func() (*multistage.Build, *multistage.Stage) {
				b := multistage.New()
				b.Arg("TAG", "3.20")
				b.Stage("s").FromExpand("alpine:${TAG}").Run("cat /etc/alpine-release")
				return b, nil
			}},
		{name: "global-arg-build-arg", reason: "--build-arg overrides the default of an ARG before FROM",
			build: func() (*multistage.Build, *multistage.Stage) {
				b := multistage.New()
				b.Arg("TAG", "3.20")
				b.Stage("s").FromExpand("alpine:${TAG}").Arg("TAG").Run("echo $TAG")
				return b, nil
			},
			buildArgs: map[string]string{"TAG": "3.21"}},
		{name: "stage-arg", reason: "a stage ARG is in the env of RUN, not of the image; --build-arg overrides its default",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Arg("VERSION", "dev").Arg("UNSET").Arg("OTHER", "x").Run("echo $VERSION $OTHER").Env("AFTER", "1").Run("env")
			}),
			buildArgs: map[string]string{"VERSION": "1.2.3", "UNDECLARED": "ignored"}},
		{name: "arg-inherits-global", reason: "a stage ARG without default takes the global ARG's default",
			build: func() (*multistage.Build, *multistage.Stage) {
				b := multistage.New()
				b.Arg("V", "1")
				b.Stage("s").From("alpine:latest").Arg("V").Run("echo $V")
				return b, nil
			}},

		// Env, workdir, user and the image config.
		{name: "env-literal", reason: "ENV values are literal: $, quotes and backslashes reach the env unchanged",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Env("A", `price: $5 "q" \ 'x' ${HOME}`).Env("EMPTY", "").Run("env")
			})},
		{name: "env-expand", reason: "EnvExpand expands the inherited env and earlier ENVs",
			build: one("golang:1.22", func(s *multistage.Stage) {
				s.Env("TOOLS", "/opt/tools").EnvExpand("PATH", "$TOOLS/bin:$PATH").EnvExpand("GOBIN", "${GOPATH}/bin").Run("env")
			})},
		{name: "env-override", reason: "ENV replaces an inherited variable in place",
			build: one("golang:1.22", func(s *multistage.Stage) { s.Env("GOPATH", "/gopath").Run("go env GOPATH") })},
		{name: "workdir-expand", reason: "WorkdirExpand expands env; a relative workdir joins the current one",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Env("APP", "web").WorkdirExpand("/srv/$APP").Workdir("static").Run("pwd")
			})},
		{name: "workdir-literal", reason: "Workdir is literal: a $ stays",
			build: one("alpine:latest", func(s *multistage.Stage) { s.Workdir("/srv/$APP").Run("pwd") })},
		{name: "user", reason: "USER applies to RUN and to the image",
			build: one("alpine:latest", func(s *multistage.Stage) { s.User("1000:1000").Run("id").User("app") })},
		{name: "config", reason: "LABEL, EXPOSE tcp and udp, VOLUME, STOPSIGNAL",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Label("a", "1").Label("org.example.quote", `say "hi" $x`).Label("a", "2").
					Expose(8080, 8443).ExposeUDP(53).Volume("/data", "/logs").Volume("/cache").StopSignal("SIGTERM")
			})},
		{name: "inherited-config", reason: "EXPOSE merges with the base image's ports; STOPSIGNAL is inherited",
			build: one("nginx:alpine", func(s *multistage.Stage) { s.Expose(8080).Copy("site", "/usr/share/nginx/html") })},
		{name: "entrypoint-clears-cmd", reason: "ENTRYPOINT clears the CMD inherited from the base image",
			build: one("node:20", func(s *multistage.Stage) { s.Entrypoint("node", "server.js") })},
		{name: "cmd-then-entrypoint", reason: "a CMD of the stage survives a later ENTRYPOINT",
			build: one("node:20", func(s *multistage.Stage) { s.Cmd("--port", "80").Entrypoint("node", "server.js") })},
		{name: "cmd-keeps-entrypoint", reason: "CMD keeps the inherited ENTRYPOINT",
			build: one("nginx:alpine", func(s *multistage.Stage) { s.Cmd("nginx-debug", "-g", "daemon off;") })},
		{name: "shell", reason: "SHELL changes how later RUNs run and is recorded in the image",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Run("echo sh").Shell("/bin/ash", "-eo", "pipefail", "-c").Run("echo ash | cat")
			})},
		{name: "healthcheck", reason: "HEALTHCHECK in exec form with every option",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Healthcheck([]string{"/bin/check", "--fast"}, multistage.Interval(10*time.Second), multistage.Timeout(3*time.Second),
					multistage.StartPeriod(time.Minute), multistage.StartInterval(2*time.Second), multistage.Retries(5))
			})},
		{name: "healthcheck-shell", reason: "HEALTHCHECK CMD in shell form, under the stage's shell",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Shell("/bin/ash", "-c").HealthcheckShell("wget -q -O- http://localhost:8080/ || exit 1")
			})},
		{name: "healthcheck-none", reason: "HEALTHCHECK NONE",
			build: one("alpine:latest", func(s *multistage.Stage) { s.NoHealthcheck() })},

		// RUN.
		{name: "run-exec", reason: "RUN in exec form: no shell",
			build: one("alpine:latest", func(s *multistage.Stage) { s.RunExec([]string{"echo", "$HOME", "a b"}) })},
		{name: "run-literal", reason: "a shell-form RUN reaches the shell byte for byte",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Run(`echo "$HOME" '$PATH' \$x && printf '%s\n' a\ b # comment`)
			})},
		{name: "run-heredoc", reason: "a multi-line RUN becomes a heredoc",
			build: one("alpine:latest", func(s *multistage.Stage) { s.Run("set -e\necho one\necho two") })},
		{name: "run-leading-dash", reason: "a RUN that starts with - or -- (written after the -- that ends the flags) or [, or ends with \\",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Run("-x").Run("--version").Run("-- x", multistage.CacheMount("/c")).Run("[ -f /etc/os-release ]").Run(`echo \`)
			})},
		{name: "run-network-security", reason: "--network and --security",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Run("true", multistage.Network("none")).Run("true", multistage.Network("host")).
					Run("true", multistage.Network("default")).Run("true", multistage.Security("insecure"))
			})},
		{name: "cache-mount", reason: "a cache mount alone does not use the build context",
			build: one("golang:1.22", func(s *multistage.Stage) {
				s.Copy("go.mod", ".").Run("go mod download", multistage.CacheMount("/go/pkg/mod"))
			})},
		{name: "cache-mount-options", reason: "a cache mount with id, sharing, owner and mode, and a read-only one",
			build: one("golang:1.22", func(s *multistage.Stage) {
				s.Workdir("/src").Run("go build",
					multistage.CacheMount("/root/.cache/go-build", multistage.MountID("gobuild"), multistage.Sharing("private"),
						multistage.UID(1000), multistage.GID(1000), multistage.Mode(0o700)),
					multistage.CacheMount("cache", multistage.Sharing("locked")),
					multistage.CacheMount("/ro", multistage.ReadOnly()))
			})},
		{name: "cache-mount-from", reason: "a cache mount seeded from a stage",
			build: two(func(a *multistage.Stage) { a.Run("go mod download") }, func(a, b *multistage.Stage) {
				b.Run("ls /seed", multistage.CacheMount("/seed", multistage.MountFrom(a), multistage.MountSource("/go/pkg/mod")))
			})},
		{name: "bind-mount-context", reason: "a bind mount of a file of the build context",
			build: one("golang:1.22", func(s *multistage.Stage) {
				s.Workdir("/src").Run("go mod download", multistage.BindMount("go.sum", multistage.MountSource("go.sum")),
					multistage.BindMount("/src/go.mod", multistage.MountSource("go.mod")))
			})},
		{name: "bind-mount-stage", reason: "a bind mount of a stage, read-write",
			build: two(func(a *multistage.Stage) { a.Run("go build -o /out/app") }, func(a, b *multistage.Stage) {
				b.Run("cp /mnt/out/app /app", multistage.BindMount("/mnt", multistage.MountFrom(a), multistage.ReadWrite()))
			})},
		{name: "bind-mount-image", reason: "a bind mount of an image",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Run("cp /n/etc/nginx/nginx.conf /", multistage.BindMount("/n", multistage.MountFromImage("nginx:alpine")))
			})},
		{name: "tmpfs-mount", reason: "a tmpfs mount with a size",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Run("df /tmp", multistage.TmpfsMount("/tmp", multistage.Size(64<<20)))
			})},
		{name: "secret-mount", reason: "secrets as files and env, required and not, with owner and mode",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Run("cat /run/secrets/npmrc", multistage.SecretMount("npmrc"),
					multistage.SecretMount("netrc", multistage.MountTarget("/root/.netrc"), multistage.Required(), multistage.UID(1), multistage.GID(2), multistage.Mode(0o440)),
					multistage.SecretMount("token", multistage.SecretEnv("TOKEN")))
			})},
		{name: "ssh-mount", reason: "the default SSH agent, and a named one at a path, required",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Run("ssh-add -l", multistage.SSHMount(), multistage.SSHMount(multistage.MountID("deploy"), multistage.MountTarget("/run/deploy.sock"), multistage.Required()))
			})},

		// COPY.
		{name: "copy-paths", reason: "COPY of a file, a glob, a directory, to absolute and relative destinations",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Workdir("/app").Copy("a.txt", "b.txt").Copy("*.json", "./").Copy("dir", "dir").Copy("lib/", "/opt/lib/").Copy("x", "/abs")
			})},
		{name: "copy-literal", reason: "COPY paths are literal: $ and spaces",
			build: one("alpine:latest", func(s *multistage.Stage) { s.Copy("my $file.txt", "/dst dir/") })},
		{name: "copy-expand", reason: "Expand() expands env and args in sources and destination",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Arg("NAME", "app").Env("DST", "/opt").Copy("bin/${NAME}", "$DST/", multistage.Expand())
			})},
		{name: "copy-chown-chmod", reason: "--chown by name and by id, --chmod",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Copy("a", "/a", multistage.Chown("app:app")).Copy("b", "/b", multistage.Chown("1000")).Copy("c", "/c", multistage.Chmod(0o755)).
					Copy("d", "/d", multistage.Chown("1:2"), multistage.Chmod(fs.ModeSetuid|0o750))
			})},
		{name: "copy-link", reason: "--link becomes a merge; with --chmod and --chown too",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Workdir("/app").Copy("a", ".", multistage.Link()).Copy("b", "/b", multistage.Link(), multistage.Chmod(0o600), multistage.Chown("10:10"))
			})},
		{name: "copy-exclude-parents", reason: "--exclude and --parents",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Copy(".", "/src/", multistage.Exclude("*.md", "docs/")).Copy("pkg/./a/*.go", "/p/", multistage.Parents())
			})},
		{name: "copy-context-patterns", reason: "--exclude and --parents on copies of the whole context, which an older daemon filters as a local source",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Workdir("/app").Copy(".", "./", multistage.Exclude("*.md", "**/testdata")).
					Copy("**/*.go", "/p/", multistage.Parents(), multistage.Exclude("vendor")).
					Copy("cmd/app/main.go", "/q/", multistage.Parents(), multistage.Chown("10:10"), multistage.Link())
			})},
		{name: "copy-from-stage", reason: "COPY --from a stage, with a relative source and a relative destination",
			build: two(func(a *multistage.Stage) { a.Workdir("/src").Run("go build -o app") }, func(a, b *multistage.Stage) {
				b.Workdir("/srv").CopyFrom(a, "src/app", "bin/", multistage.Chmod(0o755)).CopyFrom(a, "/go/pkg", "/pkg", multistage.Link())
			})},
		{name: "copy-from-image", reason: "COPY --from an image",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.CopyFromImage("nginx:alpine", "/etc/nginx/nginx.conf", "/etc/nginx/").CopyFromImage("golang:1.22", "/usr/local/go/bin/gofmt", "/usr/bin/", multistage.Link())
			})},

		// Escaping: what the caller passes is what BuildKit gets.
		{name: "escape-env-label", reason: "tabs, unicode, trailing backslashes, quotes and $ in ENV and LABEL values",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Env("T", "a\tb").Env("U", "héllo wörld ☃").Env("B", `ends with \`).Env("Q", `'single' "double"`).Env("D", "$$ ${X:-y} $(id)").
					Label("l.tab", "x\ty").Label("l.back", `C:\path\`).Label("l.dollar", "${A}").Run("env")
			})},
		{name: "escape-paths", reason: "spaces, quotes, brackets and $ in WORKDIR, COPY and USER",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Workdir("/my dir/it's").Copy("a [b].txt", "c d/").Copy(`x"y`, "/$z").User("$USER").Run("pwd")
			})},
		{name: "escape-exec", reason: "quotes, backslashes, unicode and empty strings in exec-form arguments",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.RunExec([]string{"printf", `%s\n`, `"q"`, "", "☃", "a\\b"}).
					Entrypoint("/bin/sh", "-c", `echo "$@"`, "--").Cmd(`\`, "<&>").
					Healthcheck([]string{"test", `"`})
			})},
		{name: "escape-args", reason: "ARG defaults and --build-arg values with spaces and $ are not expanded",
			build: func() (*multistage.Build, *multistage.Stage) {
				b := multistage.New()
				b.Arg("G", "a b $c")
				b.Stage("s").From("alpine:latest").Arg("G").Arg("S", `${G} "x"`).Arg("FROM_CLI").Run("echo \"$G\" \"$S\" \"$FROM_CLI\"")
				return b, nil
			},
			buildArgs: map[string]string{"FROM_CLI": "$HOME and spaces"}},

		// ADD.
		{name: "add-local", reason: "Add unpacks local archives (AttemptUnpack), several sources, --chown",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Workdir("/src").Add("vendor.tar.gz", "vendor/", multistage.MoreSources("b.tar"), multistage.Chown("1000:1000"))
			})},
		{name: "add-link-exclude", reason: "Add with --link merges, --exclude patterns",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Add("docs/", "/usr/share/doc/", multistage.Link(), multistage.Exclude("*.md"))
			})},
		{name: "add-url", reason: "AddURL is an llb HTTP source with the file named after the URL, and the checksum",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.AddURL("https://example.com/dl/tool.tgz", "/tmp/",
					multistage.Checksum("sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"), multistage.Chmod(0o755))
			})},
		{name: "add-url-unnamed", reason: "AddURL of a URL without a path names the file __unnamed__",
			build: one("alpine:latest", func(s *multistage.Stage) { s.AddURL("https://example.com", "/dl/index.html") })},
		{name: "add-git", reason: "AddGit is an llb git source with the ref, subdirectory and KeepGitDir",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.AddGit("https://github.com/example/repo.git#v1.0:cmd", "/src", multistage.KeepGitDir())
			})},
		{name: "add-git-ssh-checksum", reason: "AddGit of an ssh URL pinned with Checksum; BuildKit records it as a context path too",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.AddGit("git@github.com:example/repo.git#main", "/src", multistage.Checksum("0123456789abcdef0123456789abcdef01234567"))
			})},
		{name: "add-unpack", reason: "Unpack(true) unpacks a download; Unpack(false) copies a local archive as it is",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.AddURL("https://example.com/tool.tar.gz", "/opt/", multistage.Unpack(true)).
					Add("app.tar.gz", "/srv/", multistage.Unpack(false))
			})},
		{name: "add-expand", reason: "Add with Expand expands the sources and the destination",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Arg("ARCH", "amd64").Add("dist/${ARCH}.tar.gz", "/opt/${ARCH}/", multistage.Expand())
			})},

		// Heredoc sources, symbolic modes.
		{name: "copy-content", reason: "CopyContent into a directory: an llb mkfile named after the heredoc, copied with a mode",
			build: one("nginx:alpine", func(s *multistage.Stage) {
				s.CopyContent("app.conf", "server { listen 8080; }\n", "/etc/nginx/conf.d/", multistage.Chmod(0o600))
			})},
		{name: "copy-content-expand", reason: "CopyContent with Expand: the content is expanded without quote processing",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Arg("PORT", "80").Env("APP", "web").CopyContent("EOF", "listen ${PORT}; 'app' \"$APP\"\n", "/etc/app.conf", multistage.Expand())
			})},
		{name: "copy-more-content", reason: "a file and two heredocs in one COPY --link",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Copy("motd", "/etc/", multistage.MoreContent("a.txt", "a\n"), multistage.MoreContent("b.txt", ""), multistage.Link())
			})},
		{name: "chmod-symbolic", reason: "ChmodSymbolic is a copy with a mode string",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Copy("run.sh", "/run.sh", multistage.ChmodSymbolic("u+x,go-w"))
			})},

		// Image config.
		{name: "cmd-shell", reason: "CmdShell runs under the stage's SHELL",
			build: one("debian:bookworm", func(s *multistage.Stage) {
				s.Shell("/bin/bash", "-c").CmdShell(`echo "$HOME" | tr a-z A-Z`)
			})},
		{name: "entrypoint-shell", reason: "EntrypointShell clears the inherited CMD and runs under /bin/sh -c",
			build: one("nginx:alpine", func(s *multistage.Stage) { s.EntrypointShell("exec /usr/local/bin/start --fast") })},
		{name: "maintainer", reason: "Maintainer sets the image Author",
			build: one("alpine:latest", func(s *multistage.Stage) { s.Maintainer("Jane Doe <jane@example.com>") })},
		{name: "onbuild-base", reason: "OnBuild only records the triggers in the image config",
			build: one("node:20", func(s *multistage.Stage) {
				s.Workdir("/app").OnBuild("COPY package*.json ./").OnBuild("RUN npm ci")
			})},
		{name: "onbuild-child", reason: "a stage FROM a stage with ONBUILD runs its triggers first, and does not pass them on",
			build: func() (*multistage.Build, *multistage.Stage) {
				b := multistage.New()
				base := b.Stage("base").From("node:20").Workdir("/app").
					OnBuild("ARG NODE_ENV=production").OnBuild("ENV APP_HOME=/srv").OnBuild("COPY package*.json ./").
					OnBuild("RUN --mount=type=cache,target=/root/.npm npm ci")
				b.Stage("app").FromStage(base).Copy(".", ".").Cmd("node", "server.js")
				return b, nil
			}},

		// Expansion.
		{name: "env-expand-all", reason: "EnvExpandAll expands every value against the environment from before it",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Env("A", "old").EnvExpandAll("A", "new", "B", "${A}-b").Run("echo $A $B")
			})},
		{name: "user-expand", reason: "UserExpand expands build args and env; RUN runs as that user",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Arg("UID", "1000").Env("GID", "0").UserExpand("${UID}:$GID").Run("id")
			}), buildArgs: map[string]string{"UID": "2000"}},
		{name: "label-expand", reason: "LabelExpand expands the label value",
			build: one("alpine:latest", func(s *multistage.Stage) {
				s.Arg("VERSION", "1.0").LabelExpand("org.opencontainers.image.version", "v${VERSION}")
			})},

		{name: "mount-expand", reason: "MountExpand expands the target, id and source of mounts",
			build: one("golang:1.22", func(s *multistage.Stage) {
				s.Arg(multistage.TargetArch).Env("GOCACHE", "/root/.cache/go-build").Workdir("/src").
					Run("go build ./...",
						multistage.CacheMount("$GOCACHE", multistage.MountID("gocache-${TARGETARCH}"), multistage.MountExpand()),
						multistage.BindMount("go.sum", multistage.MountSource("go.${TARGETARCH}.sum"), multistage.MountExpand()),
						multistage.SecretMount("token-$TARGETARCH", multistage.MountExpand()))
			})},

		// RUN with here-documents.
		{name: "run-heredoc-interpreter", reason: "RunHeredoc gives the shell the whole text, here-document included",
			build: one("python:3.12", func(s *multistage.Stage) { s.RunHeredoc("python3 <<EOF\nprint(\"hello\")\nEOF") })},
		{name: "run-heredoc-shebang", reason: "a single here-document that starts with #! is a script file mounted at /dev/pipes",
			build: one("python:3.12", func(s *multistage.Stage) {
				s.RunHeredoc("<<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF", multistage.CacheMount("/root/.cache"))
			})},
		{name: "run-heredoc-single", reason: "a single here-document without #! runs its content with the shell",
			build: one("alpine:latest", func(s *multistage.Stage) { s.RunHeredoc("<<-EOT\n\techo hi\nEOT") })},
	}
	for _, c := range cases {
		if c.reason == "" {
			panic("reason must be provided: " + c.name)
		}
	}
	return cases
}

// TestFeatures cross-checks every feature case for two target platforms:
// the platform that the tests pin the golden files to, and another one, so
// that platform handling ($BUILDPLATFORM, TARGETARCH, base resolution) is
// compared too.
func TestFeatures(t *testing.T) {
	ctx := context.Background()
	for _, c := range featureCases() {
		for _, p := range []ocispecs.Platform{linuxAMD64, linuxARM64, linuxARMv7} {
			t.Run(c.name+"/"+p.Architecture+p.Variant, func(t *testing.T) {
				t.Parallel()
				b, target := c.build()
				diff, res, err := crosscheck.Check(ctx, b, crosscheck.Options{Target: target, BuildArgs: c.buildArgs, Platform: &p})
				if err != nil {
					t.Fatalf("%s: %v", c.reason, err)
				}
				if diff != "" {
					t.Errorf("%s: Compile and dockerfile2llb disagree on\n%s\n%s", c.reason, res.Dockerfile, diff)
				}
			})
		}
	}
}

// TestPipelines cross-checks every classic pipeline, and every stage of
// each as a target, on both platforms.
func TestPipelines(t *testing.T) {
	ctx := context.Background()
	for _, p := range pipelines.All() {
		for _, s := range p.Build.Stages() {
			for _, pl := range []ocispecs.Platform{linuxAMD64, linuxARM64} {
				t.Run(p.Name+"/"+s.Name()+"/"+pl.Architecture, func(t *testing.T) {
					t.Parallel()
					diff, res, err := crosscheck.Check(ctx, p.Build, crosscheck.Options{Target: s, Platform: &pl})
					if err != nil {
						t.Fatal(err)
					}
					if diff != "" {
						t.Errorf("Compile and dockerfile2llb disagree on\n%s\n%s", res.Dockerfile, diff)
					}
				})
			}
		}
	}
}

// TestDefaultPlatform cross-checks without a platform: both backends then
// build for the platform of this machine.
func TestDefaultPlatform(t *testing.T) {
	diff, _, err := crosscheck.Check(context.Background(), pipelines.Kitchen().Build, crosscheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("Compile and dockerfile2llb disagree:\n%s", diff)
	}
}

// TestCompareReportsDifferences makes sure the oracle can fail: it
// compares the frontend's output for one build with Compile's output for
// another.
func TestCompareReportsDifferences(t *testing.T) {
	ctx := context.Background()
	build := func(cmd string, label string) *multistage.Build {
		b := multistage.New()
		b.Stage("s").From("alpine:latest").Run(cmd).Label("l", label)
		return b
	}
	for _, c := range []struct {
		name   string
		reason string
		a, b   *multistage.Build
		want   []string // headings in the report
		absent []string
	}{
		{"same", "the same build agrees with itself", build("true", "x"), build("true", "x"), nil, []string{"LLB", "image config"}},
		{"llb", "a different command changes the LLB and the history", build("true", "x"), build("false", "x"),
			[]string{"LLB (-dockerfile2llb +Compile)", `"true"`, `"false"`, "image history"}, []string{"image config"}},
		{"config", "a different label changes only the image config", build("true", "x"), build("true", "y"),
			[]string{"image config (-dockerfile2llb +Compile)", "Labels"}, []string{"LLB"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := testresolver.New()
			df, err := c.a.Dockerfile()
			if err != nil {
				t.Fatal(err)
			}
			def, img, err := crosscheck.Frontend(ctx, df, "s", crosscheck.Options{Resolver: r, Platform: &linuxAMD64})
			if err != nil {
				t.Fatal(err)
			}
			compiled, err := c.b.Compile(ctx, multistage.WithMetaResolver(r), multistage.WithPlatform(linuxAMD64))
			if err != nil {
				t.Fatal(err)
			}
			report, err := crosscheck.Compare(def, img, compiled)
			if err != nil {
				t.Fatal(err)
			}
			if (c.want == nil) != (report == "") {
				t.Fatalf("%s, but the report is:\n%s", c.reason, report)
			}
			for _, w := range c.want {
				if !strings.Contains(report, w) {
					t.Errorf("%s: report does not mention %s:\n%s", c.reason, w, report)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(report, a) {
					t.Errorf("%s: report mentions %s:\n%s", c.reason, a, report)
				}
			}
		})
	}
}

// TestResolvedOnce checks that Compile resolves each base image once per
// platform, however many stages use it, and that the frontend resolves
// the same references.
func TestResolvedOnce(t *testing.T) {
	ctx := context.Background()
	for _, p := range pipelines.All() {
		t.Run(p.Name, func(t *testing.T) {
			compiled := testresolver.New()
			out, err := p.Build.Compile(ctx, multistage.WithMetaResolver(compiled), multistage.WithPlatform(linuxAMD64))
			if err != nil {
				t.Fatal(err)
			}
			for ref, n := range compiled.AllCalls() {
				if n != 1 {
					t.Errorf("Compile resolved %s %d times, want once", ref, n)
				}
			}
			df, err := p.Build.Dockerfile()
			if err != nil {
				t.Fatal(err)
			}
			frontend := testresolver.New()
			if _, _, err := crosscheck.Frontend(ctx, df, out.Target, crosscheck.Options{Resolver: frontend, Platform: &linuxAMD64}); err != nil {
				t.Fatal(err)
			}
			for ref := range frontend.AllCalls() {
				if compiled.Calls(ref) == 0 {
					t.Errorf("the frontend resolved %s, Compile did not", ref)
				}
			}
			for ref := range compiled.AllCalls() {
				if frontend.Calls(ref) == 0 {
					t.Errorf("Compile resolved %s, the frontend did not", ref)
				}
			}
		})
	}
}

// TestLiteralValues checks, beyond the agreement of the backends, that the
// values reach the image exactly as given: were the renderer to expand or
// mangle them, the frontend would disagree; were the compiler to, this
// test would fail.
func TestLiteralValues(t *testing.T) {
	env := []string{"T=a\tb", "U=héllo wörld ☃", `B=ends with \`, `Q='single' "double"`, "D=$$ ${X:-y} $(id)"}
	labels := map[string]string{"l.tab": "x\ty", "l.back": `C:\path\`, "l.dollar": "${A}"}
	b := multistage.New()
	s := b.Stage("s").From("alpine:latest")
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		s.Env(k, v)
	}
	for _, k := range []string{"l.tab", "l.back", "l.dollar"} {
		s.Label(k, labels[k])
	}
	s.Entrypoint("/bin/sh", "-c", `echo "$@"`, "--")
	diff, res, err := crosscheck.Check(context.Background(), b, crosscheck.Options{Platform: &linuxAMD64})
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("Compile and dockerfile2llb disagree:\n%s", diff)
	}
	cfg := res.Compiled.Image.Config
	if got := cfg.Env[1:]; !slices.Equal(got, env) {
		t.Errorf("Env = %q, want %q after PATH", got, env)
	}
	if !maps.Equal(cfg.Labels, labels) {
		t.Errorf("Labels = %q, want %q", cfg.Labels, labels)
	}
	if want := []string{"/bin/sh", "-c", `echo "$@"`, "--"}; !slices.Equal(cfg.Entrypoint, want) {
		t.Errorf("Entrypoint = %q, want %q", cfg.Entrypoint, want)
	}
}

// TestFeaturesV08 cross-checks every feature case for the LLB capabilities
// of BuildKit v0.8, Docker Engine 20.10's: where the frontend's LLB fits
// them the backends agree op for op; where it does not, Compile either
// refuses the build, naming the feature, or compiles LLB that fits them.
func TestFeaturesV08(t *testing.T) {
	ctx := context.Background()
	v08 := llbcaps.V08()
	for _, c := range featureCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, target := c.build()
			diff, res, err := crosscheck.Check(ctx, b, crosscheck.Options{Target: target, BuildArgs: c.buildArgs, Platform: &linuxAMD64, Caps: &v08})
			if err != nil {
				t.Fatalf("%s: %v", c.reason, err)
			}
			if diff != "" {
				t.Errorf("%s: Compile and dockerfile2llb disagree on\n%s\n%s", c.reason, res.Dockerfile, diff)
			}
			switch {
			case refusedV08[c.name]:
				var ie *multistage.InstructionError
				if !errors.Is(res.ReducedErr, multistage.ErrUnsupportedByDaemon) || !errors.As(res.ReducedErr, &ie) {
					t.Errorf("%s: want an InstructionError that wraps ErrUnsupportedByDaemon, got %v (needs %v)", c.reason, res.ReducedErr, res.Missing)
				}
			case filteredV08[c.name]:
				if len(res.Missing) == 0 || res.ReducedErr != nil || res.Reduced == nil {
					t.Errorf("%s: want the context filtered for the patterns the daemon lacks, got needs %v, error %v", c.reason, res.Missing, res.ReducedErr)
				}
			case len(res.Missing) > 0:
				t.Errorf("%s: the frontend's LLB needs %v beyond v0.8's capabilities (Compile: %v)", c.reason, res.Missing, res.ReducedErr)
			}
		})
	}
}

// refusedV08 are the feature cases that use a feature BuildKit v0.8 cannot
// run, and filteredV08 those whose patterns it cannot apply to a copy of a
// directory of the context, where Compile filters the context instead.
var (
	refusedV08 = map[string]bool{
		"secret-mount":         true, // env=
		"tmpfs-mount":          true, // size=
		"chmod-symbolic":       true,
		"add-git":              true, // a subdirectory
		"add-git-ssh-checksum": true,
	}
	filteredV08 = map[string]bool{"copy-context-patterns": true, "add-link-exclude": true, "copy-exclude-parents": true}
)

// TestPipelinesV08 cross-checks every classic pipeline, and every stage of
// each as a target, for the LLB capabilities of BuildKit v0.8: the
// frontend's LLB fits them and the backends agree op for op. The kitchen
// sink, which uses every feature, is refused with the first feature v0.8
// lacks.
func TestPipelinesV08(t *testing.T) {
	ctx := context.Background()
	v08 := llbcaps.V08()
	for _, p := range pipelines.All() {
		for _, s := range p.Build.Stages() {
			t.Run(p.Name+"/"+s.Name(), func(t *testing.T) {
				t.Parallel()
				diff, res, err := crosscheck.Check(ctx, p.Build, crosscheck.Options{Target: s, Platform: &linuxAMD64, Caps: &v08})
				if err != nil {
					t.Fatal(err)
				}
				if diff != "" {
					t.Errorf("Compile and dockerfile2llb disagree on\n%s\n%s", res.Dockerfile, diff)
				}
				if p.Name == "kitchen" {
					if !errors.Is(res.ReducedErr, multistage.ErrUnsupportedByDaemon) {
						t.Errorf("kitchen: want ErrUnsupportedByDaemon, got %v (needs %v)", res.ReducedErr, res.Missing)
					}
					return
				}
				if len(res.Missing) > 0 {
					t.Errorf("the frontend's LLB needs %v beyond v0.8's capabilities", res.Missing)
				}
			})
		}
	}
}
