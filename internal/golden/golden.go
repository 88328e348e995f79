// Package golden reads and writes golden files in the txtar format: a
// comment, then sections that each start with a "-- name --" line. One
// file per test case keeps a case's Dockerfile, LLB dump and image config
// together, and diffs well in review.
package golden

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/llbdump"
	"github.com/multistage/multistage/internal/testresolver"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Update is set by "go test -update": golden files are rewritten.
var Update = flag.Bool("update", false, "update golden files")

// File is one section of an archive.
type File struct {
	Name string
	Data []byte
}

// Platform is the platform golden files are compiled for, so that they do
// not depend on the machine that runs the tests.
var Platform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// Sections renders and compiles b as golden files record it, and returns
// the sections "Dockerfile", "llb.json" (the [llbdump.Dump] of the LLB) and
// "image.json" (the indented Docker image config), with the compiled
// build. opts are the options of the case, such as [multistage.Target];
// Sections adds a fresh [testresolver.Resolver] and [Platform].
func Sections(ctx context.Context, b *multistage.Build, opts ...multistage.Option) ([]File, *multistage.Compiled, error) {
	df, err := b.Dockerfile(opts...)
	if err != nil {
		return nil, nil, err
	}
	out, err := b.Compile(ctx, append(opts[:len(opts):len(opts)], multistage.WithMetaResolver(testresolver.New()), multistage.WithPlatform(Platform))...)
	if err != nil {
		return nil, nil, err
	}
	dump, err := llbdump.Dump(out.Definition)
	if err != nil {
		return nil, nil, err
	}
	img, err := json.MarshalIndent(out.DockerImage, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return []File{{Name: "Dockerfile", Data: df}, {Name: "llb.json", Data: dump}, {Name: "image.json", Data: append(img, '\n')}}, out, nil
}

// Read reads the sections of the golden file at path.
func Read(path string) (map[string][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data), nil
}

// Format renders a comment and sections as txtar.
func Format(comment string, files []File) []byte {
	var b bytes.Buffer
	if comment != "" {
		b.WriteString(strings.TrimSuffix(comment, "\n") + "\n")
	}
	for _, f := range files {
		fmt.Fprintf(&b, "-- %s --\n", f.Name)
		b.Write(f.Data)
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// Parse splits txtar data into its sections.
func Parse(data []byte) map[string][]byte {
	out := map[string][]byte{}
	var name string
	var cur []byte
	flush := func() {
		if name != "" {
			out[name] = cur
		}
	}
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		s := strings.TrimSuffix(string(line), "\n")
		if strings.HasPrefix(s, "-- ") && strings.HasSuffix(s, " --") && len(s) > 6 {
			flush()
			name, cur = s[3:len(s)-3], []byte{}
			continue
		}
		if name != "" {
			cur = append(cur, line...)
		}
	}
	flush()
	return out
}

// Check compares files with the golden file at path, or rewrites it with
// -update.
func Check(t testing.TB, path, comment string, files []File) {
	t.Helper()
	got := Format(comment, files)
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	want := Parse(data)
	for _, f := range files {
		if diff := cmp.Diff(string(want[f.Name]), string(f.Data)); diff != "" {
			t.Errorf("%s: %s mismatch (-want +got):\n%s", path, f.Name, diff)
		}
	}
}

// CheckBuild compares the sections of b (see [Sections]) with the golden
// file at path, which another test writes: it never rewrites it.
func CheckBuild(t testing.TB, path string, b *multistage.Build, opts ...multistage.Option) {
	t.Helper()
	want, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := Sections(context.Background(), b, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		if diff := cmp.Diff(string(want[f.Name]), string(f.Data)); diff != "" {
			t.Errorf("%s: %s mismatch (-want +got):\n%s", path, f.Name, diff)
		}
	}
}
