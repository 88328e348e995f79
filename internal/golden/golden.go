// Package golden reads and writes golden files in the txtar format: a
// comment, then sections that each start with a "-- name --" line. One
// file per test case keeps a case's Dockerfile, LLB dump and image config
// together, and diffs well in review.
//
// Package multistagetest, the public face of these golden files, is built
// on [Render] and [Check]; the repository's own tests use [Sections],
// which resolves base images with [testresolver].
package golden

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/llbdump"
	"github.com/multistage/multistage/internal/testresolver"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// UpdateEnv is the environment variable that makes [Check] write golden
// files instead of comparing them, when set to 1 (or another true value
// of [strconv.ParseBool]).
const UpdateEnv = "MULTISTAGE_UPDATE"

// Update is set by "go test -update": golden files are rewritten.
//
// The flag is defined only when the test binary is run with -update and
// has no -update flag yet, so a test package that imports this one can
// define an -update flag of its own: the two clash (the flag package
// panics on a flag defined twice) only when the binary is run with
// -update. [Updating] reads whichever -update flag is there.
var Update = updateFlag(os.Args[1:])

func updateFlag(args []string) *bool {
	if flag.Lookup("update") != nil || !asksUpdate(args) {
		return new(bool)
	}
	return flag.Bool("update", false, "write golden files instead of comparing them (as "+UpdateEnv+"=1 does)")
}

// asksUpdate reports whether args, the arguments of the test binary, set
// the -update flag.
func asksUpdate(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if strings.HasPrefix(a, "-") && name == "update" {
			return true
		}
	}
	return false
}

// Updating reports whether golden files are to be written: when
// MULTISTAGE_UPDATE is true, or the test binary's boolean -update flag
// (this package's, or the caller's own) is set.
func Updating() bool {
	if v, err := strconv.ParseBool(os.Getenv(UpdateEnv)); err == nil && v {
		return true
	}
	if f := flag.Lookup("update"); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if v, ok := g.Get().(bool); ok {
				return v
			}
		}
	}
	return false
}

// File is one section of an archive.
type File struct {
	Name string
	Data []byte
}

// Platform is the platform golden files are compiled for, so that they do
// not depend on the machine that runs the tests.
var Platform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// Sections renders and compiles b as the repository's golden files record
// it, and returns the sections of [Render] with the compiled build. opts
// are the options of the case, such as [multistage.Target]; Sections adds
// a fresh [testresolver.Resolver] and [Platform].
func Sections(ctx context.Context, b *multistage.Build, opts ...multistage.Option) ([]File, *multistage.Compiled, error) {
	return Render(ctx, b, append(opts[:len(opts):len(opts)], multistage.WithMetaResolver(testresolver.New()), multistage.WithPlatform(Platform))...)
}

// Render renders and compiles b with opts, and returns the sections
// "Dockerfile", "llb.json" (the [llbdump.Dump] of the LLB) and
// "image.json" (the indented Docker image config), with the compiled
// build.
func Render(ctx context.Context, b *multistage.Build, opts ...multistage.Option) ([]File, *multistage.Compiled, error) {
	df, err := b.Dockerfile(opts...)
	if err != nil {
		return nil, nil, err
	}
	out, err := b.Compile(ctx, opts...)
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

// Check compares files with the golden file at path, or writes it when
// [Updating]. A difference is reported per section, with the first line
// that differs and a go-cmp diff.
func Check(t testing.TB, path, comment string, files []File) {
	t.Helper()
	got := Format(comment, files)
	if Updating() {
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, got) {
			return
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run the test with %s=1 or -update to write it): %v", UpdateEnv, err)
	}
	compare(t, path, Parse(data), files)
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
	compare(t, path, want, got)
}

// compare reports each section of got that differs from want, and the
// sections of want that got lacks.
func compare(t testing.TB, path string, want map[string][]byte, got []File) {
	t.Helper()
	seen := map[string]bool{}
	for _, f := range got {
		seen[f.Name] = true
		w, ok := want[f.Name]
		if !ok {
			t.Errorf("%s: no section %q (run the test with %s=1 or -update to write it)", path, f.Name, UpdateEnv)
			continue
		}
		if diff := cmp.Diff(lines(w), lines(f.Data)); diff != "" {
			n := firstDiffLine(w, f.Data)
			t.Errorf("%s: %s differs from line %d:\n\twant: %s\n\tgot:  %s\n(-want +got):\n%s", path, f.Name, n, line(w, n), line(f.Data, n), diff)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if !seen[name] {
			t.Errorf("%s: section %q is not made any more (run the test with %s=1 or -update to rewrite the file)", path, name, UpdateEnv)
		}
	}
}

// lines splits data into lines, which go-cmp diffs line by line, each
// changed line shown whole.
func lines(data []byte) []string { return strings.SplitAfter(string(data), "\n") }

// line returns line n (from 1) of data, quoted, or "(none)" past the end.
func line(data []byte, n int) string {
	l := lines(data)
	if n > len(l) || (n == len(l) && l[n-1] == "") {
		return "(none)"
	}
	return strconv.Quote(strings.TrimSuffix(l[n-1], "\n"))
}

// firstDiffLine returns the number of the first line (from 1) in which a
// and b differ.
func firstDiffLine(a, b []byte) int {
	line := 1
	for i := 0; i < len(a) && i < len(b) && a[i] == b[i]; i++ {
		if a[i] == '\n' {
			line++
		}
	}
	return line
}
