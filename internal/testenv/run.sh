#!/usr/bin/env bash
# run.sh CMD... — the single test entry point (./test.sh calls it).
#
#   1. internal/testenv/testenv.sh setup   (tools, registry + buildkitd + dockerd, stand-in images; idempotent)
#   2. exports BUILDKIT_HOST, DOCKER_HOST, MULTISTAGE_E2E=require, MULTISTAGE_TESTENV_REGISTRY
#   3. runs CMD in the repository root (default: go test ./...)
#   4. stops the daemons again if this run started them, unless MULTISTAGE_TESTENV_KEEP=1
#      (daemons that were already running before are left alone: someone else may be using them)
#
# Any failure in setup fails the run: tests never silently skip because the engine is missing.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TESTENV=$HERE/testenv.sh
cd "$ROOT"

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN{printf "%.1f", e-s}'; }
say() { echo "[run.sh $(date +%T)] $*" >&2; }

T0=$(now)
started_here=1
if "$TESTENV" status >/dev/null 2>&1; then started_here=0; fi

cleanup() {
  local rc=$?
  if [[ ${MULTISTAGE_TESTENV_KEEP:-0} == 1 ]]; then
    say "MULTISTAGE_TESTENV_KEEP=1: leaving the daemons running"; "$TESTENV" env >&2
  elif [[ $started_here == 1 ]]; then
    say "stopping the daemons this run started"; "$TESTENV" stop || true
  else
    say "daemons were already running before this run: left running"
  fi
  say "total: $(elapsed "$T0")s (exit $rc)"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

s=$(now)
if ! "$TESTENV" setup >/dev/null; then
  say "FAILED: test environment setup failed (see the messages above); not running tests"
  exit 1
fi
SETUP_T=$(elapsed "$s")
say "setup: ${SETUP_T}s"

eval "$("$TESTENV" env)"
export BUILDKIT_HOST DOCKER_HOST MULTISTAGE_TESTENV_REGISTRY MULTISTAGE_E2E=require
say "BUILDKIT_HOST=$BUILDKIT_HOST DOCKER_HOST=$DOCKER_HOST MULTISTAGE_TESTENV_REGISTRY=$MULTISTAGE_TESTENV_REGISTRY MULTISTAGE_E2E=$MULTISTAGE_E2E"

(($#)) || set -- go test ./...
say "running: $*"
s=$(now)
rc=0
"$@" || rc=$?
say "tests: $(elapsed "$s")s (exit $rc); setup: ${SETUP_T}s"
exit $rc
