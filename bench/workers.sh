#!/bin/sh
# bench/workers.sh: server CPU time per handshake with `workers 1` and
# `workers 2`, full and resumed, so that the cost of running several event
# loops (locks, shared state) shows without the noise of raw rates: on a
# 2-core machine the load generator needs a CPU too, so rates say little.
#
#   bench/workers.sh [--seconds S] [--clients N]     (defaults: 5, 4)
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
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --clients) clients=${2:?}; shift 2 ;;
    *) echo "usage: bench/workers.sh [--seconds S] [--clients N]" >&2; exit 2 ;;
    esac
done
build=${TLSD_BUILD_DIR:-build}
tlsd=${TLSD:-$build/src/tlsd}
mkcert=${TLSD_MKCERT:-$build/src/tlsd-mkcert}
for tool in "$tlsd" "$mkcert"; do
    [ -x "$tool" ] || { echo "bench/workers.sh: $tool not built (./quickstart.sh build)" >&2; exit 1; }
done
command -v openssl >/dev/null || { echo "bench/workers.sh: openssl is needed (apt-get install openssl)" >&2; exit 1; }

work=$(mktemp -d /tmp/tlsd-workers.XXXXXX)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
"$mkcert" -d "$work/pki" >/dev/null
mkdir "$work/www"
head -c 2048 /dev/zero | tr '\0' 'x' >"$work/www/index.html"
ticks_per_second=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure WORKERS MODE: prints "handshakes cpu_ms_per_handshake"
measure() {
    printf 'workers %s\nlog_level error\n' "$1" >"$work/tlsd.conf"
    : >"$work/tlsd.log"
    "$tlsd" -c "$work/tlsd.conf" -l 127.0.0.1:0 --cert "$work/pki/server.crt" --key "$work/pki/server.key" \
        --root "$work/www" --log-level info 2>"$work/tlsd.log" &
    pid=$!
    port=""
    for _ in $(seq 50); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/tlsd.log" | head -n 1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "tlsd did not start:" >&2; cat "$work/tlsd.log" >&2; exit 1; }
    before=$(cpu_ticks "$pid")
    i=0
    while [ $i -lt "$clients" ]; do
        # -new: a full handshake each time; -reuse: resume the first session
        timeout $((seconds + 20)) openssl s_time -connect "127.0.0.1:$port" -"$2" -time "$seconds" \
            -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 >"$work/s_time.$i" 2>&1 &
        i=$((i + 1))
    done
    wait_all=0
    for job in $(jobs -p); do [ "$job" = "$pid" ] || wait "$job" || wait_all=1; done
    after=$(cpu_ticks "$pid")
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    handshakes=$(cat "$work"/s_time.* | sed -n 's/^\([0-9]*\) connections in .*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
    [ "$handshakes" -gt 0 ] || { echo "no handshakes (workers $1, $2):" >&2; cat "$work"/s_time.* >&2; exit 1; }
    awk -v h="$handshakes" -v t=$((after - before)) -v hz="$ticks_per_second" \
        'BEGIN { printf "%d %.4f\n", h, t * 1000 / hz / h }'
}

printf '%-8s %-8s %12s %14s\n' workers mode handshakes cpu_ms/hs
for mode in new reuse; do
    set -- $(measure 1 $mode); one=$2
    printf '%-8s %-8s %12s %14s\n' 1 "$mode" "$1" "$2"
    set -- $(measure 2 $mode); two=$2
    printf '%-8s %-8s %12s %14s\n' 2 "$mode" "$1" "$2"
    awk -v a="$one" -v b="$two" -v m="$mode" 'BEGIN { printf "ratio workers 2 / workers 1 (%s): %.2f\n", m, b / a }'
done
