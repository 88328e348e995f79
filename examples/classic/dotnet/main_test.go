package main

import (
	"path/filepath"
	"testing"

	"github.com/multistage/multistage/internal/golden"
)

// TestPipelineIsGolden checks that the example builds what the root
// package's golden tests build from internal/pipelines: the same
// Dockerfile, LLB and image config.
func TestPipelineIsGolden(t *testing.T) {
	golden.CheckBuild(t, filepath.Join("..", "..", "..", "testdata", "golden", "dotnet.txtar"), pipeline())
}
