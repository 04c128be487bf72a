#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/daemon.sh: instructions the whole daemon executes per connection
# and per request, under callgrind: tlsd as it runs (handshake log, log
# lines, response plan, file cache, libevent), which bench/micro.sh leaves
# out. Deterministic enough to compare a change with its parent on the
# same machine; no wall-clock figure.
#
#   bench/daemon.sh [--tlsd PATH] [--mkcert PATH] [--www DIR] [-n CONNECTIONS] [-r REQUESTS]
#
# Run from the build directory (defaults: src/tlsd, src/tlsd-mkcert,
# ../www). Four runs of tlsd (workers 1, log_level info) under callgrind:
#   idle       start and stop, nothing served: the baseline
#   full       CONNECTIONS connections, each a full handshake and one GET /
#   resumed    CONNECTIONS connections resuming one session, one GET / each
#   keepalive  one connection, REQUESTS GET / on it
# and prints the instructions per connection (full, resumed) and per
# request (keepalive, less its one full connection), over the idle run.
set -eu

tlsd=src/tlsd
mkcert=src/tlsd-mkcert
www=$(dirname "$0")/../www
connections=50
requests=500
while [ $# -gt 0 ]; do
    case $1 in
    --tlsd) tlsd=$2; shift 2 ;;
    --mkcert) mkcert=$2; shift 2 ;;
    --www) www=$2; shift 2 ;;
    -n) connections=$2; shift 2 ;;
    -r) requests=$2; shift 2 ;;
    *) echo "usage: $0 [--tlsd PATH] [--mkcert PATH] [--www DIR] [-n CONNECTIONS] [-r REQUESTS]" >&2; exit 2 ;;
    esac
done
command -v valgrind >/dev/null || { echo "bench/daemon.sh needs valgrind" >&2; exit 1; }
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$mkcert" -d "$work/certs" >/dev/null
printf 'workers 1\nlog_level info\n' >"$work/tlsd.conf"

# run NAME CLIENT-ARGS...: tlsd under callgrind for one workload; prints its Ir
run() {
    name=$1; shift
    : >"$work/$name.log"
    valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" \
        "$tlsd" -c "$work/tlsd.conf" -l 127.0.0.1:0 --cert "$work/certs/server.crt" \
        --key "$work/certs/server.key" --root "$www" 2>>"$work/$name.log" &
    pid=$!
    port=""
    tries=0
    while [ -z "$port" ] && [ $tries -lt 600 ]; do
        sleep 0.1
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -n 1)
        tries=$((tries + 1))
    done
    [ -n "$port" ] || { echo "tlsd did not start:" >&2; cat "$work/$name.log" >&2; exit 1; }
    [ $# -eq 0 ] || python3 "$(dirname "$0")/daemon-client.py" "$port" "$work/certs/ca.crt" "$@"
    kill -TERM "$pid"
    wait "$pid" || true
    pid=""
    sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$work/$name.out"
}

idle=$(run idle)
full=$(run full full "$connections")
resumed=$(run resumed resumed "$connections")
keepalive=$(run keepalive keepalive "$requests")
echo "$("$tlsd" -V | head -n 1), valgrind $(valgrind --version | sed 's/valgrind-//')"
awk -v idle="$idle" -v full="$full" -v resumed="$resumed" -v keepalive="$keepalive" \
    -v n="$connections" -v r="$requests" 'BEGIN {
    per_full = (full - idle) / n
    printf "%-34s %14.0f\n", "Ir per connection, full handshake", per_full
    printf "%-34s %14.0f\n", "Ir per connection, resumed", (resumed - idle - per_full) / (n - 1)
    printf "%-34s %14.0f\n", "Ir per keep-alive request", (keepalive - idle - per_full) / (r - 1)
}'
