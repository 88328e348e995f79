package multistage_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage"
)

// FuzzParseDockerfile checks that ParseDockerfile never panics, and that
// whatever it accepts renders to a Dockerfile that it accepts again and
// that renders to the same bytes: ParseDockerfile → Dockerfile is a fixed
// point after one round. The seeds are in testdata/fuzz/FuzzParseDockerfile
// and the corpus files.
func FuzzParseDockerfile(f *testing.F) {
	paths, _ := filepath.Glob("testdata/dockerfiles/*.Dockerfile")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := multistage.ParseDockerfile(data)
		if err != nil {
			return
		}
		df1, err := b.Dockerfile()
		if err != nil {
			t.Fatalf("ParseDockerfile accepted a build that Dockerfile refuses: %v\n%s", err, data)
		}
		b2, err := multistage.ParseDockerfile(df1)
		if err != nil {
			t.Fatalf("ParseDockerfile refuses its own rendering: %v\n%s", err, df1)
		}
		df2, err := b2.Dockerfile()
		if err != nil {
			t.Fatalf("second Dockerfile: %v", err)
		}
		if d := cmp.Diff(string(df1), string(df2)); d != "" {
			t.Fatalf("not a fixed point (-first +second):\n%s\ninput:\n%s", d, data)
		}
	})
}
