#!/usr/bin/env bash
# Makes `docker buildx` available to the bench without installing anything system-wide: Debian
# trixie's docker-buildx package (bookworm has none), downloaded with apt into DIR and unpacked
# as a CLI plugin under DIR/docker-config/cli-plugins. The bench then runs the docker CLI with
# DOCKER_CONFIG=DIR/docker-config, so `DOCKER_BUILDKIT=1 docker build` builds with BuildKit.
#
#   bash xtask/fetch-buildx.sh DIR     # prints DIR/docker-config when done
set -euo pipefail
dir=$(mkdir -p "$1" && cd "$1" && pwd)
plugin=$dir/docker-config/cli-plugins/docker-buildx
if [[ ! -x $plugin ]]; then
  mkdir -p "$dir"/apt/{lists/partial,cache/archives/partial,preferences.d} "$dir/debs" "$(dirname "$plugin")"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    >"$dir/apt/sources.list"
  opts=(-o "Dir::Etc::sourcelist=$dir/apt/sources.list" -o Dir::Etc::sourceparts=-
    -o "Dir::Etc::preferencesparts=$dir/apt/preferences.d" -o "Dir::State::Lists=$dir/apt/lists"
    -o "Dir::Cache=$dir/apt/cache" -o Dir::State::status=/dev/null -o APT::Architecture=amd64
    -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" -qq update
  (cd "$dir/debs" && apt-get "${opts[@]}" -qq download docker-buildx)
  rm -rf "$dir/root" && mkdir -p "$dir/root"
  dpkg-deb -x "$dir"/debs/docker-buildx_*.deb "$dir/root"
  cp "$dir/root/usr/libexec/docker/cli-plugins/docker-buildx" "$plugin"
fi
DOCKER_CONFIG=$dir/docker-config docker buildx version >&2
echo "$dir/docker-config"
