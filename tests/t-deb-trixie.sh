#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-deb-trixie.sh: the Debian package built and checked on Debian 13
# (trixie, Mbed TLS 3.6) in a chroot. A trixie root (debootstrap minbase,
# then debian/control's Build-Depends, build-essential, lintian, curl) is
# made once from the mirror in this machine's apt sources and cached as a
# tar; each run unpacks a fresh copy, puts the distributed sources in it
# (make distdir, what make deb builds from) and runs tests/deb-trixie-inner.sh
# there, with no network but its own loopback: dpkg-buildpackage -us -uc -b,
# lintian (no error or warning that is not overridden), apt-get install of
# the .deb (files, user, development certificate, tlsd -V on Mbed TLS 3.6,
# tlsd -t), tlsd started by hand serving curl over TLS 1.3 (and 1.2), then
# remove and purge. systemd does not run in a chroot: the service itself
# is checked on Debian 12 by make check-deb.
#
# `make check-deb-trixie` runs it (root; not in make check nor in CI: the
# first run builds the root, 10 to 15 minutes; then about 2 minutes).
# Environment:
#   TLSD_TRIXIE_CACHE   where the prepared root is cached (default /tmp)
#   TLSD_TRIXIE_MIRROR  the Debian mirror (default: from the apt sources)
#   TLSD_TRIXIE_KEEP    a directory to keep the run's root in (to debug)
# Exit 77 (skip) only without root, debootstrap, or the mirror.
set -u
srcdir=${TESTS_SRCDIR:-$(cd "$(dirname "$0")" && pwd)}
builddir=${TLSD_BUILDDIR:-$(pwd)}
cache=${TLSD_TRIXIE_CACHE:-/tmp}
prepared=$cache/tlsd-trixie-root.tar
# what dpkg-buildpackage needs (debian/control's Build-Depends among them),
# the checks' tools, and the .deb's Depends (installed with no network)
packages="build-essential debhelper dpkg-dev autoconf automake pkg-config libmbedtls-dev libevent-dev
 systemd-dev check lintian curl openssl ca-certificates adduser"
# shellcheck disable=SC2086,SC2116 # one line, single spaces
packages=$(echo $packages)
started=$(date +%s)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || skip "no debootstrap (apt-get install debootstrap)"
command -v unshare >/dev/null || skip "no unshare (util-linux)"

prep='' root=''
cleanup() {
    [ -n "$prep" ] && rm -rf --one-file-system "$prep"
    [ -n "$root" ] && [ -z "${TLSD_TRIXIE_KEEP:-}" ] && rm -rf --one-file-system "$root"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# in_root ROOT NET COMMAND...: COMMAND in a chroot into ROOT, with /proc
# and /dev mounted in a private mount namespace (gone when it ends); NET
# "host" shares this machine's network (apt-get), "none" has a network
# namespace of its own with only its loopback
in_root() {
    r=$1 net=$2; shift 2
    netns=''
    [ "$net" = none ] && netns=--net
    # shellcheck disable=SC2016 # expanded by the inner sh
    unshare --mount --propagation private $netns sh -c '
        r=$1 net=$2; shift 2
        if [ "$net" = none ]; then ip link set lo up || exit 1; fi
        mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" || exit 1
        exec chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
            PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' in_root "$r" "$net" "$@"
}

# ---- the mirror: this machine's apt sources (as .ci/mbedtls36.sh)
mirror=${TLSD_TRIXIE_MIRROR:-}
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
fi

# ---- the prepared root, once (one run prepares it; another waits for it)
mkdir -p "$cache"
exec 8>"$prepared.lock"
flock 8
if [ ! -s "$prepared" ] || [ "$(cat "$prepared.packages" 2>/dev/null)" != "$packages" ]; then
    [ -n "$mirror" ] || skip "no Debian mirror in the apt sources (set TLSD_TRIXIE_MIRROR)"
    echo "# preparing the trixie root from $mirror (debootstrap, apt-get install), once: $prepared"
    prep=$(mktemp -d /tmp/tlsd-trixie-prep.XXXXXX)
    keyring=''
    [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && keyring=--keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    if ! debootstrap --variant=minbase $keyring trixie "$prep/root" "$mirror" >"$prep.log" 2>&1; then
        tail -n 20 "$prep.log"; rm -f "$prep.log"
        echo "FAIL - debootstrap trixie from $mirror"; exit 1
    fi
    cp /etc/resolv.conf "$prep/root/etc/resolv.conf" 2>/dev/null
    # shellcheck disable=SC2086 # the package list
    if ! in_root "$prep/root" host sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $packages && apt-get clean" \
        >"$prep.log" 2>&1; then
        tail -n 20 "$prep.log"; rm -f "$prep.log"
        echo "FAIL - apt-get install in the trixie root"; exit 1
    fi
    rm -f "$prep.log" "$prep/root/etc/resolv.conf"
    rm -rf "$prep/root/var/lib/apt/lists/"*
    tar --numeric-owner -C "$prep/root" -cf "$prepared.tmp" . && mv -f "$prepared.tmp" "$prepared" &&
        echo "$packages" >"$prepared.packages" || { echo "FAIL - cannot write $prepared"; exit 1; }
    rm -rf --one-file-system "$prep"; prep=''
    echo "# prepared in $(( $(date +%s) - started )) s"
fi
flock -u 8

# ---- a fresh copy, the distributed sources in it
root=${TLSD_TRIXIE_KEEP:-$(mktemp -d /tmp/tlsd-trixie-root.XXXXXX)}
mkdir -p "$root"
tar -C "$root" -xpf "$prepared" || { echo "FAIL - cannot unpack $prepared"; exit 1; }
chmod 755 "$root"
mkdir -p "$root/build"
make -s -C "$builddir" distdir distdir="$root/build/tlsd-src" top_distdir="$root/build/tlsd-src" >"$root/build/distdir.log" 2>&1 ||
    { cat "$root/build/distdir.log"; echo "FAIL - make distdir in $builddir"; exit 1; }
cp "$srcdir/deb-trixie-inner.sh" "$root/build/inner.sh"

in_root "$root" none /bin/bash /build/inner.sh /build/tlsd-src
rc=$?
echo "# t-deb-trixie: $(( $(date +%s) - started )) s in all${TLSD_TRIXIE_KEEP:+; root kept in $root}"
exit "$rc"
