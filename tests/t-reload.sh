#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-reload.sh: what a reload (SIGHUP) means for a connection already open.
# A keep-alive connection is served to its end by the generation it was
# accepted with: after a reload that changes document_root and hsts, its
# next request still gets the old root's file and the old headers, while a
# new connection gets the new ones. The worker's file cache serves the new
# generation only, whichever connection asks first.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the keep-alive client"

mkdir -p "$WORK/old" "$WORK/new"
printf 'old root\n' >"$WORK/old/page.html"
printf 'only in the old root\n' >"$WORK/old/gone.html"
printf 'new root\n' >"$WORK/new/page.html"
# one worker: the old and the new connection share one file cache
printf 'workers 1\ndocument_root %s\n' "$WORK/old" >"$WORK/reload.conf"

# Like start_tlsd, but the document root comes from the file (a --root on
# the command line would win over it at the reload too).
: >"$WORK/tlsd.log"
${TLSD_WRAPPER:-} "$TLSD" -c "$WORK/reload.conf" -l 127.0.0.1:0 \
    --cert "$WORK/certs/server.crt" --key "$WORK/certs/server.key" 2>>"$WORK/tlsd.log" &
TLSD_PID=$!
tries=0
while [ $tries -lt 300 ] && [ -z "$PORT" ]; do
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/tlsd.log" | head -n 1)
    [ -n "$PORT" ] && break
    kill -0 "$TLSD_PID" 2>/dev/null || break
    sleep 0.1
    tries=$((tries + 1))
done
[ -n "$PORT" ] || { echo "tlsd did not start:"; cat "$WORK/tlsd.log"; exit 1; }

# The keep-alive client: one request, then (once the shell says the reload
# is done) three more on the same connection. Each answer goes to its own
# file: status line, the Strict-Transport-Security line if any, the body.
cat >"$WORK/keepalive.py" <<'EOF_PY'
import os, socket, ssl, sys, time

port, ca, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=ca)
raw = socket.create_connection(("127.0.0.1", port), timeout=10)
tls = context.wrap_socket(raw, server_hostname="localhost")
buffered = b""

def receive_response():
    global buffered
    while b"\r\n\r\n" not in buffered:
        chunk = tls.recv(16384)
        if not chunk:
            raise SystemExit("closed before a response head")
        buffered += chunk
    head, buffered = buffered.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
    while len(buffered) < length:
        chunk = tls.recv(16384)
        if not chunk:
            raise SystemExit("closed in the middle of a body")
        buffered += chunk
    body, buffered = buffered[:length], buffered[length:]
    return lines, body

def ask(path, name):
    tls.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode())
    lines, body = receive_response()
    with open(os.path.join(work, name), "w") as out:
        out.write(lines[0] + "\n")
        for line in lines[1:]:
            if line.lower().startswith("strict-transport-security:"):
                out.write(line + "\n")
        out.write(body.decode("latin-1"))

ask("/page.html", "before.out")
open(os.path.join(work, "first-done"), "w").close()
deadline = time.monotonic() + 20
while not os.path.exists(os.path.join(work, "go")):
    if time.monotonic() > deadline:
        raise SystemExit("the shell never said go")
    time.sleep(0.05)
ask("/page.html", "after.out")
ask("/gone.html", "gone.out")
ask("/page.html", "again.out")
tls.close()
EOF_PY
python3 "$WORK/keepalive.py" "$PORT" "$CA" "$WORK" >"$WORK/keepalive.log" 2>&1 &
CLIENT_PID=$!
wait_for_file() {
    tries=0
    while [ ! -e "$1" ] && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
    [ -e "$1" ]
}
check "the keep-alive connection is served before the reload" wait_for_file "$WORK/first-done"
check "... from the old root" grep -q '^old root$' "$WORK/before.out"

# the reload: another document root, and HSTS on
printf 'workers 1\ndocument_root %s\nhsts 600\n' "$WORK/new" >"$WORK/reload.conf"
kill -HUP "$TLSD_PID"
check "the reload happened, with one connection left on the old configuration" \
    log_has "reloaded: new connections use the new configuration; 1 open connection\(s\) finish on the old one"

# a new connection first: the worker's file cache now holds the new page
curl_tls -i "$(url /page.html)" >"$WORK/new1.out" 2>&1
check "a new connection gets the new root's file" grep -q '^new root' "$WORK/new1.out"
check "... with the new headers" grep -qi '^strict-transport-security: max-age=600' "$WORK/new1.out"

: >"$WORK/go"
wait "$CLIENT_PID"; client_status=$?
check "the keep-alive client finished (status $client_status)" test "$client_status" -eq 0
[ "$client_status" -eq 0 ] || cat "$WORK/keepalive.log"
check "the open connection still gets the old root's file after the reload" \
    sh -c "grep -q '^HTTP/1.1 200' '$WORK/after.out' && grep -q '^old root\$' '$WORK/after.out'"
check "... and a file only the old root has" grep -q '^only in the old root$' "$WORK/gone.out"
check "... and the old headers (no HSTS)" sh -c "! grep -qi strict-transport-security '$WORK/after.out'"
check "... again (the cache did not answer for it)" grep -q '^old root$' "$WORK/again.out"

# and the old connection's lookups did not leave the old page in the cache
curl_tls -i "$(url /page.html)" >"$WORK/new2.out" 2>&1
check "a new connection still gets the new root's file" grep -q '^new root' "$WORK/new2.out"
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /gone.html)")
check "a file only the old root has is 404 to a new connection" test "$code" = 404
check "the old connection closed normally" log_has "closed reason=peer_close requests=4"

stop_tlsd
check "SIGTERM: exit 0" test "$STOP_STATUS" -eq 0
finish
