#!/bin/sh
# t-mkcert.sh: tlsd-mkcert writes a PKI that openssl accepts: root ->
# intermediate -> leaf with the right names, key type and file modes, and it
# refuses what it should. Needs the openssl command (test-only dependency).
# Exit 0 pass, 1 fail, 77 skip (automake).
set -eu

: "${TLSD_MKCERT:?TLSD_MKCERT must name the tlsd-mkcert binary}"
if [ ! -x "$TLSD_MKCERT" ]; then
    echo "FAIL: $TLSD_MKCERT is not executable" >&2
    exit 1
fi
if ! command -v openssl >/dev/null 2>&1; then
    echo "SKIP: no openssl command (apt-get install openssl)" >&2
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/t-mkcert.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

checks=0
ok() {
    checks=$((checks + 1))
    echo "ok $checks - $*"
}
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# split_chain FILE DIR: DIR/cert1.pem (leaf), DIR/cert2.pem (intermediate)
split_chain() {
    rm -f "$2"/cert*.pem
    awk -v dir="$2" '/-----BEGIN CERTIFICATE-----/ { n++ }
                     n > 0 { print > (dir "/cert" n ".pem") }
                     END { if (n != 2) exit 1 }' "$1" ||
        fail "$1 does not hold exactly two certificates"
}

# verify_pki DIR: the chain verifies as a TLS server chain under ca.crt
verify_pki() {
    split_chain "$1/server.crt" "$1"
    openssl verify -x509_strict -purpose sslserver -CAfile "$1/ca.crt" \
        -untrusted "$1/cert2.pem" "$1/cert1.pem" >"$work/verify.out" 2>&1 ||
        { cat "$work/verify.out" >&2; fail "openssl verify of $1"; }
    grep -q ': OK$' "$work/verify.out" || fail "openssl verify did not say OK"
    ok "openssl verify -CAfile ca.crt -untrusted intermediate leaf ($1)"
}

# check_key_matches DIR: server.key is the leaf's private key
check_key_matches() {
    openssl pkey -in "$1/server.key" -pubout >"$work/key.pub"
    openssl x509 -in "$1/cert1.pem" -noout -pubkey >"$work/cert.pub"
    cmp -s "$work/key.pub" "$work/cert.pub" || fail "server.key does not match the leaf in $1"
    ok "server.key matches the leaf's public key ($1)"
}

check_mode_600() {
    mode=$(stat -c %a "$1")
    [ "$mode" = 600 ] || fail "$1 has mode $mode, not 600"
    ok "$1 has mode 600"
}

sums() {
    cksum "$1/ca.crt" "$1/server.crt" "$1/server.key"
}

# expect_failure STATUS MESSAGE-PATTERN COMMAND...: exits STATUS, says it
expect_failure() {
    want_status=$1
    pattern=$2
    shift 2
    status=0
    "$@" >"$work/out" 2>"$work/err" || status=$?
    [ "$status" = "$want_status" ] ||
        { cat "$work/out" "$work/err" >&2; fail "exit $status, not $want_status: $*"; }
    grep -q -- "$pattern" "$work/err" ||
        { cat "$work/err" >&2; fail "no \"$pattern\" in the error of: $*"; }
}

echo "# tlsd-mkcert: $TLSD_MKCERT"
"$TLSD_MKCERT" -V >"$work/version" || fail "-V failed"
grep -q '^tlsd-mkcert [0-9][^ ]* (Mbed TLS [0-9][0-9.]*)$' "$work/version" ||
    fail "-V printed: $(cat "$work/version")"
ok "-V: $(cat "$work/version")"
"$TLSD_MKCERT" --help | grep -q 'Usage: tlsd-mkcert' || fail "--help"
ok "--help prints the usage"

# ------------------------------------------------------------ ECDSA PKI
pki="$work/certs"
"$TLSD_MKCERT" -d "$pki" example.test 192.0.2.7 2001:db8::1 '*.dev.test' >"$work/out" ||
    fail "tlsd-mkcert -d $pki failed"
ok "tlsd-mkcert -d DIR example.test 192.0.2.7 2001:db8::1 *.dev.test"
grep -q "trust $pki/ca.crt in your browser" "$work/out" || fail "no trust hint in the output"
ok "prints the trust hint"
[ "$(ls -A "$pki" | sort | tr '\n' ' ')" = "ca.crt server.crt server.key " ] ||
    fail "unexpected files in $pki: $(ls -A "$pki")"
ok "exactly ca.crt, server.crt, server.key (no temporary files, no CA keys)"
[ "$(stat -c %a "$pki")" = 755 ] || [ "$(stat -c %a "$pki")" = "$(printf '%o' $((0755 & ~$(umask))))" ] ||
    fail "$pki has mode $(stat -c %a "$pki")"
ok "created DIR"

verify_pki "$pki"

openssl x509 -in "$pki/cert1.pem" -noout -text >"$work/leaf.txt"
openssl x509 -in "$pki/cert2.pem" -noout -text >"$work/intermediate.txt"
openssl x509 -in "$pki/ca.crt" -noout -text >"$work/root.txt"
for san in 'DNS:localhost' 'IP Address:127.0.0.1' 'IP Address:0:0:0:0:0:0:0:1' \
    'DNS:example.test' 'IP Address:192.0.2.7' 'IP Address:2001:DB8:0:0:0:0:0:1' 'DNS:\*.dev.test'; do
    grep -q "$san" "$work/leaf.txt" || fail "leaf lacks SAN $san"
    ok "leaf has SAN $san"
done
grep -q 'Subject: CN *= *example.test' "$work/leaf.txt" || fail "leaf CN is not example.test"
ok "leaf CN is the first name"
grep -q 'CA:FALSE' "$work/leaf.txt" || fail "leaf is not CA:FALSE"
grep -q 'TLS Web Server Authentication' "$work/leaf.txt" || fail "leaf lacks EKU serverAuth"
grep -q 'Subject Key Identifier' "$work/leaf.txt" || fail "leaf lacks a subject key identifier"
grep -q 'Authority Key Identifier' "$work/leaf.txt" || fail "leaf lacks an authority key identifier"
grep -q 'ecdsa-with-SHA256' "$work/leaf.txt" || fail "leaf not signed with ecdsa-with-SHA256"
ok "leaf: CA:FALSE, serverAuth, key identifiers, ecdsa-with-SHA256"
grep -q 'CA:TRUE, pathlen:0' "$work/intermediate.txt" || fail "intermediate is not CA:TRUE pathlen:0"
grep -q 'Subject: CN *= *tlsd development intermediate CA' "$work/intermediate.txt" ||
    fail "intermediate subject"
ok "intermediate: tlsd development intermediate CA, CA:TRUE, pathlen:0"
grep -q 'CA:TRUE' "$work/root.txt" || fail "root is not a CA"
grep -q 'Certificate Sign, CRL Sign' "$work/root.txt" || fail "root key usage"
grep -q 'Subject: CN *= *tlsd development root CA' "$work/root.txt" || fail "root subject"
ok "root: tlsd development root CA, CA:TRUE, keyCertSign|cRLSign"
# Default validity: 397 days, so valid in 396 days and expired in 398.
openssl x509 -in "$pki/cert1.pem" -noout -checkend $((396 * 86400)) >/dev/null ||
    fail "leaf expires before 396 days"
! openssl x509 -in "$pki/cert1.pem" -noout -checkend $((398 * 86400)) >/dev/null ||
    fail "leaf is valid for more than 397 days"
ok "leaf is valid for 397 days"

check_mode_600 "$pki/server.key"
openssl pkey -in "$pki/server.key" -noout -text >"$work/key.txt"
grep -q 'NIST CURVE: P-256' "$work/key.txt" || fail "server.key is not EC P-256"
ok "server.key is EC P-256"
check_key_matches "$pki"

# ------------------------------------------------------------ no overwrite
sums "$pki" >"$work/sums.before"
expect_failure 1 "$pki/ca.crt exists; use --force to replace it" \
    "$TLSD_MKCERT" -d "$pki"
sums "$pki" >"$work/sums.after"
cmp -s "$work/sums.before" "$work/sums.after" || fail "a refused run changed the files"
ok "rerun without --force: exit 1, names the file, files untouched"
rm "$pki/ca.crt"
expect_failure 1 "$pki/server.crt exists; use --force to replace it" \
    "$TLSD_MKCERT" -d "$pki"
[ ! -e "$pki/ca.crt" ] || fail "a refused run wrote ca.crt"
ok "one existing file is enough to refuse, and nothing is written"

# ------------------------------------------------------------ --force
chmod 644 "$pki/server.key"
"$TLSD_MKCERT" -d "$pki" --force >/dev/null || fail "--force failed"
sums "$pki" >"$work/sums.forced"
[ "$(cut -d' ' -f1 "$work/sums.after")" != "$(cut -d' ' -f1 "$work/sums.forced")" ] ||
    fail "--force did not replace the files"
ok "--force replaces the files"
check_mode_600 "$pki/server.key"
verify_pki "$pki"
check_key_matches "$pki"
openssl x509 -in "$pki/cert1.pem" -noout -text >"$work/leaf.txt"
grep -q 'Subject: CN *= *localhost' "$work/leaf.txt" || fail "default CN is not localhost"
ok "without names, CN is localhost"

# ------------------------------------------------------------ --rsa, --days
rsa="$work/rsa"
"$TLSD_MKCERT" -d "$rsa" --rsa --days 30 rsa.example.test >/dev/null || fail "--rsa failed"
ok "tlsd-mkcert --rsa --days 30"
verify_pki "$rsa"
check_mode_600 "$rsa/server.key"
openssl pkey -in "$rsa/server.key" -noout -text >"$work/key.txt"
grep -q 'Private-Key: (2048 bit' "$work/key.txt" || fail "server.key is not RSA 2048"
grep -q 'publicExponent: 65537' "$work/key.txt" || fail "server.key is not RSA with e=65537"
ok "server.key is RSA 2048"
check_key_matches "$rsa"
openssl x509 -in "$rsa/cert1.pem" -noout -text >"$work/leaf.txt"
grep -q 'sha256WithRSAEncryption' "$work/leaf.txt" || fail "RSA leaf not signed with SHA-256"
grep -q 'Digital Signature, Key Encipherment' "$work/leaf.txt" || fail "RSA leaf key usage"
grep -q 'DNS:rsa.example.test' "$work/leaf.txt" || fail "RSA leaf lacks its extra name"
ok "RSA leaf: sha256WithRSAEncryption, digitalSignature + keyEncipherment"
openssl x509 -in "$rsa/cert1.pem" -noout -checkend $((29 * 86400)) >/dev/null ||
    fail "--days 30 leaf expires before 29 days"
! openssl x509 -in "$rsa/cert1.pem" -noout -checkend $((31 * 86400)) >/dev/null ||
    fail "--days 30 leaf valid after 31 days"
ok "--days 30 gives a 30-day leaf"

# ------------------------------------------------------------ refusals
bad="$work/bad"
expect_failure 1 'bad name "bad name!"' "$TLSD_MKCERT" -d "$bad" 'bad name!'
[ ! -e "$bad" ] || fail "a bad name still created $bad"
ok "a bad name (\"bad name!\") is refused before anything is written"
for name in 'a..b' '-a.test' 'a*.test' 'x.*.test' '*' 'under_score.test' '10.0.0' '[::1]'; do
    expect_failure 1 "bad name" "$TLSD_MKCERT" -d "$bad" -- "$name"
done
ok "other bad names are refused too"
for days in 0 3651 ten ''; do
    expect_failure 1 "--days" "$TLSD_MKCERT" -d "$bad" --days "$days"
done
ok "--days outside 1..3650 is refused"
expect_failure 1 "unknown option" "$TLSD_MKCERT" --bogus
ok "an unknown option is refused"
expect_failure 1 "cannot create directory $work/no/such: No such file or directory" \
    "$TLSD_MKCERT" -d "$work/no/such"
[ ! -e "$work/no" ] || fail "-d into a missing parent created something"
ok "-d into a non-existent parent fails cleanly"
: >"$work/plainfile"
expect_failure 1 "is not a directory" "$TLSD_MKCERT" -d "$work/plainfile"
ok "-d naming a file fails cleanly"

# RFC 5758: ecdsa-with-SHA256 has no parameters. Mbed TLS 2.28 writes a
# NULL there, which Chromium rejects (ERR_CERT_INVALID); tlsd-mkcert must
# not pass that on.
mkdir -p "$work/nullcheck"
for cert in "$pki/ca.crt" "$pki/server.crt"; do
    rm -f "$work/nullcheck"/*.pem
    awk -v dir="$work/nullcheck" '/-----BEGIN CERTIFICATE-----/ { n++ } n > 0 { print > (dir "/" n ".pem") }' "$cert"
    for part in "$work/nullcheck"/*.pem; do
        if openssl asn1parse -in "$part" | grep -A1 "ecdsa-with-SHA256" | grep -q "NULL"; then
            fail "$(basename "$cert"): ecdsa-with-SHA256 is written with a NULL parameter"
        fi
    done
done
ok "ECDSA signature algorithms carry no NULL parameter (RFC 5758)"

echo "# all $checks checks passed"
exit 0
