package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMETestFile checks that the test file the README shows in
// "Testing your builds" is build_test.go, which CI runs.
func TestREADMETestFile(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "<!-- examples/go/build_test.go -->\n```go\n")
	if !ok {
		t.Fatal("README.md has no block after <!-- examples/go/build_test.go -->")
	}
	block, _, _ = strings.Cut(block, "```\n")
	file, err := os.ReadFile("build_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if block != string(file) {
		t.Error("the README's test file is not examples/go/build_test.go: copy the file into the README")
	}
}
