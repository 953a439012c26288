#!/bin/sh
# Same contract as the official node image's entrypoint: when the first
# argument is an option (-e, --version, ...) or not a command, run it with node.
set -e
if [ "${1#-}" != "$1" ] || ! command -v -- "$1" >/dev/null 2>&1 || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
