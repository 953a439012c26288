#!/usr/bin/env bash
# mkrootfs.sh <dir> <suite> <mirror> <security-mirror> <keyring> <overlay-dir>
# A debian:<suite>-slim root filesystem in <dir>/fs, made the way the official
# image is (debootstrap minbase, then debuerreotype's minimizing/slimming
# steps), ready for `tar | docker import`. Called by kit/build.sh as root.
set -euo pipefail
dir=$1 suite=$2 mirror=$3 security=$4 keyring=$5 overlay=$6
fs=$dir/fs
[[ -n $dir && -d $dir && ! -e $fs ]] || { echo "mkrootfs: bad target $dir" >&2; exit 1; }

debootstrap --variant=minbase --keyring="$keyring" "$suite" "$fs" "$mirror"
[[ -d $fs/usr && -d $fs/etc/apt && -x $fs/usr/bin/apt-get ]] || { echo "mkrootfs: no rootfs" >&2; exit 1; }

# Official configuration (apt/dpkg settings, slim path excludes, policy-rc.d,
# deb822 sources): plain files from the repository, copied as they are.
rm -f "$fs/etc/apt/sources.list"
cp -a "$overlay/." "$fs/"
sed -i -e "s|@MIRROR@|$mirror|" -e "s|@SECURITY_MIRROR@|$security|" \
  "$fs/etc/apt/sources.list.d/debian.sources"

# Point and security updates; env -i keeps the host's variables (PIP_*, proxies,
# SSL_CERT_FILE, ...) out of the chroot.
chroot "$fs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  sh -c 'apt-get update -q && apt-get -y -q upgrade && apt-get clean'

# Slim: remove what the dpkg path-excludes would not have installed.
find "$fs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$fs/usr/share/doc" -mindepth 1 -type d -empty -delete
for d in usr/share/groff usr/share/info usr/share/linda usr/share/lintian/overrides \
         usr/share/locale usr/share/man; do
  if [[ -d $fs/$d ]]; then find "$fs/$d" -mindepth 1 -delete; fi
done

# No host leftovers (debootstrap copies resolv.conf and hostname), no caches,
# logs or device nodes (the engine provides /dev).
: > "$fs/etc/resolv.conf"
: > "$fs/etc/hostname"
if [[ -e $fs/etc/machine-id ]]; then : > "$fs/etc/machine-id"; fi
find "$fs/var/lib/apt/lists" -mindepth 1 ! -name lock ! -name partial -delete
find "$fs/var/cache/apt" -name '*.bin' -delete
find "$fs/var/cache/apt/archives" -name '*.deb' -delete
rm -f "$fs/var/log/bootstrap.log" "$fs/var/cache/ldconfig/aux-cache" "$fs"/var/lib/dpkg/*-old
find "$fs/var/log" -type f -exec truncate -s 0 {} +
find "$fs/dev" "$fs/tmp" -mindepth 1 -delete
find "$fs/run" -mindepth 1 ! -type d -delete

echo "mkrootfs: $(du -sh "$fs" | cut -f1), $(chroot "$fs" dpkg-query -f '.\n' -W | wc -l) packages," \
     "debian $(cat "$fs/etc/debian_version")"
