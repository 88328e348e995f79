package multistage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// buildkitDockerfile is a Dockerfile written in a test of BuildKit's
// Dockerfile frontend.
type buildkitDockerfile struct {
	name string // file:line
	data []byte
}

// fromLine finds a FROM instruction at the start of a line.
var fromLine = regexp.MustCompile(`(?im)^\s*from\s+\S`)

// buildkitDockerfiles reads the Dockerfiles of the tests of BuildKit's
// Dockerfile frontend from the module cache (the version go.mod requires):
// every string literal of frontend/dockerfile/*_test.go and
// frontend/dockerfile/dockerfile2llb/*_test.go, or concatenation of
// literals, with a FROM instruction at the start of a line. They are read
// where they are, never copied into this project.
func buildkitDockerfiles(t testing.TB) []buildkitDockerfile {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-json", "github.com/moby/buildkit").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/moby/buildkit: %v", err)
	}
	var mod struct{ Dir, Version string }
	if err := json.Unmarshal(out, &mod); err != nil {
		t.Fatal(err)
	}
	if mod.Dir == "" {
		t.Fatalf("github.com/moby/buildkit@%s is not in the module cache: run go mod download", mod.Version)
	}
	var files []string
	for _, dir := range []string{"frontend/dockerfile", "frontend/dockerfile/dockerfile2llb"} {
		m, err := filepath.Glob(filepath.Join(mod.Dir, dir, "*_test.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no tests in %s", mod.Dir)
	}
	var dfs []buildkitDockerfile
	seen := map[string]bool{}
	fset := token.NewFileSet()
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			e, ok := n.(ast.Expr)
			if !ok {
				return true
			}
			s, ok := stringConstant(e)
			if !ok {
				return true
			}
			if fromLine.MatchString(s) && !seen[s] {
				seen[s] = true
				pos := fset.Position(e.Pos())
				dfs = append(dfs, buildkitDockerfile{
					name: filepath.Base(pos.Filename) + ":" + strconv.Itoa(pos.Line),
					data: []byte(s),
				})
			}
			return false // the largest constant expression only
		})
	}
	return dfs
}

// stringConstant returns the value of a string literal or of a sum of
// string literals.
func stringConstant(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		l, ok1 := stringConstant(x.X)
		r, ok2 := stringConstant(x.Y)
		return l + r, ok1 && ok2
	case *ast.ParenExpr:
		return stringConstant(x.X)
	}
	return "", false
}

// TestBuildKitFrontendCorpus imports the Dockerfiles of BuildKit's own
// frontend tests, as a second corpus: none may panic, and every target
// that dockerfile2llb converts must import (keeping going past a stage
// that cannot) and compile op for op to what dockerfile2llb gives.
func TestBuildKitFrontendCorpus(t *testing.T) {
	ctx := context.Background()
	dfs := buildkitDockerfiles(t)
	if len(dfs) < 300 {
		t.Fatalf("found %d Dockerfiles in BuildKit's frontend tests, want at least 300", len(dfs))
	}
	var files, converting, targets, matched int
	refused := map[string]int{}
	for _, df := range dfs {
		files++
		r := checkImport(ctx, df.data)
		if r.panicked != "" {
			t.Errorf("%s: panic: %s\n%s", df.name, r.panicked, df.data)
			continue
		}
		if len(r.converted) == 0 {
			continue
		}
		converting++
		targets += len(r.converted)
		matched += len(r.matched)
		for _, target := range slices.Sorted(maps.Keys(r.failures)) {
			if name := allowedRefusal(r.failureErrs[target]); name != "" {
				refused[name]++
				continue
			}
			t.Errorf("%s: target %q: %s\n%s", df.name, target, r.failures[target], indent(df.data))
		}
	}
	t.Logf("%d Dockerfiles in BuildKit's frontend tests, %d with targets that dockerfile2llb converts: %d targets, %d import and recompile op for op", files, converting, targets, matched)
	for _, name := range slices.Sorted(maps.Keys(refused)) {
		t.Logf("refused by name: %d targets: %s", refused[name], name)
	}
}

func indent(b []byte) string {
	return "\t" + strings.ReplaceAll(string(bytes.TrimRight(b, "\n")), "\n", "\n\t")
}
