package multistagetest_test

import (
	"io/fs"
	"testing"
	"time"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/multistagetest"
)

// The end-to-end tests of the image checks, on the test environment's
// BuildKit (see internal/testenv): each builds a small image from the
// stand-in base images and checks what passes and what fails, and how.

// appImage is the image of ExampleRun: a user, a script as entrypoint.
func appImage() *multistage.Stage {
	b := multistage.New()
	return b.Stage("run").From("alpine:3.20").
		Run("adduser -D -u 10001 app").
		CopyContent("hello.sh", "#!/bin/sh\necho hello from $(id -un)\n", "/usr/local/bin/hello", multistage.Chmod(0o755)).
		User("app").
		Entrypoint("/usr/local/bin/hello")
}

// TestRun checks that Run runs a command as the image runs its commands:
// its user, working directory and environment, and without argv its
// entrypoint.
func TestRun(t *testing.T) {
	c := testenv.Client(t)
	b := multistage.New()
	s := b.Stage("app").From("alpine:3.20").
		Run("adduser -D -u 1234 app && mkdir /work && chown app /work").
		User("app").Workdir("/work").Env("GREETING", "hello $world").
		Entrypoint("echo", "entrypoint").Cmd("and", "cmd")
	out := multistagetest.Run(t, c, s, "sh", "-c", `id -u; id -un; pwd; echo "$GREETING"; echo "$PATH"`)
	if want := "1234\napp\n/work\nhello $world\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"; out != want {
		t.Errorf("Run = %q, want %q", out, want)
	}
	if out, want := multistagetest.Run(t, c, s), "entrypoint and cmd\n"; out != want {
		t.Errorf("Run without argv = %q, want %q", out, want)
	}
	if out, want := multistagetest.Run(t, c, appImage()), "hello from app\n"; out != want {
		t.Errorf("Run of ExampleRun's image = %q, want %q", out, want)
	}
}

// TestRunFails checks that Run fails the test, with standard error, when
// the command exits non-zero or cannot start, and with the build's log
// when the image does not build.
func TestRunFails(t *testing.T) {
	c := testenv.Client(t)
	s := appImage()
	mustFail(t, func(t testing.TB) {
		multistagetest.Run(t, c, s, "sh", "-c", "echo out; echo oops on stderr >&2; exit 3")
	}, "stage run:", `"sh" "-c"`, "exited with status 3", "oops on stderr")
	mustFail(t, func(t testing.TB) { multistagetest.Run(t, c, s, "/no/such/program") }, "/no/such/program")

	b := multistage.New()
	broken := b.Stage("broken").From("alpine:3.20").Run("echo the step fails >&2; exit 7")
	mustFail(t, func(t testing.TB) { multistagetest.Run(t, c, broken, "true") },
		"stage broken:", "exit code: 7", "build log:", "the step fails")

	b = multistage.New()
	noCmd := b.Stage("nocmd").From("scratch").CopyContent("file", "x\n", "/file")
	mustFail(t, func(t testing.TB) { multistagetest.Run(t, c, noCmd) }, "no ENTRYPOINT or CMD")
}

// TestImageChecks checks HasFile, NotRoot, ReadFile and SizeUnder, each
// passing and failing.
func TestImageChecks(t *testing.T) {
	c := testenv.Client(t)
	s := appImage()
	mustPass(t, func(t testing.TB) {
		multistagetest.HasFile(t, c, s, "/usr/local/bin/hello", 0o755, "root:root")
		multistagetest.HasFile(t, c, s, "/home/app", fs.ModeDir|0o755, "app:app")
		multistagetest.HasFile(t, c, s, "/home/app", fs.ModeDir|0o755, "10001")
		multistagetest.HasFile(t, c, s, "/bin/busybox", 0o755, "")
		multistagetest.NotRoot(t, c, s)
		if got := string(multistagetest.ReadFile(t, c, s, "/usr/local/bin/hello")); got != "#!/bin/sh\necho hello from $(id -un)\n" {
			t.Errorf("ReadFile = %q", got)
		}
		if n := multistagetest.SizeUnder(t, c, s, 20<<20); n < 100<<10 {
			t.Errorf("SizeUnder = %d bytes: less than the base image", n)
		}
	})
	mustFail(t, func(t testing.TB) { multistagetest.HasFile(t, c, s, "/usr/local/bin/hello", 0o700, "app:app") },
		"/usr/local/bin/hello: mode -rwxr-xr-x (755), want -rwx------ (700)", "owner uid 0, want 10001 (app)", "group gid 0, want 10001 (app)")
	mustFail(t, func(t testing.TB) { multistagetest.HasFile(t, c, s, "/home/app", 0o755, "") },
		"mode drwxr-xr-x (755), want -rwxr-xr-x (755)")
	mustFail(t, func(t testing.TB) { multistagetest.HasFile(t, c, s, "/nowhere", 0o644, "") }, "/nowhere")
	mustFail(t, func(t testing.TB) { multistagetest.HasFile(t, c, s, "/home/app", fs.ModeDir|0o755, "nobody-here") },
		`the image's /etc/passwd has no "nobody-here"`)
	mustFail(t, func(t testing.TB) { multistagetest.ReadFile(t, c, s, "/nowhere") }, "reading /nowhere")
	mustFail(t, func(t testing.TB) { multistagetest.SizeUnder(t, c, s, 1000) }, "more than 1000")

	b := multistage.New()
	root := b.Stage("root").From("alpine:3.20")
	mustFail(t, func(t testing.TB) { multistagetest.NotRoot(t, c, root) }, "runs as root: it sets no USER")
	mustFail(t, func(t testing.TB) { multistagetest.NotRoot(t, c, b.Stage("root0").FromStage(root).User("root:root")) },
		"USER root:root is uid 0")
	mustFail(t, func(t testing.TB) { multistagetest.NotRoot(t, c, b.Stage("ghost").FromStage(root).User("ghost")) },
		`USER ghost: the image's /etc/passwd has no "ghost"`)
	mustPass(t, func(t testing.TB) { multistagetest.NotRoot(t, c, b.Stage("numeric").FromStage(root).User("4242:4242")) })
}

// TestServer checks Listens and HTTPGet on the nginx stand-in, each in a
// network of its own (two servers on port 80 at once), and their
// failures: a server that exits, a 404, a port nothing listens on.
func TestServer(t *testing.T) {
	c := testenv.Client(t)
	b := multistage.New()
	site := b.Stage("site").From("nginx:alpine").
		CopyContent("index.html", "<h1>hello</h1>\n", "/usr/share/nginx/html/index.html")
	t.Run("parallel", func(t *testing.T) {
		for _, name := range []string{"one", "two"} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				if body := multistagetest.HTTPGet(t, c, site, 80, "/"); body != "<h1>hello</h1>\n" {
					t.Errorf("GET / = %q", body)
				}
				multistagetest.Listens(t, c, site, 80)
			})
		}
	})
	mustFail(t, func(t testing.TB) { multistagetest.HTTPGet(t, c, site, 80, "/missing.html") },
		"http://127.0.0.1:80/missing.html: the answer was no success", "404 Not Found")

	crash := b.Stage("crash").From("alpine:3.20").Entrypoint("sh", "-c", "echo cannot bind >&2; exit 4")
	mustFail(t, func(t testing.TB) { multistagetest.Listens(t, c, crash, 8080) },
		"exited (status 4) before it answered on port 8080", "cannot bind")

	old := multistagetest.ServerTimeout
	multistagetest.ServerTimeout = 3 * time.Second
	defer func() { multistagetest.ServerTimeout = old }()
	start := time.Now()
	mustFail(t, func(t testing.TB) { multistagetest.Listens(t, c, site, 8081) }, "nothing answered on port 8081 within 3s")
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Listens took %v to give up after 3s", d)
	}
}
