#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# mbedtls/build.sh: tlsd's own Mbed TLS 3.6 build, from Debian 13's source
# package, with mbedtls/tlsd_config.h, as static libraries in a private
# prefix. Then: configure --with-mbedtls=PREFIX links it statically.
#
#   mbedtls/build.sh PREFIX            fetch the current Debian source
#                                      package; build unless PREFIX already
#                                      holds that version with this config
#   mbedtls/build.sh --dsc FILE PREFIX build from a source package already
#                                      downloaded (no network)
#   mbedtls/build.sh --check PREFIX    exit 0 if PREFIX holds a build of this
#                                      configuration (no network), else 1
#
# The source comes through apt with a private source list on the mirror the
# system already uses (mbedtls/trixie-apt.sh): apt checks the Release
# signature against debian-archive-keyring and every file against its hash.
# Debian's cmake-disable-3rdparty.patch is reversed, because the tuned
# configuration uses 3rdparty/everest (HACL*'s X25519). Compiled with the
# distribution's hardening flags (dpkg-buildflags, hardening=+all).
#
# A private build gets no Debian security updates: run this again (or
# ./quickstart.sh update) when Debian publishes a new mbedtls source
# version, then rebuild tlsd. PREFIX/share/tlsd-mbedtls/build-info says
# what was built.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
config="$here/tlsd_config.h"
say() { printf 'mbedtls/build.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
usage() { sed -n '6,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

dsc="" check_only=no
while [ $# -gt 1 ]; do
    case $1 in
    --dsc) dsc=$2; shift 2 ;;
    --check) check_only=yes; shift ;;
    *) usage ;;
    esac
done
[ $# -eq 1 ] || usage
case $1 in /*) prefix=$1 ;; *) prefix="$(pwd)/$1" ;; esac
info="$prefix/share/tlsd-mbedtls/build-info"

# what a build depends on besides the source version
config_id=$(cat "$config" "$here/build.sh" | sha256sum | cut -c1-16)
built_value() { sed -n "s/^$1=//p" "$info" 2>/dev/null; }

if [ "$check_only" = yes ]; then
    [ "$(built_value config_id)" = "$config_id" ] && [ -f "$prefix/lib/libmbedtls.a" ]
    exit
fi

for tool in cmake dpkg-source dpkg-buildflags patch make gcc; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool not found: apt-get install cmake dpkg-dev patch make gcc"
done

work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT INT TERM

if [ -z "$dsc" ]; then
    # shellcheck source=mbedtls/trixie-apt.sh
    . "$here/trixie-apt.sh"
    say "fetching the Mbed TLS source package of Debian 13 (trixie)"
    trixie_apt_init >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get update for trixie failed"; }
    trap 'cleanup; rm -rf "$trixie_state"' EXIT INT TERM
    version=$(trixie_apt_cache showsrc mbedtls 2>/dev/null | awk '/^Version:/ { print $2 }' | sort -V | tail -n 1)
    [ -n "$version" ] || die "no mbedtls source package in trixie"
    if [ "$(built_value debian_version)" = "$version" ] && [ "$(built_value config_id)" = "$config_id" ]; then
        say "up to date: $prefix holds mbedtls $version with this configuration"
        exit 0
    fi
    (cd "$work" && trixie_apt source --download-only "mbedtls=$version") >>"$work/apt.log" 2>&1 ||
        { cat "$work/apt.log" >&2; die "apt-get source mbedtls=$version failed"; }
    dsc=$(ls "$work"/mbedtls_*.dsc)
fi
[ -f "$dsc" ] || die "--dsc $dsc: no such file"
dsc=$(cd "$(dirname "$dsc")" && pwd)/$(basename "$dsc")
version=$(awk '/^Version:/ { print $2; exit }' "$dsc")

say "unpacking $(basename "$dsc")"
(cd "$work" && dpkg-source --no-check -x "$dsc" src) >"$work/unpack.log" 2>&1 ||
    { cat "$work/unpack.log" >&2; die "dpkg-source -x failed"; }
source="$work/src"
# Debian leaves 3rdparty/ (Everest) out of the build: put it back
if [ -f "$source/debian/patches/cmake-disable-3rdparty.patch" ]; then
    patch -d "$source" -R -p1 -s <"$source/debian/patches/cmake-disable-3rdparty.patch" ||
        die "cannot reverse cmake-disable-3rdparty.patch (has Debian's packaging changed?)"
fi
grep -q 'add_subdirectory(3rdparty)' "$source/CMakeLists.txt" ||
    die "the source's CMakeLists.txt does not build 3rdparty/ (Everest)"
cp "$config" "$source/include/mbedtls/mbedtls_config.h"

# the distribution's flags, as Debian builds its own packages
export DEB_BUILD_MAINT_OPTIONS="hardening=+all"
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
say "building Mbed TLS $version (static, $(nproc) jobs)"
# only these flags: not a CFLAGS or LDFLAGS of the caller's (a sanitizer build of tlsd)
unset CFLAGS CPPFLAGS LDFLAGS
cmake -S "$source" -B "$work/build" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="$cflags" \
    -DCMAKE_INSTALL_PREFIX="$prefix.new" -DCMAKE_INSTALL_LIBDIR=lib \
    -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DUSE_SHARED_MBEDTLS_LIBRARY=OFF \
    -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF -DMBEDTLS_FATAL_WARNINGS=OFF \
    -DGEN_FILES=OFF >"$work/cmake.log" 2>&1 || { tail -n 30 "$work/cmake.log" >&2; die "cmake failed"; }
cmake --build "$work/build" -j "$(nproc)" >"$work/make.log" 2>&1 ||
    { grep -m 20 -B 2 -A 5 'error' "$work/make.log" >&2 || tail -n 30 "$work/make.log" >&2; die "the build failed"; }
rm -rf "$prefix.new"
cmake --install "$work/build" >"$work/install.log" 2>&1 || { tail -n 20 "$work/install.log" >&2; die "install failed"; }

mkdir -p "$prefix.new/share/tlsd-mbedtls"
cp "$config" "$prefix.new/share/tlsd-mbedtls/tlsd_config.h"
cp "$source/LICENSE" "$prefix.new/share/tlsd-mbedtls/LICENSE"
{
    echo "debian_version=$version"
    echo "mbedtls_version=$(awk '/define MBEDTLS_VERSION_STRING / { gsub(/"/, "", $3); print $3 }' "$source/include/mbedtls/build_info.h")"
    echo "config_id=$config_id"
    echo "cflags=$cflags"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$prefix.new/share/tlsd-mbedtls/build-info"
# replace the old build only now that the new one is complete
rm -rf "$prefix.old"
[ -d "$prefix" ] && mv "$prefix" "$prefix.old"
mv "$prefix.new" "$prefix"
rm -rf "$prefix.old"
say "Mbed TLS $version with tlsd's configuration in $prefix: configure --with-mbedtls=$prefix"
