#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-hslog.sh: the handshake stage log. Every stage in wire order for full
# and resumed TLS 1.2 handshakes, TLS 1.3 (with a HelloRetryRequest and a
# PSK resumption) on Mbed TLS 3.6, what the client offered, failures with
# the alert sent, JSON lines that parse, and a key log that matches the
# client's own byte for byte.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

command -v jq >/dev/null 2>&1 || skip_all "jq is needed to check the JSON log (apt-get install jq)"

# stages_of CONN: the stage names of one connection, in log order
stages_of() {
    sed -n "s/.* conn=$1 .*stage=\([a-z_0-9]*\) .*/\1/p" "$WORK/tlsd.log" | tr '\n' ' ' | sed 's/ $//'
}
# last_conn: the id of the newest connection in the log
last_conn() {
    sed -n 's/.* conn=\([0-9]*\) .*/\1/p' "$WORK/tlsd.log" | sort -n | tail -n 1
}
# expect_stages DESCRIPTION "stage stage ...": the newest connection's stages
expect_stages() {
    log_has "conn=$(last_conn) .*(stage=established|stage=handshake_failed)" >/dev/null
    sleep 0.1
    got=$(stages_of "$(last_conn)")
    if [ "$got" = "$2" ]; then pass "$1"; else fail "$1: got '$got', expected '$2'"; fi
}
stage_line() {  # stage_line STAGE: the newest connection's line for STAGE
    grep " conn=$(last_conn) .*stage=$1 " "$WORK/tlsd.log" | tail -n 1
}

TLS12_FULL="client_hello server_hello certificate server_key_exchange server_hello_done client_key_exchange change_cipher_spec_client finished_client new_session_ticket change_cipher_spec_server finished_server established"
TLS13_FULL="client_hello server_hello encrypted_extensions certificate certificate_verify finished_server finished_client new_session_ticket established"

printf 'keylog_file %s\n' "$WORK/server.keys" >"$WORK/empty.conf"
start_tlsd
check "a key log warns at startup that it weakens secrecy" log_has "keylog_file .*anyone who can read it can decrypt"

# ---- TLS 1.2, full handshake, curl
# openssl offers a session ticket, so the server sends one
s_client -tls1_2 -CAfile "$CA" </dev/null >/dev/null
expect_stages "TLS 1.2 full handshake: the classic stages in wire order" "$TLS12_FULL"
# curl does not ask for a ticket: no new_session_ticket
SSLKEYLOGFILE="$WORK/client.keys" curl_tls --tls-max 1.2 -o /dev/null "$(url /)"
expect_stages "TLS 1.2 full handshake without a ticket (curl)" "$(echo "$TLS12_FULL" | sed 's/ new_session_ticket//')"
hello=$(stage_line client_hello)
check "client_hello names the SNI" sh -c "echo '$hello' | grep -q ' sni=localhost '"
check "client_hello lists the ALPN offered" sh -c "echo '$hello' | grep -Eq ' alpn=(h2,)?http/1.1 '"
check "client_hello counts the offered suites" sh -c "echo '$hello' | grep -Eq ' offered_suites=[1-9][0-9]* '"
check "client_hello at info counts groups and extensions" sh -c "echo '$hello' | grep -Eq ' offered_groups=[1-9][0-9]* offered_extensions=[1-9][0-9]* '"
check "client_hello at info is short: no full lists, no JA3" sh -c "! echo '$hello' | grep -Eq ' (record_version|client_version|cipher_suites|groups|key_shares|signature_algorithms|extensions|session_id_length|ja3)='"
check "client_hello at info has the JA4 fingerprint" sh -c "echo '$hello' | grep -Eq ' ja4=t1[23]d[0-9]{4}[a-z0-9]{2}_[0-9a-f]{12}_[0-9a-f]{12}( |\$)'"
check "server_hello says what was chosen, with IANA's and OpenSSL's suite names" sh -c "grep ' conn=$(last_conn) .*stage=server_hello ' '$WORK/tlsd.log' | grep -q 'version=TLS1.2 suite=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 suite_openssl=ECDHE-ECDSA-AES128-GCM-SHA256 resumed=no alpn=http/1.1'"
# from=: who sent each message, for every stage of the full handshake
from_of() {  # from_of STAGE: the from= of the newest connection's STAGE line, "-" if none
    stage_line "$1" | sed -n 's/.* from=\([a-z]*\) .*/\1/p' | grep . || echo -
}
got_from=""
for stage in $(echo "$TLS12_FULL" | sed 's/ new_session_ticket//'); do
    got_from="$got_from $stage:$(from_of "$stage")"
done
check "each stage line says who sent it (from=client|server)" test "$got_from" = \
    " client_hello:client server_hello:server certificate:server server_key_exchange:server server_hello_done:server client_key_exchange:client change_cipher_spec_client:client finished_client:client change_cipher_spec_server:server finished_server:server established:-"
check "certificate shows the chain: leaf then intermediate" sh -c "grep ' conn=$(last_conn) .*stage=certificate ' '$WORK/tlsd.log' | grep -q 'cert0_subject=\"CN=localhost.*cert0_key=EC-256.*cert1_subject=\"CN=tlsd development intermediate CA.*chain_length=2'"
check "server_key_exchange names group and signature" sh -c "grep ' conn=$(last_conn) .*stage=server_key_exchange ' '$WORK/tlsd.log' | grep -q 'group=x25519 signature_algorithm=ecdsa_secp256r1_sha256'"
check "established sums it up" sh -c "grep ' conn=$(last_conn) .*stage=established ' '$WORK/tlsd.log' | grep -Eq 'version=TLS1.2 suite=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 suite_openssl=ECDHE-ECDSA-AES128-GCM-SHA256 group=x25519 resumed=no .*handshake_ms=[0-9.]+'"
check "t_ms has microsecond resolution" sh -c "grep ' conn=$(last_conn) .*stage=finished_server ' '$WORK/tlsd.log' | grep -Eq 't_ms=[0-9]+\.[0-9]{3}( |\$)'"

# ---- key log: the client's CLIENT_RANDOM line, byte for byte
server_line=$(grep '^CLIENT_RANDOM ' "$WORK/server.keys" | tail -n 1)
check "the key log has a CLIENT_RANDOM line" test -n "$server_line"
check "tlsd's CLIENT_RANDOM line equals curl's" grep -qxF "$server_line" "$WORK/client.keys"
check "the key log file is mode 0600" test "$(stat -c %a "$WORK/server.keys")" = 600
secret=$(echo "$server_line" | cut -d' ' -f3)
check "no secret appears in the log" sh -c "! grep -q '$secret' '$WORK/tlsd.log'"

# ---- TLS 1.2 resumption: session id cache, then ticket
s_client -tls1_2 -no_ticket -sess_out "$WORK/sess12" -CAfile "$CA" </dev/null >/dev/null
s_client -tls1_2 -no_ticket -sess_in "$WORK/sess12" -CAfile "$CA" </dev/null >"$WORK/resumed12"
check "openssl reused the TLS 1.2 session (session id)" grep -q "^Reused, TLSv1.2" "$WORK/resumed12"
expect_stages "TLS 1.2 resumed by session id: the short sequence" \
    "client_hello server_hello change_cipher_spec_server finished_server change_cipher_spec_client finished_client established"
check "the resumed client_hello shows it offered a session id" sh -c "grep ' conn=$(last_conn) .*stage=client_hello ' '$WORK/tlsd.log' | grep -q 'resumption_offered=session_id'"
check "the resumed established line says resumed=yes" sh -c "grep ' conn=$(last_conn) .*stage=established ' '$WORK/tlsd.log' | grep -q 'resumed=yes'"
s_client -tls1_2 -sess_out "$WORK/ticket12" -CAfile "$CA" </dev/null >/dev/null
s_client -tls1_2 -sess_in "$WORK/ticket12" -CAfile "$CA" </dev/null >"$WORK/resumedt"
check "openssl reused the TLS 1.2 session (ticket)" grep -q "^Reused, TLSv1.2" "$WORK/resumedt"
got=$(stages_of "$(last_conn)")
case "$got" in
"client_hello server_hello "*"change_cipher_spec_server finished_server change_cipher_spec_client finished_client established")
    pass "TLS 1.2 resumed by ticket: the short sequence ($got)" ;;
*) fail "TLS 1.2 resumed by ticket: got '$got'" ;;
esac
check "the ticket resumption shows the ticket offered" sh -c "grep ' conn=$(last_conn) .*stage=client_hello ' '$WORK/tlsd.log' | grep -q 'resumption_offered=.*ticket'"

# ---- TLS 1.3 (Mbed TLS 3.6)
if tls13_available; then
    SSLKEYLOGFILE="$WORK/client13.keys" curl_tls --tlsv1.3 -o /dev/null "$(url /)"
    expect_stages "TLS 1.3 full handshake: its own flight" "$TLS13_FULL"
    check "TLS 1.3 server_hello names the group" sh -c "grep ' conn=$(last_conn) .*stage=server_hello ' '$WORK/tlsd.log' | grep -q 'version=TLS1.3 .*group=x25519'"
    check "TLS 1.3 certificate_verify names the signature" sh -c "grep ' conn=$(last_conn) .*stage=certificate_verify ' '$WORK/tlsd.log' | grep -q 'signature_algorithm=ecdsa_secp256r1_sha256'"
    for label in CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET CLIENT_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_0; do
        line=$(grep "^$label " "$WORK/server.keys" | tail -n 1)
        check "TLS 1.3 key log: tlsd's $label equals curl's" sh -c "[ -n '$line' ] && grep -qxF '$line' '$WORK/client13.keys'"
    done
    # a key share the server does not take: HelloRetryRequest, then a second hello
    s_client -tls1_3 -groups secp384r1:X25519 -CAfile "$CA" </dev/null >"$WORK/hrr"
    expect_stages "TLS 1.3 with a HelloRetryRequest" \
        "client_hello hello_retry_request client_hello server_hello encrypted_extensions certificate certificate_verify finished_server finished_client new_session_ticket established"
    check "hello_retry_request names the group asked for" sh -c "grep ' conn=$(last_conn) .*stage=hello_retry_request ' '$WORK/tlsd.log' | grep -q 'group=x25519'"
    check "after the retry, server_hello and established name the group" sh -c "grep ' conn=$(last_conn) .*stage=server_hello ' '$WORK/tlsd.log' | grep -q 'version=TLS1.3 .*group=x25519' && grep ' conn=$(last_conn) .*stage=established ' '$WORK/tlsd.log' | grep -q 'group=x25519'"
    # PSK resumption
    (sleep 1) | s_client -tls1_3 -sess_out "$WORK/sess13" -CAfile "$CA" >/dev/null
    (sleep 1) | s_client -tls1_3 -sess_in "$WORK/sess13" -CAfile "$CA" >"$WORK/resumed13"
    check "openssl reused the TLS 1.3 session" grep -q "^Reused, TLSv1.3" "$WORK/resumed13"
    expect_stages "TLS 1.3 resumed with a PSK: no certificate" \
        "client_hello server_hello encrypted_extensions finished_server finished_client new_session_ticket established"
    check "the PSK client_hello shows the psk offered" sh -c "grep ' conn=$(last_conn) .*stage=client_hello ' '$WORK/tlsd.log' | grep -q 'resumption_offered=.*psk'"
fi

# ---- failures: what the client offered, where it stopped, the alert sent
s_client -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null >/dev/null
expect_stages "a refused TLS 1.1 client: its hello, then the failure" "client_hello handshake_failed"
check "the failure names stage, reason and alert" sh -c "grep ' conn=$(last_conn) .*stage=handshake_failed ' '$WORK/tlsd.log' | grep -Eq 'at=client_hello reason=tls_error error=.* alert_sent=(protocol_version|handshake_failure)'"
check "the refused hello shows the version offered" sh -c "grep ' conn=$(last_conn) .*stage=client_hello ' '$WORK/tlsd.log' | grep -q 'offered_versions=TLS1.1'"
s_client -tls1_2 -cipher AES128-SHA </dev/null >/dev/null
check "no shared suite: handshake_failure sent" sh -c "grep ' conn=$(last_conn) .*stage=handshake_failed ' '$WORK/tlsd.log' | grep -q 'alert_sent=handshake_failure'"
# a client that does not trust the chain says so with an alert
s_client -tls1_2 -verify_return_error </dev/null >/dev/null
check "a client's alert is logged (alert_received)" sh -c "grep ' conn=$(last_conn) .*stage=handshake_failed ' '$WORK/tlsd.log' | grep -Eq 'alert_received=(unknown_ca|bad_certificate|certificate_unknown)'"
check "after the client's fatal alert tlsd sends none (openssl)" sh -c "grep ' conn=$(last_conn) .*stage=handshake_failed ' '$WORK/tlsd.log' | grep -q ' alert_sent=none '"
check "and a hint names the likely cause" sh -c "grep ' conn=$(last_conn) .*stage=handshake_failed ' '$WORK/tlsd.log' | grep -q ' hint=\".*certs/README.md\"'"
# curl without the test CA: the same, in TLS 1.2 and (on 3.6) in TLS 1.3,
# where curl's unknown_ca comes before it has keys
for max in 1.2 1.3; do
    curl -s --noproxy '*' --max-time 10 --resolve "localhost:$PORT:127.0.0.1" --tls-max "$max" -o /dev/null "$(url /)"
    log_has "conn=$(last_conn) .*stage=handshake_failed" >/dev/null
    failed=$(stage_line handshake_failed)
    check "curl without the CA (TLS <= $max): its unknown_ca logged, no alert of tlsd's, the hint" sh -c \
        "echo '$failed' | grep -q ' alert_sent=none alert_received=unknown_ca hint=\"the client does not trust this chain.*certs/README.md\"'"
    check "... and the close sends no alert either (TLS <= $max)" sh -c \
        "grep ' conn=$(last_conn) .* closed ' '$WORK/tlsd.log' | grep -vq 'alert_sent='"
done
stop_tlsd

# ---- debug: the client_hello line with every list in full
printf 'log_level debug\n' >"$WORK/empty.conf"
start_tlsd
curl_tls --tls-max 1.2 -o /dev/null "$(url /)"
log_has "conn=$(last_conn) .*stage=established" >/dev/null
hello=$(stage_line client_hello)
check "client_hello at debug lists groups and signature algorithms by name" sh -c "echo '$hello' | grep -q ' groups=.*x25519' && echo '$hello' | grep -q 'signature_algorithms=.*ecdsa_secp256r1_sha256'"
check "client_hello at debug lists the extensions in order" sh -c "echo '$hello' | grep -q ' extensions=.*server_name.*supported_groups'"
check "client_hello at debug lists the suites by IANA name" sh -c "echo '$hello' | grep -q ' cipher_suites=.*TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'"
check "client_hello at debug has JA3 and JA4 fingerprints" sh -c "echo '$hello' | grep -Eq ' ja3=[0-9a-f]{32} ja4=t1[23]d[0-9]{4}[a-z0-9]{2}_[0-9a-f]{12}_[0-9a-f]{12}'"
stop_tlsd

# ---- JSON: the same facts, one object per line, every line parses
printf 'log_format json\n' >"$WORK/empty.conf"
# not start_tlsd: under TLSD_WRAPPER (valgrind in CI) the tool's own
# messages would land in the log and break the JSON lines checked below
start_tlsd_json() {
    : >"$WORK/tlsd.log"
    "$TLSD" -c "$WORK/empty.conf" -l 127.0.0.1:0 --cert "$WORK/certs/server.crt" \
        --key "$WORK/certs/server.key" --root "$TLSD_WWW" 2>>"$WORK/tlsd.log" &
    TLSD_PID=$!
    tries=0
    while [ $tries -lt 100 ]; do
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/tlsd.log" | head -n 1)
        [ -n "$PORT" ] && return 0
        sleep 0.1; tries=$((tries + 1))
    done
    echo "tlsd did not start:"; cat "$WORK/tlsd.log"; exit 1
}
start_tlsd_json
curl_tls -o /dev/null "$(url /)"
s_client -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null >/dev/null
printf 'GET / HTTP/1.1\r\nHost: "quoted"\\x\r\n\r\n' | s_client -quiet -CAfile "$CA" >/dev/null
log_has '"event":"closed"' >/dev/null
stop_tlsd
lines=$(wc -l <"$WORK/tlsd.log")
parsed=$(jq -c . <"$WORK/tlsd.log" 2>/dev/null | wc -l)
check "every JSON log line parses ($lines lines)" test "$lines" -gt 10 -a "$parsed" -eq "$lines"
check "JSON lines carry the stages" sh -c "jq -r 'select(.stage != null) | .stage' '$WORK/tlsd.log' | grep -qx 'server_key_exchange\|encrypted_extensions'"
check "JSON client_hello has ja4" sh -c "jq -r 'select(.stage == \"client_hello\") | .ja4' '$WORK/tlsd.log' | grep -Eq '^t1[23]d'"
finish
