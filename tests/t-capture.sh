#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-capture.sh: a connection fetches its own capture
# (/.well-known/tlsd/handshake.pcapng, handshake_capture) and tshark opens
# it decrypted with no key log option: the handshake messages are
# dissected and the request for the capture shows as HTTP, for TLS 1.2 and
# (with Mbed TLS 3.6) TLS 1.3. Its Decryption Secrets Block holds this
# connection's secrets only (curl's own key log says which), another
# connection's capture holds none of them, the server's key is never in
# it, a capture stops at its bound, and handshake_capture off answers 404.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

command -v tshark >/dev/null 2>&1 || skip_all "tshark is needed (apt-get install tshark)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed"

ENDPOINT=/.well-known/tlsd/handshake.pcapng
start_tlsd

# secrets FILE: the Decryption Secrets Blocks' text (TLS key log lines)
secrets() {
    python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
at = 0
while at + 12 <= len(data):
    kind, length = struct.unpack_from("<II", data, at)
    if length < 12 or at + length > len(data):
        sys.exit("a block overruns the file at %d" % at)
    if kind == 0x0A and struct.unpack_from("<I", data, at + 8)[0] == 0x544C534B:
        size = struct.unpack_from("<I", data, at + 12)[0]
        sys.stdout.write(data[at + 16:at + 16 + size].decode())
    at += length
EOF
}

# fetch NAME CURL-ARGS...: the capture over a new connection, with curl's
# own key log in NAME.keys
fetch() {
    name=$1; shift
    SSLKEYLOGFILE="$WORK/$name.keys" curl_tls "$@" -D "$WORK/$name.head" -o "$WORK/$name.pcapng" \
        "$(url "$ENDPOINT?$name")"
}

# capture_checks NAME VERSION TYPES: the checks on one capture
capture_checks() {
    name=$1 version=$2 types=$3 file="$WORK/$1.pcapng"
    check "$version: 200 application/x-pcapng" grep -qi '^content-type: application/x-pcapng' "$WORK/$name.head"
    check "$version: a download, never stored" sh -c "grep -qi '^content-disposition: attachment; filename=\"tlsd-conn-[0-9]*.pcapng\"' '$WORK/$name.head' &&
        grep -qi '^cache-control: no-store' '$WORK/$name.head' && grep -qi \"^content-security-policy: default-src 'none'\" '$WORK/$name.head'"
    tshark -r "$file" >"$WORK/$name.summary" 2>&1
    check "$version: tshark opens it" test -s "$WORK/$name.summary"
    tshark -r "$file" -Y tls.handshake.type -T fields -e tls.handshake.type 2>/dev/null | tr ',' '\n' | sort -un \
        | tr '\n' ' ' >"$WORK/$name.types"
    echo "# $version handshake types dissected: $(cat "$WORK/$name.types")"
    for type in $types; do
        check "$version: handshake message $type is dissected (no key log option)" grep -qw "$type" "$WORK/$name.types"
    done
    tshark -r "$file" -Y http >"$WORK/$name.http" 2>/dev/null
    echo "# $version -Y http: $(cat "$WORK/$name.http")"
    check "$version: -Y http shows the decrypted request for the capture" grep -q "GET $ENDPOINT?$name" "$WORK/$name.http"
    secrets "$file" >"$WORK/$name.dsb"
    check "$version: the Decryption Secrets Block holds secrets" test -s "$WORK/$name.dsb"
    cut -d' ' -f2 "$WORK/$name.dsb" | sort -u >"$WORK/$name.randoms"
    cut -d' ' -f2 "$WORK/$name.keys" | sort -u >"$WORK/$name.curl-randoms"
    check "$version: one client random, this connection's (curl's)" cmp -s "$WORK/$name.randoms" "$WORK/$name.curl-randoms"
    check "$version: every secret line is one curl logged for this connection" \
        sh -c "! grep -vxFf '$WORK/$name.keys' '$WORK/$name.dsb'"
}

fetch tls12 --tls-max 1.2
capture_checks tls12 "TLS 1.2" "1 2 11 14 16 20"
check "TLS 1.2: a CLIENT_RANDOM line" grep -q '^CLIENT_RANDOM ' "$WORK/tls12.dsb"

if tls13_available; then
    fetch tls13 --tlsv1.3
    capture_checks tls13 "TLS 1.3" "1 2 8 11 15 20"
    check "TLS 1.3: the traffic secrets" sh -c "grep -q '^CLIENT_HANDSHAKE_TRAFFIC_SECRET ' '$WORK/tls13.dsb' &&
        grep -q '^SERVER_TRAFFIC_SECRET_0 ' '$WORK/tls13.dsb'"
else
    echo "# TLS 1.3: not in this Mbed TLS build, skipped"
fi

# another connection's capture holds nothing of the first
fetch other --tls-max 1.2
secrets "$WORK/other.pcapng" >"$WORK/other.dsb"
check "another connection's capture holds secrets of its own" grep -q '^CLIENT_RANDOM ' "$WORK/other.dsb"
check "... and not the first connection's" sh -c "! grep -qFf '$WORK/tls12.randoms' '$WORK/other.dsb'"

# the server's key is in no capture: neither its DER, nor its PEM's
# lines, nor the private value itself (its public half is in the
# certificate, so only the private part is looked for)
openssl pkey -in "$WORK/certs/server.key" -outform DER -out "$WORK/server.der" 2>/dev/null
openssl pkey -in "$WORK/certs/server.key" -noout -text 2>/dev/null |
    awk '/^priv/ { on = 1; next } /^[a-zA-Z]/ { on = 0 } on' | tr -d ' :\n' >"$WORK/server.priv"
check "the server's private value was read" test -s "$WORK/server.priv"
check "the server's key (DER, PEM or its private value) is in no capture" python3 - "$WORK/certs/server.key" \
    "$WORK/server.der" "$WORK/server.priv" "$WORK"/*.pcapng <<'EOF'
import sys
lines = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith("-----")]
der = open(sys.argv[2], "rb").read()
private = bytes.fromhex(open(sys.argv[3]).read().strip())
for name in sys.argv[4:]:
    data = open(name, "rb").read()
    for what, needle in [("DER", der), ("private value", private)] + [("PEM line", l.encode()) for l in lines]:
        if needle in data:
            sys.exit("%s holds the server key's %s" % (name, what))
EOF

# the handshake record's endpoint is untouched; HEAD gives the length
check "the JSON endpoint still answers" sh -c "curl_tls() { curl -sS --noproxy '*' --max-time 10 --cacert '$CA' \
    --resolve 'localhost:$PORT:127.0.0.1' \"\$@\"; }; curl_tls '$(url /.well-known/tlsd/handshake)' | grep -q '\"stages\"'"
stop_tlsd

# bounded: after a 40 KB download the server's bytes stop, the comment
# says so, and the client's request for the capture is still there
mkdir "$WORK/site"
head -c 40000 /dev/zero | tr '\0' 'y' >"$WORK/site/big.txt"
DOCROOT="$WORK/site" start_tlsd
curl_tls -o "$WORK/big.txt" "$(url /big.txt)" -o "$WORK/cut.pcapng" "$(url "$ENDPOINT?cut")"
size=$(wc -c <"$WORK/cut.pcapng")
check "a capture stays under its bound (32 KiB of bytes, headers, secrets): $size bytes" test "$size" -lt 40000
check "its comment says where it stopped" grep -qa "Capture stopped for the server's bytes" "$WORK/cut.pcapng"
check "the request for it still decrypts" sh -c "tshark -r '$WORK/cut.pcapng' -Y http 2>/dev/null | grep -q 'GET $ENDPOINT?cut'"
stop_tlsd

printf 'handshake_capture off\n' >"$WORK/off.conf"
TLSD_CONF="$WORK/off.conf" start_tlsd
status=$(curl_tls -o /dev/null -w '%{http_code}' "$(url "$ENDPOINT")")
check "handshake_capture off: 404" test "$status" = 404
stop_tlsd
finish
