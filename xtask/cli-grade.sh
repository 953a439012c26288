#!/bin/sh
# The bench's docker-CLI side: what `grader check` does for ex1's solution, done carefully with
# the docker CLI (`sh xtask/cli-grade.sh DIR`). The classic builder, unless CLI_BUILDKIT=1 (the
# CLI then needs buildx: the bench fetches it, see fetch-buildx.sh). Careful means: the cache
# probes build only up to the dependency step (a Dockerfile cut after `RUN go mod download`, as
# the grader stops its probes there), and every image and container it makes is removed.
set -eu
dir=$1
t=bench-cli-$$
export DOCKER_BUILDKIT="${CLI_BUILDKIT:-0}"
cleanup() {
    [ -n "${cid:-}" ] && docker rm -f "$cid" >/dev/null 2>&1
    docker rmi -f "$t:main" "$t:src" "$t:mod" >/dev/null 2>&1 || true
    rm -rf "$copy"
}
copy=$(mktemp -d)
trap cleanup EXIT

# The main build.
docker build -q -t "$t:main" "$dir" >/dev/null

# The cache probe: a copy, a harmless edit to the source, then to the manifest, each rebuilt up
# to the dependency step.
cp -a "$dir"/. "$copy"/
sed '/^RUN go mod download/q' "$dir/Dockerfile" >"$copy/Dockerfile.probe"
printf '\n// probe %s\n' "$t" >>"$copy/main.go"
docker build -q -t "$t:src" -f "$copy/Dockerfile.probe" "$copy" >/dev/null
printf '\n// probe %s\n' "$t" >>"$copy/go.mod"
docker build -q -t "$t:mod" -f "$copy/Dockerfile.probe" "$copy" >/dev/null

# The image's facts: its configuration, and every file of every layer.
docker image inspect "$t:main" >/dev/null
docker save "$t:main" >/dev/null

# The smoke run: publish the port, wait for GET /healthz to answer 200.
cid=$(docker run -d -p 127.0.0.1::8080 "$t:main")
port=$(docker port "$cid" 8080/tcp | head -n 1 | sed 's/.*://')
i=0
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
    i=$((i + 1))
    [ "$i" -gt 200 ] && exit 1
    sleep 0.05
done
