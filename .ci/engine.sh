#!/usr/bin/env bash
# Make a Docker engine answer on this machine: reuse one that already answers
# (DOCKER_HOST or the default socket), otherwise install Debian's docker.io if
# needed and start dockerd in the background, then wait for its socket.
set -euo pipefail

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if engine_answers; then
  echo "engine: already running ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "engine: installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io debootstrap >/dev/null
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

log=/var/log/grader-dockerd.log
echo "engine: starting dockerd (log: $log)"
# setsid: the daemon outlives this script and is not in its process group.
setsid dockerd >"$log" 2>&1 < /dev/null &

for _ in $(seq 1 60); do
  if engine_answers; then
    echo "engine: ready ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done
echo "engine: dockerd did not answer within 60 s; last lines of $log:" >&2
tail -n 30 "$log" >&2
exit 1
