package presets_test

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/multistage/multistage/internal/testresolver"
)

// lintDockerfile runs BuildKit's Dockerfile linter, the checks of
// "docker build --check", with every rule enabled (experimental ones too)
// and base images resolved by the static resolver.
func lintDockerfile(t *testing.T, df []byte) *lint.LintResults {
	t.Helper()
	sm := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", df)
	sm.Definition = &llb.Definition{}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), df, dockerfile2llb.ConvertOpt{
		MetaResolver: testresolver.New(),
		SourceMap:    sm,
		Config:       dockerui.Config{LinterConfig: &linter.Config{ExperimentalAll: true}},
	})
	if err != nil {
		t.Fatalf("DockerfileLint: %v", err)
	}
	return res
}

// TestLint checks that BuildKit's linter reports no warning, and no
// error, on the Dockerfile of any preset case.
func TestLint(t *testing.T) {
	for _, c := range presetCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			df, err := c.build().Dockerfile()
			if err != nil {
				t.Fatal(err)
			}
			res := lintDockerfile(t, df)
			for _, w := range res.Warnings {
				line := 0
				if len(w.Location.Ranges) > 0 {
					line = int(w.Location.Ranges[0].Start.Line)
				}
				t.Errorf("line %d: %s: %s (%s)", line, w.RuleName, w.Detail, w.URL)
			}
			if res.Error != nil {
				t.Errorf("lint build error: %s", res.Error.Message)
			}
			if t.Failed() {
				t.Logf("Dockerfile:\n%s", df)
			}
		})
	}
}

// TestLintFindsProblems makes sure the linter is really running: a
// Dockerfile with known problems must get warnings.
func TestLintFindsProblems(t *testing.T) {
	df := []byte("FROM golang:1.22 as Build\nWORKDIR src\nRUN go build -o /app .\nFROM alpine\nCOPY --from=Build /app /app\nCMD /app\n")
	res := lintDockerfile(t, df)
	var rules []string
	for _, w := range res.Warnings {
		rules = append(rules, w.RuleName)
	}
	for _, want := range []string{"FromAsCasing", "StageNameCasing", "WorkdirRelativePath", "JSONArgsRecommended"} {
		if !strings.Contains(strings.Join(rules, " "), want) {
			t.Errorf("the linter did not report %s; it reported %q", want, rules)
		}
	}
}
