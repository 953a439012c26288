#!/usr/bin/env bash
# Installs what the book's browser test (cargo test -p mdbook-rubric) needs on a fresh Debian
# machine: Debian's chromium and a font. mdBook itself is not installed: the tests build the book
# with mdBook's library inside the preprocessor binary (`mdbook-rubric build`).
# Idempotent: a second run returns in well under a second.
#
#   bash .ci/book.sh
set -euo pipefail

started=$(date +%s)
say() { printf '[book.sh %ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

# Chromium (Debian's package) and a font, for the browser test.
if command -v chromium >/dev/null 2>&1; then
  say "chromium already installed: $(chromium --version 2>/dev/null | head -n1)"
else
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else echo "book.sh: run as root (or install sudo) to install chromium" >&2; exit 1; fi
  else
    SUDO=
  fi
  say "installing Debian's chromium with apt-get"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  chromium --version 2>/dev/null | head -n1
fi

say "done"
