#!/usr/bin/env bash
# The test command of this repository: sets up the real BuildKit test environment
# (internal/testenv), runs `go test ./...` against it, then the concurrency tests of
# the root package under the race detector. Extra args go to the first `go test`.
# -count=1: end-to-end results depend on the engine, which go test cannot see, so
# they are never taken from the test cache.
exec "$(dirname "$0")/internal/testenv/run.sh" bash -c '
  go test -count=1 -timeout 30m ./... "$@" &&
  go test -race -count=1 -run "^TestConcurrent" .
' test.sh "$@"
