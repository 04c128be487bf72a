#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/tls13.sh: TLS 1.3 full and resumed handshakes per busy server core
# of several tlsd builds in one run (the shared harness measures TLS 1.2).
#
#   bench/tls13.sh [--seconds N] NAME=TLSD [NAME=TLSD...]
#
# Each tlsd runs with `workers 1` pinned to CPU 0 on an ephemeral loopback
# port, with an ECDSA P-256 chain from tlsd-mkcert (the first build's) and
# a 2 KB page; the shared harness's tlsload (built from
# ../shared/bench/tlsload.c, or $TLSD_BENCH_HARNESS's directory) runs on
# CPU 1 with 32 connections, TLS 1.3 only, for N seconds (default 5, after
# a 1-second warm-up) and at most N * 100000 handshakes: full handshakes
# per second divided by the server's busy share of its core (its own CPU
# time over the wall time). Resumed: tlsload keeps a session before a TLS
# 1.3 ticket can arrive, so 4 `openssl s_time -reuse` run in parallel on
# CPU 1 for N seconds instead (each resumes its first session on every
# connection, by ticket), and per core = their connections divided by the
# CPU seconds the server used meanwhile. A build without
# TLS 1.3 is listed as such. Ratios are to the first build that speaks
# TLS 1.3; quote them from one run, not the absolute rates.
set -eu
seconds=5
while [ $# -gt 0 ]; do
    case $1 in
    --seconds) seconds=${2:?}; shift 2 ;;
    *=*) break ;;
    *) echo "usage: bench/tls13.sh [--seconds N] NAME=TLSD [NAME=TLSD...]" >&2; exit 2 ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: bench/tls13.sh [--seconds N] NAME=TLSD [NAME=TLSD...]" >&2; exit 2; }
case $seconds in '' | *[!0-9]* | 0) echo "tls13: --seconds takes a whole number of seconds, at least 1" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
first=${1#*=}
case $first in /*) ;; *) first="$(pwd)/$first" ;; esac
cd "$here/.."
harness_dir=$(dirname "${TLSD_BENCH_HARNESS:-../shared/bench/run.sh}")
[ -f "$harness_dir/tlsload.c" ] || { echo "tls13: no tlsload.c in $harness_dir (set TLSD_BENCH_HARNESS)" >&2; exit 1; }
BENCH_NAME=tls13
TLSD=$first
TLSD_MKCERT=$(dirname "$first")/tlsd-mkcert
. bench/lib.sh
need gcc gcc
need taskset util-linux
need ss iproute2
need openssl openssl
[ "$(nproc)" -ge 2 ] || { echo "tls13: needs 2 CPUs (server on 0, client on 1)" >&2; exit 1; }
gcc -O2 -o "$work/tlsload" "$harness_dir/tlsload.c" -lssl -lcrypto 2>"$work/build.log" ||
    { cat "$work/build.log" >&2; echo "tls13: building tlsload failed (apt-get install libssl-dev)" >&2; exit 1; }
printf 'workers 1\nlog_level error\n' >"$work/tlsd.conf"

free_port() {
    for _ in $(seq 100); do
        p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000))
        ss -Htan "( sport = :$p )" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}

cpu_seconds() {  # PID: user + system CPU seconds so far
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}

resumed_per_core() {  # resumed handshakes per CPU second of the server, or "-"
    before=$(cpu_seconds "$pid")
    for i in 1 2 3 4; do
        timeout $((seconds + 30)) taskset -c 1 openssl s_time -connect "127.0.0.1:$port" -reuse -tls1_3 \
            -time "$seconds" -www /index.html -CAfile "$work/pki/ca.crt" >"$work/s_time.$i" 2>&1 &
    done
    wait
    after=$(cpu_seconds "$pid")
    cat "$work"/s_time.* | awk -v cpu="$(awk -v a="$after" -v b="$before" 'BEGIN { print a - b }')" \
        '/connections in .* real seconds/ { n += $1 } END { if (n > 0 && cpu > 0) printf "%.1f", n / cpu; else print "-" }'
    grep -h "real seconds" "$work"/s_time.* | sed 's/^/  s_time -reuse: /' >>"$work/tlsload.out"
}

start_build() {  # TLSD: pinned to CPU 0; sets pid and port
    port=$(free_port)
    taskset -c 0 "$1" -c "$work/tlsd.conf" -l "127.0.0.1:$port" --cert "$work/pki/server.crt" \
        --key "$work/pki/server.key" --root "$work/www" 2>"$work/tlsd.log" &
    pid=$!
    for _ in $(seq 100); do
        ss -Hltn "( sport = :$port )" 2>/dev/null | grep -q . && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "tls13: $1 did not start:" >&2
    cat "$work/tlsd.log" >&2
    exit 1
}

measure() {  # MODE: handshakes per busy core, or "-"
    out=$(timeout $((seconds + 60)) taskset -c 1 "$work/tlsload" -m "$1" --tls13 -p "$port" -c 32 \
        -n $((seconds * 100000)) -t "$seconds" -w 1 --expect-len 2048 --pids "$pid" --core 0 \
        --ca "$work/pki/ca.crt" 2>"$work/tlsload.err") || true
    echo "$out" >>"$work/tlsload.out"
    echo "$out" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
        END { if (v["ok"] > 0 && v["server_cpu"] > 0 && v["failed"] == 0) printf "%.1f", v["rate"] / v["server_cpu"]; else print "-" }'
}

echo "TLS 1.3 handshakes per busy server core (tlsd on CPU 0, tlsload on CPU 1, 32 connections, ${seconds} s each)"
printf '%-8s %-40s %10s %10s %8s %8s\n' build library full/s resumed/s "full x" "res. x"
base_full="" base_resumed=""
for entry in "$@"; do
    name=${entry%%=*}
    binary=${entry#*=}
    [ -x "$binary" ] || { echo "tls13: $name=$binary is not an executable" >&2; exit 1; }
    library=$("$binary" -V | sed -n 2p)
    case $library in *"and 1.3"*) ;; *)
        printf '%-8s %-40s %10s %10s\n' "$name" "${library% (*}" "(TLS 1.2 only)" ""
        continue ;;
    esac
    start_build "$binary"
    full=$(measure full)
    resumed=$(resumed_per_core)
    stop_tlsd
    [ -z "$base_full" ] && base_full=$full base_resumed=$resumed
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
    printf '%-8s %-40s %10s %10s %8s %8s\n' "$name" "${library% (*}" "$full" "$resumed" \
        "$(ratio "$full" "$base_full")" "$(ratio "$resumed" "$base_resumed")"
done
grep -v '^$' "$work/tlsload.out" | sed 's/^mode=/  tlsload: mode=/' >&2
