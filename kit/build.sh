#!/usr/bin/env bash
# Offline base-image kit: make the official base images the exercises use
# available on this Docker engine. For each tag: keep it when it is already
# present, pull it when a registry answers, otherwise build a stand-in from
# Debian trixie packages (debootstrap + docker import for debian:trixie-slim,
# small Dockerfiles for the rest). A stand-in carries the official name only
# when the toolchain version inside matches the tag; it is labelled
# dev.grader.kit=stand-in. See kit/README.md.
#
#   kit/build.sh            make every tag available, then print a summary
#   kit/build.sh TAG...     only these tags (and the kit images they are built from)
#   kit/build.sh --list     print the tags the kit provides
#   kit/build.sh --remove   remove the stand-ins (found by label), nothing else
#   kit/build.sh --refresh  also rebuild stand-ins whose package is newer on the mirror
#
# Environment: KIT_OFFLINE=1 (never try docker pull), KIT_JOBS (parallel builds,
# default 2), KIT_MIRROR, KIT_SECURITY_MIRROR, KIT_KEYRING, KIT_STATE_DIR,
# KIT_PULL_TIMEOUT (seconds, default 20), KIT_EXTRA_CA (auto | none | a PEM file).
set -Eeuo pipefail
shopt -s nullglob

KIT_VERSION=1
KIT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES_DIR=$KIT_DIR/images
MIRROR=${KIT_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${KIT_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
KEYRING=${KIT_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
STATE=${KIT_STATE_DIR:-/var/tmp/grader-kit}
JOBS=${KIT_JOBS:-2}
PULL_TIMEOUT=${KIT_PULL_TIMEOUT:-20}
EXTRA_CA=${KIT_EXTRA_CA:-auto}
# The CLI here has no buildx: BuildKit would fail, so use the classic builder.
export DOCKER_BUILDKIT=${KIT_BUILDKIT:-0}

# The release line each toolchain tag names. Go and Rust come from trixie-backports, which
# keeps only the newest version of a package (rustc went 1.96 -> 1.97.1 -> 1.98.1 in three
# weeks), so their tags name the major line only (golang:1-trixie, rust:1-slim-trixie, both
# official Docker Hub tags) and the kit takes whatever 1.x the mirror offers on the day.
# Python and Node come from trixie's main archive, whose versions stay within one minor
# (Python) or major (Node) for the life of the release. Whatever is chosen, the version
# inside the built image is checked against the mirror's before the tag is used.
GO_LINE=1
RUST_LINE=1
PY_SERIES=3.13
NODE_MAJOR=20
SUITE=trixie

# name -> tag. Order matters: dependencies first.
NAMES=(base distroless-static distroless-static-nonroot distroless-cc distroless-cc-nonroot
       golang rust python-slim buildpack python node-slim node)
declare -A TAG=(
  [base]=debian:trixie-slim
  [distroless-static]=gcr.io/distroless/static-debian13:latest
  [distroless-static-nonroot]=gcr.io/distroless/static-debian13:nonroot
  [distroless-cc]=gcr.io/distroless/cc-debian13:latest
  [distroless-cc-nonroot]=gcr.io/distroless/cc-debian13:nonroot
  [golang]=golang:${GO_LINE}-trixie
  [rust]=rust:${RUST_LINE}-slim-trixie
  [python-slim]=python:${PY_SERIES}-slim-trixie
  [buildpack]=grader-kit/buildpack-deps:trixie
  [python]=python:${PY_SERIES}-trixie
  [node-slim]=node:${NODE_MAJOR}-trixie-slim
  [node]=node:${NODE_MAJOR}-trixie
)
# internal images are only built as parents of others, never pulled
declare -A INTERNAL=([buildpack]=1)
# Dockerfile directory, build target, parent image (a kit name)
declare -A DIR=(
  [distroless-static]=distroless [distroless-static-nonroot]=distroless
  [distroless-cc]=distroless [distroless-cc-nonroot]=distroless
  [golang]=golang [rust]=rust [python-slim]=python [python]=python
  [buildpack]=buildpack [node-slim]=node [node]=node
)
declare -A TARGET=(
  [distroless-static]=static [distroless-static-nonroot]=static-nonroot
  [distroless-cc]=cc [distroless-cc-nonroot]=cc-nonroot
)
declare -A PARENT=(
  [distroless-static]=base [distroless-static-nonroot]=base
  [distroless-cc]=base [distroless-cc-nonroot]=base
  [golang]=base [rust]=base [python-slim]=base [buildpack]=base
  [python]=buildpack [node-slim]=base [node]=buildpack
)
# extra Debian packages on top of what the image's Dockerfile installs
declare -A EXTRA_PKGS=([python]=python3-dev)
# toolchain images get the host's extra (proxy) CA certificates
declare -A WITH_CA=([golang]=1 [rust]=1 [python-slim]=1 [python]=1 [node-slim]=1 [node]=1)
# Debian package whose version decides the tag, and the suites to read it from. A pattern
# (golang-1.*-go) means the newest package of that shape: Go's source package carries its
# minor version in its name (golang-1.27-go, then golang-1.28-go).
declare -A PKG=(
  [golang]='golang-1.*-go' [rust]=rustc
  [python-slim]=python${PY_SERIES} [python]=python${PY_SERIES}
  [node-slim]=nodejs [node]=nodejs
  [distroless-static]=libc6 [distroless-static-nonroot]=libc6
  [distroless-cc]=libc6 [distroless-cc-nonroot]=libc6
)
declare -A PKG_SUITES=(
  [golang]=any [rust]=any
  [python-slim]=main [python]=main [node-slim]=main [node]=main
  [distroless-static]=main [distroless-static-nonroot]=main
  [distroless-cc]=main [distroless-cc-nonroot]=main
)
# the release line the tag promises: the upstream version must be this or start with "this."
declare -A SERIES=(
  [golang]=$GO_LINE [rust]=$RUST_LINE [python-slim]=$PY_SERIES [python]=$PY_SERIES
  [node-slim]=$NODE_MAJOR [node]=$NODE_MAJOR
)
# what to list when the line is not offered: every package of the same kind
declare -A FAMILY=([python-slim]='python3.*' [python]='python3.*')
# golang-1.28-go -> 1.28 (Debian installs it under /usr/lib/go-1.28)
go_series() { local s=${1#golang-}; printf '%s' "${s%-go}"; }
declare -A DESC=(
  [base]="debootstrap --variant=minbase trixie, cleaned like the official slim image"
  [distroless-static]="files only: CA bundle, passwd/group, nsswitch, os-release, tzdata, /tmp"
  [distroless-static-nonroot]="as static, USER 65532, WORKDIR /home/nonroot"
  [distroless-cc]="static + libc6 libssl3t64 libzstd1 zlib1g libgcc-s1 libstdc++6 libgomp1"
  [distroless-cc-nonroot]="as cc, USER 65532, WORKDIR /home/nonroot"
  [golang]="Debian's newest golang-1.NN-go (trixie-backports) + gcc g++ make git curl"
  [rust]="Debian's newest rustc + cargo (trixie-backports) + gcc libc6-dev, no rustup"
  [python-slim]="Debian python${PY_SERIES} + venv, pip in /usr/local, no compiler"
  [buildpack]="internal: buildpack-deps subset (compilers, -dev packages, git, curl)"
  [python]="buildpack-deps subset + Debian python${PY_SERIES} + python3-dev, pip in /usr/local"
  [node-slim]="Debian nodejs + npm (with Debian's npm dependencies), user node"
  [node]="buildpack-deps subset + Debian nodejs + npm, user node"
)

say()  { printf '%s\n' "$*"; }
warn() { printf 'kit: warning: %s\n' "$*" >&2; }
die()  { printf 'kit: error: %s\n' "$*" >&2; exit 1; }
now()  { date +%s; }

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"; }

# --- docker helpers --------------------------------------------------------

# One `docker image inspect` for all the kit's tags per refresh (a CLI call
# costs ~50 ms): CACHE[tag]="id|size|kit|kit.version|recipe|package|toolchain",
# or "" when the tag is absent. Refresh after anything retags.
CACHED_LABELS=(dev.grader.kit dev.grader.kit.version dev.grader.kit.recipe dev.grader.kit.package dev.grader.kit.toolchain)
declare -A CACHE=()
refresh_cache() {
  local fmt='{{range .RepoTags}}{{.}} {{end}}|{{.Id}}|{{.Size}}' l tags rest t name
  for l in "${CACHED_LABELS[@]}"; do fmt+="|{{index .Config.Labels \"$l\"}}"; done
  CACHE=()
  for name in "${NAMES[@]}"; do CACHE[${TAG[$name]}]=""; done
  while IFS= read -r l; do
    tags=${l%%|*}; rest=${l#*|}
    rest=${rest//<no value>/}
    for t in $tags; do [[ -n ${CACHE[$t]+x} ]] && CACHE[$t]=$rest; done
  done < <(docker image inspect -f "$fmt" "${!CACHE[@]}" 2>/dev/null || true)
}
# cached <tag> <field#>: 1 id, 2 size, 3.. the CACHED_LABELS
cached() { local IFS='|' f; read -r -a f <<< "${CACHE[$1]:-}"; printf '%s' "${f[$(( $2 - 1 ))]:-}"; }

img_id() {
  if [[ -n ${CACHE[$1]+x} ]]; then cached "$1" 1
  else docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; fi
}
img_label() {
  local i
  if [[ -n ${CACHE[$1]+x} ]]; then
    for i in "${!CACHED_LABELS[@]}"; do
      if [[ ${CACHED_LABELS[$i]} == "$2" ]]; then cached "$1" $(( i + 3 )); return 0; fi
    done
  fi
  docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null | sed 's/<no value>//' || true
}
img_size_mb() {
  local b
  if [[ -n ${CACHE[$1]+x} ]]; then b=$(cached "$1" 2); else b=$(docker image inspect -f '{{.Size}}' "$1" 2>/dev/null || true); fi
  if [[ -z $b ]]; then echo "-"; else awk -v b="$b" 'BEGIN { printf "%.1f", b / 1000000 }'; fi
}
is_standin() { [[ $(img_label "$1" dev.grader.kit) == stand-in ]]; }

# Remove an image we built, by id, only if it is a stand-in and nothing
# (tag, child image, container) still uses it; never fails the run.
drop_if_unused() {
  local id=$1
  [[ -n $id ]] || return 0
  [[ $(img_label "$id" dev.grader.kit) == stand-in ]] || return 0
  [[ -z $(docker image inspect -f '{{join .RepoTags " "}}' "$id" 2>/dev/null) ]] || return 0
  docker rmi "$id" >/dev/null 2>&1 || true
}

# --- the host's extra CA certificates ---------------------------------------

# Certificates in the host bundle that are not stock Mozilla roots are the
# ones a TLS-intercepting proxy (or a company CA) added: copy them, one file
# each, to $STATE/ca for the toolchain images.
collect_extra_cas() {
  local out=$STATE/ca bundle=${KIT_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
  local moz=${KIT_MOZILLA_CERTS:-/usr/share/ca-certificates/mozilla}
  rm -rf "$out"; mkdir -p "$out"
  case $EXTRA_CA in
    none) return 0 ;;
    auto) ;;
    *) [[ -f $EXTRA_CA ]] || die "KIT_EXTRA_CA=$EXTRA_CA: no such file"
       cp "$EXTRA_CA" "$out/grader-kit-extra.crt"; return 0 ;;
  esac
  [[ -f $bundle ]] || return 0
  local mozfiles=("$moz"/*.crt)
  if (( ${#mozfiles[@]} == 0 )); then
    warn "no $moz on this host: cannot tell proxy CAs from stock roots, adding none (set KIT_EXTRA_CA=<pem>)"
    return 0
  fi
  awk -v bundle="$bundle" -v out="$out" '
    /-----BEGIN CERTIFICATE-----/ { inside = 1; body = ""; pem = $0 "\n"; next }
    inside { pem = pem $0 "\n" }
    /-----END CERTIFICATE-----/ {
      inside = 0
      if (FILENAME != bundle) { stock[body] = 1 }
      else if (!(body in stock) && !(body in seen)) {
        seen[body] = 1; n++
        f = sprintf("%s/grader-kit-extra-%d.crt", out, n)
        printf "%s", pem > f; close(f)
      }
      next
    }
    inside { gsub(/[ \t\r]/, ""); body = body $0 }
  ' "${mozfiles[@]}" "$bundle"
}

# --- reading versions from the mirror's package index ------------------------

ARCH=""
debian_arch() {
  case $(docker info -f '{{.Architecture}}' 2>/dev/null) in
    x86_64|amd64) echo amd64 ;;
    aarch64|arm64) echo arm64 ;;
    *) die "unsupported engine architecture: $(docker info -f '{{.Architecture}}')" ;;
  esac
}

# fetch_index <url-of-dists/...> <out>: "package version" lines for the
# packages the kit pins, from Packages.xz (or Packages).
fetch_index() {
  local base=$1 out=$2 tmp
  tmp=$(mktemp "$STATE/index/.dl.XXXXXX")
  if command -v xz >/dev/null && curl -fsSL --max-time 120 "$base/Packages.xz" -o "$tmp"; then
    xz -dc "$tmp" > "$tmp.txt"
  elif curl -fsSL --max-time 300 "$base/Packages" -o "$tmp.txt"; then :
  else rm -f "$tmp" "$tmp.txt"; return 1; fi
  # every Go and Python series, so that a message can say what the mirror offers instead
  awk '
    /^Package: / { p = $2 }
    /^Version: / {
      if (p ~ /^(golang-1\.[0-9]+-go|rustc|cargo|python3\.[0-9]+|nodejs|npm|libc6)$/) print p, $2
    }
  ' "$tmp.txt" > "$out"
  rm -f "$tmp" "$tmp.txt"
}

INDEX_READ=0
read_mirror_index() {
  (( INDEX_READ )) && return 0
  mkdir -p "$STATE/index"
  say "kit: reading package versions from $MIRROR ($SUITE, $SUITE-updates, $SUITE-security, $SUITE-backports)"
  fetch_index "$MIRROR/dists/$SUITE/main/binary-$ARCH" "$STATE/index/main.txt" \
    || die "cannot read $MIRROR/dists/$SUITE/main/binary-$ARCH/Packages.xz (is the Debian mirror reachable?)"
  fetch_index "$MIRROR/dists/$SUITE-updates/main/binary-$ARCH" "$STATE/index/updates.txt" \
    || { warn "no $SUITE-updates index"; : > "$STATE/index/updates.txt"; }
  fetch_index "$SECURITY_MIRROR/dists/$SUITE-security/main/binary-$ARCH" "$STATE/index/security.txt" \
    || { warn "no $SUITE-security index"; : > "$STATE/index/security.txt"; }
  fetch_index "$MIRROR/dists/$SUITE-backports/main/binary-$ARCH" "$STATE/index/backports.txt" \
    || { warn "no $SUITE-backports index: Go and Rust will be $SUITE's own (older) versions"; : > "$STATE/index/backports.txt"; }
  INDEX_READ=1
}

version_gt() {
  if command -v dpkg >/dev/null; then dpkg --compare-versions "$1" gt "$2"
  else [[ $1 != "$2" && $(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n1) == "$1" ]]; fi
}

index_files() { # <main|backports|any>
  case $1 in
    backports) printf '%s\n' "$STATE/index/backports.txt" ;;
    main) printf '%s\n' "$STATE/index/main.txt" "$STATE/index/updates.txt" "$STATE/index/security.txt" ;;
    *) printf '%s\n' "$STATE/index/main.txt" "$STATE/index/updates.txt" "$STATE/index/security.txt" \
         "$STATE/index/backports.txt" ;;
  esac
}

# mirror_package <package-or-pattern> <main|backports|any>: "package version" of the newest
# match (a pattern such as golang-1.*-go matches any package of that shape), or nothing
mirror_package() {
  local pat=$1 where=$2 best="" bestp="" p v f
  while IFS= read -r f; do
    [[ -f $f ]] || continue
    while read -r p v; do
      # shellcheck disable=SC2053
      [[ $p == $pat ]] || continue
      if [[ -z $best ]] || version_gt "$v" "$best"; then best=$v; bestp=$p; fi
    done < "$f"
  done < <(index_files "$where")
  [[ -n $best ]] && printf '%s %s' "$bestp" "$best"
  return 0
}

# mirror_version <package> <main|backports|any>: the version apt would install
mirror_version() { local r; r=$(mirror_package "$1" "$2"); printf '%s' "${r#* }"; }

# mirror_offers <pattern>: what the mirror has of that kind, for messages ("rustc 1.98.1-1, ...")
mirror_offers() {
  local f p v out=()
  while IFS= read -r f; do
    [[ -f $f ]] || continue
    while read -r p v; do
      # shellcheck disable=SC2053
      [[ $p == $1 ]] && out+=("$p $v")
    done < "$f"
  done < <(index_files any)
  if (( ${#out[@]} )); then printf '%s\n' "${out[@]}" | sort -u | paste -sd, - | sed 's/,/, /g'
  else printf 'nothing of that name'; fi
}

# choose <name>: the Debian package and version that will make the tag, as "package version".
# Fails with a message naming the tag and what the mirror offers when nothing fits its line.
choose() {
  local name=$1 tag=${TAG[$1]} pat=${PKG[$1]} where=${PKG_SUITES[$1]} line=${SERIES[$1]:-} found up
  found=$(mirror_package "$pat" "$where")
  [[ -n $found ]] || { printf 'kit: error: %s: the mirror has no %s (%s); it offers: %s\n' \
    "$tag" "$pat" "$where" "$(mirror_offers "${FAMILY[$name]:-$pat}")" >&2; return 1; }
  up=$(upstream_version "${found#* }")
  if [[ -n $line && $up != "$line" && $up != "$line".* ]]; then
    printf 'kit: error: %s: the mirror offers %s (%s), not %s.x: refusing to build a stand-in under that name; it offers: %s\n' \
      "$tag" "$found" "$up" "$line" "$(mirror_offers "${FAMILY[$name]:-$pat}")" >&2
    return 1
  fi
  printf '%s' "$found"
}

# upstream part of a Debian version: 1:20.19.2+dfsg-1+deb13u2 -> 20.19.2
upstream_version() { local v=${1#*:}; v=${v%%[-+~]*}; printf '%s' "$v"; }

# --- checking the version inside an image -----------------------------------

# inside_version <name> <image>: prints what the image itself reports
inside_version() {
  local name=$1 img=$2 out
  case $name in
    base|buildpack) out=$(docker run --rm --network none "$img" cat /etc/debian_version) ;;
    golang)        out=$(docker run --rm --network none "$img" go env GOVERSION) ;;
    rust)          out=$(docker run --rm --network none "$img" rustc --version | cut -d' ' -f1,2) ;;
    python|python-slim) out=$(docker run --rm --network none "$img" python --version) ;;
    node|node-slim) out=$(docker run --rm --network none "$img" node -p process.versions.node) ;;
    distroless-cc|distroless-cc-nonroot)
      # no shell: ask the dynamic loader for the glibc version
      out=$(docker run --rm --network none --entrypoint /usr/lib64/ld-linux-x86-64.so.2 "$img" --version 2>/dev/null \
            || docker run --rm --network none --entrypoint /usr/lib/ld-linux-aarch64.so.1 "$img" --version)
      out=$(printf '%s\n' "$out" | sed -n '1s/.*(\(Debian GLIBC [^)]*\)).*/\1/p') ;;
    distroless-static|distroless-static-nonroot)
      # no executables at all: read os-release out of a created container
      local cid
      cid=$(docker create "$img" /nothing)
      out=$(docker cp "$cid:/usr/lib/os-release" - 2>/dev/null | tar -xO 2>/dev/null | sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p;s/^VERSION_ID="\(.*\)"/debian\1/p' | paste -sd' ')
      docker rm "$cid" >/dev/null ;;
    *) out="" ;;
  esac
  printf '%s' "$(printf '%s' "$out" | head -n1 | tr -d '\r')"
}

# expected_inside <name> <package-version>: what inside_version must print
# for the tag to be truthful (a glob pattern for the Debian base images)
expected_inside() {
  local name=$1 pkgver=$2 up
  up=$(upstream_version "$pkgver")
  case $name in
    base|buildpack) printf '13.*' ;;
    golang)  printf 'go%s' "$up" ;;
    rust)    printf 'rustc %s' "$up" ;;
    python|python-slim) printf 'Python %s' "$up" ;;
    node|node-slim) printf '%s' "$up" ;;
    distroless-cc*) printf 'Debian GLIBC %s' "$pkgver" ;;
    distroless-static*) printf 'Distroless debian13' ;;
  esac
}

# --- building ----------------------------------------------------------------
# Note: these functions run in `if`/`||` contexts where bash ignores errexit,
# so every step that can fail is checked explicitly.

labels_for() { # name recipe toolchain package
  printf '%s\n' \
    "dev.grader.kit=stand-in" \
    "dev.grader.kit.version=$KIT_VERSION" \
    "dev.grader.kit.stage=final" \
    "dev.grader.kit.image=${TAG[$1]}" \
    "dev.grader.kit.recipe=$2" \
    "dev.grader.kit.toolchain=$3" \
    "dev.grader.kit.package=$4" \
    "org.opencontainers.image.description=offline stand-in for ${TAG[$1]}, built by the grader kit from Debian $SUITE packages (not the official image)"
}

# A build context in $STATE/ctx/<name>: the image's directory, plus ca/.
prepare_context() {
  local name=$1 ctx=$STATE/ctx/$1 c
  rm -rf "$ctx" && mkdir -p "$ctx/ca" && cp -a "$IMAGES_DIR/${DIR[$name]}/." "$ctx/" || return 1
  if [[ -n ${WITH_CA[$name]:-} ]]; then
    for c in "$STATE"/ca/*.crt; do cp "$c" "$ctx/ca/" || return 1; done
  fi
  printf '%s' "$ctx"
}

tree_hash() { # dir
  (cd "$1" && find . \( -type f -o -type l \) | LC_ALL=C sort | while read -r f; do
     if [[ -L $f ]]; then printf '%s -> %s\n' "$f" "$(readlink "$f")"
     else printf '%s %s %s\n' "$f" "$(stat -c %a "$f")" "$(sha256sum < "$f")"; fi
   done) | sha256sum | cut -c1-16
}

# recipe <name>: what the stand-in is made of (kit files, CA certificates,
# parent image id); a different recipe means a rebuild.
recipe() {
  local name=$1 parent_id="" ctx
  [[ -n ${PARENT[$name]:-} ]] && parent_id=$(img_id "${TAG[${PARENT[$name]}]}")
  if [[ $name == base ]]; then
    { printf 'kit %s mirror %s %s\n' "$KIT_VERSION" "$MIRROR" "$SECURITY_MIRROR"
      printf '%s\n' "${BASE_IMPORT_CHANGES[@]}"
      tree_hash "$IMAGES_DIR/base"; sha256sum < "$KIT_DIR/lib/mkrootfs.sh"; } | sha256sum | cut -c1-16
  else
    ctx=$(prepare_context "$name") || return 1
    { printf 'kit %s\nname %s\ntag %s\nparent %s\ntarget %s\nseries %s\nextra %s\n' "$KIT_VERSION" "$name" \
        "${TAG[$name]}" "$parent_id" "${TARGET[$name]:-}" "${SERIES[$name]:-}" "${EXTRA_PKGS[$name]:-}"
      tree_hash "$ctx"; } | sha256sum | cut -c1-16
  fi
}

# state_of <name>: absent | foreign (not a stand-in) | current | stale
state_of() {
  local name=$1 tag=${TAG[$1]} want
  [[ -n $(img_id "$tag") ]] || { echo absent; return 0; }
  [[ $(img_label "$tag" dev.grader.kit) == stand-in ]] || { echo foreign; return 0; }
  if [[ $(img_label "$tag" dev.grader.kit.version) != "$KIT_VERSION" \
        || $(img_label "$tag" dev.grader.kit.recipe) != "$(recipe "$name")" ]]; then
    echo stale; return 0
  fi
  if (( REFRESH )) && [[ -n ${PKG[$name]:-} ]]; then
    want=$(mirror_package "${PKG[$name]}" "${PKG_SUITES[$name]}")
    if [[ $(img_label "$tag" dev.grader.kit.package) != "$want" ]]; then echo stale; return 0; fi
  fi
  echo current
}

# retag <name> <new-id>: point the tag at the new image, drop the old stand-in
retag() {
  local name=$1 id=$2 old
  old=$(img_id "${TAG[$name]}")
  docker tag "$id" "${TAG[$name]}" || return 1
  if [[ -n $old && $old != "$id" ]]; then drop_if_unused "$old"; fi
  refresh_cache
}

# the image config of the official debian image, given to `docker import`
BASE_IMPORT_CHANGES=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["bash"]')
ROOTFS_TMP=""
cleanup_rootfs() { if [[ -n $ROOTFS_TMP && -d $ROOTFS_TMP ]]; then rm -rf --one-file-system "$ROOTFS_TMP"; fi; ROOTFS_TMP=""; }

build_base() {
  local log=$1 rec id inside l changes=()
  [[ $(id -u) == 0 ]] || die "building the debian:trixie-slim stand-in needs root (debootstrap, chroot): run sudo bash $KIT_DIR/build.sh"
  if ! command -v debootstrap >/dev/null && command -v apt-get >/dev/null; then
    say "kit: [base] installing Debian's debootstrap"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }; } >>"$log" 2>&1
  fi
  command -v debootstrap >/dev/null || die "debootstrap is missing and could not be installed: install Debian's debootstrap package"
  [[ -f $KEYRING ]] || die "no Debian archive keyring at $KEYRING (set KIT_KEYRING)"
  rec=$(recipe base) || return 1
  ROOTFS_TMP=$(mktemp -d "$STATE/rootfs.XXXXXX") || return 1
  if ! bash "$KIT_DIR/lib/mkrootfs.sh" "$ROOTFS_TMP" "$SUITE" "$MIRROR" "$SECURITY_MIRROR" "$KEYRING" \
         "$IMAGES_DIR/base/overlay" >>"$log" 2>&1; then
    cleanup_rootfs; return 1
  fi
  while IFS= read -r l; do changes+=(--change "LABEL ${l%%=*}=\"${l#*=}\""); done \
    < <(labels_for base "$rec" "debian $(cat "$ROOTFS_TMP/fs/etc/debian_version")" "")
  id=$(tar --numeric-owner --xattrs -C "$ROOTFS_TMP/fs" -cf - . \
       | docker import "${changes[@]}" "${BASE_IMPORT_CHANGES[@]}" \
           --message "grader kit: debootstrap --variant=minbase $SUITE" - 2>>"$log")
  local rc=$?
  cleanup_rootfs
  (( rc == 0 )) && [[ -n $id ]] || return 1
  inside=$(inside_version base "$id")
  # shellcheck disable=SC2053
  if [[ $inside != $(expected_inside base "") ]]; then
    drop_if_unused "$id"
    die "debian:trixie-slim stand-in reports /etc/debian_version '$inside', not 13.x: not tagging it"
  fi
  retag base "$id" || return 1
  VERSION_OF[base]="debian $inside"
}

build_from_dockerfile() {
  local name=$1 log=$2 ctx rec args=() chosen="" pkg="" pkgver="" up="" toolchain="" iid inside l
  ctx=$(prepare_context "$name") || return 1
  rec=$(recipe "$name") || return 1
  args+=(--build-arg "BASE=${TAG[${PARENT[$name]}]}")
  if [[ -n ${PKG[$name]:-} ]]; then
    read_mirror_index
    chosen=$(choose "$name") || exit 1
    pkg=${chosen%% *}; pkgver=${chosen#* }
    up=$(upstream_version "$pkgver")
    say "kit: [$name] mirror offers $pkg $pkgver"
  fi
  toolchain=$(expected_inside "$name" "$pkgver")
  [[ $name == buildpack ]] && toolchain="buildpack-deps subset"
  case $name in
    golang) args+=(--build-arg "GO_SERIES=$(go_series "$pkg")" --build-arg "GO_DEB_VERSION=$pkgver" --build-arg "GOLANG_VERSION=$up") ;;
    rust)   args+=(--build-arg "RUST_DEB_VERSION=$pkgver" --build-arg "RUST_VERSION=$up") ;;
    python|python-slim)
            args+=(--build-arg "PY_SERIES=$PY_SERIES" --build-arg "PY_DEB_VERSION=$pkgver" --build-arg "PYTHON_VERSION=$up")
            args+=(--build-arg "EXTRA_PKGS=${EXTRA_PKGS[$name]:-}") ;;
    node|node-slim)
            args+=(--build-arg "NODE_DEB_VERSION=$pkgver" --build-arg "NODE_VERSION=$up") ;;
    distroless-*) args+=(--build-arg "LIBC6_VERSION=$pkgver") ;;
  esac
  if [[ -n ${TARGET[$name]:-} ]]; then args+=(--target "${TARGET[$name]}"); fi
  while IFS= read -r l; do args+=(--label "$l"); done \
    < <(labels_for "$name" "$rec" "$toolchain" "${pkgver:+$pkg $pkgver}")
  rm -f "$STATE/iid.$name"
  echo "+ docker build --force-rm ${args[*]} $ctx" >>"$log"
  docker build --force-rm --iidfile "$STATE/iid.$name" "${args[@]}" "$ctx" >>"$log" 2>&1 || return 1
  iid=$(cat "$STATE/iid.$name") && [[ -n $iid ]] || return 1
  inside=$(inside_version "$name" "$iid" 2>>"$log")
  # shellcheck disable=SC2053
  if [[ $inside != $(expected_inside "$name" "$pkgver") ]]; then
    drop_if_unused "$iid"
    die "${TAG[$name]}: the built image reports '$inside' but the mirror's ${pkg:-package} is ${pkgver:-?} ($up): not tagging it"
  fi
  retag "$name" "$iid" || return 1
  VERSION_OF[$name]=$inside
}

declare -A VERSION_OF=() PULLED=()
REGISTRY=unknown   # unknown | up | down
REFRESH=0

try_pull() {
  local tag=$1
  [[ ${KIT_OFFLINE:-0} == 1 ]] && return 1
  [[ $REGISTRY == down ]] && return 1
  say "kit: $tag is missing, trying docker pull (timeout ${PULL_TIMEOUT}s)"
  if timeout "$PULL_TIMEOUT" docker pull -q "$tag" >/dev/null 2>&1; then REGISTRY=up; return 0; fi
  # one failure is enough to stop trying: this is the offline case
  REGISTRY=down; say "kit: no registry answers: building stand-ins"; return 1
}

# ensure <name>: make the tag available; writes $STATE/run/<name>.{src,ver,sec}
ensure() {
  local name=$1 st t0 log=$STATE/logs/$1.log ok=0
  t0=$(now)
  st=$(state_of "$name")
  case $st in
    foreign) echo present > "$STATE/run/$name.src"; return 0 ;;
    current) echo cached > "$STATE/run/$name.src"; return 0 ;;
  esac
  : > "$log"
  say "kit: [$name] building the ${TAG[$name]} stand-in ($st; log: $log)"
  if [[ $name == base ]]; then build_base "$log" && ok=1
  else build_from_dockerfile "$name" "$log" && ok=1; fi
  if (( !ok )); then
    echo failed > "$STATE/run/$name.src"
    printf 'kit: error: building %s failed; last lines of %s:\n' "${TAG[$name]}" "$log" >&2
    tail -n 25 "$log" | sed 's/^/    /' >&2
    return 1
  fi
  echo built > "$STATE/run/$name.src"
  printf '%s' "${VERSION_OF[$name]:-}" > "$STATE/run/$name.ver"
  echo $(( $(now) - t0 )) > "$STATE/run/$name.sec"
  say "kit: [$name] done in $(( $(now) - t0 )) s: ${TAG[$name]} (${VERSION_OF[$name]:-})"
}

# run_units: each unit is a list of names built in order; units run in parallel
run_units() {
  local unit pids=() p failed=0
  for unit in "$@"; do
    while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || true; done
    ( for n in $unit; do ensure "$n" || exit 1; done ) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  return $failed
}

summary() {
  local name tag src ver size secs
  printf '\n%-44s %-9s %-30s %9s  %s\n' TAG SOURCE "VERSION INSIDE" "SIZE(MB)" "THIS RUN"
  for name in "${NAMES[@]}"; do
    tag=${TAG[$name]}
    src=$(cat "$STATE/run/$name.src" 2>/dev/null || echo "-")
    secs=""
    case $src in
      built)  ver=$(cat "$STATE/run/$name.ver"); secs="built in $(cat "$STATE/run/$name.sec") s"; src=stand-in ;;
      cached) ver=$(img_label "$tag" dev.grader.kit.toolchain); secs="cached"; src=stand-in ;;
      present|pulled) ver=$(inside_version "$name" "$tag" 2>/dev/null || true); secs=$src ;;
      failed) ver=$(img_label "$tag" dev.grader.kit.toolchain); src=FAILED
              if [[ -n $(img_id "$tag") ]]; then secs="build failed, older stand-in kept"; else secs="build failed"; fi ;;
      *) ver=""; [[ -n $(img_id "$tag") ]] || src=missing ;;
    esac
    if [[ $src == stand-in && -z $ver ]]; then ver=$(img_label "$tag" dev.grader.kit.toolchain); fi
    size=$(img_size_mb "$tag")
    printf '%-44s %-9s %-30s %9s  %s\n' "$tag" "$src" "${ver:--}" "$size" "$secs"
  done
}

# (Each kit Dockerfile also says dev.grader.kit.dockerfile=<dir> in its first
# step: with identical first steps, parallel cold builds race to create
# duplicate cache images and later rebuilds miss the cache.)
# Untagged leftovers of the kit's own builds: the intermediate stage of the
# distroless Dockerfile, and the steps of a failed build. Each kit Dockerfile
# labels its steps dev.grader.kit.stage=building and the finished image says
# "final", so images that others build FROM a stand-in (which inherit the
# stand-in's labels) never match.
drop_kit_stages() {
  local id
  for id in $(docker images -q --no-trunc --filter dangling=true --filter label=dev.grader.kit.stage=building); do
    docker rmi "$id" >/dev/null 2>&1 || true
  done
}

cmd_list() {
  local name
  for name in "${NAMES[@]}"; do
    [[ -n ${INTERNAL[$name]:-} ]] && continue
    printf '%-44s %s\n' "${TAG[$name]}" "${DESC[$name]}"
  done
}

# Remove the stand-ins: the kit's tags whose image carries the label
# dev.grader.kit=stand-in, then the untagged leftovers of kit builds. Other
# images are never touched, even when they were built FROM a stand-in and so
# inherited its labels.
cmd_remove() {
  local name tag id removed=0 i
  for (( i=${#NAMES[@]}-1; i>=0; i-- )); do
    name=${NAMES[$i]}; tag=${TAG[$name]}
    [[ -n $(img_id "$tag") ]] || continue
    if is_standin "$tag"; then
      if docker rmi "$tag" >/dev/null; then say "removed $tag"; removed=$((removed+1))
      else warn "could not remove $tag (used by a container or by another image?)"; fi
    else
      say "kept $tag (not a stand-in)"
    fi
  done
  drop_kit_stages
  say "kit: $removed stand-in tag(s) removed"
}

# one kit run (build or --remove) at a time on this machine
take_lock() {
  mkdir -p "$STATE/logs" "$STATE/ctx" || die "cannot create $STATE"
  exec 9>"$STATE/lock"
  if ! flock -n 9; then
    say "kit: waiting for another kit run to finish ($STATE/lock)"
    flock -w 1800 9 || die "another kit run still holds $STATE/lock after 30 min"
  fi
}

# name_of <tag>: the kit's name for a public tag ("golang:1-trixie" -> golang), or nothing.
# A reference without a tag means :latest, as for docker.
name_of() {
  local ref=$1 name
  ref=${ref#docker.io/}; ref=${ref#library/}
  [[ ${ref##*/} == *:* ]] || ref=$ref:latest
  for name in "${NAMES[@]}"; do
    [[ -z ${INTERNAL[$name]:-} && ${TAG[$name]} == "$ref" ]] && { printf '%s' "$name"; return 0; }
  done
  return 0
}

# select_tags <tag>...: keep only those images (and the kit images they are built from) in
# NAMES, in build order.
select_tags() {
  local t n keep=() name
  declare -A want=()
  for t in "$@"; do
    n=$(name_of "$t")
    [[ -n $n ]] || die "the kit has no recipe for $t; it makes: $(cmd_list | awk '{print $1}' | paste -sd' ' -)"
    while [[ -n $n ]]; do want[$n]=1; n=${PARENT[$n]:-}; done
  done
  for name in "${NAMES[@]}"; do [[ -n ${want[$name]:-} ]] && keep+=("$name"); done
  NAMES=("${keep[@]}")
}

main() {
  local t0 total name rc=0 tags=()
  while (( $# )); do
    case $1 in
      --list) cmd_list; return 0 ;;
      --remove) docker version >/dev/null 2>&1 || die "no Docker engine answers"
                take_lock; cmd_remove; return 0 ;;
      --refresh) REFRESH=1 ;;
      -h|--help) usage; return 0 ;;
      -*) usage >&2; die "unknown argument: $1" ;;
      *) tags+=("$1") ;;
    esac
    shift
  done
  (( ${#tags[@]} )) && select_tags "${tags[@]}"
  t0=$(now)
  docker version >/dev/null 2>&1 || die "no Docker engine answers (run .ci/engine.sh)"
  take_lock
  trap cleanup_rootfs EXIT
  rm -rf "$STATE/run"; mkdir -p "$STATE/run"
  ARCH=$(debian_arch)
  refresh_cache
  (( REFRESH )) && read_mirror_index
  collect_extra_cas
  local cas=("$STATE"/ca/*.crt)
  say "kit: ${#cas[@]} extra CA certificate(s) from the host for the toolchain images"

  # Pull what is missing when a registry answers (one failed try decides).
  for name in "${NAMES[@]}"; do
    [[ -n ${INTERNAL[$name]:-} ]] && continue
    if [[ -z $(img_id "${TAG[$name]}") ]] && try_pull "${TAG[$name]}"; then
      PULLED[$name]=1; echo pulled > "$STATE/run/$name.src"
    fi
  done
  refresh_cache

  # What needs a stand-in (absent, or a kit image to keep up to date)?
  local todo=() st need_index=0
  for name in "${NAMES[@]}"; do
    [[ -n ${PULLED[$name]:-} || -n ${INTERNAL[$name]:-} ]] && continue
    st=$(state_of "$name")
    case $st in
      foreign) echo present > "$STATE/run/$name.src" ;;
      absent|stale) todo+=("$name"); [[ -n ${PKG[$name]:-} ]] && need_index=1 ;;
      current) todo+=("$name") ;;
    esac
  done
  # the base first: everything else is built FROM it
  if [[ " ${todo[*]} " == *" base "* ]]; then
    [[ $(state_of base) == current ]] || need_index=1
    (( need_index )) && read_mirror_index
    ensure base || die "could not make debian:trixie-slim available"
  fi
  (( need_index )) && read_mirror_index
  # then the rest, JOBS at a time; the buildpack parent only for full images
  local full=() distroless=() units=()
  for name in "${todo[@]}"; do
    case $name in
      base) ;;
      python|node) full+=("$name") ;;
      distroless-*) distroless+=("$name") ;;
    esac
  done
  # longest first (measured: the buildpack+python+node chain, node-slim with
  # Debian's ~380 npm packages, golang, rust, python-slim, distroless)
  (( ${#full[@]} )) && units+=("buildpack ${full[*]}")
  for name in node-slim golang rust python-slim; do
    [[ " ${todo[*]} " == *" $name "* ]] && units+=("$name")
  done
  (( ${#distroless[@]} )) && units+=("${distroless[*]}")
  if (( ${#units[@]} )); then run_units "${units[@]}" || rc=1; fi
  drop_kit_stages
  refresh_cache

  summary
  for name in "${NAMES[@]}"; do
    [[ -n ${INTERNAL[$name]:-} ]] && continue
    [[ -n $(img_id "${TAG[$name]}") ]] || { warn "${TAG[$name]} is not available"; rc=1; }
  done
  total=$(( $(now) - t0 ))
  (( rc == 0 )) || die "some images could not be made available (see the errors above); took ${total} s"
  say ""
  say "kit: all tags available (${total} s)"
}

# run unless sourced (kit/test.sh sources this file to test its functions)
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
