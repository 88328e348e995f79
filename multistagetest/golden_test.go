package multistagetest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/multistagetest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// service is a small two-stage build; verbose changes one RUN line.
func service(verbose bool) *multistage.Build {
	b := multistage.New()
	cmd := "CGO_ENABLED=0 go build -o /out/app ."
	if verbose {
		cmd = "CGO_ENABLED=0 go build -v -o /out/app ."
	}
	build := b.Stage("build").From("golang:1.22").
		Workdir("/src").
		Copy(".", ".").
		Run(cmd, multistage.CacheMount("/root/.cache/go-build"))
	b.Stage("run").From("gcr.io/distroless/static-debian12:nonroot").
		CopyFrom(build, "/out/app", "/app").
		Entrypoint("/app")
	return b
}

// TestGoldenLifecycle is what a user goes through: the file is missing,
// MULTISTAGE_UPDATE=1 writes it, the test then passes, a changed build
// fails with a diff that names the changed line, and writing again makes
// it pass.
func TestGoldenLifecycle(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	path := filepath.Join("testdata", "services", "api.golden")

	mustFail(t, func(t testing.TB) { multistagetest.Golden(t, service(false), "services/api") },
		"testdata/services/api.golden", "MULTISTAGE_UPDATE=1")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a failing Golden wrote %s: %v", path, err)
	}

	t.Setenv("MULTISTAGE_UPDATE", "1")
	mustPass(t, func(t testing.TB) { multistagetest.Golden(t, service(false), "services/api") })
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"-- Dockerfile --\n", "-- llb.json --\n", "-- image.json --\n", "RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /out/app .\n"} {
		if !bytes.Contains(written, []byte(section)) {
			t.Errorf("the golden file has no %q:\n%s", section, written)
		}
	}

	t.Setenv("MULTISTAGE_UPDATE", "")
	mustPass(t, func(t testing.TB) { multistagetest.Golden(t, service(false), "services/api") })

	msg := mustFail(t, func(t testing.TB) { multistagetest.Golden(t, service(true), "services/api") },
		"testdata/services/api.golden: Dockerfile differs from line 4:",
		`want: "RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /out/app ."`,
		`got:  "RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -v -o /out/app ."`,
		"(-want +got):", // then go-cmp's diff, whose text may change
		"llb.json differs")
	if strings.Contains(msg, "image.json") {
		t.Errorf("the image config did not change, but the failure says it did:\n%s", msg)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, written) {
		t.Error("a failing Golden changed the golden file")
	}

	t.Setenv("MULTISTAGE_UPDATE", "1")
	mustPass(t, func(t testing.TB) { multistagetest.Golden(t, service(true), "services/api") })
	t.Setenv("MULTISTAGE_UPDATE", "")
	mustPass(t, func(t testing.TB) { multistagetest.Golden(t, service(true), "services/api") })
}

// TestGoldenDeterministic checks that the golden file records nothing of
// the machine or the moment: no digest of a base image, no path of the
// test, the same bytes however often it is made. (The golden file of
// Example_golden, checked in, shows the same bytes come out on every
// machine.)
func TestGoldenDeterministic(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("MULTISTAGE_UPDATE", "1")
	var first []byte
	for i := range 3 {
		mustPass(t, func(t testing.TB) { multistagetest.Golden(t, service(false), "app") })
		got, err := os.ReadFile(filepath.Join("testdata", "app.golden"))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = got
		} else if !bytes.Equal(got, first) {
			t.Fatalf("run %d wrote other bytes", i)
		}
	}
	host, _ := os.Hostname()
	for _, leak := range []string{dir, host, "@sha256:"} {
		if leak != "" && bytes.Contains(first, []byte(leak)) {
			t.Errorf("the golden file holds %q", leak)
		}
	}
}

// TestGoldenOptions checks that the options reach both the Dockerfile and
// the LLB: a target, and a platform other than the default.
func TestGoldenOptions(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("MULTISTAGE_UPDATE", "1")
	b := service(false)
	mustPass(t, func(t testing.TB) {
		multistagetest.Golden(t, b, "build-arm64", multistage.Target(b.Lookup("build")),
			multistage.WithPlatform(ocispecs.Platform{OS: "linux", Architecture: "arm64"}))
	})
	got, err := os.ReadFile(filepath.Join("testdata", "build-arm64.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte("distroless")) || !bytes.Contains(got, []byte(`"architecture": "arm64"`)) {
		t.Errorf("the golden file of the build stage for arm64:\n%s", got)
	}
}

// TestGoldenRefusals checks that bad arguments and invalid builds fail
// clearly instead of writing a file.
func TestGoldenRefusals(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("MULTISTAGE_UPDATE", "1")
	for _, name := range []string{"", "../escape", "/abs"} {
		mustFail(t, func(t testing.TB) { multistagetest.Golden(t, service(false), name) }, "want a relative path")
	}
	b := multistage.New()
	b.Stage("nobase")
	mustFail(t, func(t testing.TB) { multistagetest.Golden(t, b, "nobase") }, multistage.ErrNoBase.Error())
	if entries, _ := os.ReadDir("testdata"); len(entries) > 0 {
		t.Errorf("refused calls wrote %v", entries)
	}
}
