package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const stagesDockerfile = `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM build AS test
RUN go test ./...

FROM alpine:3.20
COPY --from=build /out/app /app
`

// TestGraph checks -graph: both formats, the target marked, the stages it
// does not need apart, and the refusals.
func TestGraph(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte(stagesDockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "graph")
	read := func() string {
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}

	if err := printGraph([]string{df}, "mermaid", "", out); err != nil {
		t.Fatal(err)
	}
	got := read()
	for _, want := range []string{
		"flowchart TB\n",
		`s0["build<br>FROM golang:1.22"]`,
		`s2["stage-2<br>FROM alpine:3.20"]:::target`,
		`subgraph unused["not needed for stage-2"]`,
		`s0 -->|"COPY /out/app → /app"| s2`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("-graph mermaid has no %q:\n%s", want, got)
		}
	}

	if err := printGraph([]string{df}, "dot", "test", out); err != nil {
		t.Fatal(err)
	}
	got = read()
	for _, want := range []string{
		"digraph build {\n",
		`"test" [label="test\nFROM build", penwidth=3];`,
		`"build" -> "test" [label="FROM"];`,
		`label="not needed for test";`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("-graph dot -target test has no %q:\n%s", want, got)
		}
	}

	for _, c := range []struct{ format, target, want string }{
		{"svg", "", `-graph "svg": want mermaid or dot`},
		{"", "test", "-target needs -graph"},
		{"dot", "nope", `-target "nope": no such stage`},
	} {
		if err := printGraph([]string{df}, c.format, c.target, out); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("-graph %q -target %q: %v, want an error saying %q", c.format, c.target, err, c.want)
		}
	}
}
