#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# deb-inner.sh DEB: the checks of t-deb.sh, run inside a container booted
# with systemd as PID 1 (Debian 12, the .deb's Depends already installed,
# no network but its own loopback): install, serve, reload, reinstall,
# remove, purge of the package DEB. Exit 1 if any check fails.
set -u
DEB=$1
export DEBIAN_FRONTEND=noninteractive
CHECKS=0 FAILURES=0 T0=$SECONDS
pass() { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
step() { echo "# --- $* ($((SECONDS - T0)) s)"; }
wait_for() {  # wait_for SECONDS command...: until it succeeds
    local end=$((SECONDS + $1)); shift
    until "$@"; do [ "$SECONDS" -ge "$end" ] && return 1; sleep 0.2; done
}
page() { curl -sS --fail --max-time 5 --cacert /etc/tlsd/ca.crt -o "$1" https://localhost:8443/; }
serves() { page /var/tmp/page.html && cmp -s /var/tmp/page.html /usr/share/tlsd/www/index.html; }
refused() { ! curl -s --max-time 5 -k -o /dev/null https://127.0.0.1:8443/; }
active() { systemctl is-active -q tlsd.service; }
inactive() { ! systemctl is-active -q tlsd.service; }
mainpid() { systemctl show -P MainPID tlsd.service; }
apt_get() {  # apt_get ARGS...: its output to the log, shown on failure
    if apt-get -y -q "$@" >/var/tmp/apt.log 2>&1; then return 0; fi
    cat /var/tmp/apt.log; return 1
}
no_user() { ! getent passwd tlsd >/dev/null; }
no_group() { ! getent group tlsd >/dev/null; }
group() { getent group tlsd >/dev/null; }

step "boot"
check "systemd is PID 1" test "$(ps -o comm= -p 1)" = systemd
check "no user tlsd before the package" no_user

step "apt-get install $DEB"
check "apt-get install ./$(basename "$DEB")" apt_get install "$DEB"
grep '^tlsd:' /var/tmp/apt.log | sed 's/^/# /'
uid=$(getent passwd tlsd | cut -d: -f3)
check "the system user tlsd exists (uid ${uid:-none} < 1000)" test -n "$uid" -a "${uid:-1000}" -lt 1000
check "and its group tlsd" group
check "a development certificate: ca.crt, server.crt, server.key" \
    test -s /etc/tlsd/ca.crt -a -s /etc/tlsd/server.crt -a -s /etc/tlsd/server.key
check "server.key is tlsd:tlsd 0600 (got $(stat -c '%U:%G %a' /etc/tlsd/server.key 2>/dev/null))" \
    test "$(stat -c '%U:%G %a' /etc/tlsd/server.key 2>/dev/null)" = "tlsd:tlsd 600"
check "the certificate verifies against ca.crt" \
    sh -c 'openssl verify -CAfile /etc/tlsd/ca.crt -untrusted /etc/tlsd/server.crt /etc/tlsd/server.crt >/dev/null'
check "tlsd.service is enabled" systemctl is-enabled -q tlsd.service
check "and active" wait_for 20 active
check "its main process runs as tlsd" test "$(ps -o user= -p "$(mainpid)")" = tlsd
check "tlsd.socket is not enabled (the administrator's choice)" sh -c '! systemctl is-enabled -q tlsd.socket'
check "GET / with --cacert /etc/tlsd/ca.crt: 200, the packaged index.html" wait_for 10 serves

step "systemctl reload"
pid=$(mainpid)
check "systemctl reload tlsd succeeds" systemctl reload tlsd.service
check "still active, the same main process" sh -c "systemctl is-active -q tlsd.service && [ \"\$(systemctl show -P MainPID tlsd.service)\" = $pid ]"
check "and serves" wait_for 10 serves

step "apt-get install --reinstall (the upgrade path)"
sums=$(sha256sum /etc/tlsd/ca.crt /etc/tlsd/server.crt /etc/tlsd/server.key)
check "apt-get install --reinstall" apt_get install --reinstall "$DEB"
check "the certificate and key are kept" test "$(sha256sum /etc/tlsd/ca.crt /etc/tlsd/server.crt /etc/tlsd/server.key)" = "$sums"
check "server.key still tlsd:tlsd 0600" test "$(stat -c '%U:%G %a' /etc/tlsd/server.key)" = "tlsd:tlsd 600"
check "the service is active" wait_for 20 active
check "and serves" wait_for 10 serves

step "apt-get remove"
check "apt-get remove tlsd" apt_get remove tlsd
check "tlsd.service is stopped" wait_for 10 inactive
check "port 8443 is closed" wait_for 10 refused
check "the configuration and the user stay until purge" sh -c 'test -s /etc/tlsd/server.key && getent passwd tlsd >/dev/null'

step "apt-get purge"
check "apt-get purge tlsd" apt_get purge tlsd
check "/etc/tlsd is gone" test ! -e /etc/tlsd
check "/var/lib/tlsd is gone" test ! -e /var/lib/tlsd
check "the user tlsd is gone" no_user
check "the group tlsd is gone" no_group
check "dpkg knows tlsd no more" sh -c '! dpkg -s tlsd >/dev/null 2>&1'

step "an administrator's own certificate"
mkdir -p /etc/tlsd && cp /var/tmp/page.html /etc/tlsd/server.crt && echo key >/etc/tlsd/server.key && chmod 600 /etc/tlsd/server.key
check "apt-get install with a certificate already in /etc/tlsd" apt_get install "$DEB"
check "no development certificate is made (no ca.crt)" test ! -e /etc/tlsd/ca.crt
check "the administrator's certificate is unchanged" cmp -s /etc/tlsd/server.crt /var/tmp/page.html
check "apt-get purge tlsd" apt_get purge tlsd
check "purge keeps the administrator's certificate and key" test -e /etc/tlsd/server.crt -a -e /etc/tlsd/server.key

step "done"
echo "# deb-inner: $CHECKS checks, $FAILURES failed, $((SECONDS - T0)) s"
[ "$FAILURES" -eq 0 ]
