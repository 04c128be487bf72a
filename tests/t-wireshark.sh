#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-wireshark.sh: a capture of tlsd's traffic decrypts with tlsd's own key
# log, as a reader would do in Wireshark: tshark captures on the loopback
# interface, then reads the capture with tls.keylog_file and finds the HTTP
# request and response inside. Without the key log it finds nothing.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

command -v tshark >/dev/null 2>&1 || skip_all "tshark is needed (apt-get install tshark)"
# capturing needs root or the wireshark group: try it for a second first
# (tshark itself can take over 10 s to start on a loaded machine)
timeout 30 tshark -i lo -a duration:1 -w "$WORK/probe.pcapng" >"$WORK/probe.out" 2>&1 ||
    skip_all "cannot capture on the loopback interface here (needs root or the wireshark group): $(tail -n 1 "$WORK/probe.out")"

printf 'keylog_file %s\n' "$WORK/server.keys" >"$WORK/empty.conf"
start_tlsd

packets() { tshark -r "$WORK/capture.pcapng" 2>/dev/null | wc -l; }

# start_capture: tshark on lo for tlsd's port, and proof that it is live:
# a plain TCP connection to tlsd must show in the file. Under load a
# capture has been seen to announce itself and then record nothing at all
# (CI, the suite running in parallel); such a capture is restarted, up to
# three times, rather than failing the test for the tool's sake.
start_capture() {
    rm -f "$WORK/capture.pcapng"
    tshark -i lo -f "tcp port $PORT" -w "$WORK/capture.pcapng" >"$WORK/tshark.out" 2>&1 &
    TSHARK_PID=$!
    tries=0
    while ! grep -q "Capturing on" "$WORK/tshark.out" 2>/dev/null; do
        if ! kill -0 "$TSHARK_PID" 2>/dev/null || [ $tries -ge 100 ]; then
            kill "$TSHARK_PID" 2>/dev/null
            cat "$WORK/tshark.out"
            skip_all "cannot capture on the loopback interface here (needs root or the wireshark group)"
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    tries=0
    while [ $tries -lt 25 ]; do
        /bin/bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
        sleep 0.2
        [ "$(packets)" -gt 0 ] && return 0
        tries=$((tries + 1))
    done
    kill -INT "$TSHARK_PID" 2>/dev/null
    wait "$TSHARK_PID" 2>/dev/null
    return 1
}
[ -x /bin/bash ] || skip_all "bash is needed for the capture's live check"
attempt=1
until start_capture; do
    echo "# the capture recorded nothing for 5 s (attempt $attempt): restarting it"
    cat "$WORK/tshark.out"
    attempt=$((attempt + 1))
    if [ $attempt -gt 3 ]; then
        fail "tshark captured nothing on lo in 3 attempts"
        finish
    fi
done

fins() { tshark -r "$WORK/capture.pcapng" -Y 'tcp.flags.fin == 1' 2>/dev/null | wc -l; }
sleep 0.5  # the live check's own FINs
fins_before=$(fins)
connections=1
curl_tls --tls-max 1.2 -o /dev/null "$(url /index.html?tls12)"
if tls13_available; then
    curl_tls --tlsv1.3 -o /dev/null "$(url /index.html?tls13)"
    connections=2
fi
# Under load (the suite runs in parallel) dumpcap may write the packets a
# while after curl has finished: wait until every connection's closing FIN
# from both sides is in the file, up to 20 s, instead of a fixed sleep.
tries=0
while [ "$(fins)" -lt $((fins_before + 2 * connections)) ] && [ $tries -lt 100 ]; do
    sleep 0.2
    tries=$((tries + 1))
done
kill -INT "$TSHARK_PID"
wait "$TSHARK_PID" 2>/dev/null
stop_tlsd

decrypt() {
    tshark -r "$WORK/capture.pcapng" -o "tls.keylog_file:$1" -Y http.request -T fields -e http.request.uri 2>/dev/null
}
requests=$(decrypt "$WORK/server.keys")
check "the TLS 1.2 request decrypts with tlsd's key log" sh -c "echo '$requests' | grep -qx '/index.html?tls12'"
if tls13_available; then
    check "the TLS 1.3 request decrypts with tlsd's key log" sh -c "echo '$requests' | grep -qx '/index.html?tls13'"
fi
responses=$(tshark -r "$WORK/capture.pcapng" -o "tls.keylog_file:$WORK/server.keys" \
    -Y 'http.response.code == 200' -T fields -e http.response.code 2>/dev/null | wc -l)
check "the responses decrypt too" test "$responses" -ge 1
: >"$WORK/no.keys"
check "without the key log nothing decrypts (the control)" test -z "$(decrypt "$WORK/no.keys")"
if [ "$FAILURES" -ne 0 ]; then
    echo "--- what was captured: $(tshark -r "$WORK/capture.pcapng" 2>/dev/null | wc -l) packets," \
        "$(fins) FINs (waited $tries x 0.2 s); tshark said:"
    cat "$WORK/tshark.out"
    tshark -r "$WORK/capture.pcapng" 2>&1 | head -n 40
    echo "--- key log labels:"
    cut -d' ' -f1 "$WORK/server.keys" | sort | uniq -c
fi
finish
