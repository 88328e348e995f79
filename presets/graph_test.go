package presets_test

import (
	"path/filepath"
	"testing"

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
