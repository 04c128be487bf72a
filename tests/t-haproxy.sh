#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-haproxy.sh: a fleet of two tlsd instances behind HAProxy (TCP mode,
# PROXY protocol v2, round robin, HTTPS health checks), sharing one
# ticket_key_file:
#   - the logs and the handshake record show the client's real address;
#   - a session made through one instance resumes on the other, also after
#     a key rotation, and not after the keys are replaced (the control);
#   - PROXY headers are taken only from proxy_from, strictly parsed, and
#     timed (v1 by hand, whole and in pieces; malformed; none at all);
#   - stopping one instance mid-run leaves the other serving, with no
#     failed request after the failover window.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/fleet.sh"

fleet_test_setup "$TLSD_WWW"
FAILOVER_WINDOW=2   # seconds after the stop in which a request may still fail

cleanup() {
    fleet_stop_all
    rm -rf "$WORK"
}
finish_fleet() {
    if [ "$FAILURES" -ne 0 ]; then
        for log in "$WORK/a.log" "$WORK/b.log" "$WORK/haproxy.log"; do
            echo "--- $log ---"
            tail -n 40 "$log" 2>/dev/null
        done
    fi
    finish
}

# which_instance PORT: the instance whose log shows a client at 127.0.0.2:PORT
which_instance() {
    local name
    for name in a b; do
        if grep -q "peer=127\\.0\\.0\\.2:$1 .*stage=client_hello" "$WORK/$name.log"; then
            echo "$name"
            return
        fi
    done
    echo none
}

# json_count FILE EXPRESSION: how many result lines satisfy a Python expression over `r`
json_count() {
    python3 -c 'import json, sys
expression = sys.argv[2]
print(sum(1 for line in open(sys.argv[1]) if eval(expression, {}, {"r": json.loads(line)})))' "$1" "$2"
}

# the complete haproxy.cfg of docs/deploying.md is one HAProxy accepts
awk '/^```haproxy$/ { inside = 1; next } /^```$/ { inside = 0 } inside' \
    "$TESTS_SRCDIR/../docs/deploying.md" >"$WORK/documented.cfg"
check "docs/deploying.md's haproxy.cfg passes haproxy -c" \
    sh -c "test -s '$WORK/documented.cfg' && haproxy -c -f '$WORK/documented.cfg' >'$WORK/haproxy-c.out' 2>&1"

"$TLSD_MKCERT" --ticket-keys "$FLEET_TICKET_KEYS" >"$WORK/keys.out" 2>&1 || {
    echo "tlsd-mkcert --ticket-keys failed:"; cat "$WORK/keys.out"; exit 1; }
fleet_start_instance a "proxy_protocol_timeout 2" || exit 1
fleet_start_instance b "proxy_protocol_timeout 2" || exit 1
check "a says its listener expects PROXY headers" grep -q "listening on 127.0.0.1:$a_port, PROXY protocol" "$WORK/a.log"
key_a=$(sed -n 's/.*new tickets use key \([0-9a-f]*\).*/\1/p' "$WORK/a.log" | head -n 1)
key_b=$(sed -n 's/.*new tickets use key \([0-9a-f]*\).*/\1/p' "$WORK/b.log" | head -n 1)
check "both instances issue tickets with the same key from the file ($key_a, $key_b)" \
    test -n "$key_a" -a "$key_a" = "$key_b"
fleet_start_haproxy a b || exit 1
check "HAProxy's health checks (HTTPS with a PROXY header) find a UP" fleet_wait_state a UP
check "... and b UP" fleet_wait_state b UP
check "a health check is a LOCAL header: the proxy's own address is logged" \
    log_has "peer=127\\.0\\.0\\.3:[0-9]+ .*stage=established" "$WORK/a.log"

# ---- real client addresses, round robin
fleet_client --source 127.0.0.2 --count 6 --no-resume >"$WORK/plain.json"
ok=$(json_count "$WORK/plain.json" 'r["ok"]')
check "6 requests through HAProxy from 127.0.0.2, 6 answered ($ok)" test "$ok" -eq 6
on_a=0 on_b=0 unknown=0
for port in $(python3 -c 'import json, sys
for line in open(sys.argv[1]): print(json.loads(line)["local_port"])' "$WORK/plain.json"); do
    case $(which_instance "$port") in
        a) on_a=$((on_a + 1)) ;;
        b) on_b=$((on_b + 1)) ;;
        *) unknown=$((unknown + 1)) ;;
    esac
done
check "each request is in one instance's log under the client's real address and port (a $on_a, b $on_b, missing $unknown)" \
    test "$unknown" -eq 0
check "round robin: both instances served ($on_a + $on_b)" test "$on_a" -ge 1 -a "$on_b" -ge 1

local_port=$(curl -sS --noproxy '*' --max-time 10 --cacert "$CA" --interface 127.0.0.2 \
    --resolve "localhost:$HAPROXY_PORT:127.0.0.1" -o "$WORK/record.json" -w '%{local_port}' \
    "https://localhost:$HAPROXY_PORT/.well-known/tlsd/handshake")
check "the handshake record names the client, 127.0.0.2:$local_port" \
    grep -q "\"peer\":\"127\\.0\\.0\\.2:$local_port\"" "$WORK/record.json"

# ---- resumption across instances (only tickets can: the session-ID cache is per instance)
resume_across() {  # resume_across LABEL fleet-client-options...
    local label=$1
    shift
    : >"$WORK/a.mark"; : >"$WORK/b.mark"
    lines_a=$(wc -l <"$WORK/a.log"); lines_b=$(wc -l <"$WORK/b.log")
    fleet_client --count 5 "$@" >"$WORK/resume.json"
    ok=$(json_count "$WORK/resume.json" 'r["ok"]')
    resumed=$(json_count "$WORK/resume.json" 'r["resumed"]')
    check "$label: 5 requests answered ($ok), the last 4 resumed ($resumed)" test "$ok" -eq 5 -a "$resumed" -eq 4
    resumed_a=$(tail -n +"$((lines_a + 1))" "$WORK/a.log" | grep -c 'peer=127\.0\.0\.1:.*stage=established.*resumed=yes')
    resumed_b=$(tail -n +"$((lines_b + 1))" "$WORK/b.log" | grep -c 'peer=127\.0\.0\.1:.*stage=established.*resumed=yes')
    check "$label: both instances resumed sessions (a $resumed_a, b $resumed_b), one of them a session the other made" \
        test "$resumed_a" -ge 1 -a "$resumed_b" -ge 1
}
resume_across "TLS 1.2" --tls 1.2
if tls13_available; then
    resume_across "TLS 1.3" --tls 1.3
fi

# ---- key rotation keeps sessions; new keys (the control) do not
hp_client() {  # hp_client s_client-options...: through HAProxy, TLS 1.2, from 127.0.0.1
    timeout 10 openssl s_client -connect "127.0.0.1:$HAPROXY_PORT" -servername localhost -tls1_2 \
        -CAfile "$CA" "$@" </dev/null 2>&1
}
reload_both() {  # reload_both PATTERN: SIGHUP both, wait for PATTERN in both logs
    : >"$WORK/reload.mark"
    local name pid
    for name in a b; do
        eval "pid=\$${name}_pid"
        lines=$(wc -l <"$WORK/$name.log")
        kill -HUP "$pid"
        tries=0
        until tail -n +"$((lines + 1))" "$WORK/$name.log" | grep -Eq -- "$1"; do
            tries=$((tries + 1))
            [ $tries -ge 50 ] && return 1
            sleep 0.1
        done
    done
}
hp_client -sess_out "$WORK/session" >/dev/null
"$TLSD_MKCERT" --rotate-ticket-keys "$FLEET_TICKET_KEYS" >"$WORK/rotate.out" 2>&1
check "tlsd-mkcert --rotate-ticket-keys puts a new key first, keeps the old" \
    test "$(grep -c '^[0-9a-f]\{96\}$' "$FLEET_TICKET_KEYS")" -eq 2
check "SIGHUP: both instances re-read the key file" reload_both "ticket keys: 2 from "
resumed_of_two() {  # two connections offering the saved session: how many resumed
    local i count=0
    for i in 1 2; do
        hp_client -sess_in "$WORK/session" >"$WORK/s_client.out"
        grep -q '^Reused, TLSv1.2' "$WORK/s_client.out" && count=$((count + 1))
    done
    echo "$count"
}
resumed=$(resumed_of_two)
check "after the rotation, a ticket from before resumes on both instances ($resumed of 2)" test "$resumed" -eq 2

cp "$FLEET_TICKET_KEYS" "$WORK/good.keys"
printf 'not a key\n' >"$FLEET_TICKET_KEYS"
check "a bad key file fails the reload, naming the line" \
    reload_both "reload failed, the running configuration stays: ticket_key_file .*ticket.keys:1: "
hp_client -sess_in "$WORK/session" >"$WORK/s_client.out"
check "... and the keys in use stay: the ticket still resumes" grep -q '^Reused, TLSv1.2' "$WORK/s_client.out"

"$TLSD_MKCERT" --force --ticket-keys "$FLEET_TICKET_KEYS" >/dev/null 2>&1
reload_both "ticket keys: 1 from " || fail "reload with a new key file"
resumed=$(resumed_of_two)
check "control: with unrelated keys, the old ticket resumes nowhere ($resumed of 2)" test "$resumed" -eq 0
cp "$WORK/good.keys" "$FLEET_TICKET_KEYS"
reload_both "ticket keys: 2 from " || fail "reload with the good key file"

# ---- PROXY headers: only from proxy_from, strictly parsed, on time
python3 - "$a_port" >"$WORK/probe.out" 2>&1 <<'EOF'
import socket, ssl, sys, time
port = int(sys.argv[1])
context = ssl.create_default_context(cafile=None)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE

def connect(source):
    return socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))

def closed(raw):
    """Whether tlsd closed the connection (a reset too: it did not read all we sent)."""
    raw.settimeout(10)
    try:
        return raw.recv(100) == b""
    except ConnectionResetError:
        return True

def record_through(raw):
    with context.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"GET /.well-known/tlsd/handshake HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = tls.recv(65536)
            if not chunk:
                return data.decode("latin-1")
            data += chunk

# a whole version 1 header, then TLS
raw = connect("127.0.0.3")
raw.sendall(b"PROXY TCP4 198.51.100.7 127.0.0.1 51234 443\r\n")
print("v1 whole:", "198.51.100.7:51234" in record_through(raw))
# the same in three pieces, with pauses: tlsd must wait, not fail or spin
raw = connect("127.0.0.3")
for piece in (b"PROXY TCP6 2001:db8::", b"42 ::1 40", b"001 443\r\n"):
    raw.sendall(piece)
    time.sleep(0.2)
print("v1 pieces:", "[2001:db8::42]:40001" in record_through(raw))
# malformed: tlsd closes without a word
raw = connect("127.0.0.3")
raw.sendall(b"PROXY TCP4 198.51.100.7 127.0.0.1 51234 99999\r\n")
print("malformed closed:", closed(raw))
# a TLS ClientHello with no header at all (a client that bypassed the balancer)
raw = connect("127.0.0.3")
try:
    context.wrap_socket(raw, server_hostname="localhost")
    print("bypass closed: False")
except (ssl.SSLError, OSError):
    print("bypass closed: True")
# not in proxy_from: closed at once, before any byte is read
raw = connect("127.0.0.1")
raw.sendall(b"PROXY TCP4 203.0.113.9 127.0.0.1 1111 443\r\n")
print("outsider closed:", closed(raw))
# nothing at all: proxy_protocol_timeout (2 s here) closes it
raw = connect("127.0.0.3")
started = time.monotonic()
print("silent closed:", closed(raw), round(time.monotonic() - started, 1))
EOF
check "a v1 header sent whole gives the handshake record the client's address" grep -q 'v1 whole: True' "$WORK/probe.out"
check "a v1 header in three pieces too (IPv6 client)" grep -q 'v1 pieces: True' "$WORK/probe.out"
check "... and the log line carries it" grep -q 'peer=\[2001:db8::42\]:40001 .*stage=established' "$WORK/a.log"
check "a malformed header is refused" grep -q 'malformed closed: True' "$WORK/probe.out"
check "... logged as proxy_header_invalid, naming the field" \
    grep -Eq 'peer=127\.0\.0\.3:[0-9]+ stage=handshake_failed .*at=proxy_header reason=proxy_header_invalid detail=".*port' "$WORK/a.log"
check "a ClientHello without a header is refused" grep -q 'bypass closed: True' "$WORK/probe.out"
check "... saying the client did not come through the load balancer" \
    grep -q 'reason=proxy_header_invalid detail=".*TLS' "$WORK/a.log"
check "a peer outside proxy_from is refused" grep -q 'outsider closed: True' "$WORK/probe.out"
check "... logged as proxy_not_allowed under its own address" \
    grep -Eq 'peer=127\.0\.0\.1:[0-9]+ stage=handshake_failed .*reason=proxy_not_allowed' "$WORK/a.log"
check "... and never as the address it claimed" sh -c "! grep -q '203\\.0\\.113\\.9' '$WORK/a.log'"
# a lower bound only: the timer cannot fire early, but a loaded machine may be late
check "a silent connection is closed after proxy_protocol_timeout, not before" \
    grep -Eq 'silent closed: True ([2-9]|1\.9)' "$WORK/probe.out"
check "... logged as proxy_header_timeout" grep -q 'reason=proxy_header_timeout' "$WORK/a.log"

# ---- failover: stop a mid-run
# 400 requests (8 s at the pace asked); a loaded machine gets up to 30 s to
# make them, so that enough come after the failover window
fleet_client --source 127.0.0.2 --count 400 --seconds 30 --interval 0.02 >"$WORK/failover.json" &
CLIENT=$!
tries=0
while [ "$(wc -l <"$WORK/failover.json")" -lt 20 ] && [ $tries -lt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
stopped_at=$(python3 -c 'import time; print(round(time.time(), 4))')
fleet_stop_instance a TERM
check "HAProxy marks the stopped instance DOWN" fleet_wait_state a DOWN 5
wait "$CLIENT"
total=$(wc -l <"$WORK/failover.json")
failed=$(json_count "$WORK/failover.json" 'not r["ok"]')
after=$(json_count "$WORK/failover.json" "r['wall'] > $stopped_at + $FAILOVER_WINDOW")
failed_after=$(json_count "$WORK/failover.json" "r['wall'] > $stopped_at + $FAILOVER_WINDOW and not r['ok']")
echo "# failover: $total requests, $failed failed in all, $after after the ${FAILOVER_WINDOW} s window, $failed_after of them failed"
check "requests went on after the failover window ($after)" test "$after" -ge 20
check "no failed request after the failover window ($failed_after of $after)" test "$failed_after" -eq 0
check "b is still UP and serving" fleet_wait_state b UP
fleet_stop_instance b TERM
finish_fleet
