#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-workers.sh: `workers 2` runs two event loops (threads) on one port with
# SO_REUSEPORT: every request is served, sessions resume whichever worker
# takes the next connection (one session cache and one ticket key for all),
# a reload reaches every worker, a port in use is still an error, and
# SIGTERM stops them all.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

printf 'workers 2\n' >"$WORK/empty.conf"
start_tlsd
check "the log says two workers" log_has "ready: serving .* with 2 worker\\(s\\)"
# worker 0 is the main thread; the others are threads of their own
threads=$(cat /proc/"$TLSD_PID"/task/*/comm 2>/dev/null | grep -c '^tlsd-worker-')
check "one more worker thread runs beside the main one ($threads)" test "$threads" -eq 1

served=0
for i in $(seq 1 30); do
    code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /index.html?n=$i)")
    [ "$code" = 200 ] && served=$((served + 1))
done
check "30 connections, 30 answers ($served)" test "$served" -eq 30

# Connections spread over the workers by the kernel's hash of the client
# port, so six resumptions land on both of them with near certainty.
resume_all() {  # resume_all LABEL s_client-options...
    local label=$1 resumed=0; shift
    s_client -tls1_2 "$@" -sess_out "$WORK/sess" -CAfile "$CA" </dev/null >/dev/null
    for i in $(seq 1 6); do
        s_client -tls1_2 "$@" -sess_in "$WORK/sess" -CAfile "$CA" </dev/null >"$WORK/resumed"
        grep -q "^Reused, TLSv1.2" "$WORK/resumed" && resumed=$((resumed + 1))
    done
    check "$label: 6 of 6 connections resumed ($resumed)" test "$resumed" -eq 6
}
resume_all "session id (the shared cache)" -no_ticket
resume_all "session ticket (the shared key)"

kill -HUP "$TLSD_PID"
check "a reload with two workers" log_has "reloaded: new connections use the new configuration"
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")
check "served after the reload" test "$code" = 200
# a session from before the reload still resumes after it
s_client -tls1_2 -sess_in "$WORK/sess" -CAfile "$CA" </dev/null >"$WORK/resumed"
check "a ticket from before the reload resumes after it" grep -q "^Reused, TLSv1.2" "$WORK/resumed"

# A second tlsd with workers on the same port must fail, not share it.
"$TLSD" -c "$WORK/empty.conf" -l "127.0.0.1:$PORT" --cert "$WORK/certs/server.crt" \
    --key "$WORK/certs/server.key" --root "$TLSD_WWW" >"$WORK/second.out" 2>&1 &
SECOND=$!
( sleep 10; kill "$SECOND" 2>/dev/null ) &
WATCHDOG=$!
status=0
wait "$SECOND" || status=$?
kill "$WATCHDOG" 2>/dev/null
check "a second tlsd on the same port exits 2 (status $status)" test "$status" -eq 2
check "... saying the address is in use" grep -q "Address already in use" "$WORK/second.out"

stop_tlsd
check "SIGTERM stops both workers, exit 0" test "$STOP_STATUS" -eq 0
check "one 'stopped' line" test "$(grep -c 'stopped$' "$WORK/tlsd.log")" -eq 1
finish
