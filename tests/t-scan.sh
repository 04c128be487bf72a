#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-scan.sh: an outside view of the TLS policy. sslscan scans tlsd (ECDSA
# chain, then RSA chain) and its XML report must show: TLS 1.2, and TLS 1.3
# exactly when tlsd is built on Mbed TLS 3.6; no SSLv2/SSLv3/TLS 1.0/1.1;
# only ECDHE + AEAD suites (nothing CBC, RC4, 3DES, NULL, static RSA, DHE,
# anonymous or export); no ffdhe group; no Heartbleed; the certificate the
# test PKI made. Compression and renegotiation are double-checked without
# sslscan (see below why), and one summary line per scan says what was
# accepted.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

if ! command -v sslscan >/dev/null 2>&1; then
    if command -v testssl.sh >/dev/null 2>&1; then
        skip_all "sslscan is needed (apt-get install sslscan); this test reads sslscan's XML, testssl.sh alone is not enough"
    fi
    skip_all "sslscan is needed (apt-get install sslscan)"
fi
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to read sslscan's XML (apt-get install python3)"
python3 -c 'import xml.etree.ElementTree' 2>/dev/null || skip_all "python3's xml.etree is needed to read sslscan's XML"
command -v openssl >/dev/null 2>&1 || skip_all "openssl is needed (apt-get install openssl)"

# scanfacts.py XML: sslscan's XML report as one fact per line; every cipher
# suite is classified (key exchange, authentication, cipher) from its name,
# OpenSSL's (ECDHE-ECDSA-AES128-GCM-SHA256, AES128-SHA, ADH-...) or IANA's
# (TLS_ECDHE_ECDSA_WITH_...), which sslscan uses for suites its OpenSSL lacks.
cat >"$WORK/scanfacts.py" <<'EOF'
import re
import sys
import xml.etree.ElementTree as ET

def classify(name, version):
    """(kx, au, flags) for a suite name."""
    n = name.upper().replace('_', '-')
    flags = set()
    if version == 'TLSv1.3' or (n.startswith('TLS-') and '-WITH-' not in n):
        kx, au, enc = 'TLS13', 'TLS13', n[4:] if n.startswith('TLS-') else n
    elif n.startswith(('TLS-', 'SSL-')) and '-WITH-' in n:
        kxau, enc = n[4:].split('-WITH-', 1)
        if kxau.endswith('-EXPORT') or '-EXPORT' in kxau:
            flags.add('export')
            kxau = kxau.replace('-EXPORT1024', '').replace('-EXPORT', '')
        parts = kxau.split('-')
        kx = parts[0]
        au = parts[1] if len(parts) > 1 else kx
        if au == 'ANON':               # DH_anon, ECDH_anon: ephemeral, unauthenticated
            kx = {'DH': 'DHE', 'ECDH': 'ECDHE'}.get(kx, kx)
        if kx == 'NULL':
            kx, au = 'NULL', 'NULL'
    else:
        if n.startswith('EXP-') or n.startswith('EXP1024-'):
            flags.add('export')
            n = n.split('-', 1)[1]
        prefixes = [
            ('ECDHE-ECDSA-', 'ECDHE', 'ECDSA'), ('ECDHE-RSA-', 'ECDHE', 'RSA'),
            ('ECDHE-PSK-', 'ECDHE', 'PSK'), ('AECDH-', 'ECDHE', 'ANON'),
            ('ECDH-ECDSA-', 'ECDH', 'ECDSA'), ('ECDH-RSA-', 'ECDH', 'RSA'),
            ('DHE-RSA-', 'DHE', 'RSA'), ('EDH-RSA-', 'DHE', 'RSA'),
            ('DHE-DSS-', 'DHE', 'DSS'), ('EDH-DSS-', 'DHE', 'DSS'),
            ('DHE-PSK-', 'DHE', 'PSK'), ('ADH-', 'DHE', 'ANON'),
            ('DH-RSA-', 'DH', 'RSA'), ('DH-DSS-', 'DH', 'DSS'),
            ('RSA-PSK-', 'RSA', 'PSK'), ('PSK-', 'PSK', 'PSK'),
            ('SRP-RSA-', 'SRP', 'RSA'), ('SRP-DSS-', 'SRP', 'DSS'), ('SRP-', 'SRP', 'SRP'),
            ('GOST', 'GOST', 'GOST'),
            ('ECDHE-', 'ECDHE', 'RSA'), ('DHE-', 'DHE', 'RSA'),   # ECDHE-ARIA128-GCM-SHA256...
        ]
        for prefix, kx, au in prefixes:
            if n.startswith(prefix):
                enc = n[len(prefix):] if prefix != 'GOST' else n
                break
        else:
            kx, au, enc = 'RSA', 'RSA', n   # AES128-SHA, DES-CBC3-SHA, RC4-MD5, NULL-SHA...
    aead = 'GCM' in enc or 'CHACHA20-POLY1305' in enc or 'CCM' in enc
    if re.search(r'(^|-)AES-?(128|256)-GCM(-|$)|(^|-)CHACHA20-POLY1305(-|$)', enc):
        flags.add('aead_ok')
    if 'RC4' in enc:
        flags.add('rc4')
    if 'NULL' in enc.split('-')[:2] or enc.startswith('NULL'):
        flags.add('null')
    if 'DES-CBC3' in enc or '3DES' in enc or 'DES-EDE' in enc:
        flags.add('3des')
    elif 'DES' in enc.split('-'):
        flags.add('des')
    if not aead and re.search(r'(^|-)(AES|CAMELLIA|ARIA|SEED|IDEA|DES|3DES|RC2|CBC)', enc):
        flags.add('cbc')           # a block cipher outside GCM/CCM: CBC in TLS
    if kx == 'ECDHE' and au != 'ANON':
        flags.add('ecdhe')
    if kx == 'DHE':
        flags.add('dhe')
    if kx in ('ECDH', 'DH'):
        flags.add('static_dh')
    if kx == 'RSA':
        flags.add('rsa_kx')
    if au in ('ANON', 'NULL'):
        flags.add('anon')
    if kx in ('PSK', 'SRP') or au in ('PSK', 'SRP'):
        flags.add('psk_srp')
    return kx, au, flags

def main(path, out):
    root = ET.parse(path).getroot()
    test = root.find('ssltest')
    if test is None:
        sys.exit('no <ssltest> in the report')
    facts = ['tool sslscan %s' % root.get('version', '?')]
    for p in test.findall('protocol'):
        name = ('SSLv' if p.get('type') == 'ssl' else 'TLSv') + p.get('version')
        facts.append('protocol %s enabled=%s' % (name, p.get('enabled')))
    for c in test.findall('cipher'):
        kx, au, flags = classify(c.get('cipher'), c.get('sslversion'))
        facts.append('cipher %s %s id=%s status=%s kx=%s au=%s curve=%s flags=,%s,' % (
            c.get('sslversion'), c.get('cipher'), c.get('id'), c.get('status'),
            kx, au, c.get('curve', '-'), ','.join(sorted(flags))))
    for r in test.findall('renegotiation'):
        facts.append('renegotiation supported=%s secure=%s' % (r.get('supported'), r.get('secure')))
    comp = test.findall('compression')
    for r in comp:
        facts.append('compression supported=%s' % r.get('supported'))
    if not comp:
        facts.append('compression untested')   # sslscan's OpenSSL has no zlib
    for h in test.findall('heartbleed'):
        facts.append('heartbleed %s vulnerable=%s' % (h.get('sslversion'), h.get('vulnerable')))
    for g in test.findall('group'):
        facts.append('group %s %s id=%s' % (g.get('sslversion'), g.get('name').split(' ')[0], g.get('id')))
    for cert in test.iter('certificate'):
        pk = cert.find('pk')
        sig = (cert.findtext('signature-algorithm') or '').strip()
        key = '-'
        if pk is not None:
            key = '%s %s' % (pk.get('type'), pk.get('curve_name') or pk.get('bits'))
        facts.append('cert key=%s sig=%s subject=%s' % (
            key.replace(' ', ':'), sig, (cert.findtext('subject') or '').strip()))
    with open(out, 'w') as f:
        f.write('\n'.join(facts) + '\n')

def summary(path, label):
    protos, refused, suites, groups, curves = [], [], {}, {}, {}
    extra = []
    for line in open(path):
        w = line.split()
        if w[0] == 'protocol':
            (protos if w[2] == 'enabled=1' else refused).append(w[1])
        elif w[0] == 'cipher':
            suites.setdefault(w[1], []).append(w[2] + ('*' if 'status=preferred' in line else ''))
            curve = [x[6:] for x in w if x.startswith('curve=')][0]
            if curve not in curves.setdefault(w[1], []):
                curves[w[1]].append(curve)
        elif w[0] == 'group':
            groups.setdefault(w[1], []).append(w[2])
        elif w[0] == 'cert':
            extra.append('certificate ' + w[1][4:].replace(':', ' '))
    parts = ['accepted %s (refused %s)' % (' '.join(protos) or 'nothing', ' '.join(refused))]
    for v in sorted(suites, reverse=True):
        parts.append('%s suites %s (ECDHE %s)' % (v, ' '.join(suites[v]), ' '.join(curves[v])))
    for v in sorted(groups, reverse=True):
        parts.append('%s groups offered alone %s' % (v, ' '.join(groups[v])))
    print('SUMMARY (%s): %s; %s [* = preferred]' % (label, '; '.join(parts), '; '.join(extra)))

if sys.argv[1] == 'facts':
    main(sys.argv[2], sys.argv[3])
else:
    summary(sys.argv[2], sys.argv[3])
EOF

# hello_probe.py PORT: one raw TLS 1.2 ClientHello that offers DEFLATE
# compression before null and TLS_EMPTY_RENEGOTIATION_INFO_SCSV; prints what
# the ServerHello chose ("compression=N renegotiation_info=HEX|none") or the
# alert. sslscan cannot test compression when its OpenSSL lacks zlib (as
# Debian's does), so this is the compression check.
cat >"$WORK/hello_probe.py" <<'EOF'
import os, socket, struct, sys
def ext(t, data):
    return struct.pack('>HH', t, len(data)) + data
suites = (0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014,
          0x009c, 0x002f, 0x0035, 0x000a, 0x00ff)
exts = ext(0, struct.pack('>HBH', 12, 0, 9) + b'localhost')
exts += ext(10, struct.pack('>HHH', 4, 0x001d, 0x0017))
exts += ext(11, b'\x01\x00')
sigalgs = (0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0201, 0x0203)
exts += ext(13, struct.pack('>H', 2 * len(sigalgs)) + b''.join(struct.pack('>H', s) for s in sigalgs))
body = b'\x03\x03' + os.urandom(32) + b'\x00'
body += struct.pack('>H', 2 * len(suites)) + b''.join(struct.pack('>H', s) for s in suites)
body += b'\x02\x01\x00' + struct.pack('>H', len(exts)) + exts
hs = b'\x01' + struct.pack('>I', len(body))[1:] + body
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
s.sendall(b'\x16\x03\x01' + struct.pack('>H', len(hs)) + hs)
buf = b''
def need(n):
    global buf
    while len(buf) < n:
        d = s.recv(65536)
        if not d:
            print('closed'); sys.exit(0)
        buf += d
need(5)
need(5 + struct.unpack('>H', buf[3:5])[0])
rec = buf[5:]
if buf[0] == 21:
    print('alert=%d' % rec[1]); sys.exit(0)
if buf[0] != 22 or rec[0] != 2:
    print('unexpected'); sys.exit(0)
need(5 + 4 + (rec[1] << 16 | rec[2] << 8 | rec[3]))
p = buf[9:]
i = 35 + p[34]
compression = p[i + 2]
i += 3
ri = 'none'
if i + 2 <= len(p):
    end = i + 2 + struct.unpack('>H', p[i:i + 2])[0]
    i += 2
    while i + 4 <= end:
        t, l = struct.unpack('>HH', p[i:i + 4])
        if t == 0xff01:
            ri = p[i + 4:i + 4 + l].hex()
        i += 4 + l
print('version=%04x compression=%d renegotiation_info=%s' % (struct.unpack('>H', p[:2])[0], compression, ri))
EOF

FACTS="$WORK/scan.facts"
# has LINE-REGEX / hasnt LINE-REGEX: a fact line that matches (or none)
has() { grep -Eq -- "$1" "$FACTS"; }
hasnt() { ! grep -Eq -- "$1" "$FACTS"; }
# no_suite_with FLAG: no accepted suite carries FLAG
no_suite_with() { hasnt "^cipher .* flags=.*,$1,"; }
# every_suite_has FLAG [VERSION]: every accepted (VERSION) suite carries FLAG
every_suite_has() {
    has "^cipher ${2:-}" || return 1
    ! grep "^cipher ${2:-}" "$FACTS" | grep -vq -- ",$1,"
}
# every_tls12_suite_authenticates_with AUTH
every_tls12_suite_authenticates_with() {
    has "^cipher TLSv1\.2 " || return 1
    ! grep "^cipher TLSv1\.2 " "$FACTS" | grep -vq -- " au=$1 "
}
# suites_only_for_accepted_protocols: sslscan found no suite for a version
# it reported refused
suites_only_for_accepted_protocols() {
    for v in $(awk '$1 == "cipher" { print $2 }' "$FACTS" | sort -u); do
        has "^protocol $v enabled=1$" || return 1
    done
}
# heartbleed_tested: a <heartbleed> result for every accepted protocol
heartbleed_tested() {
    for v in $(sed -n 's/^protocol \(TLSv[0-9.]*\) enabled=1$/\1/p' "$FACTS"); do
        has "^heartbleed $v vulnerable=" || return 1
    done
}
# cert_key FILE: a certificate's key as sslscan names it: EC:prime256v1, RSA:2048
cert_key() {
    openssl x509 -in "$1" -noout -text | awk '
        /Public Key Algorithm: id-ecPublicKey/ { t = "EC" }
        /Public Key Algorithm: rsaEncryption/ { t = "RSA" }
        /Public-Key: \(/ { b = $0; sub(/.*\(/, "", b); sub(/ bit.*/, "", b) }
        /ASN1 OID:/ { c = $3 }
        END { print t ":" (t == "EC" ? c : b) }'
}

# scan LABEL AUTH: scan the running tlsd and check its report; AUTH is the
# authentication every TLS 1.2 suite must use (ECDSA or RSA).
scan() {
    label=$1 auth=$2
    rm -f "$WORK/scan.xml" "$FACTS"
    timeout 300 sslscan --no-colour --sni-name=localhost --xml="$WORK/scan.xml" \
        "127.0.0.1:$PORT" >"$WORK/scan-$label.txt" 2>&1
    if ! python3 -B "$WORK/scanfacts.py" facts "$WORK/scan.xml" "$FACTS" 2>"$WORK/facts.err"; then
        fail "[$label] sslscan wrote a report that parses"
        cat "$WORK/scan-$label.txt" "$WORK/facts.err"
        return
    fi
    pass "[$label] sslscan wrote a report that parses"
    check "[$label] tlsd is still running after the scan" kill -0 "$TLSD_PID"

    for v in SSLv2 SSLv3 TLSv1.0 TLSv1.1; do
        check "[$label] $v is refused" has "^protocol $v enabled=0$"
    done
    check "[$label] TLS 1.2 is accepted" has "^protocol TLSv1\.2 enabled=1$"
    if tls13_available; then
        check "[$label] TLS 1.3 is accepted (Mbed TLS 3.6)" has "^protocol TLSv1\.3 enabled=1$"
        check "[$label] TLS 1.3 suites were found" has "^cipher TLSv1\.3 "
    else
        check "[$label] TLS 1.3 is refused (Mbed TLS 2.28)" has "^protocol TLSv1\.3 enabled=0$"
        check "[$label] no TLS 1.3 suite was found" hasnt "^cipher TLSv1\.3 "
    fi

    check "[$label] TLS 1.2 suites were found" has "^cipher TLSv1\.2 "
    check "[$label] suites were found only for accepted protocols" suites_only_for_accepted_protocols
    check "[$label] every accepted suite is AEAD: AES-GCM or CHACHA20-POLY1305" every_suite_has aead_ok
    check "[$label] every TLS 1.2 suite uses ECDHE" every_suite_has ecdhe "TLSv1\.2 "
    check "[$label] every TLS 1.2 suite authenticates with $auth (the certificate's key)" \
        every_tls12_suite_authenticates_with "$auth"
    check "[$label] no CBC suite" no_suite_with cbc
    check "[$label] no RC4 suite" no_suite_with rc4
    check "[$label] no 3DES or DES suite" sh -c "! grep -Eq '^cipher .*flags=.*,(3des|des),' '$FACTS'"
    check "[$label] no NULL-cipher suite" no_suite_with null
    check "[$label] no static RSA key exchange" no_suite_with rsa_kx
    check "[$label] no static (EC)DH key exchange" no_suite_with static_dh
    check "[$label] no DHE key exchange" no_suite_with dhe
    check "[$label] no anonymous suite" no_suite_with anon
    check "[$label] no export suite" no_suite_with export
    check "[$label] no PSK or SRP suite" no_suite_with psk_srp
    check "[$label] no finite-field (ffdhe) group" hasnt "^group .* ffdhe"
    check "[$label] key exchange groups were found" has "^group "

    check "[$label] Heartbleed was tested on every accepted protocol" heartbleed_tested
    check "[$label] not vulnerable to Heartbleed" \
        sh -c "grep -q '^heartbleed ' '$FACTS' && ! grep -q '^heartbleed .* vulnerable=[^0]' '$FACTS'"

    # Compression: sslscan's own test needs an OpenSSL with zlib; when its
    # report has no <compression> element, a raw ClientHello offering
    # DEFLATE must get null compression.
    if has "^compression supported="; then
        check "[$label] no TLS compression (sslscan)" has "^compression supported=0$"
    fi
    python3 -B "$WORK/hello_probe.py" "$PORT" >"$WORK/probe.out" 2>&1
    check "[$label] no TLS compression (a hello offering DEFLATE gets null)" \
        grep -q " compression=0 " "$WORK/probe.out"

    # Renegotiation. sslscan (2.0.7 up to 2.2.x) probes it with a TLS 1.0-only
    # client: against a server that refuses TLS 1.0 its <renegotiation> says
    # supported="0" secure="0" whatever the server does, and where it does
    # connect, secure="1" implies supported="1" without trying. So its word
    # is checked for what it can say (nothing insecure), and the rest is
    # checked over TLS 1.2 directly.
    check "[$label] sslscan reports no insecure renegotiation" \
        hasnt "^renegotiation supported=1 secure=0$"
    check "[$label] sslscan does not report renegotiation as supported" \
        has "^renegotiation supported=0 "
    check "[$label] secure renegotiation: the SCSV is answered with an empty renegotiation_info" \
        grep -q " renegotiation_info=00$" "$WORK/probe.out"
    s_client -tls1_2 -CAfile "$CA" </dev/null >"$WORK/s12"
    check "[$label] secure renegotiation: openssl s_client says it IS supported" \
        grep -q "Secure Renegotiation IS supported" "$WORK/s12"
    (printf 'R\n'; sleep 1) | s_client -tls1_2 -CAfile "$CA" >"$WORK/reneg"
    check "[$label] client-initiated renegotiation is refused (no renegotiation)" \
        sh -c "grep -q RENEGOTIATING '$WORK/reneg' && grep -q 'no renegotiation' '$WORK/reneg'"

    want=$(cert_key "$WORK/certs/server.crt")
    check "[$label] the certificate scanned is the PKI's ($want)" has "^cert key=$want "
    sig=$(openssl x509 -in "$WORK/certs/server.crt" -noout -text | sed -n 's/^ *Signature Algorithm: //p' | head -n 1)
    check "[$label] its signature is the PKI's ($sig)" has "^cert .* sig=$sig "

    python3 -B "$WORK/scanfacts.py" summary "$FACTS" \
        "$label, $("$TLSD" -V | sed -n 's/^\(Mbed TLS [^ ]*\).*/\1/p'), $(head -n 1 "$FACTS" | cut -d' ' -f2-)"
    if [ "$FAILURES" -ne 0 ]; then
        echo "--- sslscan's output ($label) ---"; cat "$WORK/scan-$label.txt"
        echo "--- facts from sslscan's report ($label) ---"; cat "$FACTS"
        echo "--- raw hello probe ---"; cat "$WORK/probe.out"
    fi
}

# the test PKI's ECDSA chain
start_tlsd
scan ECDSA ECDSA
stop_tlsd
check "tlsd stopped cleanly after the ECDSA scan" test "$STOP_STATUS" -eq 0

# an RSA chain: the certificate that would allow static RSA key exchange
make_pki "$WORK/rsa" --rsa
cp "$WORK/rsa/"* "$WORK/certs/"
CA="$WORK/certs/ca.crt"
start_tlsd
scan RSA RSA
stop_tlsd
check "tlsd stopped cleanly after the RSA scan" test "$STOP_STATUS" -eq 0
finish
