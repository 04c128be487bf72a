#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-refuse.sh: what tlsd refuses beyond Mbed TLS's own checks, and the
# alert each failure gets (tests/rawtls.py sends the hand-made hellos):
#   - a ClientHello its own parser finds malformed (a server_name extension
#     that is empty, has trailing bytes or a bad length; Mbed TLS 2.28 does
#     not parse SNI at all): decode_error, logged with the reason;
#   - the alert the RFCs name where Mbed TLS sends none (a point off the
#     curve: illegal_parameter; a message out of order: unexpected_message;
#     a record longer than TLS allows: record_overflow), and no alert at
#     all after the client's own fatal alert;
#   - extended master secret on resumption (RFC 7627 §5.3): a session made
#     with it is not resumed by a hello without it (the handshake is
#     aborted), and a session made without it is never resumed.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

RAWTLS="python3 -B ${TESTS_SRCDIR:-$(dirname "$0")}/rawtls.py"
start_tlsd

# raw CASE: rawtls's one line for CASE, in $WORK/raw.CASE
raw() {
    $RAWTLS --port "$PORT" --case "$@" >"$WORK/raw.$1" 2>&1
    cat "$WORK/raw.$1"
}
# answered CASE ALERT: tlsd sent a fatal ALERT and closed
answered() {
    grep -q " alert=fatal:$2 closed=yes$" "$WORK/raw.$1"
}

raw ok
check "control: a well-formed hello gets tlsd's flight" \
    grep -q "messages=server_hello,certificate,server_key_exchange,server_hello_done .* alert=none" "$WORK/raw.ok"

for case in sni_empty sni_trailing sni_length; do
    raw "$case"
    check "$case: refused with decode_error before any answer" \
        grep -q "messages=none .* alert=fatal:decode_error closed=yes$" "$WORK/raw.$case"
done
# 2.28 leaves SNI to tlsd's parser; 3.6 parses it itself, with the same alert
if tls13_available; then
    check "a malformed hello is logged with its reason" \
        log_has "stage=handshake_failed t_ms=[0-9.]* at=client_hello reason=(malformed_client_hello|tls_error) .*alert_sent=decode_error"
else
    check "the malformed hello is logged: what is wrong, then the refusal" \
        log_has "stage=client_hello .*parse_error=malformed detail=\"extension server_name: malformed\""
    check "... with reason=malformed_client_hello and the alert" \
        log_has "stage=handshake_failed t_ms=[0-9.]* at=client_hello reason=malformed_client_hello alert_sent=decode_error"
fi

raw bad_point
if tls13_available; then
    # 3.6 reports a point it cannot use as a decoding error, and says so itself
    check "a ClientKeyExchange point off the curve: decode_error (Mbed TLS 3.6)" answered bad_point decode_error
else
    check "a ClientKeyExchange point off the curve: illegal_parameter" answered bad_point illegal_parameter
fi
raw early_finished
check "a Finished where the ClientKeyExchange belongs: unexpected_message" answered early_finished unexpected_message
raw old_version
check "a TLS 1.1 hello: protocol_version" answered old_version protocol_version
raw oversized
check "a record longer than TLS allows: record_overflow" answered oversized record_overflow
check "... logged" log_has "reason=tls_error .*alert_sent=record_overflow"
raw client_alert
check "after the client's own fatal alert tlsd sends none, and closes" \
    grep -q " alert=none closed=yes$" "$WORK/raw.client_alert"
check "... and logs the client's alert" log_has "alert_sent=none alert_received=handshake_failure"

# ---- extended master secret and resumption (session ids: no tickets)
session_id() {  # session_id [OPENSSL_CONF]: a full handshake's session id
    OPENSSL_CONF=${1:-} s_client -tls1_2 -no_ticket -CAfile "$CA" </dev/null | sed -n 's/^ *Session-ID: //p'
}
cat >"$WORK/no-ems.cnf" <<'EOF'
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = -ExtendedMasterSecret
EOF

ems_id=$(session_id)
raw resume_ems --session-id "$ems_id"
check "control: a session made with EMS resumes for a hello with EMS" \
    grep -q "messages=server_hello,change_cipher_spec " "$WORK/raw.resume_ems"
raw resume_no_ems --session-id "$ems_id"
check "a session made with EMS, offered without it: the handshake is aborted (handshake_failure)" \
    grep -q "messages=server_hello .* alert=fatal:handshake_failure closed=yes$" "$WORK/raw.resume_no_ems"
check "... logged with the reason, at the ServerHello" \
    log_has "stage=handshake_failed t_ms=[0-9.]* at=server_hello reason=extended_master_secret_missing alert_sent=handshake_failure"

plain_id=$(session_id "$WORK/no-ems.cnf")
check "a full handshake without EMS still works (and gets a session id)" test -n "$plain_id"
raw resume_ems --session-id "$plain_id"
check "a session made without EMS is not resumed for a hello with EMS: a full handshake" \
    grep -q "messages=server_hello,certificate,server_key_exchange,server_hello_done .* alert=none" \
    "$WORK/raw.resume_ems"
raw resume_no_ems --session-id "$plain_id"
check "... nor for a hello without it" \
    grep -q "messages=server_hello,certificate,server_key_exchange,server_hello_done .* alert=none" \
    "$WORK/raw.resume_no_ems"
OPENSSL_CONF=$WORK/no-ems.cnf s_client -tls1_2 -CAfile "$CA" -sess_out "$WORK/plain.sess" </dev/null >"$WORK/plain-ticket"
check "a client without EMS gets no session ticket to resume with" \
    sh -c "! grep -q 'TLS session ticket:' '$WORK/plain-ticket'"

stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0
finish
