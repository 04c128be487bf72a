#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-policy.sh: the TLS policy: TLS 1.2 (ECDHE + AEAD only) and, on Mbed
# TLS 3.6, TLS 1.3; TLS 1.0/1.1 and non-AEAD suites refused; ECDSA and RSA
# certificates.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

start_tlsd

# failed_handshakes: how many handshake_failed lines tlsd has logged
failed_handshakes() { grep -c "stage=handshake_failed" "$WORK/tlsd.log"; }

# TLS 1.2 with ECDHE-ECDSA and each AEAD
for suite in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
    s_client -tls1_2 -cipher "$suite" -CAfile "$CA" </dev/null >"$WORK/s12"
    check "TLS 1.2 with $suite is accepted" grep -q "Cipher is $suite" "$WORK/s12"
done
check "TLS 1.2 offers the X25519 group first" sh -c "grep -q 'Server Temp Key: X25519' '$WORK/s12'"

# TLS 1.1 and 1.0 are refused by the server (the client is told to allow them)
before=$(failed_handshakes)
s_client -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null >"$WORK/s11"
check "a TLS 1.1-only client gets no session" sh -c "! grep -q 'Cipher is ECDHE' '$WORK/s11'"
check "tlsd logged the refused TLS 1.1 handshake" log_has "stage=handshake_failed"
check "the refusal is tlsd's (its failure count went up)" test "$(failed_handshakes)" -gt "$before"
before=$(failed_handshakes)
s_client -tls1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null >"$WORK/s10"
check "a TLS 1.0-only client gets no session" sh -c "! grep -q 'Cipher is ECDHE' '$WORK/s10'"
sleep 0.2
check "tlsd logged the refused TLS 1.0 handshake" test "$(failed_handshakes)" -gt "$before"

# non-AEAD and non-ECDHE suites are refused
for suite in ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES128-SHA AES128-GCM-SHA256; do
    before=$(failed_handshakes)
    s_client -tls1_2 -cipher "$suite" </dev/null >"$WORK/sbad"
    check "TLS 1.2 with only $suite is refused" sh -c "! grep -q 'Cipher is $suite' '$WORK/sbad'"
    sleep 0.2
    check "tlsd logged the refused $suite handshake" test "$(failed_handshakes)" -gt "$before"
done

# TLS 1.3: served on Mbed TLS 3.6, refused on 2.28
if tls13_available; then
    s_client -tls1_3 -CAfile "$CA" </dev/null >"$WORK/s13"
    check "a TLS 1.3 client connects" grep -Eq "New, TLSv1.3, Cipher is TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)" "$WORK/s13"
    code=$(curl_tls --tlsv1.3 -o /dev/null -w '%{http_code}' "$(url /)")
    check "curl over TLS 1.3 gets 200" test "$code" = 200
    check "tlsd logged a TLS 1.3 session" log_has "stage=established .*version=TLS1\.3"
    for suite in TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
        s_client -tls1_3 -ciphersuites "$suite" -CAfile "$CA" </dev/null >"$WORK/s13b"
        check "TLS 1.3 with $suite is accepted" grep -q "Cipher is $suite" "$WORK/s13b"
    done
else
    before=$(failed_handshakes)
    s_client -tls1_3 </dev/null >"$WORK/s13"
    check "on Mbed TLS 2.28 a TLS 1.3-only client gets no session" sh -c "! grep -q 'Cipher is TLS_' '$WORK/s13'"
    sleep 0.2
    check "tlsd logged the refused TLS 1.3-only handshake" test "$(failed_handshakes)" -gt "$before"
fi

# default curl: the best version both sides speak
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")
check "curl with defaults gets 200" test "$code" = 200

# client-initiated renegotiation is refused with a no_renegotiation alert,
# at the fatal level: the connection is closed (one line says why), so a
# request after it gets no answer
(printf 'R\n'; sleep 1; printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | s_client -tls1_2 -CAfile "$CA" >"$WORK/reneg"
check "client-initiated renegotiation is refused" grep -q "RENEGOTIATING" "$WORK/reneg"
check "the client was told: no renegotiation, fatal (an error, not a warning)" \
    grep -q "error:.*alert no renegotiation" "$WORK/reneg"
check "the connection was closed: no answer to a request after it" sh -c "! grep -q 'HTTP/1.1' '$WORK/reneg'"
check "tlsd logged the close with its reason and the alert" \
    log_has "closed reason=renegotiation_attempt record_type=handshake alert_sent=no_renegotiation requests=0 "
check "one line for it, however many hellos" test "$(grep -c renegotiation_attempt "$WORK/tlsd.log")" -eq 1
stop_tlsd

# an RSA certificate: ECDHE-RSA suites
make_pki "$WORK/rsa" --rsa
cp "$WORK/rsa/"* "$WORK/certs/"
CA="$WORK/certs/ca.crt"
start_tlsd
s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -CAfile "$CA" -verify_return_error </dev/null >"$WORK/srsa"
check "an RSA chain serves ECDHE-RSA-AES128-GCM-SHA256" grep -q "Cipher is ECDHE-RSA-AES128-GCM-SHA256" "$WORK/srsa"
check "the RSA chain verifies" grep -q "Verify return code: 0 (ok)" "$WORK/srsa"
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")
check "curl gets 200 from the RSA server" test "$code" = 200
stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0
finish
