package main

import (
	"strings"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/multistagetest"
	"github.com/multistage/multistage/presets"
)

// build is the build under test: the Go preset for the app in ./app.
func build() *presets.GoBuild {
	return presets.Go(presets.GoOptions{Binary: "hello"})
}

// TestBuildIsGolden fails when the build changes: review the diff, then
// accept it with MULTISTAGE_UPDATE=1 go test ./...
// No daemon is needed, and the golden file is the same on every machine.
func TestBuildIsGolden(t *testing.T) {
	multistagetest.Golden(t, build().Build, "hello")
}

// TestImage builds the image on BuildKit ($BUILDKIT_HOST, else Docker
// Engine's) and tests it in BuildKit's own containers.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("image tests build on BuildKit")
	}
	c, err := multistage.Dial(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Chdir("app") // the build context

	app := build().Runtime
	if out := multistagetest.Run(t, c, app, "/usr/local/bin/hello", "-selftest"); !strings.HasPrefix(out, "selftest: 200 ") {
		t.Errorf("selftest: %q", out)
	}
	if body := multistagetest.HTTPGet(t, c, app, 8080, "/"); !strings.Contains(body, "uid 65532") {
		t.Errorf("GET / = %q, want the server running as uid 65532", body)
	}
	multistagetest.NotRoot(t, c, app)
	multistagetest.HasFile(t, c, app, "/usr/local/bin/hello", 0o755, "root:root")
	if size := multistagetest.SizeUnder(t, c, app, 20<<20); size > 0 {
		t.Logf("image: %.1f MiB", float64(size)/(1<<20))
	}
}
