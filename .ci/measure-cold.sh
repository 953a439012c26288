#!/usr/bin/env bash
# Times a cold CI run (`bash .ci/run` on a clean clone) on this machine without touching the
# engine that is already running: a second dockerd (the host's own binary) with an empty data
# root, its own socket, bridge and NAT rules, an empty CARGO_HOME (crates downloaded again),
# an empty kit state dir and a fresh clone with no target/ dir.
#
# What it cannot make cold on a machine that already has them: the host's docker.io and
# chromium packages (measured separately: ~24 s and ~37 s to install), the rustup toolchain,
# and the newer engine's unpacked packages under /opt/docker26 (~15 s to fetch when missing).
#
#   sudo bash .ci/measure-cold.sh             # clones this repository's HEAD
#   COLD_KEEP=1 sudo bash .ci/measure-cold.sh # keep /var/tmp/grader-cold afterwards
#
# Needs ~15 GB free under /var/tmp. Log: /var/tmp/grader-cold-run.log (kept after the run); the
# step timings are the `== step (Ns)` lines .ci/run prints.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=${COLD_ROOT:-/var/tmp/grader-cold}
SOCK=/run/docker-cold.sock
BRIDGE=dockercold
SUBNET=10.227.0.0/24
export DOCKER_HOST=unix://$SOCK

say() { printf '[cold] %s\n' "$*"; }
nat_rules() {
  printf '%s\n' \
    "nat POSTROUTING -s $SUBNET ! -o $BRIDGE -j MASQUERADE" \
    "filter FORWARD -i $BRIDGE ! -o $BRIDGE -j ACCEPT" \
    "filter FORWARD -o $BRIDGE -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
}

cleanup() {
  local pid table chain rule
  if [[ -s $ROOT/dockerd.pid ]] && pid=$(cat "$ROOT/dockerd.pid") && kill -0 "$pid" 2>/dev/null; then
    say "stopping the cold dockerd (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  while read -r table chain rule; do
    # shellcheck disable=SC2086
    while iptables -t "$table" -C "$chain" $rule 2>/dev/null; do iptables -t "$table" -D "$chain" $rule; done
  done < <(nat_rules)
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
  rm -f "$SOCK"
  if [[ -f $ROOT/run.log ]]; then cp "$ROOT/run.log" "${ROOT}-run.log"; say "log kept: ${ROOT}-run.log"; fi
  if [[ ${COLD_KEEP:-0} != 1 ]]; then
    # overlay mounts of the data root are gone with the daemon; remove what is left.
    rm -rf "$ROOT"
  fi
}

if [[ -e $ROOT ]]; then
  echo "$ROOT exists: a cold run is in progress or was kept (COLD_KEEP=1); remove it first" >&2
  exit 2
fi
mkdir -p "$ROOT"
trap cleanup EXIT

say "cloning $REPO (HEAD $(git -C "$REPO" rev-parse --short HEAD))"
git clone --quiet "$REPO" "$ROOT/repo"
# CI puts ../shared beside the clone.
if [[ -d $REPO/../shared ]]; then ln -s "$(cd "$REPO/../shared" && pwd)" "$ROOT/shared"; fi

ip link add "$BRIDGE" type bridge
ip addr add "${SUBNET%.0/24}.1/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
while read -r table chain rule; do
  # shellcheck disable=SC2086
  iptables -t "$table" -I "$chain" $rule
done < <(nat_rules)

t0=$(date +%s)
say "starting an empty dockerd on $SOCK (data root $ROOT/docker)"
setsid dockerd --data-root "$ROOT/docker" --exec-root "$ROOT/exec" --pidfile "$ROOT/dockerd.pid" \
  -H "$DOCKER_HOST" --bridge "$BRIDGE" --cgroup-parent "$BRIDGE" \
  --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
  >"$ROOT/dockerd.log" 2>&1 </dev/null &
for _ in $(seq 1 120); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
docker version --format 'engine {{.Server.Version}} answered after '"$(( $(date +%s) - t0 ))"' s'

# A CARGO_HOME like a fresh rustup install's: the rustup proxies and nothing else (no registry
# cache), and a PATH without the usual one.
mkdir -p "$ROOT/cargo/bin"
cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
rustup_bin=$(command -v rustup)
ln -s "$rustup_bin" "$ROOT/cargo/bin/rustup"
for tool in cargo cargo-clippy cargo-fmt clippy-driver rustc rustdoc rustfmt; do
  ln -s "$ROOT/cargo/bin/rustup" "$ROOT/cargo/bin/$tool"
done
path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$cargo_bin" | paste -sd:)
say "running .ci/run (log: $ROOT/run.log)"
t1=$(date +%s)
rc=0
( cd "$ROOT/repo" && env CARGO_HOME="$ROOT/cargo" PATH="$ROOT/cargo/bin:$path" \
    KIT_STATE_DIR="$ROOT/kit" bash .ci/run ) >"$ROOT/run.log" 2>&1 || rc=$?
t2=$(date +%s)
grep -E '^== ' "$ROOT/run.log" || true
say ".ci/run exited $rc after $(( t2 - t1 )) s ($(( (t2 - t1) / 60 )) min $(( (t2 - t1) % 60 )) s)"
if [[ $rc -ne 0 ]]; then tail -n 40 "$ROOT/run.log"; fi
exit "$rc"
