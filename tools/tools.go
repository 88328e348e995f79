//go:build tools

// Package tools pins the BuildKit binaries that internal/testenv/testenv.sh
// builds for the real-BuildKit test harness: buildkitd, buildctl, and the
// Dockerfile frontend (static; pushed as the docker/dockerfile:1 stand-in so
// that "# syntax=docker/dockerfile:1" works offline).
//
// Build (what testenv.sh does):
//
//	go build -trimpath -ldflags "-X github.com/moby/buildkit/version.Version=v0.34.2" \
//	    -o BIN/ github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl
//	CGO_ENABLED=0 go build -trimpath -ldflags "-X ..." -o BIN/ \
//	    github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend
//
// (`go install pkg@version` refuses because buildkit's go.mod has exclude directives.)
package tools

import (
	_ "github.com/moby/buildkit/cmd/buildctl"
	_ "github.com/moby/buildkit/cmd/buildkitd"
	_ "github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend"
)
