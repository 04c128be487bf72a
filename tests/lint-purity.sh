#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# lint-purity.sh SRCDIR MODULE...: the purity rule of `make lint`.
#
# A pure module (PURE_MODULES in Makefile.am: parsers and helpers over
# buffers and files) must not include, itself or through any of tlsd's own
# headers it includes, Mbed TLS (<mbedtls/...>), libevent (<event2/...>),
# log.h, tls.h or compat.h: so that it can be unit-tested and fuzzed alone,
# and stays free of the TLS library's version differences. Also: log.h
# must not include config.h (the log does not depend on the configuration).
# Prints each offence as FILE: includes WHAT [(through A -> B)], exits 1.
set -u
srcdir=$1
shift
status=0

# includes FILE: the targets of its #include lines, "name.h" or <path.h>
includes() {
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' "$1"
}

# check MODULE FILE CHAIN VISITED: report forbidden includes of FILE, then
# follow its local includes (those found in SRCDIR) not yet visited.
check() {
    module=$1 file=$2 chain=$3 visited=$4
    for target in $(includes "$srcdir/$file"); do
        case $target in
        \<mbedtls/* | \<event2/* | \"log.h\" | \"tls.h\" | \"compat.h\")
            echo "$module: includes $target${chain:+ (through $chain)}: a pure module must not use" \
                "Mbed TLS, libevent, log.h, tls.h or compat.h" >&2
            status=1 ;;
        \"*\")
            header=${target#\"}
            header=src/${header%\"}
            case " $visited " in *" $header "*) continue ;; esac
            [ -f "$srcdir/$header" ] || continue
            visited="$visited $header"
            # a subshell keeps this level's variables; its status comes back as its exit code
            (check "$module" "$header" "${chain:+$chain -> }$header" "$visited") || status=1 ;;
        esac
    done
    return $status
}

for module in "$@"; do
    if [ ! -f "$srcdir/$module" ]; then
        echo "$module: listed as a pure module but not found" >&2
        status=1
        continue
    fi
    check "$module" "$module" "" "$module" || status=1
done

if includes "$srcdir/src/log.h" | grep -qx '"config.h"'; then
    echo "src/log.h: includes \"config.h\": the log must not depend on the configuration" >&2
    status=1
fi
exit $status
