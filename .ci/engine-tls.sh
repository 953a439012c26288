#!/usr/bin/env bash
# A Docker engine that speaks only TLS on a loopback TCP port, with certificates made here, for
# the grader's connection tests (grader/tests/grader.rs, `an_engine_behind_tls_…`), and the
# certificate maker `.ci/engine-newer.sh` uses for its TLS listener.
#
#   bash .ci/engine-tls.sh certs DIR        CA, server and client certificates in DIR (kept if there)
#   bash .ci/engine-tls.sh start DIR PORT   certs, then a dockerd on tcp://127.0.0.1:PORT (--tlsverify)
#   bash .ci/engine-tls.sh stop DIR         stops what `start` started and removes its bridge
#
# What `certs` writes (EC P-256 keys, valid 2 days, by the openssl CLI):
#   DIR/ca.pem, ca-key.pem              the CA
#   DIR/server-cert.pem, server-key.pem the engine's certificate: IP 127.0.0.1 and DNS localhost
#   DIR/client/{ca,cert,key}.pem        what a client needs (DOCKER_CERT_PATH=DIR/client)
#   DIR/rogue/{ca,cert,key}.pem         a CA the engine does not know and a client it signed
#
# The engine is the host's dockerd with everything of its own under DIR: data root, exec root,
# pid files, unix socket, its own containerd (own root, state and socket), and its own bridge
# `grtls<PORT>` (10.227.<PORT % 250>.1/24; never --bridge=none). --iptables=false: it touches
# no firewall chain and no bridge of another engine. `stop` kills only the pids it wrote.
set -euo pipefail

cmd=${1:?usage: $0 certs DIR | start DIR PORT | stop DIR}
DIR=${2:?a directory}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

certs() {
  [[ -s $DIR/client/key.pem && -s $DIR/rogue/key.pem ]] && return
  mkdir -p "$DIR/client" "$DIR/rogue"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  (
    cd "$DIR"
    openssl req -x509 "${ec[@]}" -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=grader-test-ca 2>/dev/null
    openssl req "${ec[@]}" -keyout server-key.pem -out server.csr -subj /CN=localhost 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
      -extfile server.ext -out server-cert.pem 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl req "${ec[@]}" -keyout client/key.pem -out client.csr -subj /CN=grader-test-client 2>/dev/null
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
      -extfile client.ext -out client/cert.pem 2>/dev/null
    cp ca.pem client/ca.pem
    openssl req -x509 "${ec[@]}" -keyout rogue/ca-key.pem -out rogue/ca.pem -days 2 -subj /CN=rogue-ca 2>/dev/null
    openssl req "${ec[@]}" -keyout rogue/key.pem -out rogue.csr -subj /CN=rogue-client 2>/dev/null
    openssl x509 -req -in rogue.csr -CA rogue/ca.pem -CAkey rogue/ca-key.pem -CAcreateserial -days 2 \
      -extfile client.ext -out rogue/cert.pem 2>/dev/null
    rm -f ./*.csr ./*.ext ./*.srl rogue/*.srl
    chmod 600 ./*key.pem client/key.pem rogue/*key.pem
  )
}

alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  local port=${1:?a port}
  local bridge=grtls$port sock=$DIR/docker.sock
  certs
  mkdir -p "$DIR/data" "$DIR/exec/containerd"
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add "10.227.$((port % 250)).1/24" dev "$bridge"
  fi
  ip link set "$bridge" up
  echo "$bridge" >"$DIR/bridge"
  cat >"$DIR/containerd.toml" <<EOF
version = 2
root = "$DIR/data/containerd"
state = "$DIR/exec/containerd"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$DIR/exec/containerd/containerd.sock"
[ttrpc]
  address = "$DIR/exec/containerd/containerd.sock.ttrpc"
[debug]
  address = "$DIR/exec/containerd/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/data/containerd-opt"
EOF
  if ! alive "$DIR/containerd.pid"; then
    setsid containerd --config "$DIR/containerd.toml" >>"$DIR/containerd.log" 2>&1 </dev/null &
    echo $! >"$DIR/containerd.pid"
    for _ in $(seq 1 50); do [[ -S $DIR/exec/containerd/containerd.sock ]] && break; sleep 0.2; done
  fi
  if ! alive "$DIR/dockerd.pid"; then
    setsid dockerd --containerd "$DIR/exec/containerd/containerd.sock" \
      --data-root "$DIR/data/docker" --exec-root "$DIR/exec/docker" --pidfile "$DIR/dockerd.pid" \
      -H "unix://$sock" -H "tcp://127.0.0.1:$port" \
      --tlsverify --tlscacert "$DIR/ca.pem" --tlscert "$DIR/server-cert.pem" --tlskey "$DIR/server-key.pem" \
      --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      --bridge "$bridge" --cgroup-parent "$bridge" \
      >>"$DIR/dockerd.log" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 120); do
    if DOCKER_HOST=unix://$sock docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then return; fi
    sleep 0.5
  done
  echo "the TLS engine did not answer within 60 s; the end of $DIR/dockerd.log:" >&2
  tail -n 30 "$DIR/dockerd.log" >&2
  exit 1
}

stop() {
  local f pid
  for f in "$DIR/dockerd.pid" "$DIR/containerd.pid"; do
    if alive "$f"; then
      pid=$(cat "$f")
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  if [[ -s $DIR/bridge ]] && ip link show "$(cat "$DIR/bridge")" >/dev/null 2>&1; then
    ip link del "$(cat "$DIR/bridge")"
  fi
  # The data root holds overlay mounts only while the engine runs; it is gone with DIR.
}

case $cmd in
  certs) certs ;;
  start) start "${3:-}" ;;
  stop) stop ;;
  *) echo "usage: $0 certs DIR | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
