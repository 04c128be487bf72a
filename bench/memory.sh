#!/bin/sh
# bench/memory.sh: what an idle connection costs tlsd, in resident memory:
#  - a TCP connection that has not sent a byte (no Mbed TLS context yet),
#  - an established TLS connection that has not sent a request,
#  - an established TLS connection after one request (keep-alive, idle).
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
build=${TLSD_BUILD_DIR:-build}
tlsd=${TLSD:-$build/src/tlsd}
mkcert=${TLSD_MKCERT:-$build/src/tlsd-mkcert}
for tool in "$tlsd" "$mkcert"; do
    [ -x "$tool" ] || { echo "bench/memory.sh: $tool not built (./quickstart.sh build)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "bench/memory.sh: python3 is needed" >&2; exit 1; }

work=$(mktemp -d /tmp/tlsd-memory.XXXXXX)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
"$mkcert" -d "$work/pki" >/dev/null
mkdir "$work/www"
head -c 2048 /dev/zero | tr '\0' 'x' >"$work/www/index.html"
printf 'workers %s\nlog_level error\nmax_connections %d\nhandshake_timeout 60\n' "${TLSD_WORKERS:-1}" $((connections * 4 + 10)) >"$work/tlsd.conf"
ulimit -n $((connections * 2 + 100)) 2>/dev/null || true

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }

# run MODE: prints the KB per connection
run() {
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
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
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

printf '%-44s %s\n' "idle connection" "KB per connection"
printf '%-44s %s\n' "TCP, no byte sent (before any TLS)" "$(run tcp)"
printf '%-44s %s\n' "TLS established, no request" "$(run tls)"
printf '%-44s %s\n' "TLS established, after one request" "$(run request)"
