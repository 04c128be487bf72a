#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
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
grep -Eq '^tlsd-mkcert [0-9][^ ]* \(Mbed TLS [0-9][0-9.]*(, tlsd configuration)?\)$' "$work/version" ||
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

# ------------------------------------------------------------ ticket keys
# key_lines FILE: the keys of a ticket key file, one a line, comments left out
key_lines() {
    awk '!/^[ \t]*#/ && NF' "$1"
}
count_keys() {
    key_lines "$1" | wc -l | tr -d ' '
}
tickets="$work/tickets"
mkdir "$tickets"
keys="$tickets/ticket.keys"
"$TLSD_MKCERT" --ticket-keys "$keys" >"$work/out" || fail "--ticket-keys failed"
check_mode_600 "$keys"
[ "$(count_keys "$keys")" = 1 ] || fail "--ticket-keys wrote $(count_keys "$keys") keys, not 1"
key_lines "$keys" | grep -Eqx '[0-9a-f]{96}' || fail "the key is not 96 hex digits: $(key_lines "$keys")"
head -n 1 "$keys" | grep -q '^# tlsd session ticket keys' || fail "no header comment in $keys"
new=$(key_lines "$keys" | cut -c1-16)
grep -q "new key:  $new" "$work/out" || { cat "$work/out" >&2; fail "the output does not name the new key $new"; }
grep -q "wrote $keys (1 ticket key, mode 0600)" "$work/out" || fail "the output does not say what was written"
ok "--ticket-keys FILE: one key of 96 hex digits, mode 0600, its name printed"
[ "$(ls -A "$tickets")" = ticket.keys ] || fail "files left behind in $tickets: $(ls -A "$tickets")"
ok "--ticket-keys leaves no temporary file"

cksum "$keys" >"$work/keys.before"
expect_failure 1 "$keys exists; use --force to replace it" "$TLSD_MKCERT" --ticket-keys "$keys"
cksum "$keys" | cmp -s - "$work/keys.before" || fail "a refused --ticket-keys changed $keys"
ok "--ticket-keys refuses to replace FILE without --force, FILE untouched"
chmod 644 "$keys"
"$TLSD_MKCERT" --ticket-keys "$keys" --force >/dev/null || fail "--ticket-keys --force failed"
[ "$(key_lines "$keys" | cut -c1-16)" != "$new" ] || fail "--force did not make a new key"
check_mode_600 "$keys"
ok "--ticket-keys --force replaces FILE with a new key, mode 0600"
( umask 0 && "$TLSD_MKCERT" --ticket-keys "$tickets/loose.keys" >/dev/null ) || fail "--ticket-keys under umask 0"
check_mode_600 "$tickets/loose.keys"
rm "$tickets/loose.keys"

# rotation: a new key first, the old ones after it in order, at most --keep
key_lines "$keys" >"$work/k1"
"$TLSD_MKCERT" --rotate-ticket-keys "$keys" >"$work/out" || fail "--rotate-ticket-keys failed"
check_mode_600 "$keys"
[ "$(count_keys "$keys")" = 2 ] || fail "one rotation: $(count_keys "$keys") keys, not 2"
key_lines "$keys" | tail -n +2 | cmp -s - "$work/k1" || fail "the old key is not second after a rotation"
[ "$(key_lines "$keys" | head -n 1)" != "$(cat "$work/k1")" ] || fail "the new key is the old one"
new=$(key_lines "$keys" | head -n 1 | cut -c1-16)
grep -q "new key:  $new" "$work/out" || fail "--rotate-ticket-keys does not name the new key"
grep -q "wrote $keys (2 ticket keys, mode 0600)" "$work/out" || fail "--rotate-ticket-keys does not count the keys"
ok "--rotate-ticket-keys: a new key first, then the old one"
key_lines "$keys" >"$work/k2"
"$TLSD_MKCERT" --rotate-ticket-keys "$keys" >/dev/null || fail "second rotation"
[ "$(count_keys "$keys")" = 3 ] || fail "two rotations: $(count_keys "$keys") keys, not 3"
key_lines "$keys" | tail -n +2 | cmp -s - "$work/k2" || fail "the old keys are not kept in order"
key_lines "$keys" >"$work/k3"
"$TLSD_MKCERT" --rotate-ticket-keys "$keys" >"$work/out" || fail "third rotation"
[ "$(count_keys "$keys")" = 3 ] || fail "--keep 3 (the default) kept $(count_keys "$keys") keys"
key_lines "$keys" | tail -n +2 >"$work/kept"
head -n 2 "$work/k3" | cmp -s - "$work/kept" || fail "the newest old keys are not the ones kept"
grep -q "dropped:  $(tail -n 1 "$work/k3" | cut -c1-16)" "$work/out" || fail "the dropped key is not named"
ok "--rotate-ticket-keys keeps 3 keys by default, the oldest dropped and named"
"$TLSD_MKCERT" --rotate-ticket-keys "$keys" --keep 2 >/dev/null || fail "--keep 2"
[ "$(count_keys "$keys")" = 2 ] || fail "--keep 2 kept $(count_keys "$keys") keys"
for i in 1 2 3 4 5 6 7; do
    "$TLSD_MKCERT" --rotate-ticket-keys "$keys" --keep 8 >/dev/null || fail "--keep 8, rotation $i"
done
[ "$(count_keys "$keys")" = 8 ] || fail "--keep 8 kept $(count_keys "$keys") keys"
[ "$(key_lines "$keys" | cut -c1-32 | sort -u | wc -l | tr -d ' ')" = 8 ] || fail "two keys share a name"
ok "--keep 2 and --keep 8 bound the number of keys"
for keep in 1 9 0 two ''; do
    expect_failure 1 "--keep wants a whole number from 2 to 8" "$TLSD_MKCERT" --rotate-ticket-keys "$keys" --keep "$keep"
done
ok "--keep outside 2..8 is refused"
[ "$(ls -A "$tickets")" = ticket.keys ] || fail "files left behind in $tickets: $(ls -A "$tickets")"
ok "rotations leave no temporary file"

# a file made by hand (openssl rand -hex 48, CRLF, comments) rotates
printf '# by hand\r\n%s\r\n\r\n' "$(openssl rand -hex 48)" >"$tickets/hand.keys"
chmod 600 "$tickets/hand.keys"
"$TLSD_MKCERT" --rotate-ticket-keys "$tickets/hand.keys" >/dev/null || fail "a hand-made key file does not rotate"
[ "$(count_keys "$tickets/hand.keys")" = 2 ] || fail "the hand-made file has $(count_keys "$tickets/hand.keys") keys"
ok "a hand-made key file (openssl rand -hex 48, CRLF) rotates"

# refusals: the file is left as it was
printf '# keys\nnot a key\n' >"$tickets/bad.keys"
chmod 600 "$tickets/bad.keys"
cksum "$tickets/bad.keys" >"$work/bad.before"
expect_failure 1 "ticket_key_file $tickets/bad.keys:2: 'n' (column 1) is not a hex digit.*left as it is" \
    "$TLSD_MKCERT" --rotate-ticket-keys "$tickets/bad.keys"
cksum "$tickets/bad.keys" | cmp -s - "$work/bad.before" || fail "a refused rotation changed the bad file"
ok "a malformed key file is refused with FILE:LINE and the reason, and left untouched"
printf '%s\n' "$(openssl rand -hex 47)" >"$tickets/short.keys"
chmod 600 "$tickets/short.keys"
expect_failure 1 "short.keys:1: 94 hex digits, but a key is 96" \
    "$TLSD_MKCERT" --rotate-ticket-keys "$tickets/short.keys"
ok "a key of the wrong length is refused"
cp "$keys" "$tickets/open.keys"
chmod 640 "$tickets/open.keys"
cksum "$tickets/open.keys" >"$work/open.before"
expect_failure 1 "open.keys: readable by group or others (mode 0640): run chmod 600 on it" \
    "$TLSD_MKCERT" --rotate-ticket-keys "$tickets/open.keys"
cksum "$tickets/open.keys" | cmp -s - "$work/open.before" || fail "a refused rotation changed open.keys"
[ "$(stat -c %a "$tickets/open.keys")" = 640 ] || fail "a refused rotation changed the mode"
ok "a key file readable by the group is refused and left untouched"
expect_failure 1 "missing.keys: No such file or directory" \
    "$TLSD_MKCERT" --rotate-ticket-keys "$tickets/missing.keys"
[ ! -e "$tickets/missing.keys" ] || fail "rotating a missing file created it"
ok "rotating a missing file is refused"
rm -f "$tickets/bad.keys" "$tickets/short.keys" "$tickets/open.keys" "$tickets/hand.keys"

# through a symlink: the file it points to is rotated, the link stays
ln -s ticket.keys "$tickets/link.keys"
"$TLSD_MKCERT" --rotate-ticket-keys "$tickets/link.keys" >/dev/null || fail "rotating through a symlink"
[ -L "$tickets/link.keys" ] || fail "the rotation replaced the symlink"
[ "$(count_keys "$keys")" = 3 ] || fail "the rotation through the link did not reach ticket.keys"
rm "$tickets/link.keys"
ok "a symlink is followed, not replaced"

if [ "$(id -u)" = 0 ]; then
    chown 4242:4343 "$keys"
    "$TLSD_MKCERT" --rotate-ticket-keys "$keys" >/dev/null || fail "rotation as root"
    [ "$(stat -c %u:%g "$keys")" = 4242:4343 ] || fail "root's rotation did not keep the owner: $(stat -c %u:%g "$keys")"
    ok "root's rotation keeps the file's owner and group"
fi

expect_failure 1 "--ticket-keys: -d, --rsa, --days and NAMEs are for the PKI" \
    "$TLSD_MKCERT" --ticket-keys "$tickets/x.keys" example.test
expect_failure 1 "--keep goes with --rotate-ticket-keys only" "$TLSD_MKCERT" --keep 3
expect_failure 1 "do not go together" "$TLSD_MKCERT" --ticket-keys "$tickets/x.keys" --rotate-ticket-keys "$keys"
expect_failure 1 "--force is for --ticket-keys" "$TLSD_MKCERT" --rotate-ticket-keys "$keys" --force
[ ! -e "$tickets/x.keys" ] || fail "a refused command wrote a key file"
ok "the ticket key modes refuse the PKI's options"

# tlsd itself takes the file (when make check gives us tlsd)
if [ -n "${TLSD:-}" ] && [ -x "$TLSD" ]; then
    printf 'ticket_key_file %s\n' "$keys" >"$work/keys.conf"
    "$TLSD" -t -c "$work/keys.conf" --cert "$pki/server.crt" --key "$pki/server.key" --root "$tickets" \
        >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "tlsd -t refuses the rotated key file"; }
    # -t says only its verdict; a start logs which keys are in use
    : >"$work/start.log"
    "$TLSD" -c "$work/keys.conf" -l 127.0.0.1:0 --cert "$pki/server.crt" --key "$pki/server.key" \
        --root "$tickets" 2>"$work/start.log" &
    tlsd_pid=$!
    tries=0
    while ! grep -q "ready:" "$work/start.log" && kill -0 "$tlsd_pid" 2>/dev/null && [ $tries -lt 300 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    kill -TERM "$tlsd_pid" 2>/dev/null
    wait "$tlsd_pid" || true
    grep -q "ticket keys: 3 from $keys; new tickets use key $(key_lines "$keys" | head -n 1 | cut -c1-16)" \
        "$work/start.log" || { cat "$work/start.log" >&2; fail "tlsd does not log the keys at start"; }
    ok "tlsd -t accepts the file, and tlsd logs its first key at start"
fi

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
