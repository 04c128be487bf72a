#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-chainsize.sh: Mbed TLS sends the Certificate message in one record, so
# tlsd -t and the start refuse a chain whose message would not fit the
# build's output record buffer (4096 bytes in tlsd's own Mbed TLS, 16384 in
# Debian's), naming both sizes; the largest chain that fits is served, in
# TLS 1.2 and 1.3. The message length is computed here from the
# certificates' DER sizes (RFC 5246 7.4.2, RFC 8446 4.4.2), independently
# of tlsd.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

limit=$("$TLSD" -V | sed -n 's/^record buffers: [0-9]* bytes in, \([0-9]*\) out$/\1/p')
check "tlsd -V names the output record buffer ($limit)" test -n "$limit"
[ -n "$limit" ] || finish

der_size() { openssl x509 -outform DER | wc -c; }
# server.crt: the leaf, then the intermediate; ca.crt: the self-signed root
awk '/BEGIN CERT/ { n++ } n == 1' "$WORK/certs/server.crt" >"$WORK/leaf.pem"
awk '/BEGIN CERT/ { n++ } n == 2' "$WORK/certs/server.crt" >"$WORK/intermediate.pem"
leaf=$(der_size <"$WORK/leaf.pem")
intermediate=$(der_size <"$WORK/intermediate.pem")
root=$(der_size <"$CA")
if tls13_available; then
    version=1.3 header=8 per_cert=5
else
    version=1.2 header=7 per_cert=3
fi
# message length with the leaf, the intermediate and N copies of the root
# (a root is its own issuer, so the order stays valid)
message_length() { echo $((header + leaf + intermediate + 2 * per_cert + $1 * (root + per_cert))); }
fits=0
while [ "$(message_length $((fits + 1)))" -le "$limit" ]; do fits=$((fits + 1)); done
chain_with_roots() {  # N FILE
    cp "$WORK/certs/server.crt" "$2"
    i=0
    while [ "$i" -lt "$1" ]; do cat "$CA" >>"$2"; i=$((i + 1)); done
}
chain_with_roots "$fits" "$WORK/fits.crt"
chain_with_roots $((fits + 1)) "$WORK/toolong.crt"
too_long=$(message_length $((fits + 1)))

config() {  # NAME CERTIFICATE
    printf 'certificate %s\nprivate_key %s\ndocument_root %s\nlisten 127.0.0.1:0\nmax_connections 100\n' \
        "$2" "$WORK/certs/server.key" "$TLSD_WWW" >"$WORK/$1.conf"
}
config fits "$WORK/fits.crt"
config toolong "$WORK/toolong.crt"

STATUS=0
OUT=$("$TLSD" -t -c "$WORK/fits.conf" 2>&1) || STATUS=$?
check "a $(message_length "$fits")-byte Certificate message (TLS $version, limit $limit) passes tlsd -t (output: $OUT)" \
    test "$STATUS" -eq 0
STATUS=0
OUT=$("$TLSD" -t -c "$WORK/toolong.conf" 2>&1) || STATUS=$?
check "a $too_long-byte one fails tlsd -t, naming both sizes (output: $OUT)" sh -c '
    test "$1" -eq 1 && printf "%s" "$2" | grep -q "toolong.crt: its $(($3 + 2)) certificate(s) make a $4-byte Certificate message in TLS $5, but .* sends at most $6 bytes in one record"' \
    sh "$STATUS" "$OUT" "$((fits + 1))" "$too_long" "$version" "$limit"
STATUS=0
OUT=$(timeout 10 "$TLSD" -c "$WORK/toolong.conf" 2>&1) || STATUS=$?
check "... and the start, before listening (status $STATUS)" sh -c \
    'test "$1" -eq 1 && printf "%s" "$2" | grep -q "Certificate message" && ! printf "%s" "$2" | grep -q "listening on"' \
    sh "$STATUS" "$OUT"

# the largest chain that fits is served whole, in each version
TLSD_CONF="$WORK/empty.conf"
start_tlsd --cert "$WORK/fits.crt"
for v in 1.2 1.3; do
    [ "$v" = 1.3 ] && ! tls13_available && continue
    body=$(curl_tls --tlsv"$v" --tls-max "$v" "$(url /)" 2>"$WORK/curl.err") || body=""
    check "TLS $v handshake with the $(message_length "$fits")-byte Certificate message ($(head -c 200 "$WORK/curl.err"))" \
        test -n "$body"
done
s_client -tls1_2 -showcerts -CAfile "$CA" </dev/null >"$WORK/showcerts"
check "all $((fits + 2)) certificates are sent" test "$(grep -c 'BEGIN CERTIFICATE' "$WORK/showcerts")" -eq $((fits + 2))
stop_tlsd
finish
