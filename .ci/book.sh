#!/usr/bin/env bash
# Installs what the book's tests (cargo test -p mdbook-rubric) need on a fresh Debian machine:
# mdBook at the pinned version (built with cargo, only the `search` feature: no server or file
# watcher, which halves the compile time) and Debian's chromium for the headless-browser test.
# Idempotent: a second run checks the versions and returns in well under a second.
#
#   bash .ci/book.sh            # install what is missing
#   MDBOOK_VERSION=0.5.4 bash .ci/book.sh
set -euo pipefail

MDBOOK_VERSION="${MDBOOK_VERSION:-0.5.4}"   # keep in step with mdbook-preprocessor in rubric/Cargo.toml
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
started=$(date +%s)
say() { printf '[book.sh %ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

# mdBook, pinned.
if mdbook --version 2>/dev/null | grep -qx "mdbook v${MDBOOK_VERSION}"; then
  say "mdbook ${MDBOOK_VERSION} already installed"
else
  command -v cargo >/dev/null || { echo "book.sh: cargo is needed to install mdbook (install Rust with rustup)" >&2; exit 1; }
  say "installing mdbook ${MDBOOK_VERSION} with cargo (a few minutes on 2 cores)"
  cargo install mdbook --version "=${MDBOOK_VERSION}" --locked --no-default-features --features search --quiet
  mdbook --version
fi

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
