package presets_test

import "testing"

// TestProjectsGo runs Detect on the Go fixture applications.
func TestProjectsGo(t *testing.T) {
	checkProjects(t, []projectCase{
		{"go-cmd", "a module whose one command is under cmd/", []string{"."}},
	})
}
