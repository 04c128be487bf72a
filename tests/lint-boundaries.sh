#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# lint-boundaries.sh SRCDIR ENGINE_MODULE...: the TLS boundary rules of
# `make lint`, beside lint-purity.sh.
#
#  1. Only the TLS engine (ENGINE_MODULES in Makefile.am: tls.c, compat.c,
#     the ticket keys, the fingerprints, tlsd-mkcert...) includes Mbed TLS
#     headers or the engine's own headers (compat.h, ...); everything else
#     goes through tls.h, whose structs are opaque, so that a change of TLS
#     library or version stays inside the engine.
#  2. Only compat.c and compat.h ask which Mbed TLS version or options it
#     was built with (MBEDTLS_VERSION_*, #if defined(MBEDTLS_...)): one
#     function per difference, never inline (see lighttpd's mod_mbedtls.c).
#  3. Every source file says its licence (SPDX-License-Identifier) in its
#     first lines.
# Prints each offence as FILE:LINE: what, and exits 1.
set -u
srcdir=$1
shift
status=0
engine=" $* "

# report FILE PATTERN MESSAGE: each line of FILE matching PATTERN
report() {
    if grep -nE "$2" "$srcdir/$1" >/dev/null; then
        grep -nE "$2" "$srcdir/$1" | sed "s|^|$1:|; s|\$|: $3|" >&2
        status=1
    fi
}

for file in "$srcdir"/src/*.c "$srcdir"/src/*.h; do
    name=src/${file##*/}
    case $engine in
    *" $name "*) ;;
    *) report "$name" '^[[:space:]]*#[[:space:]]*include[[:space:]]*<mbedtls/' \
        "only the TLS engine (ENGINE_MODULES) includes Mbed TLS; use tls.h"
        # nor an engine header, which would bring Mbed TLS along
        for header in $engine; do
            case $header in *.h) ;; *) continue ;; esac
            report "$name" "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"${header#src/}\"" \
                "an engine header, for the TLS engine (ENGINE_MODULES) only; use tls.h"
        done ;;
    esac
    case $name in
    src/compat.c | src/compat.h) ;;
    *) report "$name" 'MBEDTLS_VERSION_(NUMBER|MAJOR|MINOR)|^[[:space:]]*#[[:space:]]*(el)?if.*defined[[:space:]]*\(?[[:space:]]*MBEDTLS_|^[[:space:]]*#[[:space:]]*ifn?def[[:space:]]+MBEDTLS_' \
        "only compat.c asks which Mbed TLS it was built with" ;;
    esac
    head -n 3 "$file" | grep -q 'SPDX-License-Identifier: Apache-2.0' || {
        echo "$name:1: no SPDX-License-Identifier: Apache-2.0 line at the top" >&2
        status=1
    }
done
exit $status
