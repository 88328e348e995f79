package multistagetest_test

import (
	"context"
	"fmt"
	"io/fs"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/multistagetest"
)

// exampleT stands in for the *testing.T of a test, so that the examples
// run as examples: it prints what a test would report.
type exampleT struct{ testing.TB }

func (exampleT) Helper()                   {}
func (exampleT) Context() context.Context  { return context.Background() }
func (exampleT) Logf(string, ...any)       {}
func (exampleT) Errorf(f string, a ...any) { fmt.Printf("FAIL: "+f+"\n", a...) }
func (exampleT) Fatalf(f string, a ...any) { fmt.Printf("FAIL: "+f+"\n", a...) }

// In a test, Golden compares the build with testdata/example.golden, which
// MULTISTAGE_UPDATE=1 go test writes. A change to the build fails the test
// with a diff until the golden file is written again and the diff
// reviewed. Here it matches, and Golden reports nothing.
func ExampleGolden() {
	var t testing.TB = exampleT{} // in a test: func TestBuild(t *testing.T)

	b := multistage.New()
	build := b.Stage("build").From("golang:1.22").
		Workdir("/src").
		Copy(".", ".").
		Run("CGO_ENABLED=0 go build -o /out/app .")
	b.Stage("run").From("gcr.io/distroless/static-debian12:nonroot").
		CopyFrom(build, "/out/app", "/app").
		Entrypoint("/app")

	multistagetest.Golden(t, b, "example")
	fmt.Println("checked")
	// Output: checked
}

// Image tests run on a BuildKit daemon: no Docker is needed. Each call
// builds the stage (BuildKit's cache makes the next one cheap) and runs or
// reads what it needs in the built image.
func ExampleRun() {
	var t testing.TB = exampleT{} // in a test: func TestImage(t *testing.T)
	ctx := context.Background()

	c, err := multistage.Dial(ctx, "") // $BUILDKIT_HOST, else Docker Engine
	if err != nil {
		t.Fatalf("connecting to BuildKit: %v", err)
	}
	defer c.Close()

	b := multistage.New()
	run := b.Stage("run").From("alpine:3.20").
		Run("adduser -D -u 10001 app").
		CopyContent("hello.sh", "#!/bin/sh\necho hello from $(id -un)\n", "/usr/local/bin/hello", multistage.Chmod(0o755)).
		User("app").
		Entrypoint("/usr/local/bin/hello")

	if out := multistagetest.Run(t, c, run); out != "hello from app\n" {
		t.Errorf("the entrypoint printed %q", out)
	}
	multistagetest.HasFile(t, c, run, "/usr/local/bin/hello", 0o755, "root:root")
	multistagetest.HasFile(t, c, run, "/home/app", fs.ModeDir|0o755, "app:app")
	multistagetest.NotRoot(t, c, run)
	multistagetest.SizeUnder(t, c, run, 20<<20)
}

// An HTTP server's image: start its entrypoint and ask it for a page.
func ExampleHTTPGet() {
	var t testing.TB = exampleT{} // in a test: func TestSite(t *testing.T)
	c, err := multistage.Dial(context.Background(), "")
	if err != nil {
		t.Fatalf("connecting to BuildKit: %v", err)
	}
	defer c.Close()

	b := multistage.New()
	site := b.Stage("site").From("nginx:alpine").
		CopyContent("index.html", "<h1>hello</h1>\n", "/usr/share/nginx/html/index.html")

	if body := multistagetest.HTTPGet(t, c, site, 80, "/"); body != "<h1>hello</h1>\n" {
		t.Errorf("GET / = %q", body)
	}
}
