#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# deb-trixie-inner.sh SRCDIR: the checks of t-deb-trixie.sh, run in a
# chroot into a Debian 13 root (Build-Depends, lintian and curl installed;
# no network but its own loopback; no systemd running): build the .deb from
# SRCDIR with dpkg-buildpackage -us -uc -b, lintian, install, tlsd by hand
# over TLS 1.3, remove, purge. Exit 1 if any check fails.
set -u
SRC=$1
BUILD=$(dirname "$SRC")
export DEBIAN_FRONTEND=noninteractive
CHECKS=0 FAILURES=0 T0=$SECONDS
pass() { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
note() { echo "# $*"; }
step() { echo "# --- $* ($((SECONDS - T0)) s)"; }
wait_for() {  # wait_for SECONDS command...: until it succeeds
    local end=$((SECONDS + $1)); shift
    until "$@"; do [ "$SECONDS" -ge "$end" ] && return 1; sleep 0.2; done
}
logged_to() {  # logged_to FILE COMMAND...: its output to FILE, shown on failure
    local file=$1; shift
    if "$@" >"$file" 2>&1; then return 0; fi
    tail -n 40 "$file"; return 1
}
version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null; }
PORT=8443
curl_tls() {  # curl_tls ARGS...: curl trusting the packaged development CA
    curl -sS --max-time 10 --cacert /etc/tlsd/ca.crt --resolve "localhost:$PORT:127.0.0.1" "$@"
}
serves_over() {  # serves_over 1.2|1.3: the packaged index.html, over that version
    curl_tls -v --tlsv"$1" --tls-max "$1" -o "$BUILD/page.html" "https://localhost:$PORT/" 2>"$BUILD/curl.err" &&
        grep -q "SSL connection using TLSv$1" "$BUILD/curl.err" &&
        cmp -s "$BUILD/page.html" /usr/share/tlsd/www/index.html
}
no_user() { ! getent passwd tlsd >/dev/null; }

step "the root"
note "Debian $(cat /etc/debian_version); libmbedtls-dev $(version libmbedtls-dev), libevent-dev $(version libevent-dev)," \
    "debhelper $(version debhelper), dpkg-dev $(version dpkg-dev), systemd-dev $(version systemd-dev), lintian $(version lintian)"
check "Debian 13 (trixie)" grep -q '^13\.' /etc/debian_version
check "its Mbed TLS is 3.6" dpkg --compare-versions "$(version libmbedtls-dev)" ge 3.6

step "dpkg-buildpackage -us -uc -b"
cd "$SRC" || exit 1
check "dpkg-buildpackage -us -uc -b (log: $BUILD/build.log)" logged_to "$BUILD/build.log" dpkg-buildpackage -us -uc -b
deb=$(ls "$BUILD"/tlsd_*.deb 2>/dev/null | head -n 1)
check "it made the .deb ($(basename "${deb:-none}"))" test -n "$deb"
[ -n "$deb" ] || { echo "$CHECKS checks, $FAILURES failed"; exit 1; }
note "$(grep -E '^# (TOTAL|PASS|FAIL):' "$BUILD/build.log" | tr '\n' ' ')(the unit tests in the build)"
check "configure found Mbed TLS 3" grep -q 'Mbed TLS:.*major version 3' "$BUILD/build.log"
note "Depends: $(dpkg-deb -f "$deb" Depends)"
check "the .deb depends on Mbed TLS 3.6's libraries" sh -c "dpkg-deb -f '$deb' Depends | grep -q 'libmbedtls21 (>= 3.6'"

step "lintian $(version lintian)"
lintian --fail-on error,warning "$deb" >"$BUILD/lintian.log" 2>&1; rc=$?
grep -v '^running with root' "$BUILD/lintian.log" | sed 's/^/# /'
check "lintian: no error or warning that is not overridden (exit $rc)" test "$rc" -eq 0
check "and no override of a tag this lintian does not know" sh -c "! grep -q 'alien-tag\|renamed-tag' '$BUILD/lintian.log'"

step "apt-get install ./$(basename "$deb")"
check "apt-get install (no network: the Depends are in the root)" \
    logged_to "$BUILD/apt.log" apt-get install -y -q --no-install-recommends "$deb"
grep '^tlsd:' "$BUILD/apt.log" | sed 's/^/# /'
for file in /usr/sbin/tlsd /usr/bin/tlsd-mkcert /etc/tlsd/tlsd.conf /usr/share/tlsd/www/index.html \
    /usr/lib/systemd/system/tlsd.service /usr/lib/systemd/system/tlsd.socket \
    /usr/lib/systemd/system/tlsd-ticket-keys.service /usr/lib/systemd/system/tlsd-ticket-keys.timer \
    /usr/lib/sysusers.d/tlsd.conf /usr/share/man/man8/tlsd.8.gz; do
    check "$file is there" test -s "$file"
done
check "nothing in /lib (Debian 13's merged /usr: the units under /usr/lib)" sh -c "! dpkg -L tlsd | grep -q '^/lib/'"
check "the unit runs the packaged tlsd" grep -q '^ExecStart=/usr/sbin/tlsd ' /usr/lib/systemd/system/tlsd.service
check "tlsd.conf sets user tlsd and group tlsd" sh -c "grep -q '^user tlsd\$' /etc/tlsd/tlsd.conf && grep -q '^group tlsd\$' /etc/tlsd/tlsd.conf"
uid=$(getent passwd tlsd | cut -d: -f3)
check "the system user tlsd (uid ${uid:-none} < 1000) and its group" \
    sh -c "[ -n '$uid' ] && [ '${uid:-1000}' -lt 1000 ] && getent group tlsd >/dev/null"
check "a development certificate: ca.crt, server.crt, server.key tlsd:tlsd 0600" \
    sh -c "[ -s /etc/tlsd/ca.crt ] && [ -s /etc/tlsd/server.crt ] && [ \"\$(stat -c '%U:%G %a' /etc/tlsd/server.key)\" = 'tlsd:tlsd 600' ]"
check "the certificate verifies against ca.crt" \
    sh -c 'openssl verify -CAfile /etc/tlsd/ca.crt -untrusted /etc/tlsd/server.crt /etc/tlsd/server.crt >/dev/null'
tlsd -V >"$BUILD/version.out" 2>&1
note "tlsd -V: $(tr '\n' ' ' <"$BUILD/version.out")"
check "tlsd -V names Mbed TLS 3.6 with TLS 1.3" grep -q '^Mbed TLS 3\.6\.[0-9]* (TLS 1.2 and 1.3)' "$BUILD/version.out"
check "tlsd -t -c /etc/tlsd/tlsd.conf: configuration ok" \
    sh -c 'tlsd -t -c /etc/tlsd/tlsd.conf >/dev/null 2>&1'

step "tlsd started by hand on 127.0.0.1:$PORT (systemd does not run in a chroot)"
tlsd -c /etc/tlsd/tlsd.conf -l "127.0.0.1:$PORT" 2>"$BUILD/tlsd.log" &
pid=$!
check "it listens and drops to the user tlsd" \
    wait_for 10 sh -c "grep -q 'ready: serving' '$BUILD/tlsd.log' && [ \"\$(ps -o user= -p $pid)\" = tlsd ]"
check "curl --tlsv1.3 --tls-max 1.3 with --cacert /etc/tlsd/ca.crt: the packaged index.html over TLS 1.3" serves_over 1.3
note "$(grep 'SSL connection using' "$BUILD/curl.err" | sed 's/^\* //')"
check "and over TLS 1.2" serves_over 1.2
check "the handshake endpoint (its own record) says TLS 1.3" \
    sh -c "curl -sS --max-time 10 --cacert /etc/tlsd/ca.crt --resolve localhost:$PORT:127.0.0.1 --tlsv1.3 \
        https://localhost:$PORT/.well-known/tlsd/handshake 2>/dev/null | grep -Eq '\"version\": ?\"TLS ?v?1\\.3\"'"
kill -TERM "$pid"; wait "$pid"; rc=$?
check "SIGTERM: tlsd stops, exit 0" test "$rc" -eq 0
grep -v 'stage=' "$BUILD/tlsd.log" | head -n 12 | sed 's/^/# /'

step "apt-get remove, purge"
check "apt-get remove tlsd" logged_to "$BUILD/apt.log" apt-get remove -y -q tlsd
check "the configuration, certificate and user stay until purge" \
    sh -c 'test -s /etc/tlsd/server.key && getent passwd tlsd >/dev/null'
check "apt-get purge tlsd" logged_to "$BUILD/apt.log" apt-get purge -y -q tlsd
check "/etc/tlsd is gone" test ! -e /etc/tlsd
check "/var/lib/tlsd is gone" test ! -e /var/lib/tlsd
check "the user tlsd is gone" no_user
check "dpkg knows tlsd no more" sh -c '! dpkg -s tlsd >/dev/null 2>&1'

step "done"
echo "# deb-trixie-inner: $CHECKS checks, $FAILURES failed, $((SECONDS - T0)) s"
[ "$FAILURES" -eq 0 ]
