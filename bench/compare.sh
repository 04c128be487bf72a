#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/compare.sh: tlsd side by side with nginx and lighttpd+mod_mbedtls,
# through the shared benchmark harness (shared/bench/run.sh, beside this
# repository). Loopback only; every load has a count and a time limit.
#
#   bench/compare.sh [--quick] [run.sh options...]
#   TLSD=/path/to/tlsd bench/compare.sh ...    (what `make bench` does)
#
# Builds tlsd in build/ first (./quickstart.sh build), unless TLSD names a
# tlsd already built: then that one is measured and nothing is rebuilt.
# Quote the ratios to nginx from one run, not absolute figures: the
# machines are shared.
set -eu
given_tlsd=${TLSD:-}
if [ -n "$given_tlsd" ]; then
    case $given_tlsd in /*) ;; *) given_tlsd="$(pwd)/$given_tlsd" ;; esac
    if [ ! -x "$given_tlsd" ]; then
        echo "bench/compare.sh: TLSD=$given_tlsd is not an executable tlsd" >&2
        exit 1
    fi
fi
cd "$(dirname "$0")/.."
harness=${TLSD_BENCH_HARNESS:-../shared/bench/run.sh}
if [ ! -f "$harness" ]; then
    echo "bench/compare.sh: no benchmark harness at $harness (set TLSD_BENCH_HARNESS)" >&2
    exit 1
fi
if [ -z "$given_tlsd" ]; then
    ./quickstart.sh build >/dev/null
    given_tlsd="$(pwd)/${TLSD_BUILD_DIR:-build}/src/tlsd"
fi
out=${TLSD_BENCH_OUT:-/tmp/tlsd-bench-$(date +%Y%m%d-%H%M%S).json}
TLSD="$given_tlsd" bash "$harness" --only nginx,lighttpd,tlsd --out "$out" "$@"
echo "results: $out"
