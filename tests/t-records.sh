#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-records.sh: records made by hand after a real handshake (tests/tlspoke,
# tests/records.c). A GET sealed with keys derived here gets tlsd's 200
# (TLS 1.2 on both Mbed TLS versions, and 1.3 on 3.6), which proves the key
# derivation; then what tlsd does with records no library would send: a
# flipped ciphertext byte, zero-length handshake records, ChangeCipherSpec
# after the handshake (sealed and in the clear), empty application data,
# floods of warning alerts and of ClientHellos asking for a renegotiation
# (Mbed TLS answers each with a no_renegotiation warning). Afterwards tlsd
# still serves and stops cleanly.
#
# What tlsd must do with them: send the alert Mbed TLS queues for a bad
# MAC before it closes; refuse a handshake record after a TLS 1.2
# handshake (renegotiation) from its header, with one fatal
# no_renegotiation alert and one log line, before Mbed TLS answers each
# hello in it; close a connection after more than 3 records in a row
# without data (record_flood); and hold no more memory for a client that
# floods it without reading: its RSS must not grow by 2 MB.
#
# Every run of tlspoke is bounded by its record count and --seconds, and
# stops sending once tlsd's VmRSS has grown by 64 MB (a tlsd without the
# bound would grow to hundreds); only 127.0.0.1 is contacted.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

TLSPOKE=$(test_program tlspoke) || exit 1
[ -r /proc/self/status ] || skip_all "needs /proc to read tlsd's RSS"
ASAN=no
grep -q '__asan_init' "$TLSD" 2>/dev/null && ASAN=yes

start_tlsd
RSS_LIMIT_MB=$(( $(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$TLSD_PID/status") / 1024 + 64 ))

# poke NAME ARGS...: one tlspoke run; its line in $WORK/NAME.out, its
# status in POKE_STATUS
poke() {
    local name=$1; shift
    POKE_STATUS=0
    timeout 40 "$TLSPOKE" --port "$PORT" --cafile "$CA" --seconds 15 --linger 1 --watch-pid "$TLSD_PID" \
        --max-rss-mb "$RSS_LIMIT_MB" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || POKE_STATUS=$?
    echo "$name: $(cat "$WORK/$name.out") (status $POKE_STATUS)"
    sed -n '1,5p' "$WORK/$name.err"
}
# field NAME KEY: a value from NAME's line
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p; s/^$2=\([^ ]*\).*/\1/p" "$WORK/$1.out" | head -n 1; }
# is NAME KEY VALUE
is() { [ "$(field "$1" "$2")" = "$3" ]; }
# rss_grew_less NAME KB: tlspoke saw tlsd's VmRSS peak less than KB above
# where it was when NAME began. Under AddressSanitizer RSS says little
# (freed memory waits in its quarantine): the check is left out there.
rss_grew_less() {
    [ "$ASAN" = yes ] && return 0
    [ $(( $(field "$1" rss_peak_kb) - $(field "$1" rss_start_kb) )) -lt "$2" ]
}

# the control: keys derived by hand open tlsd's answer
poke request --attack request
check "request: tlspoke ran (status $POKE_STATUS)" test "$POKE_STATUS" -eq 0
check "request: tlsd's response opened with the derived keys and says 200" is request http_status 200
check "request: every record of tlsd's opened" is request undecryptable 0
check "request: TLS 1.2" is request tls 1.2
if tls13_available; then
    poke request13 --attack request --tls13
    check "request over TLS 1.3: 200 (status $POKE_STATUS)" is request13 http_status 200
fi

# a flipped ciphertext byte: Mbed TLS queues bad_record_mac, which must leave
poke bad_mac --attack bad_mac
check "bad_mac: tlspoke ran (status $POKE_STATUS)" test "$POKE_STATUS" -eq 0
check "bad_mac: tlsd closed the connection" is bad_mac server_closed yes
check "bad_mac: logged as a MAC failure" log_has 'error="SSL - Verification of the message MAC failed"'
check "bad_mac: tlsd sent a fatal bad_record_mac alert before closing" is bad_mac alert fatal:bad_record_mac
check "bad_mac: ... and closed with a FIN, not a reset" is bad_mac close fin

# records a client has no business sending after the handshake: each
# closes the connection with a fatal alert and a logged reason, the
# floods before tlsd's memory grows (tlspoke does not read)
# flood NAME EXPECTED_ALERT LOG_PATTERN TLSPOKE_ARGS...
flood() {
    local name=$1 alert=$2 pattern=$3
    shift 3
    poke "$name" "$@"
    check "$name: tlspoke ran (status $POKE_STATUS)" test "$POKE_STATUS" -eq 0
    check "$name: tlsd closed the connection with a fatal $alert alert" is "$name" alert "fatal:$alert"
    check "$name: logged: $pattern" log_has "$pattern"
    check "$name: tlsd's RSS grew by less than 2 MB (from $(field "$name" rss_start_kb) kB, peak $(field "$name" rss_peak_kb) kB)" \
        rss_grew_less "$name" 2048
}
flood renegotiation no_renegotiation \
    "closed reason=renegotiation_attempt record_type=handshake alert_sent=no_renegotiation requests=0" \
    --attack renegotiation --no-read --records 2000
check "renegotiation: one line for it, not one per hello" \
    test "$(grep -c 'renegotiation_attempt' "$WORK/tlsd.log")" -eq 1
flood zero_length_handshake no_renegotiation "closed reason=renegotiation_attempt record_type=handshake" \
    --attack zero_length_handshake --no-read --records 2000
flood alert_flood unexpected_message "closed reason=record_flood record_type=alert alert_sent=unexpected_message" \
    --attack warning_alert --no-read --records 20000
flood empty_record unexpected_message \
    "closed reason=record_flood record_type=application_data alert_sent=unexpected_message" \
    --attack empty_record --no-read --records 2000
flood ccs unexpected_message "closed reason=tls_error alert_sent=unexpected_message" \
    --attack ccs --no-read --records 2000
# in the clear, the ChangeCipherSpec fails authentication as a record
flood ccs_plaintext bad_record_mac "closed reason=tls_error requests=0" \
    --attack ccs --plaintext --no-read --records 2000
check "no connection was taken for closed by its peer" sh -c "! grep -q 'reason=peer_close requests=0' '$WORK/tlsd.log'"

# still serving, and a clean stop
check "tlsd is still running" kill -0 "$TLSD_PID"
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")
check "a normal request is served afterwards (status $code)" test "$code" = 200
stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0
finish
