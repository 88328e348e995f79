package gogen_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/dfimport"
	"github.com/multistage/multistage/internal/gogen"
)

// TestGeneratedCodeBuildsTheSameBuild generates Go code for every corpus
// Dockerfile that ParseDockerfile imports, compiles all of it into one
// program inside this module, runs it, and checks that each generated
// function renders the same Dockerfile as ParseDockerfile of the original.
func TestGeneratedCodeBuildsTheSameBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	paths, err := filepath.Glob("../../testdata/dockerfiles/*.Dockerfile")
	if err != nil || len(paths) == 0 {
		t.Fatalf("corpus: %v (%d files)", err, len(paths))
	}
	dir, err := os.MkdirTemp("testdata", "generated-")
	if err != nil {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if dir, err = os.MkdirTemp("testdata", "generated-"); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		os.RemoveAll(dir)
		os.Remove("testdata") // only when empty
	})

	want := map[string]string{}
	var names []string
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := multistage.ParseDockerfile(data)
		if errors.Is(err, multistage.ErrUnsupported) || errors.Is(err, multistage.ErrDockerfileSyntax) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		df, err := b.Dockerfile()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		prog, err := dfimport.Walk(data)
		if err != nil {
			t.Fatal(err)
		}
		fn := fmt.Sprintf("Build%d", i)
		src, err := gogen.Generate(prog, gogen.Options{Func: fn, Source: filepath.Base(p)})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("build%d.go", i)), src, 0o644); err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(p)
		want[name] = string(df)
		names = append(names, fmt.Sprintf("{%q, %s}", name, fn))
	}
	main := `package main

import (
	"fmt"
	"os"

	"github.com/multistage/multistage"
)

func main() {
	for _, c := range []struct {
		name string
		f    func() *multistage.Build
	}{
		` + strings.Join(names, ",\n\t\t") + `,
	} {
		df, err := c.f().Dockerfile()
		if err != nil {
			fmt.Fprintln(os.Stderr, c.name, err)
			os.Exit(1)
		}
		fmt.Printf("=== %s\n%s", c.name, df)
	}
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./"+filepath.ToSlash(dir))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, stderr.Bytes())
	}
	got := map[string]string{}
	for _, part := range strings.Split(string(out), "=== ")[1:] {
		name, df, _ := strings.Cut(part, "\n")
		got[name] = df
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("generated code renders other Dockerfiles (-ParseDockerfile +generated):\n%s", d)
	}
	t.Logf("%d generated functions compile and render the same Dockerfiles", len(got))
}

func TestGenerateNames(t *testing.T) {
	prog, err := dfimport.Walk([]byte("FROM alpine AS build-env\nFROM alpine AS go\nFROM alpine AS b\nFROM alpine\nCOPY --from=build-env /a /a\nCOPY --from=go /b /b\n"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := gogen.Generate(prog, gogen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"buildEnv := b.Stage(\"build-env\")", "goStage := b.Stage(\"go\")", "b2 := b.Stage(\"b\")", "stage3 := b.Stage(\"stage-3\")", "CopyFrom(buildEnv,"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated source lacks %q:\n%s", want, src)
		}
	}
}
