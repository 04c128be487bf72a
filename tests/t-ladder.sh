#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-ladder.sh: the handshake endpoint's ladder (ENDPOINT.svg, ENDPOINT.txt)
# draws the requesting connection's own handshake: for each flow tlsd
# logs, the ladder is fetched on the connection it draws and its arrows,
# in order and direction, are the stages tlsd logged for that connection.
# TLS 1.3's flows need an Mbed TLS 3.6 build.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

start_tlsd
ENDPOINT=/.well-known/tlsd/handshake

last_conn() {
    sed -n 's/.* conn=\([0-9]*\) .*/\1/p' "$WORK/tlsd.log" | sort -n | tail -n 1
}

# logged_messages CONN: the messages tlsd logged for a connection, as
# "c:Name" (from the client) or "s:Name" (from tlsd), in log order
logged_messages() {
    sed -n "s/.* conn=$1 .*stage=\([a-z_]*\) .*/\1/p" "$WORK/tlsd.log" | while read -r stage; do
        case $stage in
        client_hello) echo c:ClientHello ;;
        hello_retry_request) echo s:HelloRetryRequest ;;
        server_hello) echo s:ServerHello ;;
        encrypted_extensions) echo s:EncryptedExtensions ;;
        certificate) echo s:Certificate ;;
        server_key_exchange) echo s:ServerKeyExchange ;;
        certificate_verify) echo s:CertificateVerify ;;
        server_hello_done) echo s:ServerHelloDone ;;
        client_key_exchange) echo c:ClientKeyExchange ;;
        change_cipher_spec_client) echo c:ChangeCipherSpec ;;
        finished_client) echo c:Finished ;;
        new_session_ticket) echo s:NewSessionTicket ;;
        change_cipher_spec_server) echo s:ChangeCipherSpec ;;
        finished_server) echo s:Finished ;;
        esac
    done | tr '\n' ' '
}

# text_messages FILE: the arrows of a text ladder, the same way
text_messages() {
    sed -n 's/^.\{8\}|--- \([A-Za-z]*\) .*->|.*/c:\1/p; s/^.\{8\}|<-- \([A-Za-z]*\) .*/s:\1/p' "$1" | tr '\n' ' '
}

# svg_messages FILE: the arrows the SVG's description reads out
svg_messages() {
    sed -n 's/.*<desc[^>]*>\(.*\)<\/desc>.*/\1/p' "$1" | tr '.' '\n' |
        sed -n 's/.*Flight [0-9]*: the client sent \([A-Za-z]*\).*/c:\1/p; s/.*Flight [0-9]*: tlsd sent \([A-Za-z]*\).*/s:\1/p' |
        tr '\n' ' '
}

# fetch SUFFIX OUT S_CLIENT_ARGS...: the ladder, on the handshake it draws
fetch() {
    suffix=$1 out=$2
    shift 2
    printf 'GET %s%s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$ENDPOINT" "$suffix" |
        s_client -quiet -CAfile "$CA" "$@" >"$out.raw"
    sed '1,/^\r*$/d' "$out.raw" >"$out"
}

# flow NAME EXPECTED_FLOW_WORD S_CLIENT_ARGS...: fetch both drawings (each
# on its own connection of the same flow) and compare them with the log
flow() {
    name=$1 word=$2
    shift 2
    fetch .txt "$WORK/$name.txt" "$@"
    conn=$(last_conn)
    log_has "conn=$conn .*stage=established" >/dev/null
    logged=$(logged_messages "$conn")
    check "$name: the text ladder draws the logged messages ($logged)" test -n "$logged" -a "$(text_messages "$WORK/$name.txt")" = "$logged"
    check "$name: the text ladder says what flow it is ($word)" grep -q "handshake ($word)" "$WORK/$name.txt"
    check "$name: the text ladder fits in 80 columns" sh -c "! awk 'length > 80' '$WORK/$name.txt' | grep -q ."
    if [ -n "${SESSION_AGAIN:-}" ]; then
        # a resumption uses its session once per flow: make another one
        eval "$SESSION_AGAIN"
    fi
    fetch .svg "$WORK/$name.svg" "$@"
    conn=$(last_conn)
    log_has "conn=$conn .*stage=established" >/dev/null
    logged=$(logged_messages "$conn")
    check "$name: the SVG ladder draws the logged messages" test "$(svg_messages "$WORK/$name.svg")" = "$logged"
    check "$name: the SVG has a title and a description" sh -c "grep -q '<title id=\"ladder-title\">Your TLS' '$WORK/$name.svg' && grep -q '<desc' '$WORK/$name.svg'"
}

# ---- headers, over curl
curl_tls --tls-max 1.2 -D "$WORK/h.svg" -o "$WORK/curl.svg" "$(url $ENDPOINT.svg)"
check "the SVG is image/svg+xml" grep -qi "^content-type: image/svg+xml" "$WORK/h.svg"
check "the SVG is not cached" grep -qi "^cache-control: no-store" "$WORK/h.svg"
check "the SVG has the endpoint's strict policy" grep -qi "^content-security-policy: default-src 'none'; frame-ancestors 'none'" "$WORK/h.svg"
if command -v xmllint >/dev/null 2>&1; then
    check "the SVG is well-formed XML" xmllint --noout "$WORK/curl.svg"
fi
curl_tls --tls-max 1.2 -D "$WORK/h.txt" -o "$WORK/curl.txt" "$(url "$ENDPOINT.txt?x=1")"
check "the text is text/plain; charset=utf-8 (with a query too)" grep -qi "^content-type: text/plain; charset=utf-8" "$WORK/h.txt"
check "the text is not cached" grep -qi "^cache-control: no-store" "$WORK/h.txt"
check "curl sees its own ladder: TLS 1.2, full" grep -q "^TLS 1.2 handshake (full): 2 round trips" "$WORK/curl.txt"
check "the text shows the randoms and session id as hex" sh -c "grep -Eq '^client random: [0-9a-f]{64}\$' '$WORK/curl.txt' && grep -Eq '^server random: [0-9a-f]{64}\$' '$WORK/curl.txt' && grep -Eq '^session id: ([0-9a-f]{2})+\$' '$WORK/curl.txt'"
check "an unknown suffix is an ordinary 404" test "$(curl_tls -o /dev/null -w '%{http_code}' "$(url $ENDPOINT.png)")" = 404

# ---- TLS 1.2
flow tls12-full full -tls1_2 -sess_out "$WORK/ticket12"
flow tls12-no-ticket full -tls1_2 -no_ticket -sess_out "$WORK/sess12"
check "without a ticket: no NewSessionTicket drawn" sh -c "! grep -q NewSessionTicket '$WORK/tls12-no-ticket.txt'"
SESSION_AGAIN='s_client -tls1_2 -no_ticket -sess_out "$WORK/sess12" -CAfile "$CA" </dev/null >/dev/null'
flow tls12-resumed-id resumed -tls1_2 -no_ticket -sess_in "$WORK/sess12"
check "resumed by id: 1 round trip, no Certificate" sh -c "grep -q ': 1 round trip,' '$WORK/tls12-resumed-id.txt' && ! grep -q Certificate '$WORK/tls12-resumed-id.txt'"
SESSION_AGAIN='s_client -tls1_2 -sess_out "$WORK/ticket12" -CAfile "$CA" </dev/null >/dev/null'
flow tls12-resumed-ticket resumed -tls1_2 -sess_in "$WORK/ticket12"
SESSION_AGAIN=
check "the TLS 1.2 Finished messages are drawn locked" test "$(grep -c 'Finished .*\[locked\]' "$WORK/tls12-full.txt")" = 2

# ---- TLS 1.3 (Mbed TLS 3.6)
if tls13_available; then
    flow tls13-full full -tls1_3 -sess_out "$WORK/sess13"
    check "TLS 1.3: 1 round trip, everything after ServerHello locked" sh -c "grep -q '^TLS 1.3 handshake (full): 1 round trip,' '$WORK/tls13-full.txt' && grep -q 'EncryptedExtensions .*\[locked\]' '$WORK/tls13-full.txt' && ! grep -q 'ServerHello .*\[locked\]' '$WORK/tls13-full.txt'"
    flow tls13-hrr "full, after a HelloRetryRequest" -tls1_3 -groups secp384r1:X25519
    check "HelloRetryRequest: 2 round trips" grep -q ': 2 round trips,' "$WORK/tls13-hrr.txt"
    SESSION_AGAIN='fetch .txt "$WORK/again13" -tls1_3 -sess_out "$WORK/sess13"'
    flow tls13-psk "resumed with a PSK" -tls1_3 -sess_in "$WORK/sess13"
    SESSION_AGAIN=
else
    echo "# TLS 1.3 flows skipped: this build's Mbed TLS has no TLS 1.3"
fi
stop_tlsd

# ---- the endpoint off: no ladder either
printf 'handshake_endpoint off\n' >"$WORK/empty.conf"
start_tlsd
check "handshake_endpoint off: no SVG ladder" test "$(curl_tls -o /dev/null -w '%{http_code}' "$(url $ENDPOINT.svg)")" = 404
check "handshake_endpoint off: no text ladder" test "$(curl_tls -o /dev/null -w '%{http_code}' "$(url $ENDPOINT.txt)")" = 404
stop_tlsd
finish
