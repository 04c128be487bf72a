#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-browser.sh: a real browser. Headless Chromium trusts tlsd's chain through
# its own NSS database (no --ignore-certificate-errors), runs the page's
# script under tlsd's Content-Security-Policy, and the page shows the version
# and suite tlsd negotiated with it. Without the CA, Chromium refuses the
# certificate. A screenshot is kept in TLSD_SCREENSHOT_DIR when it is set.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] || skip_all "no $CHROMIUM (apt-get install chromium)"
command -v certutil >/dev/null 2>&1 || skip_all "no certutil (apt-get install libnss3-tools)"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (apt-get install jq)"
command -v openssl >/dev/null 2>&1 || skip_all "openssl is needed (apt-get install openssl)"

ENDPOINT=/.well-known/tlsd/handshake
RUNS=0

# new_home DIR [CA]: a HOME whose NSS database (what Chromium reads on Linux)
# trusts CA for TLS servers, or nothing at all.
new_home() {
    mkdir -p "$1/.pki/nssdb"
    certutil -N -d "sql:$1/.pki/nssdb" --empty-password || return 1
    if [ $# -gt 1 ]; then
        certutil -A -d "sql:$1/.pki/nssdb" -t "C,," -n "tlsd test CA" -i "$2" || return 1
    fi
}

# chromium HOME ARGS...: one headless Chromium run as HOME, with a fresh
# profile, localhost mapped to the loopback address tlsd listens on, and at
# most 60 s (then it is killed).
chromium() {
    local home=$1
    shift
    RUNS=$((RUNS + 1))
    HOME=$home XDG_CONFIG_HOME=$home/.config XDG_CACHE_HOME=$home/.cache \
    timeout -k 5 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$WORK/profile$RUNS" \
        --host-resolver-rules="MAP localhost 127.0.0.1" "$@"
}

# dom_text ID: the text of the element with that id in the dumped DOM
dom_text() {
    sed -n "s/.*id=\"$1\"[^>]*>\([^<]*\)<.*/\1/p" "$WORK/dom.html" | head -n 1
}

# same A B: A is not empty and equals B
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }

# png_width FILE: the width in a PNG's IHDR
png_width() {
    od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'
}

start_tlsd
curl_tls -D "$WORK/page.headers" -o "$WORK/page.html" "$(url /)"
check "the page comes with the site's Content-Security-Policy (same origin only)" \
    grep -qi "^content-security-policy: default-src 'self';" "$WORK/page.headers"
check "and carries the strict one its script must live with in a <meta> element" \
    grep -q "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self'" "$WORK/page.html"

# ---- a browser that trusts the test CA
check "an NSS database that trusts the test CA" new_home "$WORK/home" "$CA"
chromium "$WORK/home" --virtual-time-budget=10000 --dump-dom "$(url /)" \
    >"$WORK/dom.html" 2>"$WORK/chromium-trusted.err"
check "Chromium verified the chain and loaded the page" \
    grep -q "<h1>It works: this page came to you over TLS</h1>" "$WORK/dom.html"
check "the page is a secure context" grep -q 'data-secure-context="true"' "$WORK/dom.html"
check "the page's script read the handshake record" \
    sh -c "grep -o '<p [^>]*id=\"handshake-status\"' '$WORK/dom.html' | grep -q 'class=\"ok\"'"

suite=$(dom_text negotiated-suite)
version=$(sed -n 's/.*id="negotiated-version" data-value="\(TLS1\.[23]\)".*/\1/p' "$WORK/dom.html" | head -n 1)
conn=$(dom_text negotiated-connection)
echo "# Chromium's connection $conn: $version $suite"
check "the page names an IANA suite" sh -c "echo '$suite' | grep -Eq '^TLS_[A-Z0-9_]+$'"
check "the page names the version" test -n "$version"
check "the page names the connection" sh -c "echo '$conn' | grep -Eq '^[0-9]+$'"

established=$(grep " conn=$conn .*stage=established " "$WORK/tlsd.log")
logged_version=$(echo "$established" | sed -n 's/.* version=\([^ ]*\) .*/\1/p')
logged_suite=$(echo "$established" | sed -n 's/.* suite=\([^ ]*\) .*/\1/p')
check "the version on the page is the one tlsd logged for Chromium's connection" \
    same "$version" "$logged_version"
if tls13_available; then
    check "Chromium got TLS 1.3 (tlsd is built on Mbed TLS 3.6)" test "$version" = TLS1.3
else
    check "Chromium got TLS 1.2 (tlsd is built on Mbed TLS 2.28)" test "$version" = TLS1.2
fi

# Ask tlsd for exactly that suite with curl, in the same version: tlsd must
# accept it, call it the same, and that (IANA's) name must be the one logged
# for Chromium's connection.
case $version in
    TLS1.3) curl_tls --tlsv1.3 --tls13-ciphers "$suite" -o "$WORK/curl.json" "$(url $ENDPOINT)" ;;
    *)  openssl_name=$(openssl ciphers -stdname ALL 2>/dev/null | awk -v s="$suite" '$1 == s { print $3; exit }')
        curl_tls --tls-max 1.2 --ciphers "${openssl_name:-none}" -o "$WORK/curl.json" "$(url $ENDPOINT)" ;;
esac
check "tlsd negotiates the page's suite with curl too" \
    test "$(jq -r '[.version, .suite] | join(" ")' "$WORK/curl.json" 2>/dev/null)" = "$version $suite"
check "the page's suite is the one tlsd logged for Chromium's connection ($logged_suite)" \
    same "$logged_suite" "$(jq -r .suite "$WORK/curl.json" 2>/dev/null)"
if [ "$version" != TLS1.3 ]; then
    logged_openssl=$(echo "$established" | sed -n 's/.* suite_openssl=\([^ ]*\) .*/\1/p')
    check "the OpenSSL name logged is the one curl takes ($logged_openssl)" same "$logged_openssl" "$openssl_name"
fi

# The timeline shows every stage tlsd logged for that connection, in order.
shown=$(grep -o 'class="stage"><code[^>]*>[a-z_0-9]*<' "$WORK/dom.html" | sed 's/.*>\([a-z_0-9]*\)<$/\1/' | tr '\n' ' ' | sed 's/ $//')
logged=$(sed -n "s/.* conn=$conn .*stage=\([a-z_0-9]*\) .*/\1/p" "$WORK/tlsd.log" | tr '\n' ' ' | sed 's/ $//')
echo "# stages: $shown"
check "the page's timeline has the stages tlsd logged, in order" same "$shown" "$logged"
# Chromium may fetch the record over a new connection that resumes the
# page's session: then no certificate was sent, and the page must say so.
if grep -q " conn=$conn .*stage=certificate " "$WORK/tlsd.log"; then
    check "the page shows the certificate tlsd sent" grep -q "CN=localhost, O=tlsd development" "$WORK/dom.html"
else
    check "a resumed connection: the page says no certificate was sent" grep -q "resumed: the keys of an earlier session, no certificate" "$WORK/dom.html"
fi
check "no handshake failed while Chromium trusted the CA" sh -c "! grep -q 'stage=handshake_failed' '$WORK/tlsd.log'"

# The ladder at the top is an <img>: Chromium fetched it, and the SVG
# draws the version the page names.
check "the page's <img> ladder loaded (handshake.svg, 200)" log_has "handshake\.svg.* status=200"
chromium "$WORK/home" --virtual-time-budget=10000 --dump-dom "$(url $ENDPOINT.svg)" \
    >"$WORK/ladder.svg" 2>"$WORK/chromium-ladder.err"
check "Chromium's own ladder names the page's version ($version)" \
    grep -q "<title id=\"ladder-title\">Your $(echo "$version" | sed 's/TLS/TLS /') handshake" "$WORK/ladder.svg"

# ---- a screenshot at desktop width
chromium "$WORK/home" --virtual-time-budget=10000 --hide-scrollbars --window-size=1280,2400 \
    --screenshot="$WORK/screenshot.png" "$(url /)" >/dev/null 2>"$WORK/chromium-screenshot.err"
check "Chromium took a 1280-pixel-wide screenshot of the page" \
    same "$(png_width "$WORK/screenshot.png" 2>/dev/null)" 1280
if [ -n "${TLSD_SCREENSHOT_DIR:-}" ] && [ -s "$WORK/screenshot.png" ]; then
    mkdir -p "$TLSD_SCREENSHOT_DIR" && cp "$WORK/screenshot.png" "$TLSD_SCREENSHOT_DIR/screenshot.png" &&
        echo "# screenshot: $TLSD_SCREENSHOT_DIR/screenshot.png"
fi

# ---- negative control: the same browser without the CA must refuse
check "an empty NSS database" new_home "$WORK/home-untrusted"
chromium "$WORK/home-untrusted" --enable-logging=stderr --v=0 --virtual-time-budget=10000 \
    --dump-dom "$(url /)" >"$WORK/dom-untrusted.html" 2>"$WORK/chromium-untrusted.err"
check "without the CA, Chromium refuses the certificate (ERR_CERT_AUTHORITY_INVALID)" \
    grep -q "ERR_CERT_AUTHORITY_INVALID" "$WORK/chromium-untrusted.err"
check "without the CA, Chromium shows no page from tlsd" \
    sh -c "! grep -q 'It works: this page came to you over TLS' '$WORK/dom-untrusted.html'"
check "tlsd logged the failed handshake" log_has "stage=handshake_failed"

stop_tlsd
finish
