package examplecli

import (
	"bytes"
	"context"
	"encoding/json"
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
