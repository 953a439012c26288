#!/usr/bin/env bash
# Quick checks of kit/build.sh's logic that need no engine and no network:
# version parsing, the mirror-index choice, the refusal to build a stand-in
# under a name whose version the mirror does not offer, and the extraction of
# the host's extra CA certificates. Run: bash kit/test.sh
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export KIT_STATE_DIR=$tmp/state
# shellcheck source=kit/build.sh
source "$here/build.sh"
set +e
fails=0
check() { # description, command...
  local d=$1; shift
  if "$@"; then printf 'ok   %s\n' "$d"; else printf 'FAIL %s\n' "$d"; fails=$((fails+1)); fi
}
eq() { [[ $1 == "$2" ]] || { printf '     got %q, want %q\n' "$1" "$2"; return 1; }; }

check "upstream version of a backport" eq "$(upstream_version 1.27.4-1~bpo13+1)" 1.27.4
check "upstream version with +dfsg" eq "$(upstream_version 20.19.2+dfsg-1+deb13u3)" 20.19.2
check "upstream version with an epoch" eq "$(upstream_version 1:3.13.5-2)" 3.13.5

mkdir -p "$STATE/index" "$STATE/ctx"
index() { # main backports: write a recorded package index ("package version" lines)
  printf '%b' "$1" > "$STATE/index/main.txt"; : > "$STATE/index/updates.txt"
  printf 'nodejs 20.19.2+dfsg-1+deb13u3\n' > "$STATE/index/security.txt"
  printf '%b' "$2" > "$STATE/index/backports.txt"
}
INDEX_READ=1
# The mirror as recorded on 2026-12-02: trixie main + backports.
index 'python3.13 3.13.5-2\nnodejs 20.19.2+dfsg-1+deb13u2\ngolang-1.24-go 1.24.4-1\nrustc 1.85.1+dfsg1-1\n' \
      'golang-1.25-go 1.25.4-1~bpo13+1\ngolang-1.27-go 1.27.4-1~bpo13+1\ngolang-1.26-go 1.26.2-1~bpo13+1\nrustc 1.97.1+dfsg1-1~bpo13+1\n'
check "mirror_version takes the newest of main/updates/security" \
  eq "$(mirror_version nodejs main)" 20.19.2+dfsg-1+deb13u3
check "mirror_version reads backports only when asked" eq "$(mirror_version rustc main)" 1.85.1+dfsg1-1
check "go: the newest golang-1.NN-go of main and backports" eq "$(choose golang)" "golang-1.27-go 1.27.4-1~bpo13+1"
check "rust: backports' rustc over trixie's own" eq "$(choose rust)" "rustc 1.97.1+dfsg1-1~bpo13+1"
check "python: the 3.13 series" eq "$(choose python-slim)" "python3.13 3.13.5-2"
check "go series from the package name" eq "$(go_series golang-1.27-go)" 1.27
check "expected inside: go" eq "$(expected_inside golang 1.27.4-1~bpo13+1)" go1.27.4
check "expected inside: rust" eq "$(expected_inside rust 1.96.1+dfsg1-2~bpo13+1)" "rustc 1.96.1"
check "expected inside: python" eq "$(expected_inside python 3.13.5-2+deb13u5)" "Python 3.13.5"

# The mirror moves on (generated index): backports withdraw Rust 1.97 and Go 1.27, offer 1.98
# and 1.28 only. Every tag the workbook uses must still be made, from the new versions.
index 'python3.13 3.13.9-1\nnodejs 20.19.6+dfsg-1\ngolang-1.24-go 1.24.4-1\nrustc 1.85.1+dfsg1-1\nlibc6 2.41-12+deb13u9\n' \
      'golang-1.28-go 1.28.1-1~bpo13+1\nrustc 1.98.1+dfsg1-1~bpo13+1\n'
check "moved mirror: golang:1-trixie from golang-1.28-go" eq "$(choose golang)" "golang-1.28-go 1.28.1-1~bpo13+1"
check "moved mirror: rust:1-slim-trixie from rustc 1.98" eq "$(choose rust)" "rustc 1.98.1+dfsg1-1~bpo13+1"
check "moved mirror: a python point release is still 3.13" eq "$(choose python)" "python3.13 3.13.9-1"
check "moved mirror: node 20" eq "$(choose node-slim)" "nodejs 20.19.6+dfsg-1"
dockerfiles=$(cd "$here/.." && ls exercises/*/Dockerfile solutions/*/Dockerfile exercises/*/.grader/starter/Dockerfile)
workbook_tags=$(cd "$here/.." && cat $dockerfiles | sed -n 's/^FROM \(--platform=[^ ]* \)\{0,1\}\([^ ]*\).*/\2/p' | sort -u)
stage_names=" $(cd "$here/.." && cat $dockerfiles | sed -n 's/^FROM .* [Aa][Ss] \([^ ]*\).*/\1/p' | sort -u | tr '\n' ' ') "
for t in $workbook_tags; do
  [[ $t == scratch || $t == *'$'* || $stage_names == *" $t "* ]] && continue
  [[ -n $(name_of "$t") ]] || { printf 'FAIL the kit makes %s (named by a workbook Dockerfile)\n' "$t"; fails=$((fails+1)); continue; }
  n=$(name_of "$t")
  if [[ -n ${PKG[$n]:-} ]]; then
    check "moved mirror: the kit can still make $t" eval '[[ -n $(choose "$n" 2>/dev/null) ]]'
  else
    printf 'ok   the kit makes %s (no toolchain version to match)\n' "$t"
  fi
done

# Past what the tag promises: no stand-in, and a message naming the tag and what the mirror has.
index 'python3.14 3.14.2-1\nnodejs 22.12.0+dfsg-1\n' 'rustc 2.0.0-1~bpo13+1\n'
out=$(choose python-slim 2>&1); rc=$?
check "python3.13 gone: refused" eval '[[ $rc != 0 ]]'
check "... naming the tag and what the mirror offers" \
  eval '[[ $out == *"python:3.13-slim-trixie"* && $out == *"python3.14 3.14.2-1"* ]]'
out=$(choose node 2>&1); rc=$?
check "node 22 only: node:20-trixie refused, naming what is offered" \
  eval '[[ $rc != 0 && $out == *"node:20-trixie"* && $out == *"22.12.0"* && $out == *"refusing"* ]]'
out=$( (build_from_dockerfile rust "$tmp/rust.log") 2>&1 ); rc=$?
check "rust 2.0 is not rust:1: refuses to build" eval '[[ $rc != 0 && $out == *"rust:1-slim-trixie"* && $out == *"not 1.x"* ]]'
check "... and never started a build" eval '[[ ! -s $tmp/rust.log ]]'
out=$( (build_from_dockerfile golang "$tmp/golang.log") 2>&1 ); rc=$?
check "no Go at all: refuses, naming the tag" eval '[[ $rc != 0 && $out == *"golang:1-trixie"* && $out == *"no golang-1.*-go"* ]]'

# selecting tags: a tag brings the kit images it is built from, in build order
( select_tags golang:1-trixie gcr.io/distroless/static-debian13:nonroot; printf '%s\n' "${NAMES[*]}" ) > "$tmp/sel" 2>&1
check "select_tags keeps parents, in order" eq "$(cat "$tmp/sel")" "base distroless-static-nonroot golang"
( select_tags docker.io/library/python:3.13-trixie; printf '%s\n' "${NAMES[*]}" ) > "$tmp/sel" 2>&1
check "select_tags: a docker.io name, through the internal parent" eq "$(cat "$tmp/sel")" "base buildpack python"
out=$( (select_tags alpine:3.20) 2>&1 ); rc=$?
check "select_tags: an unknown tag is refused by name" eval '[[ $rc != 0 && $out == *"no recipe for alpine:3.20"* ]]'

# extra CAs: a bundle of two "stock" certificates and one proxy certificate
mk_cert() { printf -- '-----BEGIN CERTIFICATE-----\n%s\n%s\n-----END CERTIFICATE-----\n' "$1" "$2"; }
mkdir -p "$tmp/moz"
mk_cert AAAA 1111 > "$tmp/moz/a.crt"; mk_cert BBBB 2222 > "$tmp/moz/b.crt"
{ cat "$tmp/moz/a.crt"; mk_cert PROXY 9999; cat "$tmp/moz/b.crt"; } > "$tmp/bundle.crt"
KIT_CA_BUNDLE=$tmp/bundle.crt KIT_MOZILLA_CERTS=$tmp/moz collect_extra_cas
cas=("$STATE"/ca/*.crt)
check "one extra CA found" eq "${#cas[@]}" 1
check "it is the proxy's" eval 'grep -q PROXY "${cas[0]}"'
EXTRA_CA=none KIT_CA_BUNDLE=$tmp/bundle.crt KIT_MOZILLA_CERTS=$tmp/moz collect_extra_cas
cas=("$STATE"/ca/*.crt)
check "KIT_EXTRA_CA=none adds none" eq "${#cas[@]}" 0

check "--list names every public tag" eval '[[ $(bash "$here/build.sh" --list | wc -l) == 11 ]]'
(( fails == 0 )) && echo "all kit checks passed" || { echo "$fails kit check(s) failed"; exit 1; }
