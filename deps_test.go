package multistage_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoFrontendDependency checks that the library does not depend on
// BuildKit's Dockerfile frontend, nor on the test helpers: only tests use
// dockerfile2llb, as the oracle the compiler is checked against.
func TestNoFrontendDependency(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{
			"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb",
			"github.com/moby/buildkit/frontend/dockerui",
			"github.com/multistage/multistage/internal/crosscheck",
			"github.com/multistage/multistage/internal/testresolver",
			"github.com/multistage/multistage/internal/llbdump",
			"github.com/multistage/multistage/internal/golden",
		} {
			if pkg == banned {
				t.Errorf("the multistage package depends on %s", pkg)
			}
		}
	}
}
