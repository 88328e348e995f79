package presets_test

import "testing"

// TestProjectsGo runs Detect on the Go fixture applications.
func TestProjectsGo(t *testing.T) {
	checkProjects(t, []projectCase{
		{"go-cmd", "a module whose one command is under cmd/", []string{"."}},
		{"go-cgo-ui", "a server with the cgo SQLite driver, a version variable and a UI built by Node.js and embedded", []string{"."}},
		{"go-work", "a go.work workspace: a library, an API with its command under cmd/ and a worker; detected at the root and on a member", []string{".", "services/api"}},
	})
}
