package presets_test

import (
	"context"
	"testing"

	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/llbcaps"
	"github.com/multistage/multistage/internal/testresolver"
)

// TestPresetsV08 compiles every golden preset case for the LLB
// capabilities of BuildKit v0.8, the BuildKit of Docker Engine 20.10:
// every preset compiles to LLB that such a daemon runs, and Compile and
// dockerfile2llb agree op for op, for those capabilities where the
// frontend's LLB fits them, or else for the nearest capabilities that fit
// it (the presets' --exclude and --parents, which Compile then reads from
// a filtered build context; see crosscheck.Check).
func TestPresetsV08(t *testing.T) {
	ctx := context.Background()
	v08 := llbcaps.V08()
	for _, c := range presetCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			diff, res, err := crosscheck.Check(ctx, c.build(), crosscheck.Options{Resolver: testresolver.New(), Platform: &linuxAMD64, Caps: &v08})
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("Compile and dockerfile2llb disagree:\n%s", diff)
			}
			if res.ReducedErr != nil {
				t.Errorf("%s: %v", c.reason, res.ReducedErr)
			}
		})
	}
}
