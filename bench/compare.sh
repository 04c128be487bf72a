#!/bin/sh
# bench/compare.sh: tlsd side by side with nginx and lighttpd+mod_mbedtls,
# through the shared benchmark harness (shared/bench/run.sh, beside this
# repository). Loopback only; every load has a count and a time limit.
#
#   bench/compare.sh [--quick] [run.sh options...]
#
# Builds tlsd in build/ first (./quickstart.sh build). Quote the ratios to
# nginx from one run, not absolute figures: the machines are shared.
set -eu
cd "$(dirname "$0")/.."
harness=${TLSD_BENCH_HARNESS:-../shared/bench/run.sh}
if [ ! -f "$harness" ]; then
    echo "bench/compare.sh: no benchmark harness at $harness (set TLSD_BENCH_HARNESS)" >&2
    exit 1
fi
./quickstart.sh build >/dev/null
out=${TLSD_BENCH_OUT:-/tmp/tlsd-bench-$(date +%Y%m%d-%H%M%S).json}
TLSD="$(pwd)/${TLSD_BUILD_DIR:-build}/src/tlsd" bash "$harness" --only nginx,lighttpd,tlsd --out "$out" "$@"
echo "results: $out"
