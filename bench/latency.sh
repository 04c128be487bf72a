#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/latency.sh: handshake latency at low concurrency (one client at a
# time), median and tail, to catch stalls such as the 40 ms Nagle /
# delayed-ACK one (a flight written in several pieces without
# TCP_NODELAY): with it, p99 would sit near 40 ms above the median.
#
#   bench/latency.sh [--count N]     (default 300; N curl runs, one by one)
#
# Runs the tlsd of the build in $TLSD_BUILD_DIR (default build/) on
# 127.0.0.1. Each curl does a full TLS 1.2 handshake and one GET; curl's
# own timers give the handshake (time_appconnect - time_connect) and the
# whole request (time_total - time_connect), in milliseconds.
set -eu
cd "$(dirname "$0")/.."
count=300
[ "${1:-}" = "--count" ] && count=${2:?}
BENCH_NAME=latency
. bench/lib.sh
need curl curl
printf 'log_level error\n' >"$work/tlsd.conf"
start_tlsd

i=0
while [ $i -lt "$count" ]; do
    curl -sS --noproxy '*' --max-time 5 --cacert "$work/pki/ca.crt" --resolve "localhost:$port:127.0.0.1" \
        --tls-max 1.2 -o /dev/null -w '%{time_connect} %{time_appconnect} %{time_total}\n' \
        "https://localhost:$port/" >>"$work/times"
    i=$((i + 1))
done
summary() {  # column label
    awk -v c="$1" '{ if (c == 1) v = ($2 - $1) * 1000; else v = ($3 - $1) * 1000; print v }' "$work/times" |
        sort -n | awk -v label="$2" '
        { v[NR] = $1 }
        END {
            median = v[int((NR + 1) / 2)]; p90 = v[int(NR * 0.90 + 0.5)]; p99 = v[int(NR * 0.99 + 0.5)]
            printf "%-22s n=%d median=%.3f p90=%.3f p99=%.3f max=%.3f ms  p99/median=%.2f\n",
                label, NR, median, p90, p99, v[NR], p99 / median
        }'
}
summary 1 "handshake"
summary 2 "handshake + GET"
