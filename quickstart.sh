#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# quickstart.sh: everything a new user needs, on Debian 12 (or 13).
#
#   ./quickstart.sh run    install what is missing, build, make a development
#                          PKI in certs/ if there is none, and run tlsd in the
#                          foreground on https://localhost:8443/
#   ./quickstart.sh test   install what is missing, build, run the test suite
#   ./quickstart.sh build  install what is missing and build
#   ./quickstart.sh update rebuild tlsd's Mbed TLS if Debian has published a
#                          newer source (security updates), then tlsd
#
# tlsd is built on its own Mbed TLS 3.6 (mbedtls/build.sh: Debian 13's
# source package with mbedtls/tlsd_config.h, static, in $BUILD_DIR/mbedtls;
# about a minute, once), so it speaks TLS 1.3 on Debian 12 too. With
# --system-mbedtls (after the command) it is built on the system's
# libmbedtls-dev instead: Debian 12's 2.28 speaks TLS 1.2 only.
#
# Packages are installed with apt-get, as root or through sudo. The build
# goes to $TLSD_BUILD_DIR (default: build/); extra configure options come
# from $TLSD_CONFIGURE_FLAGS (a --with-mbedtls=PREFIX there wins).
set -eu

cd "$(dirname "$0")"
SOURCE_DIR=$(pwd)
BUILD_DIR=${TLSD_BUILD_DIR:-build}
CONFIGURE_FLAGS=${TLSD_CONFIGURE_FLAGS:-}
MBEDTLS_PREFIX="$SOURCE_DIR/$BUILD_DIR/mbedtls"
case $BUILD_DIR in /*) MBEDTLS_PREFIX="$BUILD_DIR/mbedtls" ;; esac

BUILD_PACKAGES="gcc libc6-dev make autoconf automake pkg-config libmbedtls-dev libevent-dev"
# mbedtls/build.sh: the source package through apt, unpacked and built
OWN_MBEDTLS_PACKAGES="cmake dpkg-dev patch debian-archive-keyring"
TEST_PACKAGES="check curl openssl groff-base jq python3 tshark chromium libnss3-tools sslscan haproxy"

say() { printf 'quickstart: %s\n' "$*" >&2; }

install_missing() {
    missing=""
    for package in "$@"; do
        if ! dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $package"
        fi
    done
    [ -z "$missing" ] && return 0
    say "installing:$missing"
    if [ "$(id -u)" -eq 0 ]; then
        as_root=""
    elif command -v sudo >/dev/null 2>&1; then
        as_root="sudo"
    else
        say "these packages are missing and neither root nor sudo is available:$missing"
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086 # word splitting of the package list is meant
    $as_root apt-get update -q
    # shellcheck disable=SC2086
    $as_root apt-get install -y -q --no-install-recommends $missing
}

build() {
    if [ ! -x configure ]; then
        say "generating configure (autoreconf)"
        autoreconf -fi
    fi
    mkdir -p "$BUILD_DIR"
    # configure again when the options changed, or when Check was installed
    # since (`run` does not need it, `test` does)
    have_check=no
    pkg-config --exists check 2>/dev/null && have_check=yes
    stamp="$CONFIGURE_FLAGS check=$have_check"
    if [ ! -f "$BUILD_DIR/Makefile" ] || [ "$(cat "$BUILD_DIR/.quickstart-flags" 2>/dev/null)" != "$stamp" ]; then
        say "configuring in $BUILD_DIR/ $CONFIGURE_FLAGS"
        # shellcheck disable=SC2086
        (cd "$BUILD_DIR" && "$SOURCE_DIR/configure" $CONFIGURE_FLAGS)
        printf '%s' "$stamp" >"$BUILD_DIR/.quickstart-flags"
    fi
    say "building"
    make -C "$BUILD_DIR" -j"$(nproc 2>/dev/null || echo 2)"
}

# tlsd's own Mbed TLS unless --system-mbedtls or TLSD_CONFIGURE_FLAGS
# names one
own_mbedtls() {
    case " $CONFIGURE_FLAGS " in *" --with-mbedtls="*) return 1 ;; esac
    [ "$MBEDTLS_CHOICE" = own ]
}

build_own_mbedtls() {
    own_mbedtls || return 0
    install_missing $OWN_MBEDTLS_PACKAGES
    if [ "${1:-}" = update ] || ! sh mbedtls/build.sh --check "$MBEDTLS_PREFIX"; then
        say "building tlsd's Mbed TLS 3.6 from Debian's source package into $MBEDTLS_PREFIX (about a minute; --system-mbedtls skips it)"
        sh mbedtls/build.sh "$MBEDTLS_PREFIX" || {
            say "tlsd's Mbed TLS could not be built (above); ./quickstart.sh ${command} --system-mbedtls builds on the system's libmbedtls-dev"
            exit 1
        }
    fi
    CONFIGURE_FLAGS="$CONFIGURE_FLAGS --with-mbedtls=$MBEDTLS_PREFIX"
}

command=${1:-run}
MBEDTLS_CHOICE=own
[ $# -gt 0 ] && shift
for option in "$@"; do
    case $option in
    --system-mbedtls) MBEDTLS_CHOICE=system ;;
    *) say "unknown option $option (usage: ./quickstart.sh [run|test|build|update] [--system-mbedtls])"; exit 1 ;;
    esac
done
case "$command" in
build)
    install_missing $BUILD_PACKAGES
    build_own_mbedtls
    build
    ;;
update)
    install_missing $BUILD_PACKAGES
    build_own_mbedtls update
    # the headers may have changed with the library: compile everything again
    [ -f "$BUILD_DIR/Makefile" ] && make -C "$BUILD_DIR" clean >/dev/null
    build
    "$BUILD_DIR/src/tlsd" -V
    ;;
test)
    install_missing $BUILD_PACKAGES $TEST_PACKAGES
    build_own_mbedtls
    build
    make -C "$BUILD_DIR" -j"$(nproc 2>/dev/null || echo 2)" check
    ;;
run)
    install_missing $BUILD_PACKAGES
    build_own_mbedtls
    build
    if [ ! -f certs/ca.crt ]; then
        say "making a development PKI in certs/ (trust certs/ca.crt: see certs/README.md)"
        "$BUILD_DIR/src/tlsd-mkcert" -d certs
    fi
    say "starting tlsd on https://localhost:8443/ (Ctrl-C stops it)"
    say "try: curl -v --cacert certs/ca.crt https://localhost:8443/"
    exec "$BUILD_DIR/src/tlsd" -c conf/tlsd.conf -l 127.0.0.1:8443 -l '[::1]:8443' \
        --cert certs/server.crt --key certs/server.key --root www
    ;;
*)
    say "usage: ./quickstart.sh [run|test|build|update] [--system-mbedtls]"
    exit 1
    ;;
esac
