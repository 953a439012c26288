#!/usr/bin/env bash
# Prove the kit's images work together in multi-stage builds, the way the
# exercises use them (needs the tags from kit/build.sh, and PyPI, npm and
# crates.io reachable, through the proxy when there is one):
#   go     golang:1-trixie -> CGO_ENABLED=0 static binary -> distroless static:nonroot
#   python python:3.13-trixie venv + pip install flask gunicorn -> python:3.13-slim-trixie, non-root
#          (plus the --prefix, site-packages, --user and wheel-copy patterns)
#   node   node:20-trixie npm ci + tsc + prune -> node:20-trixie-slim as USER node
#   rust   rust:1-slim-trixie cargo build --release (+crt-static, serde_json from
#          crates.io) -> distroless static
# Everything it creates (files, images, containers) is removed at the end.
# Usage: kit/prove.sh [go|python|node|rust ...]
set -euo pipefail
export DOCKER_BUILDKIT=${KIT_BUILDKIT:-0}
run=kitprove-$$-$(date +%s)
tmp=$(mktemp -d /tmp/kit-prove.XXXXXX)
fails=0

cleanup() {
  local c i
  for c in $(docker ps -aq --filter "label=dev.grader.kit.prove=$run"); do docker rm -f "$c" >/dev/null 2>&1 || true; done
  # final images by tag, then the untagged builder stages (labelled per run)
  for i in $(docker images -q --filter "reference=$run/*"); do docker rmi -f "$i" >/dev/null 2>&1 || true; done
  for i in $(docker images -aq --filter "label=dev.grader.kit.prove=$run"); do docker rmi "$i" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# build <name>: build $tmp/<name> as $run/<name>, print time and size
build() {
  local name=$1 t0 t1
  t0=$(date +%s)
  if ! docker build --force-rm --build-arg "RUN=$run" -t "$run/$name" "$tmp/$name" > "$tmp/$name.log" 2>&1; then
    echo "FAIL $name: docker build failed; last lines:"; tail -n 20 "$tmp/$name.log" | sed 's/^/    /'
    return 1
  fi
  t1=$(date +%s)
  printf '     %s: built in %d s, final image %s MB (user %s)\n' "$name" $((t1 - t0)) \
    "$(docker image inspect -f '{{.Size}}' "$run/$name" | awk '{printf "%.1f", $1/1e6}')" \
    "$(docker image inspect -f '{{if .Config.User}}{{.Config.User}}{{else}}root{{end}}' "$run/$name")"
}
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }

prove_go() {
  mkdir -p "$tmp/go"
  cat > "$tmp/go/go.mod" <<'EOF'
module example.com/hello

go 1.27
EOF
  cat > "$tmp/go/main.go" <<'EOF'
package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"time"
)

func main() {
	name := "?"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	roots := 0
	if pool, err := x509.SystemCertPool(); err == nil {
		roots = len(pool.Subjects()) //nolint:staticcheck
	}
	tz := "no tzdata"
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		tz = loc.String()
	}
	wd, _ := os.Getwd()
	fmt.Printf("%s uid=%d user=%s wd=%s roots=%d tz=%s\n", runtime.Version(), os.Getuid(), name, wd, roots, tz)
}
EOF
  cat > "$tmp/go/Dockerfile" <<'EOF'
FROM golang:1-trixie AS build
ARG RUN
LABEL dev.grader.kit.prove=$RUN
WORKDIR /src
COPY go.mod main.go ./
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hello .
FROM gcr.io/distroless/static-debian13:nonroot
ARG RUN
LABEL dev.grader.kit.prove=$RUN
COPY --from=build /out/hello /hello
ENTRYPOINT ["/hello"]
EOF
  build go || { fails=$((fails + 1)); return; }
  local out; out=$(docker run --rm --network none --label "dev.grader.kit.prove=$run" "$run/go")
  echo "     $out"
  [[ $out == "go1.27."*" uid=65532 user=nonroot wd=/home/nonroot "*" tz=Europe/Paris" ]] \
    && pass "go: static binary on distroless static:nonroot" || fail "go: unexpected output"
}

prove_python() {
  mkdir -p "$tmp/python" "$tmp/python-patterns"
  cat > "$tmp/python/app.py" <<'EOF'
import os, sys
from flask import Flask
app = Flask(__name__)

@app.get("/")
def index():
    return f"flask on Python {sys.version.split()[0]} as uid {os.getuid()}\n"
EOF
  cat > "$tmp/python/Dockerfile" <<'EOF'
FROM python:3.13-trixie AS build
ARG RUN
LABEL dev.grader.kit.prove=$RUN
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN pip install --no-cache-dir flask gunicorn
COPY app.py /app/app.py
FROM python:3.13-slim-trixie
ARG RUN
LABEL dev.grader.kit.prove=$RUN
RUN useradd --uid 10001 --create-home app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
ENV PATH=/opt/venv/bin:$PATH
USER app
WORKDIR /app
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
EOF
  build python || { fails=$((fails + 1)); return; }
  docker run -d --name "$run-python" --label "dev.grader.kit.prove=$run" "$run/python" >/dev/null
  local out="" i
  for i in $(seq 1 20); do
    out=$(docker exec "$run-python" python -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8000/').read().decode(), end='')" 2>/dev/null) && break
    sleep 0.5
  done
  echo "     $out"
  [[ $out == "flask on Python 3.13."*" as uid 10001" ]] \
    && pass "python: venv with flask+gunicorn from PyPI, served by gunicorn on slim as uid 10001" \
    || fail "python: gunicorn did not answer as expected"

  cat > "$tmp/python-patterns/Dockerfile" <<'EOF'
FROM python:3.13-trixie AS build
ARG RUN
LABEL dev.grader.kit.prove=$RUN
RUN pip install --no-cache-dir --prefix=/install itsdangerous
RUN pip install --no-cache-dir six
RUN pip install --no-cache-dir --user markupsafe
RUN pip wheel --no-cache-dir -w /wheels blinker
FROM python:3.13-slim-trixie
ARG RUN
LABEL dev.grader.kit.prove=$RUN
COPY --from=build /install /usr/local
COPY --from=build /usr/local/lib/python3.13/site-packages /usr/local/lib/python3.13/site-packages
COPY --from=build /root/.local /root/.local
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl
CMD ["python", "-c", "import itsdangerous, six, markupsafe, blinker; print('patterns ok')"]
EOF
  build python-patterns || { fails=$((fails + 1)); return; }
  out=$(docker run --rm --network none --label "dev.grader.kit.prove=$run" "$run/python-patterns")
  [[ $out == "patterns ok" ]] \
    && pass "python: --prefix=/install, site-packages copy, --user and wheel-copy patterns" \
    || fail "python: patterns: $out"
}

prove_node() {
  mkdir -p "$tmp/node/src"
  cat > "$tmp/node/package.json" <<'EOF'
{
  "name": "kit-prove",
  "version": "1.0.0",
  "private": true,
  "dependencies": { "express": "^4.21.2" },
  "devDependencies": { "typescript": "^5.8.3", "@types/express": "^4.17.21", "@types/node": "^20.17.0" }
}
EOF
  cat > "$tmp/node/tsconfig.json" <<'EOF'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "outDir": "dist", "strict": true, "esModuleInterop": true }, "include": ["src"] }
EOF
  cat > "$tmp/node/src/index.ts" <<'EOF'
import express from "express";
const app = express();
app.get("/", (_req, res) => {
  res.send(`express on node ${process.versions.node} as uid ${process.getuid?.()}\n`);
});
app.listen(3000, () => console.log("listening on 3000"));
EOF
  cat > "$tmp/node/Dockerfile" <<'EOF'
FROM node:20-trixie AS build
ARG RUN
LABEL dev.grader.kit.prove=$RUN
WORKDIR /app
COPY package.json ./
RUN npm install --package-lock-only --no-audit --no-fund && npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc && npm prune --omit=dev && test ! -e node_modules/typescript
FROM node:20-trixie-slim
ARG RUN
LABEL dev.grader.kit.prove=$RUN
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
CMD ["node", "dist/index.js"]
EOF
  build node || { fails=$((fails + 1)); return; }
  docker run -d --name "$run-node" --label "dev.grader.kit.prove=$run" "$run/node" >/dev/null
  local out="" i
  for i in $(seq 1 20); do
    out=$(docker exec "$run-node" node -e "fetch('http://127.0.0.1:3000/').then(r => r.text()).then(t => process.stdout.write(t))" 2>/dev/null) && [[ -n $out ]] && break
    sleep 0.5
  done
  echo "     $out"
  [[ $out == "express on node 20."*" as uid 1000" ]] \
    && pass "node: npm ci + tsc + prune on node:20-trixie, express on slim as USER node" \
    || fail "node: express did not answer as expected"
}

prove_rust() {
  mkdir -p "$tmp/rust/src"
  cat > "$tmp/rust/Cargo.toml" <<'EOF'
[package]
name = "hello"
version = "0.1.0"
edition = "2021"

[dependencies]
serde_json = "1"
EOF
  cat > "$tmp/rust/src/main.rs" <<'EOF'
fn main() {
    let v = serde_json::json!({"hello": "static rust", "home": std::env::var("HOME").unwrap_or_default()});
    println!("{}", serde_json::to_string(&v).unwrap());
}
EOF
  cat > "$tmp/rust/Dockerfile" <<'EOF'
FROM rust:1-slim-trixie AS build
ARG RUN
LABEL dev.grader.kit.prove=$RUN
WORKDIR /src
COPY Cargo.toml ./
COPY src ./src
RUN RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --target x86_64-unknown-linux-gnu \
 && cp target/x86_64-unknown-linux-gnu/release/hello /hello
FROM gcr.io/distroless/static-debian13:latest
ARG RUN
LABEL dev.grader.kit.prove=$RUN
COPY --from=build /hello /hello
USER 65532
ENTRYPOINT ["/hello"]
EOF
  build rust || { fails=$((fails + 1)); return; }
  local out; out=$(docker run --rm --network none --label "dev.grader.kit.prove=$run" "$run/rust")
  echo "     $out"
  [[ $out == '{"home":"/home/nonroot","hello":"static rust"}' || $out == '{"hello":"static rust","home":"/home/nonroot"}' ]] \
    && pass "rust: crt-static release build with a crates.io dependency, on distroless static" \
    || fail "rust: unexpected output"
}

which=("$@"); (( ${#which[@]} )) || which=(go python node rust)
for w in "${which[@]}"; do
  case $w in
    go|python|node|rust) "prove_$w" ;;
    *) echo "unknown proof: $w (go, python, node, rust)" >&2; exit 2 ;;
  esac
done
(( fails == 0 )) && echo "all proofs passed" || { echo "$fails proof(s) failed"; exit 1; }
