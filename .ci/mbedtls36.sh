#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# .ci/mbedtls36.sh PREFIX: put Mbed TLS 3.6 LTS as Debian 13 (trixie)
# packages it, with Debian's configuration and shared libraries, into
# PREFIX on a Debian 12 machine, leaving the system's 2.28 alone.
#
# The four packages depend only on libc6. They are fetched with apt-get
# from the mirror the system already uses, through a private apt state
# directory (mbedtls/trixie-apt.sh), and unpacked with dpkg -x: nothing is
# installed system-wide. Afterwards PREFIX/usr/include and
# PREFIX/usr/lib/<multiarch> hold the library: configure
# --with-mbedtls=PREFIX/usr. (tlsd's own build of 3.6: mbedtls/build.sh.)
set -eu

prefix=${1:?usage: .ci/mbedtls36.sh PREFIX}
if [ -f "$prefix/usr/include/mbedtls/build_info.h" ]; then
    echo "Mbed TLS 3.6 already in $prefix"
    exit 0
fi
# shellcheck source=mbedtls/trixie-apt.sh
. "$(dirname "$0")/../mbedtls/trixie-apt.sh"
trixie_apt_init
(cd "$trixie_state/work" && trixie_apt download libmbedtls-dev libmbedtls21 libmbedcrypto16 libmbedx509-7)
mkdir -p "$prefix"
for deb in "$trixie_state/work"/*.deb; do
    dpkg -x "$deb" "$prefix"
done
grep -h "define MBEDTLS_VERSION_STRING " "$prefix/usr/include/mbedtls/build_info.h"
echo "Mbed TLS 3.6 unpacked in $prefix: configure --with-mbedtls=$prefix/usr"
