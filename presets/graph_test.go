package presets_test

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/golden"
)

// TestGraphGolden draws the stage graph of every preset case (see
// presetCases), as Mermaid and as Graphviz DOT, and compares it with
// testdata/graph/<case>.txtar. Run "go test ./presets -update" (or with
// MULTISTAGE_UPDATE=1) to rewrite the files. docs/stages.sh renders the
// DOT of one of them for the README.
func TestGraphGolden(t *testing.T) {
	for _, c := range presetCases() {
		t.Run(c.name, func(t *testing.T) {
			b := c.build()
			mermaid, err := b.Mermaid()
			if err != nil {
				t.Fatal(err)
			}
			dot, err := b.DOT()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "graph", c.name+".txtar"),
				"Stage graph of preset case "+c.name+": "+c.reason+".\nRegenerate with go test ./presets -update.",
				[]golden.File{{Name: "graph.mmd", Data: mermaid}, {Name: "graph.dot", Data: dot}})
		})
	}
}

// TestREADMEPicture checks that the README's picture,
// docs/node-server-build.svg, draws the current graph of its case: every
// line of every label of the DOT is a text of the SVG. Run docs/stages.sh
// to draw it again.
func TestREADMEPicture(t *testing.T) {
	svg, err := os.ReadFile(filepath.Join("..", "docs", "node-server-build.svg"))
	if err != nil {
		t.Fatal(err)
	}
	var b *multistage.Build
	for _, c := range presetCases() {
		if c.name == "node-server-build" {
			b = c.build()
		}
	}
	if b == nil {
		t.Fatal("no preset case node-server-build")
	}
	dot, err := b.DOT()
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]bool{}
	for _, m := range regexp.MustCompile(`<text[^>]*>([^<]*)</text>`).FindAllStringSubmatch(string(svg), -1) {
		texts[html.UnescapeString(m[1])] = true
	}
	labels := regexp.MustCompile(`label="((?:[^"\\]|\\.)*)"`).FindAllStringSubmatch(string(dot), -1)
	for _, l := range labels {
		for _, line := range strings.Split(l[1], `\n`) {
			line = strings.NewReplacer(`\"`, `"`, `\\`, `\`, "&amp;", "&").Replace(line)
			if !texts[line] {
				t.Errorf("docs/node-server-build.svg has no text %q: run docs/stages.sh", line)
			}
		}
	}
}
