package examplecli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multistage/multistage"
)

// TestShow checks what an example prints without building: the
// Dockerfile, the LLB summary and, with -llb, the LLB as a JSON array of
// ops.
func TestShow(t *testing.T) {
	b := multistage.New()
	build := b.Stage("build").From("golang:1.22").Workdir("/src").Copy(".", ".").Run("go build -o /app .")
	b.Stage("run").From("alpine:latest").CopyFrom(build, "/app", "/app").Cmd("/app")
	var out bytes.Buffer
	if err := show(context.Background(), &out, b, true); err != nil {
		t.Fatal(err)
	}
	df, err := b.Dockerfile()
	if err != nil {
		t.Fatal(err)
	}
	text, ok := strings.CutPrefix(out.String(), "# Dockerfile\n"+string(df)+"\n")
	if !ok {
		t.Fatalf("output does not start with the Dockerfile:\n%s", out.String())
	}
	for _, want := range []string{
		`# LLB of target stage "run" (`,
		"source docker-image://docker.io/library/golang:1.22\n",
		"exec [#",
		"/bin/sh -c go build -o /app .\n",
		"copy /app -> /app\n",
		`# image config: Entrypoint=[] Cmd=["/app"]`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	dump := text[strings.Index(text, "\n[")+1 : strings.LastIndex(text, "]")+1]
	var ops []struct {
		Digest string
		Op     map[string]any
	}
	if err := json.Unmarshal([]byte(dump), &ops); err != nil {
		t.Fatalf("-llb output is not a JSON array: %v\n%s", err, dump)
	}
	if len(ops) < 5 {
		t.Errorf("-llb output has %d ops", len(ops))
	}
	for _, op := range ops {
		if !strings.HasPrefix(op.Digest, "sha256:") {
			t.Errorf("op without digest: %v", op)
		}
	}
}

// TestExamplesCopyable: every example's main.go builds on its own in a
// module of a user's (with this module as a dependency), as the README
// and its doc comment promise: no internal package, nothing from the
// example's other files.
func TestExamplesCopyable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet in a new module")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mains, err := filepath.Glob(filepath.Join(root, "examples", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	classic, err := filepath.Glob(filepath.Join(root, "examples", "classic", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	mains = append(mains, classic...)
	if len(mains) < 6 {
		t.Fatalf("found %d examples", len(mains))
	}
	mod := t.TempDir()
	goMod := "module example.com/mine\n\ngo 1.26.8\n\nrequire github.com/multistage/multistage v0.0.0\n\nreplace github.com/multistage/multistage => " + root + "\n"
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(goMod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	for i, m := range mains {
		src, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(mod, fmt.Sprintf("copy%d", i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goTool, "vet", "./...")
	cmd.Dir = mod
	// the module's dependencies are in the module cache already
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the examples' main.go files, copied into a module of their own, do not build: %v\n%s\n(copyN is the N-th, from 0, of %q)", err, out, mains)
	}
}
