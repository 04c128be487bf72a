#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-logjson.sh: with log_format json every log line is one JSON object,
# even a client_hello line that a client makes longer than a log line on
# purpose (hundreds of groups, signature algorithms and extensions, ALPN
# names full of quotes and backslashes): cut inside a string, closed, and
# marked "truncated":true. The same hello in text format keeps its quotes
# balanced and says truncated=yes.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

command -v jq >/dev/null 2>&1 || skip_all "jq is needed to check the JSON log (apt-get install jq)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to send a crafted ClientHello"

# send_big_hello: one TLS 1.2 ClientHello of about 3 KB whose log line is
# well over 4 KiB, then wait for tlsd to answer or close.
send_big_hello() {
    python3 - "$PORT" <<'EOF'
import socket, struct, sys

def vector(length_bytes, data):
    return len(data).to_bytes(length_bytes, "big") + data

def extension(kind, data):
    return struct.pack("!H", kind) + vector(2, data)

def u16s(values):
    return b"".join(struct.pack("!H", v) for v in values)

groups = [0x0017, 0x0018, 0x0019, 0x001d, 0x001e, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104]
signatures = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401]
alpn = b"".join(vector(1, (b'h"2\\%02d' % i) * 4) for i in range(16))
extensions = (extension(0x000a, vector(2, u16s(groups[i % len(groups)] for i in range(200))))
              + extension(0x000d, vector(2, u16s(signatures[i % len(signatures)] for i in range(200))))
              + extension(0x0010, vector(2, alpn))
              + extension(0x000b, vector(1, b"\x00"))
              + b"".join(extension(0xfa00 + i, b"") for i in range(120)))
suites = u16s([0xc02b, 0xc02f] + [0x1300 + i for i in range(300)])
body = (b"\x03\x03" + bytes(range(32)) + vector(1, b"") + vector(2, suites) + vector(1, b"\x00")
        + vector(2, extensions))
hello = b"\x01" + vector(3, body)
record = b"\x16\x03\x01" + vector(2, hello)
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    s.sendall(record)
    try:
        s.recv(65536)
    except OSError:
        pass
EOF
}

# at debug: the client_hello line carries every list in full
printf 'log_format json\nlog_level debug\n' >"$WORK/empty.conf"
start_tlsd
send_big_hello
check "the big hello is logged" log_has '"stage":"client_hello"'
line=$(grep '"stage":"client_hello"' "$WORK/tlsd.log" | tail -n 1)
length=$(printf '%s\n' "$line" | wc -c)
check "its line is as long as a log line gets ($length bytes)" test "$length" -gt 4000 -a "$length" -le 4096
printf '%s\n' "$line" >"$WORK/hello.json"
check "jq accepts the client_hello line" sh -c 'jq -e . "$1" >/dev/null' sh "$WORK/hello.json"
check "the line says it was truncated" jq -e '.truncated == true' "$WORK/hello.json"
check "the fields before the cut are whole (lists as arrays)" jq -e '.stage == "client_hello" and (.groups[0:2] == ["secp256r1", "secp384r1"])' "$WORK/hello.json"
check "the ALPN names keep their quotes and backslashes" jq -e '.alpn[0] | startswith("h\"2\\00h\"2\\00")' "$WORK/hello.json"
log_has '"event":"closed"' >/dev/null
lines=$(wc -l <"$WORK/tlsd.log")
parsed=$(jq -c . <"$WORK/tlsd.log" 2>/dev/null | wc -l)
check "every JSON log line parses ($parsed of $lines)" test "$lines" -gt 3 -a "$parsed" -eq "$lines"
stop_tlsd
check "tlsd stops cleanly" test "$STOP_STATUS" -eq 0

# the same hello, log_format text (the default)
printf 'log_level debug\n' >"$WORK/empty.conf"
start_tlsd
send_big_hello
check "the big hello is logged in text too" log_has ' stage=client_hello '
line=$(grep ' stage=client_hello ' "$WORK/tlsd.log" | tail -n 1)
check "the text line ends with truncated=yes" sh -c "printf '%s\n' \"\$1\" | grep -q ' truncated=yes\$'" sh "$line"
# quotes balance once escaped quotes and backslashes are taken out
quotes=$(printf '%s' "$line" | sed 's/\\\\//g; s/\\"//g' | tr -cd '"' | wc -c)
check "the text line's quotes balance ($quotes)" test $((quotes % 2)) -eq 0
stop_tlsd

# ---- types, times and names: a handshake, a request, a reload in JSON
printf 'log_format json\nlog_level debug\n' >"$WORK/empty.conf"
start_tlsd
ENDPOINT=/.well-known/tlsd/handshake
curl_tls --tls-max 1.2 -A 'agent "quoted" \x' -o "$WORK/record.json" "$(url $ENDPOINT)"
log_has '"request":"GET '"$ENDPOINT"'"' >/dev/null
kill -HUP "$TLSD_PID"
log_has '"event":"reloaded"' >/dev/null
stop_tlsd
log="$WORK/tlsd.log"
lines=$(wc -l <"$log")
parsed=$(jq -c . <"$log" 2>/dev/null | wc -l)
check "every JSON log line parses ($parsed of $lines)" test "$lines" -gt 10 -a "$parsed" -eq "$lines"
check "every line has ts, RFC 3339 UTC with milliseconds" \
    jq -se 'all(.[]; .ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"))' "$log"
conn=$(jq -r .connection "$WORK/record.json")
# a connection's line for a stage (or its request line)
stage_json() { jq -c "select(.conn == $conn and .stage == \"$1\")" "$log" | tail -n 1; }
stage_json client_hello >"$WORK/hello.json"
stage_json server_hello >"$WORK/server_hello.json"
stage_json established >"$WORK/established.json"
jq -c "select(.conn == $conn and .request != null)" "$log" | tail -n 1 >"$WORK/request.json"
check "client_hello: lists are arrays, counts numbers, the SNI a string" jq -e \
    '(.offered_versions | type) == "array" and (.alpn | type) == "array" and (.cipher_suites | type) == "array"
     and (.offered_suites | type) == "number" and .sni == "localhost" and .from == "client"' "$WORK/hello.json"
check "server_hello: resumed is a boolean, t_ms a number, from the server" jq -e \
    '.resumed == false and (.t_ms | type) == "number" and .from == "server"' "$WORK/server_hello.json"
check "established: resumed a boolean, handshake_ms a number, no from" jq -e \
    '.resumed == false and (.handshake_ms | type) == "number" and has("from") == false' "$WORK/established.json"
check "the request line: numbers, Host, User-Agent as sent, duration_ms" jq -e \
    '.status == 200 and (.bytes | type) == "number" and (.duration_ms | type) == "number"
     and .host == "localhost:'"$PORT"'" and .user_agent == "agent \"quoted\" \\x"' "$WORK/request.json"
check "established has the endpoint's names and values (version, suite, group, alpn, resumed)" jq -en \
    --slurpfile line "$WORK/established.json" --slurpfile record "$WORK/record.json" \
    '[$line[0], $record[0]] | map({version, suite, group, alpn, resumed}) | .[0] == .[1]'
check "client_hello has the endpoint's names and values" jq -en \
    --slurpfile line "$WORK/hello.json" --slurpfile record "$WORK/record.json" \
    '($record[0].client_hello | keys) as $keys | all($keys[]; . as $k | $line[0][$k] == $record[0].client_hello[$k])'
check "the startup line is structured (event, versions as an array)" jq -se \
    'any(.[]; .event == "starting" and (.tls_versions | type) == "array" and (.tlsd_version | type) == "string")' "$log"
check "the ready line is structured (workers a number)" jq -se \
    'any(.[]; .event == "ready" and (.workers | type) == "number" and (.document_root | type) == "string")' "$log"
check "the reload lines are structured" jq -se \
    'any(.[]; .event == "reloading" and .signal == "SIGHUP") and any(.[]; .event == "reloaded" and (.open_connections | type) == "number")' "$log"
check "the stop lines are structured" jq -se \
    'any(.[]; .event == "stopping" and .signal == "SIGTERM") and any(.[]; .event == "stopped")' "$log"
finish
