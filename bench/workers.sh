#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/workers.sh: server CPU time per handshake with `workers 1` and
# `workers 2`, full and resumed, so that the cost of running several event
# loops (locks, shared state) shows without the noise of raw rates: on a
# 2-core machine the load generator needs a CPU too, so rates say little.
#
#   bench/workers.sh [--seconds S] [--clients N] [--pin]   (defaults: 5, 4)
#
# --pin runs tlsd on CPU 0 and the clients on CPU 1, so that both workers
# share one CPU: what is left is the software cost of a second worker
# (locks, shared state, switching), without the clients' and the workers'
# competition for the CPUs and their caches, which an unpinned run adds.
#
# Runs the tlsd and tlsd-mkcert of the build in $TLSD_BUILD_DIR (default
# build/), on 127.0.0.1 only, with `openssl s_time` as the load: N clients
# in parallel, each for S seconds (a time bound on every load). Prints CPU
# milliseconds per handshake from /proc/PID/stat (user + system) and the
# ratio of workers 2 to workers 1.
set -eu
cd "$(dirname "$0")/.."
seconds=5
clients=4
server_cpu=""
client_cpu=""
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --clients) clients=${2:?}; shift 2 ;;
    --pin) server_cpu="taskset -c 0"; client_cpu="taskset -c 1"; shift ;;
    *) echo "usage: bench/workers.sh [--seconds S] [--clients N]" >&2; exit 2 ;;
    esac
done
BENCH_NAME=workers
. bench/lib.sh
need openssl openssl
ticks_per_second=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure WORKERS MODE: prints "handshakes cpu_ms_per_handshake"
measure() {
    printf 'workers %s\nlog_level error\n' "$1" >"$work/tlsd.conf"
    start_tlsd $server_cpu
    before=$(cpu_ticks "$pid")
    # instructions too, when perf can count them: unlike CPU time they do
    # not grow when the clients and the workers share the two CPUs
    counting=""
    if [ -n "$use_perf" ]; then
        perf stat -e instructions -x, -o "$work/perf.out" -p "$pid" >/dev/null 2>&1 &
        counting=$!
    fi
    rm -f "$work"/s_time.*
    i=0
    clients_pids=""
    while [ $i -lt "$clients" ]; do
        # -new: a full handshake each time; -reuse: resume the first session
        $client_cpu timeout $((seconds + 20)) openssl s_time -connect "127.0.0.1:$port" -"$2" -time "$seconds" \
            -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 >"$work/s_time.$i" 2>&1 &
        clients_pids="$clients_pids $!"
        i=$((i + 1))
    done
    for client in $clients_pids; do wait "$client" || true; done
    after=$(cpu_ticks "$pid")
    instructions=0
    if [ -n "$counting" ]; then
        kill -INT "$counting" 2>/dev/null || true
        wait "$counting" 2>/dev/null || true
        instructions=$(awk -F, '/instructions/ { print $1 + 0 }' "$work/perf.out")
    fi
    stop_tlsd
    handshakes=$(cat "$work"/s_time.* | sed -n 's/^\([0-9]*\) connections in [0-9.]*s;.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
    [ "$handshakes" -gt 0 ] || { echo "no handshakes (workers $1, $2):" >&2; cat "$work"/s_time.* >&2; exit 1; }
    awk -v h="$handshakes" -v t=$((after - before)) -v hz="$ticks_per_second" -v i="${instructions:-0}" \
        'BEGIN { printf "%d %.4f %.0f\n", h, t * 1000 / hz / h, i / h }'
}

use_perf=""
if command -v perf >/dev/null 2>&1 && perf stat -e instructions -x, true 2>&1 | grep -q ',instructions,' &&
    ! perf stat -e instructions -x, true 2>&1 | grep -q 'not supported'; then
    use_perf=yes
fi
printf '%-8s %-8s %12s %14s %16s\n' workers mode handshakes cpu_ms/hs instructions/hs
for mode in new reuse; do
    set -- $(measure 1 $mode); one=$2; one_instructions=$3
    printf '%-8s %-8s %12s %14s %16s\n' 1 "$mode" "$1" "$2" "${use_perf:+$3}"
    set -- $(measure 2 $mode); two=$2; two_instructions=$3
    printf '%-8s %-8s %12s %14s %16s\n' 2 "$mode" "$1" "$2" "${use_perf:+$3}"
    awk -v a="$one" -v b="$two" -v m="$mode" 'BEGIN { printf "ratio workers 2 / workers 1 (%s): CPU time %.2f", m, b / a }'
    if [ -n "$use_perf" ]; then
        awk -v a="$one_instructions" -v b="$two_instructions" 'BEGIN { printf ", instructions %.2f", b / a }'
    fi
    echo
done
