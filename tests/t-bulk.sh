#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-bulk.sh: large bodies arrive byte for byte through a slow reader (a
# small receive buffer, reading in bursts with pauses), so that tlsd waits
# for the socket in the middle of a file and of a cached body again and
# again (what it had read ahead and not yet encrypted is given back and
# read again); three pipelined requests on one connection, the access
# log's bytes= right for each. Through curl too, with a rate limit.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed"

DOCROOT="$WORK/www"
mkdir "$DOCROOT"
# an odd size: the last record is short, and no read ends on a record
head -c 6000017 /dev/urandom >"$DOCROOT/big.bin"
# under the file cache's limit (64 KiB): sent from memory
head -c 50001 /dev/urandom >"$DOCROOT/cached.bin"
printf 'workers 1\nlog_level info\n' >"$WORK/empty.conf"
start_tlsd

cat >"$WORK/slow.py" <<'EOF'
import socket, ssl, sys, time
port, ca, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=ca)
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
sock.settimeout(20)
sock.connect(("127.0.0.1", port))
tls = context.wrap_socket(sock, server_hostname="localhost")
paths = ["/big.bin", "/cached.bin", "/big.bin"]
request = "".join("GET %s HTTP/1.1\r\nHost: localhost\r\n%s\r\n"
                  % (p, "Connection: close\r\n" if i == len(paths) - 1 else "")
                  for i, p in enumerate(paths))
tls.sendall(request.encode())
data = bytearray()
reads = 0
while True:
    chunk = tls.recv(16384)
    if not chunk:
        break
    data += chunk
    reads += 1
    if reads % 8 == 0:
        time.sleep(0.002)
for i, path in enumerate(paths):
    end = data.index(b"\r\n\r\n") + 4
    head = data[:end].decode("latin-1")
    length = int([l.split(":")[1] for l in head.split("\r\n") if l.lower().startswith("content-length:")][0])
    if not head.startswith("HTTP/1.1 200"):
        sys.exit("%s: %s" % (path, head.splitlines()[0]))
    with open("%s.%d" % (out, i), "wb") as f:
        f.write(data[end:end + length])
    data = data[end + length:]
if data:
    sys.exit("%d bytes after the last response" % len(data))
EOF
check "three pipelined responses read slowly" timeout 60 python3 "$WORK/slow.py" "$PORT" "$CA" "$WORK/got"
check "the first 6 MB file arrives intact" cmp -s "$WORK/got.0" "$DOCROOT/big.bin"
check "the cached 50 KB file arrives intact" cmp -s "$WORK/got.1" "$DOCROOT/cached.bin"
check "the second 6 MB file arrives intact" cmp -s "$WORK/got.2" "$DOCROOT/big.bin"
check "the log counts each body's bytes" \
    test "$(grep -c -E 'request="GET /big.bin" status=200 bytes=6000017( |$)' "$WORK/tlsd.log")" -eq 2
check "the log counts the cached body's bytes" \
    grep -q -E 'request="GET /cached.bin" status=200 bytes=50001( |$)' "$WORK/tlsd.log"

curl_tls --limit-rate 3M -o "$WORK/curl.bin" "$(url /big.bin)"
check "a rate-limited curl gets the file intact" cmp -s "$WORK/curl.bin" "$DOCROOT/big.bin"
curl_tls -o "$WORK/fast.bin" "$(url /big.bin)"
check "a fast curl gets the file intact" cmp -s "$WORK/fast.bin" "$DOCROOT/big.bin"
stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0
finish
