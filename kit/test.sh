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
printf 'python3.13 3.13.5-2\nnodejs 20.19.2+dfsg-1+deb13u2\n' > "$STATE/index/main.txt"
printf 'nodejs 20.19.2+dfsg-1+deb13u3\n' > "$STATE/index/security.txt"
: > "$STATE/index/updates.txt"
printf 'golang-1.27-go 1.26.9-1~bpo13+1\nrustc 1.96.1+dfsg1-2~bpo13+1\n' > "$STATE/index/backports.txt"
INDEX_READ=1
check "mirror_version takes the newest of main/updates/security" \
  eq "$(mirror_version nodejs main)" 20.19.2+dfsg-1+deb13u3
check "mirror_version reads backports only when asked" eq "$(mirror_version rustc main)" ""
check "expected inside: go" eq "$(expected_inside golang 1.27.4-1~bpo13+1)" go1.27.4
check "expected inside: rust" eq "$(expected_inside rust 1.96.1+dfsg1-2~bpo13+1)" "rustc 1.96.1"
check "expected inside: python" eq "$(expected_inside python 3.13.5-2+deb13u5)" "Python 3.13.5"

# the mirror (above) offers Go 1.26.9 as golang-1.27-go: no golang:1.27 stand-in
out=$( (build_from_dockerfile golang "$tmp/golang.log") 2>&1 ); rc=$?
check "refuses a stand-in whose version does not match the tag" \
  eval '[[ $rc != 0 && $out == *"refusing to build"* ]]'
check "... and never started a build" eval '[[ ! -s $tmp/golang.log ]]'

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
