// Package dockerfile renders the IR of a multi-stage build as a Dockerfile.
package dockerfile

import (
	"fmt"

	"github.com/multistage/multistage/internal/ir"
)

// Render renders m as a Dockerfile.
func Render(m *ir.Build) ([]byte, error) {
	return nil, fmt.Errorf("not implemented")
}
