#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-journald.sh: tlsd's journal entries as the real systemd-journald reads
# them. A private journald, started by this test in a mount namespace of
# its own (tmpfs on /run and /var/log/journal: the machine's journal is
# never touched), gets tlsd's standard error through its stream socket
# (systemd-cat) with JOURNAL_STREAM set as systemd sets it, and its native
# socket at the usual path. journalctl then selects by TLSD_ fields and
# by priority; the "<PRIORITY>" stderr fallback is read with its priority.
# Needs root (the namespace and the mounts), systemd-journald, systemd-cat.
if [ -z "${TLSD_IN_NAMESPACE:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a private mount namespace"; exit 77; }
    command -v unshare >/dev/null 2>&1 || { echo "SKIP: needs unshare (util-linux)"; exit 77; }
    # in a chroot whose root is no mount point the namespace cannot be made
    # private, and without that the tmpfs mounts below could reach the host
    unshare --mount --propagation private true 2>/dev/null ||
        { echo "SKIP: cannot make a private mount namespace here (a chroot?)"; exit 77; }
    TLSD_IN_NAMESPACE=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

JOURNALD=""
for candidate in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
    [ -x "$candidate" ] && JOURNALD=$candidate && break
done
[ -n "$JOURNALD" ] || skip_all "systemd-journald is not installed"
command -v systemd-cat >/dev/null 2>&1 && command -v journalctl >/dev/null 2>&1 ||
    skip_all "systemd-cat and journalctl are needed"
[ -s /etc/machine-id ] || skip_all "journald needs /etc/machine-id"

mount -t tmpfs tmpfs /run || skip_all "cannot mount a private /run"
[ -d /var/log/journal ] && { mount -t tmpfs tmpfs /var/log/journal || skip_all "cannot hide /var/log/journal"; }
mkdir -p /run/systemd/journal /run/log/journal
"$JOURNALD" >"$WORK/journald.out" 2>&1 &
JOURNALD_PID=$!
trap 'kill $JOURNALD_PID 2>/dev/null; cleanup' EXIT
tries=0
while [ ! -S /run/systemd/journal/socket ] || [ ! -S /run/systemd/journal/stdout ]; do
    [ $tries -lt 50 ] || { cat "$WORK/journald.out"; skip_all "journald did not start"; }
    sleep 0.1; tries=$((tries + 1))
done
# start_under_journald IDENTIFIER [VAR=VALUE...]: tlsd with its stderr on
# journald's stream, JOURNAL_STREAM naming it (systemd-cat does not set it;
# systemd does), its port from the journal
start_under_journald() {
    identifier=$1; shift
    env "$@" systemd-cat -t "$identifier" sh -c \
        'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) && export JOURNAL_STREAM && exec "$@"' sh \
        ${TLSD_WRAPPER:-} "$TLSD" -c "$WORK/empty.conf" -l 127.0.0.1:0 --cert "$WORK/certs/server.crt" \
        --key "$WORK/certs/server.key" --root "$TLSD_WWW" &
    TLSD_PID=$!
    tries=0
    PORT=""
    while [ -z "$PORT" ] && [ $tries -lt 100 ]; do
        sleep 0.1; tries=$((tries + 1))
        PORT=$(journalctl --no-pager -o cat _PID="$TLSD_PID" 2>/dev/null |
            sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' | head -n 1)
    done
    [ -n "$PORT" ] || { journalctl --no-pager -n 30; echo "tlsd did not start"; exit 1; }
}
# journal_has ARGS...: journalctl ARGS finds an entry (within 5 s)
journal_has() {
    tries=0
    while [ $tries -lt 50 ]; do
        [ -n "$(journalctl --no-pager -q -o cat "$@" 2>/dev/null)" ] && return 0
        sleep 0.1; tries=$((tries + 1))
    done
    return 1
}

# ---- the native protocol
start_under_journald tlsd-stream
curl_tls -o /dev/null "$(url /)"
s_client -tls1_2 -cipher AES128-SHA </dev/null >/dev/null
check "journald stores tlsd's entries (native transport, SYSLOG_IDENTIFIER=tlsd)" \
    journal_has _PID="$TLSD_PID" _TRANSPORT=journal SYSLOG_IDENTIFIER=tlsd TLSD_STAGE=established
check "journalctl TLSD_STAGE=handshake_failed finds the refused client, with its fields" \
    journal_has _PID="$TLSD_PID" TLSD_STAGE=handshake_failed TLSD_AT=client_hello TLSD_ALERT_SENT=handshake_failure
check "journalctl TLSD_CONN=1 TLSD_STATUS=200 finds the request" \
    journal_has _PID="$TLSD_PID" TLSD_CONN=1 TLSD_REQUEST="GET /" TLSD_STATUS=200
check "priority: the root warning is PRIORITY=4 (journalctl -p warning)" \
    journal_has _PID="$TLSD_PID" -p warning -g '^warn: running as root'
check "priority: connection lines are PRIORITY=6" journal_has _PID="$TLSD_PID" PRIORITY=6 TLSD_STAGE=client_hello
pid=$TLSD_PID
stop_tlsd
check "tlsd stops cleanly" test "$STOP_STATUS" -eq 0
journalctl --no-pager -o cat _PID="$pid" >"$WORK/tlsd.log" 2>&1
check "the journal holds tlsd's lines" test -s "$WORK/tlsd.log"
check "no MESSAGE carries tlsd's own prefix" sh -c "! grep -q '^tlsd\[' '$WORK/tlsd.log'"
check "nothing came through the stream" \
    test -z "$(journalctl --no-pager -q -o cat SYSLOG_IDENTIFIER=tlsd-stream 2>/dev/null)"

# ---- no native socket: "<PRIORITY>line" on the stream, read with its priority
start_under_journald tlsd-fallback TLSD_JOURNAL_SOCKET=/run/absent.sock
curl_tls -o /dev/null "$(url /)"
check "fallback: the lines come through the stream" \
    journal_has SYSLOG_IDENTIFIER=tlsd-fallback _TRANSPORT=stdout PRIORITY=6 -g '^conn=1 peer=.* stage=client_hello '
check "fallback: the warning keeps PRIORITY=4, without its <4>" \
    journal_has SYSLOG_IDENTIFIER=tlsd-fallback -p warning -g '^warn: running as root'
stop_tlsd
journalctl --no-pager -o cat SYSLOG_IDENTIFIER=tlsd-fallback >"$WORK/tlsd.log" 2>&1
check "fallback: no line shows a prefix or a <N>" sh -c "! grep -Eq '^(tlsd\[|<[0-9]>)' '$WORK/tlsd.log'"
finish
