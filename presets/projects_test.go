package presets_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"testing"

	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/golden"
	"github.com/multistage/multistage/internal/testresolver"
	"github.com/multistage/multistage/presets"
)

// projectsDir holds the fixture applications: small projects written for
// these tests, one per structure that real applications have (a workspace
// member, a reactor module, a solution with several web projects, ...).
const projectsDir = "testdata/projects"

// projectCase is a fixture application, testdata/projects/<name>, and the
// directories of it that Detect is run on.
type projectCase struct {
	name   string
	reason string   // the structure it stands for, written into the golden file
	dirs   []string // relative to the fixture, "." for its root
}

// checkProjects runs Detect on each directory of each fixture and compares
// with testdata/projects/<name>.txtar, which records, for every detection,
// what Detect returned (preset, reason, context relative to the fixture,
// options) and the build it makes (Dockerfile, LLB, image config). Every
// such build must also pass BuildKit's linter with no warning and compile,
// op for op, as BuildKit's Dockerfile frontend compiles its Dockerfile.
// Regenerate with go test ./presets -update.
func checkProjects(t *testing.T, cases []projectCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !*golden.Update {
				t.Parallel()
			}
			if c.reason == "" || len(c.dirs) == 0 {
				t.Fatal("a project case needs a reason and the directories to detect in")
			}
			root := filepath.Join(projectsDir, c.name)
			var files []golden.File
			for _, dir := range c.dirs {
				found, err := presets.Detect(filepath.Join(root, filepath.FromSlash(dir)))
				if err != nil {
					t.Fatalf("Detect(%s): %v", dir, err)
				}
				if len(found) == 0 {
					files = append(files, golden.File{Name: path.Join(dir, "none"), Data: []byte("Detect found nothing\n")})
				}
				for i, d := range found {
					prefix := path.Join(dir, fmt.Sprint(i))
					files = append(files, golden.File{Name: prefix + "/detection.json", Data: detectionJSON(t, root, d)})
					b := d.Build()
					sections, _, err := golden.Sections(context.Background(), b)
					if err != nil {
						t.Fatalf("%s: %s detection: %v", dir, d.Preset, err)
					}
					for _, s := range sections {
						files = append(files, golden.File{Name: prefix + "/" + s.Name, Data: s.Data})
					}
					checkLint(t, prefix, sections[0].Data)
					diff, _, err := crosscheck.Check(context.Background(), b, crosscheck.Options{Resolver: testresolver.New()})
					if err != nil {
						t.Fatalf("%s: cross-check: %v", prefix, err)
					}
					if diff != "" {
						t.Errorf("%s: Compile and dockerfile2llb disagree:\n%s", prefix, diff)
					}
				}
			}
			goldenPath := filepath.Join(projectsDir, c.name+".txtar")
			golden.Check(t, goldenPath, "Detect on the fixture "+c.name+": "+c.reason+".\nRegenerate with go test ./presets -update.", files)
			if !*golden.Update {
				want, err := golden.Read(goldenPath)
				if err != nil {
					t.Fatal(err)
				}
				var got, wantNames []string
				for _, f := range files {
					got = append(got, f.Name)
				}
				for name := range want {
					wantNames = append(wantNames, name)
				}
				slices.Sort(got)
				slices.Sort(wantNames)
				if !slices.Equal(got, wantNames) {
					t.Errorf("%s: sections %q, golden file has %q", goldenPath, got, wantNames)
				}
			}
		})
	}
}

// detectionJSON renders a detection for a golden file: its Context
// relative to the fixture, so that the file does not depend on where the
// repository is.
func detectionJSON(t *testing.T, root string, d presets.Detection) []byte {
	t.Helper()
	rel, err := filepath.Rel(root, d.Context)
	if err != nil {
		t.Fatal(err)
	}
	d.Context = filepath.ToSlash(rel)
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

// checkLint fails t for any warning of BuildKit's linter on df.
func checkLint(t *testing.T, name string, df []byte) {
	t.Helper()
	res := lintDockerfile(t, df)
	for _, w := range res.Warnings {
		line := 0
		if len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		t.Errorf("%s: Dockerfile line %d: %s: %s (%s)", name, line, w.RuleName, w.Detail, w.URL)
	}
	if res.Error != nil {
		t.Errorf("%s: lint build error: %s", name, res.Error.Message)
	}
}
