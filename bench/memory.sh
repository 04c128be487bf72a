#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/memory.sh: what an idle connection costs tlsd, in resident memory:
#  - a TCP connection that has not sent a byte (no Mbed TLS context yet),
#  - an established TLS connection that has not sent a request,
#  - an established TLS connection after one request (keep-alive, idle);
# the last two with handshake_capture on (the default: each connection
# keeps its first bytes and secrets, at most 32 KiB) and off.
#
#   bench/memory.sh [--connections N]     (default 1000)
#
# Runs the tlsd of the build in $TLSD_BUILD_DIR (default build/) on
# 127.0.0.1 with python3 as the client (N sockets held, then closed).
# KB per connection = (VmRSS with N open - VmRSS before) / N.
set -eu
cd "$(dirname "$0")/.."
connections=1000
[ "${1:-}" = "--connections" ] && connections=${2:?}
BENCH_NAME=memory
. bench/lib.sh
need python3 python3
# configure CAPTURE: tlsd.conf with handshake_capture CAPTURE (on or off)
configure() {
    printf 'workers %s\nlog_level error\nmax_connections %d\nhandshake_timeout 60\nhandshake_capture %s\n' \
        "${TLSD_WORKERS:-1}" $((connections * 4 + 10)) "$1" >"$work/tlsd.conf"
}
configure on
ulimit -n $((connections * 2 + 100)) 2>/dev/null || true

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }

# run MODE: prints the KB per connection
run() {
    start_tlsd
    # a few connections first, so that one-time allocations are not counted
    MODE=warm PORT=$port N=20 CA="$work/pki/ca.crt" timeout 60 python3 "$work/client.py" >/dev/null
    sleep 0.5
    base=$(rss_kb)
    rm -f "$work/ready"
    MODE=$1 PORT=$port N=$connections CA="$work/pki/ca.crt" READY="$work/ready" \
        timeout 120 python3 "$work/client.py" &
    client=$!
    for _ in $(seq 600); do [ -s "$work/ready" ] && break; sleep 0.1; done
    sleep 1
    held=$(rss_kb)
    kill "$client" 2>/dev/null || true
    wait "$client" 2>/dev/null || true
    stop_tlsd
    awk -v b="$base" -v h="$held" -v n="$connections" 'BEGIN { printf "%.2f\n", (h - b) / n }'
}

cat >"$work/client.py" <<'EOF'
import os, socket, ssl, time
mode, port, n = os.environ["MODE"], int(os.environ["PORT"]), int(os.environ["N"])
context = ssl.create_default_context(cafile=os.environ["CA"])
context.maximum_version = ssl.TLSVersion.TLSv1_2
held = []
for i in range(n):
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    if mode == "tcp":
        held.append(raw)
        continue
    tls = context.wrap_socket(raw, server_hostname="localhost")
    if mode in ("request", "warm"):
        tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        got = b""
        while b"\r\n\r\n" not in got or len(got) < 2048:
            got += tls.recv(65536)
    held.append(tls)
if mode == "warm":
    raise SystemExit(0)
if "READY" in os.environ:
    with open(os.environ["READY"], "w") as ready:
        ready.write("%d\n" % len(held))
time.sleep(60)
EOF

printf '%-62s %s\n' "idle connection" "KB per connection"
printf '%-62s %s\n' "TCP, no byte sent (before any TLS)" "$(run tcp)"
for capture in off on; do
    configure $capture
    printf '%-62s %s\n' "TLS established, no request, handshake_capture $capture" "$(run tls)"
    printf '%-62s %s\n' "TLS established, after one request, handshake_capture $capture" "$(run request)"
done
