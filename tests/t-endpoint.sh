#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-endpoint.sh: the handshake endpoint returns the requesting connection's
# own handshake record (and nobody else's), agrees with the log, and every
# response carries the security headers.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (apt-get install jq)"

printf 'hsts 3600\n' >"$WORK/empty.conf"
start_tlsd
ENDPOINT=/.well-known/tlsd/handshake

curl_tls --tls-max 1.2 -D "$WORK/headers" -o "$WORK/record.json" -w '%{local_port}' "$(url $ENDPOINT)" >"$WORK/port"
check "the record is JSON" jq -e . "$WORK/record.json" >/dev/null
check "the record is not cached (Cache-Control: no-store)" grep -qi "^cache-control: no-store" "$WORK/headers"
check "the record is application/json" grep -qi "^content-type: application/json" "$WORK/headers"
conn=$(jq -r .connection "$WORK/record.json")
check "the record is the requester's own connection (its port)" \
    test "$(jq -r .peer "$WORK/record.json")" = "127.0.0.1:$(cat "$WORK/port")"
logged=$(sed -n "s/.* conn=$conn .*stage=\([a-z_0-9]*\) .*/\1/p" "$WORK/tlsd.log" | tr '\n' ' ' | sed 's/ $//')
recorded=$(jq -r '[.stages[].stage] | join(" ")' "$WORK/record.json")
check "the record's stages are the logged ones, in order" test "$recorded" = "$logged"
check "the record's messages are the logged stages, less the end" \
    test "$(jq -r '[.messages[].stage] | join(" ")' "$WORK/record.json")" = "$(echo "$logged" | sed 's/ established$//')"
check "each message has its record, size and flight, in order" \
    jq -e '.messages | (all(.record > 0 and .size > 0 and .flight > 0)) and ([.[].flight] == ([.[].flight] | sort))' "$WORK/record.json"
check "a full TLS 1.2 handshake: two round trips, Finished both ways encrypted" \
    jq -e '.round_trips == 2 and ([.messages[] | select(.encrypted) | .message] == ["Finished", "Finished"])' "$WORK/record.json"
check "the record has the randoms and the session id, as hex" \
    jq -e '(.client_random | test("^[0-9a-f]{64}$")) and (.server_random | test("^[0-9a-f]{64}$")) and (.session_id | test("^([0-9a-f]{2})*$"))' "$WORK/record.json"
established=$(grep " conn=$conn .*stage=established " "$WORK/tlsd.log")
check "version and suite agree with the log" sh -c "echo '$established' | grep -q 'version=$(jq -r .version "$WORK/record.json") suite=$(jq -r .suite "$WORK/record.json") '"
check "the record names the IANA suite, group and signature" \
    test "$(jq -r '[.suite, .group, .signature_algorithm] | join(" ")' "$WORK/record.json")" = \
         "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256"
check "the record shows what the client offered" \
    test "$(jq -r '.client_hello | [.sni, (.cipher_suites | length > 0), (.ja4 | test("^t1[23]d"))] | join(" ")' "$WORK/record.json")" = "localhost true true"
check "the record shows the chain sent: leaf, then intermediate" \
    test "$(jq -r '[.certificates[].subject] | join(" | ")' "$WORK/record.json")" = \
         "CN=localhost, O=tlsd development | CN=tlsd development intermediate CA, O=tlsd development"
check "a full handshake is not resumed" test "$(jq -r .resumed "$WORK/record.json")" = false

# two connections: each sees its own record
curl_tls -o "$WORK/a.json" "$(url $ENDPOINT)"
curl_tls -o "$WORK/b.json" "$(url $ENDPOINT)"
check "two connections get two different records" \
    test "$(jq -r .connection "$WORK/a.json")" != "$(jq -r .connection "$WORK/b.json")"
# keep-alive: the second request on a connection sees the same record
curl_tls -o "$WORK/k1.json" -o "$WORK/k2.json" "$(url $ENDPOINT)" "$(url $ENDPOINT)"
check "requests on one connection see the same handshake" cmp -s "$WORK/k1.json" "$WORK/k2.json"

# a resumed session: resumed, no certificates sent
(printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$ENDPOINT") |
    s_client -tls1_2 -quiet -sess_out "$WORK/sess" -CAfile "$CA" >/dev/null
(printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$ENDPOINT") |
    s_client -tls1_2 -quiet -sess_in "$WORK/sess" -CAfile "$CA" >"$WORK/resumed.out"
sed -n '/^{/,$p' "$WORK/resumed.out" >"$WORK/resumed.json"
check "a resumed handshake's record says so and lists no certificate" \
    test "$(jq -r '[.resumed, (.certificates | length)] | join(" ")' "$WORK/resumed.json")" = "true 0"

# security headers on every response, errors included
curl_tls -D "$WORK/h404" -o /dev/null "$(url /no-such-file)"
for header in "strict-transport-security: max-age=3600" "x-content-type-options: nosniff" \
              "referrer-policy: no-referrer" "content-security-policy: default-src 'self';" \
              "cache-control: no-store"; do
    check "a 404 carries $header" grep -qi "^$header" "$WORK/h404"
done
curl_tls -D "$WORK/h200" -o /dev/null "$(url /)"
check "a file carries the site's Content-Security-Policy (the default)" \
    grep -qi "^content-security-policy: default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; media-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'" "$WORK/h200"
curl_tls -D "$WORK/hendpoint" -o /dev/null "$(url $ENDPOINT)"
check "the endpoint carries its own strict policy, whatever the site's" \
    grep -qi "^content-security-policy: default-src 'none'; frame-ancestors 'none'" "$WORK/hendpoint"
check "and no validators (it is never stored)" sh -c "! grep -Eqi '^(etag|last-modified):' '$WORK/hendpoint'"
stop_tlsd

# configurable: another path, or off
printf 'handshake_endpoint /tls.json\ncontent_security_policy off\n' >"$WORK/empty.conf"
start_tlsd
check "the endpoint can move" test "$(curl_tls -o /dev/null -w '%{http_code}' "$(url /tls.json)")" = 200
check "the old path is then an ordinary 404" test "$(curl_tls -o /dev/null -w '%{http_code}' "$(url $ENDPOINT)")" = 404
curl_tls -D "$WORK/hoff" -o /dev/null "$(url /)"
check "content_security_policy off sends none" sh -c "! grep -qi '^content-security-policy' '$WORK/hoff'"
curl_tls -D "$WORK/hoff-endpoint" -o /dev/null "$(url /tls.json)"
check "but the endpoint keeps its own" grep -qi "^content-security-policy: default-src 'none'" "$WORK/hoff-endpoint"
stop_tlsd
printf 'handshake_endpoint off\n' >"$WORK/empty.conf"
start_tlsd
check "handshake_endpoint off: 404" test "$(curl_tls -o /dev/null -w '%{http_code}' "$(url $ENDPOINT)")" = 404
stop_tlsd
printf 'handshake_endpoint no-slash\n' >"$WORK/bad.conf"
check "a bad endpoint path is a configuration error" sh -c "! '$TLSD' -t -c '$WORK/bad.conf' 2>&1 | grep -q 'configuration ok'"
finish
