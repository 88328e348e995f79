# dockerd.sh — the Docker Engine of the test environment; sourced by testenv.sh.
#
# Debian's docker.io, started isolated from anything else on the machine:
#   --data-root, --exec-root, --pidfile and the API socket under $STATE/dockerd; the containerd it
#   starts for itself lives under them too;
#   a bridge on a documentation range that reaches nothing (--bip, no iptables, no masquerade,
#   no forwarding), so builds and containers reach no network but the local registry;
#   the local registry as an insecure mirror of docker.io. dockerd mirrors only docker.io:
#   the stand-in images of other registries (gcr.io/..., mcr.microsoft.com/...) are pulled
#   from the local registry and tagged under their own names in the engine's image store,
#   where its BuildKit finds them (it prefers a local image to a pull).
# It never uses /var/run/docker.sock, /var/lib/docker or /run/docker.

DOCKER_DEB=docker.io
DOCKER_DEB_VERSION=20.10.24+dfsg1-1+deb12u1+b6
DK=$STATE/dockerd
DOCKER_SOCK=$DK/docker.sock
DOCKERD=/usr/sbin/dockerd
DOCKER_CLI=/usr/bin/docker # the docker.io client, of the same version as the engine
# Bridge addresses, first one free on this host wins: the documentation ranges of RFC 5737,
# which reach nothing. Some hosts use 192.0.2.0/24 themselves (then it is skipped).
DOCKER_BIPS="192.0.2.1/24 198.51.100.1/24 203.0.113.1/24"
# The bridge of our dockerd when docker0 belongs to another Docker Engine on the host: named
# after the state dir, so that two test environments never share one.
DOCKER_OWN_BRIDGE=ms-$(printf %s "$STATE" | sha256sum | cut -c1-8)

if [[ $(( ${#DOCKER_SOCK} )) -gt 100 ]]; then
  die "socket path $DOCKER_SOCK is too long for a unix socket; set MULTISTAGE_TESTENV_STATE to a shorter dir"
fi

ensure_docker_engine() {
  local have
  have=$(dpkg-query -W -f='${Status} ${Version}' "$DOCKER_DEB" 2>/dev/null || true)
  if [[ $have != "install ok installed $DOCKER_DEB_VERSION" ]]; then
    need_root
    apt_update_once
    # The package's scripts must not start a system-wide dockerd: without an init system,
    # invoke-rc.d asks policy-rc.d, which we provide for the install when the host has none.
    local policy=/usr/sbin/policy-rc.d ours=0
    if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; ours=1; fi
    log "apt-get install $DOCKER_DEB=$DOCKER_DEB_VERSION"
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "$DOCKER_DEB=$DOCKER_DEB_VERSION" >&2 || rc=$?
    ((ours)) && rm -f "$policy"
    ((rc == 0)) || die "apt-get install $DOCKER_DEB=$DOCKER_DEB_VERSION failed"
  fi
  [[ -x $DOCKERD && -x $DOCKER_CLI ]] || die "$DOCKERD or $DOCKER_CLI missing after installing $DOCKER_DEB"
  command -v containerd >/dev/null || die "containerd not found after installing $DOCKER_DEB"
}

dockerd_healthy() {
  [[ -S $DOCKER_SOCK ]] && [[ $(curl -fsS -m 5 --unix-socket "$DOCKER_SOCK" http://docker/_ping 2>/dev/null) == OK ]]
}

# The hosts that builds and the test setup reach. On some hosts they resolve into one of the
# documentation ranges (seen: 203.0.113.80 for all of them), where a bridge would capture them.
REACHED_HOSTS="proxy.golang.org sum.golang.org registry.npmjs.org deb.debian.org"

# needed_addrs: the IPv4 addresses this host must go on reaching through its own routes: its
# default gateways, its name servers and the REACHED_HOSTS.
needed_addrs() {
  ip -4 route show default 2>/dev/null | awk '{print $3}'
  awk '$1 == "nameserver" {print $2}' /etc/resolv.conf 2>/dev/null
  # shellcheck disable=SC2086
  { getent ahostsv4 $REACHED_HOSTS 2>/dev/null || true; } | awk '{print $1}' | sort -u
}

# docker_bip: prints the first bridge address of DOCKER_BIPS whose /24 no interface of the host
# other than our bridge uses, no route names, and holds none of the needed_addrs.
docker_bip() {
  local bip net used needed a taken
  used=$(ip -4 -o addr show 2>/dev/null | awk -v b="$(docker_bridge)" '$2 != b {print $4}')
  needed=$(needed_addrs)
  for bip in $DOCKER_BIPS; do
    net=${bip%.*}.
    taken=0
    for a in $needed; do
      if [[ $a == "$net"* ]]; then taken=1; fi
    done
    if ((!taken)) && ! grep -qF -- "$net" <<<"$used" && ! ip -4 route show 2>/dev/null | grep -v " dev $(docker_bridge) " | grep -qF -- "${bip%.*}.0/24"; then
      echo "$bip"; return 0
    fi
  done
  die "every bridge range of DOCKER_BIPS ($DOCKER_BIPS) is in use on this host, or holds an address it must reach ($(echo $needed))"
}

# docker_bridge: docker0, unless another Docker Engine of this host has it.
docker_bridge() {
  if [[ -S /var/run/docker.sock || -d /sys/class/net/docker0 && ! -f $DK/bridge.docker0 ]]; then
    echo "$DOCKER_OWN_BRIDGE"
  else echo docker0; fi
}

start_dockerd() {
  [[ -x $DOCKERD ]] || die "$DOCKERD missing: run '$0 setup'"
  local pid bridge bip args
  if pid=$(pid_alive "$DK/dockerd.pid" "$DK/root"); then
    if dockerd_healthy; then log "dockerd already running (pid $pid) on unix://$DOCKER_SOCK"; return 0; fi
    log "dockerd (pid $pid) unhealthy: restarting"
    stop_dockerd
  fi
  if dockerd_healthy; then
    die "a dockerd we did not start answers on unix://$DOCKER_SOCK (no matching pid file); stop it first"
  fi
  mkdir -p "$DK/root" "$DK/exec"
  rm -f "$DOCKER_SOCK"
  bridge=$(docker_bridge)
  bip=$(docker_bip)
  args=(--data-root "$DK/root" --exec-root "$DK/exec" --pidfile "$DK/dockerd.pid"
        -H "unix://$DOCKER_SOCK" --iptables=false --ip-masq=false --ip-forward=false
        --insecure-registry "$REG" --registry-mirror "http://$REG")
  if [[ $bridge == docker0 ]]; then
    touch "$DK/bridge.docker0"
    args+=(--bip="$bip")
  else
    # --bip cannot name a bridge; a bridge of our own carries the address instead
    if [[ ! -d /sys/class/net/$bridge ]]; then
      ip link add name "$bridge" type bridge || die "cannot create the bridge $bridge"
      ip addr add "$bip" dev "$bridge" || die "cannot give $bridge the address $bip"
    fi
    ip link set "$bridge" up
    args+=(--bridge="$bridge")
  fi
  echo "${bip} ${bridge}" > "$DK/network"
  local s; s=$(now)
  # dockerd writes --pidfile itself (and refuses to start when it exists); $! is kept apart,
  # to notice a dockerd that dies before it writes its own
  rm -f "$DK/dockerd.pid"
  setsid nohup "$DOCKERD" "${args[@]}" >> "$DK/dockerd.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$DK/launch.pid"
  for _ in $(seq 1 300); do
    if dockerd_healthy && pid_alive "$DK/dockerd.pid" "$DK/root" >/dev/null; then
      log "dockerd up (pid $(<"$DK/dockerd.pid")) on unix://$DOCKER_SOCK in $(elapsed "$s")s (bridge $bridge $bip)"
      date -u +%FT%TZ > "$DK/started"
      return 0
    fi
    pid_alive "$DK/launch.pid" "$DK/root" >/dev/null || break
    sleep 0.2
  done
  tail -30 "$DK/dockerd.log" >&2
  die "dockerd did not come up (log: $DK/dockerd.log)"
}

stop_dockerd() {
  # dockerd stops its containers and its containerd on SIGTERM; what a SIGKILL leaves behind
  # (its containerd) is stopped by its own pid file.
  stop_pid "$DK/dockerd.pid" "$DK/root" dockerd
  stop_pid "$DK/launch.pid" "$DK/root" dockerd
  stop_pid "$DK/exec/containerd/containerd.pid" "$DK/exec/containerd" "dockerd's containerd"
  rm -f "$DOCKER_SOCK" "$DK/started"
  # the bridge with our address, left by dockerd, would keep a route to the range
  local bip bridge
  if [[ -s $DK/network ]]; then
    read -r bip bridge < "$DK/network"
    if ip -4 -o addr show dev "$bridge" 2>/dev/null | grep -qF " $bip "; then
      ip link delete "$bridge" 2>/dev/null || true
    fi
    rm -f "$DK/network" "$DK/bridge.docker0"
  fi
}

dockerd_status() {
  local p
  if p=$(pid_alive "$DK/dockerd.pid" "$DK/root") && dockerd_healthy; then
    echo "dockerd:   running (pid $p) on unix://$DOCKER_SOCK since $(cat "$DK/started" 2>/dev/null || echo '?')"
  else echo "dockerd:   not running"; return 1; fi
}

# seed_engine_images: the stand-in images of registries other than docker.io, pulled from the
# local registry and tagged with their own names (gcr.io/distroless/static:nonroot, ...).
seed_engine_images() {
  dockerd_healthy || die "dockerd is not running: run '$0 start' (or setup)"
  local repos repo tag n=0
  repos=$(curl -fsS -m 10 "http://$REG/v2/_catalog?n=1000" | grep -oE '"(gcr\.io|mcr\.microsoft\.com)/[^"]+"' | tr -d '"') || true
  for repo in $repos; do
    for tag in $(curl -fsS -m 10 "http://$REG/v2/$repo/tags/list" | grep -oE '"tags":\[[^]]*\]' | grep -oE '"[^"]+"' | tr -d '"' | grep -v '^tags$'); do
      [[ $tag == testenv-* ]] && continue
      DOCKER_HOST=unix://$DOCKER_SOCK "$DOCKER_CLI" pull -q "$REG/$repo:$tag" >/dev/null \
        || die "docker pull $REG/$repo:$tag failed (log: $DK/dockerd.log)"
      DOCKER_HOST=unix://$DOCKER_SOCK "$DOCKER_CLI" tag "$REG/$repo:$tag" "$repo:$tag" \
        || die "docker tag $repo:$tag failed"
      n=$((n + 1))
    done
  done
  log "engine images: $n images of other registries tagged in the Docker Engine"
}
