#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# .ci/mbedtls36.sh PREFIX: put Mbed TLS 3.6 LTS from Debian 13 (trixie) into
# PREFIX on a Debian 12 machine, leaving the system's 2.28 alone.
#
# The four packages depend only on libc6. They are fetched with apt-get from
# the same Debian mirror the system already uses (read from its apt
# sources), through a private apt state directory, and unpacked with dpkg -x:
# nothing is installed system-wide. Afterwards PREFIX/usr/include and
# PREFIX/usr/lib/<multiarch> hold the library: configure
# --with-mbedtls=PREFIX/usr.
set -eu

prefix=${1:?usage: .ci/mbedtls36.sh PREFIX}
if [ -f "$prefix/usr/include/mbedtls/build_info.h" ]; then
    echo "Mbed TLS 3.6 already in $prefix"
    exit 0
fi

# The mirror this machine's apt uses for Debian itself.
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" && $0 ~ /bookworm/ && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "mbedtls36: cannot find the Debian mirror in the apt sources" >&2; exit 1; }

state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/debs"
chmod -R a+rwX "$state"   # apt's download sandbox user must be able to write
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$state/sources.list"
apt_options="-o Dir::Etc::SourceList=$state/sources.list -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists=$state/lists -o Dir::Cache=$state/cache -o Debug::NoLocking=1"
# shellcheck disable=SC2086
apt-get $apt_options update -q
# shellcheck disable=SC2086
(cd "$state/debs" && apt-get $apt_options download libmbedtls-dev libmbedtls21 libmbedcrypto16 libmbedx509-7)
mkdir -p "$prefix"
for deb in "$state/debs"/*.deb; do
    dpkg -x "$deb" "$prefix"
done
grep -h "define MBEDTLS_VERSION_STRING " "$prefix/usr/include/mbedtls/build_info.h"
echo "Mbed TLS 3.6 unpacked in $prefix: configure --with-mbedtls=$prefix/usr"
