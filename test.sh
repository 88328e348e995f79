#!/usr/bin/env bash
# The test command of this repository: sets up the real BuildKit test environment
# (internal/testenv) and runs `go test ./...` against it. Extra args go to `go test`.
exec "$(dirname "$0")/internal/testenv/run.sh" go test -timeout 30m ./... "$@"
