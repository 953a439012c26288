#!/usr/bin/env bash
# A second, newer Docker engine beside the first one, to test the grader against what learners
# run (Docker 25-29, often with the containerd image store) on a Debian bookworm host whose own
# docker.io is 20.10. It never stops, prunes or changes the first engine
# (/var/run/docker.sock, docker0, its iptables chains).
#
# Two engines can be had, chosen with ENGINE_NEWER (default 26):
#   26  Debian trixie's docker.io 26.1.5 + containerd 1.7.24 (+ docker-buildx 0.13 as a CLI
#       plugin): socket unix:///run/docker26.sock. Has moby/moby#47717: with the containerd
#       image store, BuildKit cannot read a build context uploaded by an API client (fixed in
#       Docker 27.5).
#   28  Debian sid's docker.io 28.5.2 + containerd 2.1.9: socket unix:///run/docker28.sock.
# Everything of engine N lives under /opt/dockerN (binaries, apt state, configs),
# /var/lib/dockerN (data root, containerd root), /run/dockerN (exec root, containerd socket,
# pidfiles) and the bridge dockerN; logs in /var/log/dockerN-{containerd,dockerd}.log.
#
# What `start` does (as root; each step is skipped when already done, so it is idempotent):
#   1. `apt-get download`s the packages through a private apt dir (its own sources list; the
#      host's apt state is not touched) and unpacks them with `dpkg-deb -x` into
#      /opt/dockerN/root. Nothing is dpkg-installed. The newer runc and dynamic tini need
#      glibc 2.38 and bookworm has 2.36: the host's runc (bookworm's 1.1.5) is used instead,
#      and docker-init is the static tini.
#   2. Creates the bridge dockerN (10.226.N.1/24) for its containers. dockerd runs with
#      --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=dockerN
#      and publishes ports through its own docker-proxy (userland proxy), so it takes no port,
#      bridge or iptables chain the first engine uses. Three rules of its own (NAT and
#      FORWARD for 10.226.N.0/24 and dockerN only; ENGINE_NEWER_NAT=0 skips them) let classic-
#      builder RUN steps reach the package registries; `stop` removes them.
#   3. Starts its own containerd (own root, state, socket) and its own dockerd (--data-root,
#      --exec-root, --pidfile, --cgroup-parent dockerN, -H unix:///run/dockerN.sock) with the
#      containerd image store on ("features": {"containerd-snapshotter": true} in
#      /opt/dockerN/daemon.json, given with --config-file). It also listens with TLS
#      (--tlsverify) on tcp://127.0.0.1:23N (2326, 2328; ENGINE_NEWER_TLS_PORT), with
#      certificates `.ci/engine-tls.sh certs` makes in /opt/dockerN/tls: a client reaches it with
#      DOCKER_HOST=tcp://127.0.0.1:2326 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=/opt/docker26/tls/client.
# `load [IMAGE...]` copies base images from the first engine (the one DOCKER_HOST names when
# the script is called, else the default socket; docker save | docker load, no
# registry needed; default: ex1's four base images). An image is skipped when its creation
# time and layer diff ids already match the first engine's (the ids differ between stores).
#
# Usage:
#   sudo bash .ci/engine-newer.sh [start|load [IMAGE...]|status|stop]
#   sudo ENGINE_NEWER=28 bash .ci/engine-newer.sh start
#   then: DOCKER_HOST=unix:///run/docker26.sock cargo run -p grader -- check ex1
#   `docker buildx` against engine 26: DOCKER_CONFIG=/opt/docker26/cli docker buildx ...
#
# How long (measured on the 2-core development machine, 2026-11-22/23, machine busy):
#   first start: private `apt-get update` ~9 s, download (72.6 MB for 26, 49 MB for 28)
#   ~4 s, unpack ~2-8 s; containerd + dockerd answer ~1 s after they are started.
#   Later starts: ~1 s. `load` of ex1's base images (golang ~700 MB, distroless x2,
#   debian:trixie-slim): 20-32 s. `stop`: a few seconds.
set -euo pipefail

N=${ENGINE_NEWER:-26}
case $N in
  26) SUITE=trixie; PACKAGES=(docker.io containerd runc tini docker-buildx) ;;
  28) SUITE=sid; PACKAGES=(docker.io containerd tini-static) ;;
  *) echo "ENGINE_NEWER is 26 (trixie's 26.1) or 28 (sid's 28.5), not $N" >&2; exit 2 ;;
esac
PREFIX=/opt/docker$N
DATA=/var/lib/docker$N
RUN=/run/docker$N
SOCK=/run/docker$N.sock
TLS_PORT=${ENGINE_NEWER_TLS_PORT:-23$N}
TLS_DIR=$PREFIX/tls
BRIDGE=docker$N
BRIDGE_CIDR=10.226.$N.1/24
CTR_LOG=/var/log/docker$N-containerd.log
DOCKERD_LOG=/var/log/docker$N-dockerd.log
# The first engine, which `load` copies from: whatever DOCKER_HOST named when this script was
# called (the default socket when unset), so a CI run against another engine loads from it.
FIRST_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}
[[ $FIRST_HOST != "unix://$SOCK" ]] || FIRST_HOST=unix:///var/run/docker.sock
export DOCKER_HOST=unix://$SOCK

log() { printf 'engine%s: %s\n' "$N" "$*"; }
answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
# A pidfile names a live daemon of this engine (not a stale pid from before a reboot, reused by
# another process): the process runs a binary from $PREFIX.
alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null && grep -qaF "$PREFIX/" "/proc/$(cat "$1")/cmdline"; }

apt_opts=(
  -o "Dir::Etc::sourcelist=$PREFIX/apt/sources.list" -o Dir::Etc::sourceparts=-
  -o "Dir::Etc::preferencesparts=$PREFIX/apt/preferences.d" -o "Dir::State::Lists=$PREFIX/apt/lists"
  -o "Dir::Cache=$PREFIX/apt/cache" -o Dir::State::status=/dev/null -o APT::Architecture=amd64
  -o APT::Sandbox::User=root
)

fetch() {
  if [[ -x $PREFIX/root/usr/sbin/dockerd ]]; then return; fi
  local t0=$SECONDS
  mkdir -p "$PREFIX"/apt/{lists/partial,cache/archives/partial,preferences.d} "$PREFIX/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $SUITE main" \
    >"$PREFIX/apt/sources.list"
  log "downloading ${PACKAGES[*]} from $SUITE"
  apt-get "${apt_opts[@]}" -qq update
  (cd "$PREFIX/debs" && apt-get "${apt_opts[@]}" -qq download "${PACKAGES[@]}")
  rm -rf "$PREFIX/root.tmp" && mkdir -p "$PREFIX/root.tmp"
  for deb in "$PREFIX"/debs/*.deb; do dpkg-deb -x "$deb" "$PREFIX/root.tmp"; done
  rm -rf "$PREFIX/root" && mv "$PREFIX/root.tmp" "$PREFIX/root"
  log "unpacked into $PREFIX/root in $((SECONDS - t0)) s"
}

# $PREFIX/bin goes first on the daemons' PATH: containerd finds its shim and runc there,
# dockerd its docker-proxy and docker-init.
link_bin() {
  local r=$PREFIX/root bin=$PREFIX/bin
  mkdir -p "$bin"
  ln -sfn "$r/usr/bin/containerd" "$bin/containerd"
  ln -sfn "$r/usr/bin/containerd-shim-runc-v2" "$bin/containerd-shim-runc-v2"
  ln -sfn "$r/usr/bin/ctr" "$bin/ctr"
  ln -sfn "$r/usr/sbin/dockerd" "$bin/dockerd"
  ln -sfn "$r/usr/sbin/docker-proxy" "$bin/docker-proxy"
  ln -sfn "$r/usr/bin/tini-static" "$bin/docker-init"
  if [[ -x $r/usr/sbin/runc ]] && "$r/usr/sbin/runc" --version >/dev/null 2>&1; then
    ln -sfn "$r/usr/sbin/runc" "$bin/runc"
  else
    local host_runc
    host_runc=$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v runc || true)
    if [[ -z $host_runc ]]; then
      log "no runc that runs here: apt-get install runc (bookworm's)" >&2
      exit 1
    fi
    ln -sfn "$host_runc" "$bin/runc"
  fi
  if [[ -x $r/usr/libexec/docker/cli-plugins/docker-buildx ]]; then
    mkdir -p "$PREFIX/cli/cli-plugins"
    ln -sfn "$r/usr/libexec/docker/cli-plugins/docker-buildx" "$PREFIX/cli/cli-plugins/docker-buildx"
  fi
}

write_config() {
  mkdir -p "$DATA" "$RUN/containerd" "$RUN/exec"
  cat >"$PREFIX/containerd.toml" <<EOF
version = 2
root = "$DATA/containerd"
state = "$RUN/containerd"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$RUN/containerd/containerd.sock"
[ttrpc]
  address = "$RUN/containerd/containerd.sock.ttrpc"
[debug]
  address = "$RUN/containerd/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$DATA/containerd-opt"
EOF
  cat >"$PREFIX/daemon.json" <<EOF
{
  "features": { "containerd-snapshotter": true }
}
EOF
}

# The rules that let this engine's containers (classic-builder RUN steps: apt-get, pip, npm,
# cargo) reach the package registries: NAT and forwarding for its own bridge and subnet only,
# inserted by hand since its dockerd runs with --iptables=false (the first engine owns the
# DOCKER* chains). ENGINE_NEWER_NAT=0 leaves the firewall alone.
nat_rules() {
  local subnet=10.226.$N.0/24
  printf '%s\n' \
    "-t nat POSTROUTING -s $subnet ! -o $BRIDGE -j MASQUERADE" \
    "-t filter FORWARD -i $BRIDGE ! -o $BRIDGE -j ACCEPT" \
    "-t filter FORWARD -o $BRIDGE -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
}

bridge_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  if [[ ${ENGINE_NEWER_NAT:-1} == 1 ]] && command -v iptables >/dev/null; then
    local table chain rule
    while read -r _ table chain rule; do
      # shellcheck disable=SC2086
      iptables -t "$table" -C "$chain" $rule 2>/dev/null || iptables -t "$table" -I "$chain" $rule
    done < <(nat_rules)
  fi
}

bridge_down() {
  local table chain rule
  if command -v iptables >/dev/null; then
    while read -r _ table chain rule; do
      # shellcheck disable=SC2086
      while iptables -t "$table" -C "$chain" $rule 2>/dev/null; do iptables -t "$table" -D "$chain" $rule; done
    done < <(nat_rules)
  fi
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
}

start() {
  local t0=$SECONDS
  if answers && alive "$RUN/dockerd.pid"; then
    bridge_up
    log "already running: $(docker version --format '{{.Server.Version}}') on $DOCKER_HOST"
    if ! grep -qaF -- "tcp://127.0.0.1:$TLS_PORT" "/proc/$(cat "$RUN/dockerd.pid")/cmdline"; then
      log "it was started without its TLS listener (tcp://127.0.0.1:$TLS_PORT): stop and start it to get one" >&2
    fi
    return
  fi
  fetch
  link_bin
  write_config
  bash "$(dirname "${BASH_SOURCE[0]}")/engine-tls.sh" certs "$TLS_DIR"
  bridge_up
  local path=$PREFIX/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  if ! alive "$RUN/containerd.pid"; then
    log "starting containerd (log: $CTR_LOG)"
    # A socket left by a containerd that is gone (a reboot) would end the wait below at once.
    rm -f "$RUN/containerd/containerd.sock" "$RUN/containerd/containerd.sock.ttrpc"
    setsid env PATH="$path" "$PREFIX/bin/containerd" --config "$PREFIX/containerd.toml" \
      >>"$CTR_LOG" 2>&1 </dev/null &
    echo $! >"$RUN/containerd.pid"
    for _ in $(seq 1 50); do [[ -S $RUN/containerd/containerd.sock ]] && break; sleep 0.2; done
  fi
  if ! alive "$RUN/dockerd.pid"; then
    log "starting dockerd (log: $DOCKERD_LOG)"
    rm -f "$SOCK"
    # dockerd writes its own pidfile; setsid: it outlives this script and its process group.
    setsid env PATH="$path" "$PREFIX/bin/dockerd" \
      --config-file "$PREFIX/daemon.json" \
      --containerd "$RUN/containerd/containerd.sock" \
      --data-root "$DATA" --exec-root "$RUN/exec" --pidfile "$RUN/dockerd.pid" \
      -H "unix://$SOCK" -H "tcp://127.0.0.1:$TLS_PORT" --tlsverify --tlscacert "$TLS_DIR/ca.pem" \
      --tlscert "$TLS_DIR/server-cert.pem" --tlskey "$TLS_DIR/server-key.pem" \
      --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      --bridge "$BRIDGE" --cgroup-parent "docker$N" \
      --userland-proxy-path "$PREFIX/bin/docker-proxy" \
      >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 120); do
    if answers; then
      log "ready in $((SECONDS - t0)) s: $(docker info --format '{{.ServerVersion}} · storage {{.Driver}} {{json .DriverStatus}}') on $DOCKER_HOST"
      return
    fi
    sleep 0.5
  done
  log "dockerd did not answer within 60 s; last lines of $DOCKERD_LOG:" >&2
  tail -n 30 "$DOCKERD_LOG" >&2
  exit 1
}

stop() {
  local f pid
  for f in "$RUN/dockerd.pid" "$RUN/containerd.pid"; do
    if alive "$f"; then
      pid=$(cat "$f")
      log "stopping pid $pid ($(basename "$f" .pid))"
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -f "$f"
  done
  # Shims of containers still running under this containerd (its socket is in their command line).
  local shims
  shims=$(pgrep -f -- "-address $RUN/containerd/containerd.sock" || true)
  for pid in $shims; do kill -TERM "$pid"; done
  # Whatever still runs in this engine's cgroups (--cgroup-parent dockerN): BuildKit runs RUN
  # steps under dockerd itself, so a killed dockerd leaves them behind.
  local cg
  for cg in "/sys/fs/cgroup/pids/docker$N" "/sys/fs/cgroup/docker$N"; do
    [[ -d $cg ]] || continue
    find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  bridge_down
  log "stopped"
}

status() {
  if answers; then
    docker info --format 'server {{.ServerVersion}} · storage {{.Driver}} {{json .DriverStatus}} · root {{.DockerRootDir}} · images {{.Images}} · containers {{.Containers}}'
  else
    log "not answering on $DOCKER_HOST"
    return 1
  fi
}

# Copies images from the first engine (FIRST_HOST) into this one.
load() {
  local images=("$@") missing=() t0=$SECONDS
  ((${#images[@]})) || images=(golang:1-trixie gcr.io/distroless/static-debian13:nonroot
    gcr.io/distroless/static-debian13:latest debian:trixie-slim)
  # Image ids differ between the stores (config digest there, manifest digest here), so an image
  # is up to date when its creation time and layer diff ids match the first engine's.
  local same='{{.Created}} {{json .RootFS.Layers}}' first
  for i in "${images[@]}"; do
    if ! first=$(DOCKER_HOST=$FIRST_HOST docker image inspect --format "$same" "$i" 2>/dev/null); then
      log "$i is not in the first engine either (bash kit/build.sh makes it)" >&2
      exit 1
    fi
    if [[ $(docker image inspect --format "$same" "$i" 2>/dev/null) == "$first" ]]; then continue; fi
    missing+=("$i")
  done
  if ((${#missing[@]} == 0)); then log "images already loaded"; return; fi
  log "loading ${missing[*]}"
  DOCKER_HOST=$FIRST_HOST docker save "${missing[@]}" | docker load
  log "loaded in $((SECONDS - t0)) s"
}

cmd=${1:-start}
shift || true
case $cmd in
  start) start ;;
  stop) stop ;;
  status) status ;;
  load) start >/dev/null && load "$@" ;;
  *) echo "usage: $0 [start|stop|status|load [IMAGE...]]" >&2; exit 2 ;;
esac
