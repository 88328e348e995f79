package multistage_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage"
)

// TestDocWalkthrough keeps the Dockerfile shown in doc.go true: it builds
// the walk-through's build and compares the rendering with the text that
// follows "// renders" in doc.go.
func TestDocWalkthrough(t *testing.T) {
	b := multistage.New()
	build := b.Stage("build").From("golang:1.27").
		Workdir("/src").
		Copy("go.mod", ".").
		Copy("go.sum", ".").
		Run("go mod download", multistage.CacheMount("/go/pkg/mod")).
		Copy(".", ".").
		Run("CGO_ENABLED=0 go build -o /out/app .",
			multistage.CacheMount("/go/pkg/mod"),
			multistage.CacheMount("/root/.cache/go-build"))
	b.Stage("run").From("alpine:latest").
		CopyFrom(build, "/out/app", "/usr/local/bin/app").
		User("65534").
		Expose(8080).
		Entrypoint("/usr/local/bin/app")
	df, err := b.Dockerfile()
	if err != nil {
		t.Fatal(err)
	}

	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)// renders\n//\n(.*?)\n//\n// and\n`).FindSubmatch(src)
	if m == nil {
		t.Fatal(`doc.go has no "// renders" block`)
	}
	var want strings.Builder
	for _, line := range strings.Split(string(m[1]), "\n") {
		line = strings.TrimPrefix(strings.TrimPrefix(line, "//"), "\t")
		want.WriteString(line + "\n")
	}
	if d := cmp.Diff(want.String(), string(df)); d != "" {
		t.Errorf("doc.go shows a Dockerfile the walk-through does not render (-doc.go +rendered):\n%s", d)
	}
}
