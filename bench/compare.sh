#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/compare.sh (make bench): tlsd on each Mbed TLS build it supports,
# side by side with nginx and lighttpd+mod_mbedtls, in one run. Loopback
# only; every load has a count and a time limit.
#
#   bench/compare.sh [--quick] [run.sh options...]
#
# The builds (each from this source tree, in its own build directory,
# unless TLSD_228, TLSD_SYS36 or TLSD_OWN name a tlsd already built; a
# TLSD=PATH, as `make bench` passes, takes the row of its library):
#   d228   Debian 12's Mbed TLS 2.28 (./quickstart.sh build --system-mbedtls)
#   sys36  Debian 13's packaged 3.6: on Debian 12 its packages unpacked in
#          build-bench-sys36/mbedtls36 (.ci/mbedtls36.sh); on Debian 13 the
#          system's, and then there is no d228 row
#   own    tlsd's own 3.6 build (./quickstart.sh build: mbedtls/build.sh)
# In order: each library's crypto floor (bench/floor.c, CPU 0); the shared
# harness (../shared/bench/run.sh, or TLSD_BENCH_HARNESS) with nginx,
# lighttpd and every build, TLS 1.2; the floors again; TLS 1.3 full and
# resumed handshakes (bench/tls13.sh); a bulk download (bench/bulk.sh,
# 200 MB x 3, TLS 1.2); then one summary table (bench/summary.py) with
# the ratios. Quote the ratios from one run, not absolute figures: the
# machines are shared.
set -eu
cd "$(dirname "$0")/.."
harness=${TLSD_BENCH_HARNESS:-../shared/bench/run.sh}
[ -f "$harness" ] || { echo "bench/compare.sh: no benchmark harness at $harness (set TLSD_BENCH_HARNESS)" >&2; exit 1; }
quick=""
for option in "$@"; do [ "$option" = --quick ] && quick=yes; done
say() { printf 'bench/compare.sh: %s\n' "$*" >&2; }
absolute() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }

# TLSD (what `make bench` passes: its own build) takes the row of its library
if [ -n "${TLSD:-}" ]; then
    TLSD=$(absolute "$TLSD")
    [ -x "$TLSD" ] || { say "TLSD=$TLSD is not an executable tlsd"; exit 1; }
    case $("$TLSD" -V | sed -n 2p) in
    *"tlsd configuration"*) TLSD_OWN=${TLSD_OWN:-$TLSD} ;;
    "Mbed TLS 3."*) TLSD_SYS36=${TLSD_SYS36:-$TLSD} ;;
    *) TLSD_228=${TLSD_228:-$TLSD} ;;
    esac
fi
system_major=$(awk '/define MBEDTLS_VERSION_MAJOR/ { print $3 }' /usr/include/mbedtls/build_info.h /usr/include/mbedtls/version.h 2>/dev/null | head -n 1)
builds=""   # NAME=TLSD ...
build_one() {  # NAME QUICKSTART-OPTION [CONFIGURE-FLAGS]: ./quickstart.sh build into build-bench-NAME
    say "building tlsd ($1) in build-bench-$1/"
    TLSD_BUILD_DIR="build-bench-$1" TLSD_CONFIGURE_FLAGS="${3:-}" ./quickstart.sh build $2 >"/tmp/tlsd-bench-build-$1.log" 2>&1 ||
        { tail -n 30 "/tmp/tlsd-bench-build-$1.log" >&2; say "building $1 failed"; exit 1; }
    echo "$(pwd)/build-bench-$1/src/tlsd"
}
if [ "${system_major:-2}" = 2 ]; then
    d228=${TLSD_228:-$(build_one d228 --system-mbedtls)}
    builds="d228=$(absolute "$d228")"
    if [ -z "${TLSD_SYS36:-}" ]; then
        sh .ci/mbedtls36.sh "$(pwd)/build-bench-sys36-mbedtls" >/dev/null
    fi
    sys36=${TLSD_SYS36:-$(build_one sys36 "" "--with-mbedtls=$(pwd)/build-bench-sys36-mbedtls/usr")}
else
    sys36=${TLSD_SYS36:-$(build_one sys36 --system-mbedtls)}
fi
own=${TLSD_OWN:-$(build_one own "")}
builds="$builds sys36=$(absolute "$sys36") own=$(absolute "$own")"

work=$(mktemp -d /tmp/tlsd-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
# each build's library, for its floor: the flags its Makefile links with
for entry in $builds; do
    name=${entry%%=*}
    makefile="$(dirname "$(dirname "${entry#*=}")")/Makefile"
    cflags=$(sed -n 's/^MBEDTLS_CFLAGS = //p' "$makefile")
    libs=$(sed -n 's/^MBEDTLS_LIBS = //p' "$makefile")
    # shellcheck disable=SC2086 # flag lists
    gcc -O2 -o "$work/floor-$name" $cflags bench/floor.c $libs -lpthread 2>"$work/floor-$name.err" ||
        { cat "$work/floor-$name.err" >&2; say "building bench/floor.c for $name failed"; exit 1; }
done
floors() {  # before|after
    for entry in $builds; do
        name=${entry%%=*}
        timeout 120 taskset -c 0 "$work/floor-$name" -t "$([ -n "$quick" ] && echo 0.1 || echo 0.3)" \
            >"$work/floor-$name.$1"
    done
}
say "crypto floors of each build's library (CPU 0)"
floors before

out=${TLSD_BENCH_OUT:-/tmp/tlsd-bench-$(date +%Y%m%d-%H%M%S).json}
only="nginx,lighttpd"
env_builds=""
for entry in $builds; do
    only="$only,tlsd_${entry%%=*}"
    env_builds="$env_builds TLSD_$(echo "${entry%%=*}" | tr a-z A-Z)=${entry#*=}"
done
say "the shared harness: $only"
# shellcheck disable=SC2086 # the NAME=PATH list
env $env_builds bash "$harness" --only "$only" --out "$out" "$@" | tee "$work/harness.txt"

say "crypto floors again"
floors after

say "TLS 1.3 handshakes"
# shellcheck disable=SC2086
sh bench/tls13.sh --seconds "$([ -n "$quick" ] && echo 2 || echo 5)" $builds | tee "$work/tls13.txt"

say "bulk download"
bulk_also=""
for entry in $builds; do
    [ "${entry%%=*}" = own ] || bulk_also="$bulk_also --also $entry"
done
# shellcheck disable=SC2086
sh bench/bulk.sh --tlsd "$own" --mkcert "$(dirname "$own")/tlsd-mkcert" --count "$([ -n "$quick" ] && echo 1 || echo 3)" \
    $bulk_also | tee "$work/bulk.txt"

python3 bench/summary.py --harness "$out" --work "$work" $builds | tee "${out%.json}.summary.txt"
echo "results: $out, ${out%.json}.summary.txt"
