package multistage

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/multistage/multistage/internal/dockerfile"
)

// TestRenderErrorOnce checks the second line of defence: a value that the
// checks at the call let through and the renderer refuses is reported as
// an *InstructionError wrapping ErrUnsafeValue, whose message says
// "value cannot be rendered safely" once, not twice.
func TestRenderErrorOnce(t *testing.T) {
	cause := fmt.Errorf("%w: a line of 70000 bytes is longer than the 65535 bytes BuildKit reads", dockerfile.ErrUnsafe)
	err := renderError(errors.Join(
		&dockerfile.Error{Stage: "s", Index: 2, Instruction: "ENV", Err: cause},
		fmt.Errorf("%w: nil build", dockerfile.ErrUnsafe),
	))
	if !errors.Is(err, ErrUnsafeValue) {
		t.Fatalf("%v does not wrap ErrUnsafeValue", err)
	}
	var ie *InstructionError
	if !errors.As(err, &ie) || ie.Stage != "s" || ie.Index != 2 || ie.Instruction != "ENV" {
		t.Fatalf("%v is not an InstructionError for stage s, instruction 3 (ENV)", err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if n := strings.Count(line, ErrUnsafeValue.Error()); n != 1 {
			t.Errorf("%q says %q %d times, want once", line, ErrUnsafeValue, n)
		}
	}
	const want = `stage "s": instruction 3 (ENV): value cannot be rendered safely: a line of 70000 bytes is longer than the 65535 bytes BuildKit reads`
	if got := ie.Error(); got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
}
