package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage/internal/golden"
)

// goldenFile is the golden file of the pipeline, which the root package's
// golden tests write from internal/pipelines: the example and the tests
// must build the same thing.
var goldenFile = filepath.Join("..", "..", "..", "testdata", "golden", "go.txtar")

// TestPipelineIsGolden checks that pipeline renders the golden Dockerfile
// and compiles to the golden LLB and image config.
func TestPipelineIsGolden(t *testing.T) {
	want, err := golden.Read(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := golden.Sections(context.Background(), pipeline())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		if diff := cmp.Diff(string(want[f.Name]), string(f.Data)); diff != "" {
			t.Errorf("%s mismatch with %s (-want +got):\n%s", f.Name, goldenFile, diff)
		}
	}
}

// TestRun runs the program's output path without BuildKit: the
// Dockerfile, then the LLB as a JSON array of ops.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, pipeline(), true, "", "", ""); err != nil {
		t.Fatal(err)
	}
	want, err := golden.Read(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	df := string(want["Dockerfile"])
	if !strings.HasPrefix(out.String(), df) {
		t.Fatalf("output does not start with the Dockerfile:\n%s", out.String())
	}
	var ops []struct {
		Digest string
		Op     map[string]any
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(out.String(), df)), &ops); err != nil {
		t.Fatalf("-llb output is not a JSON array: %v\n%s", err, out.String())
	}
	if len(ops) < 2 || ops[len(ops)-1].Op["inputs"] == nil {
		t.Errorf("-llb output has %d ops, the last without inputs", len(ops))
	}
	for _, op := range ops {
		if !strings.HasPrefix(op.Digest, "sha256:") {
			t.Errorf("op without digest: %v", op)
		}
	}
}
