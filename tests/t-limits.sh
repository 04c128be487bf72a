#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-limits.sh: max_connections pauses accepting with one log line and
# resumes when connections close; a normal request is served after.
# Running out of descriptors (EMFILE): t-descriptors.sh.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
[ -x /bin/bash ] || skip_all "bash is needed for raw sockets"

# one worker: with several, each pauses at its own share of the limit
printf 'max_connections 5\nhandshake_timeout 30\nworkers 1\n' >"$WORK/empty.conf"
start_tlsd
fds_before=$(ls "/proc/$TLSD_PID/fd" | wc -l)
# 8 idle TCP connections: the 5 first are accepted, then accepting pauses
/bin/bash -c '
    for i in $(seq 1 8); do exec {fd}<>/dev/tcp/127.0.0.1/'"$PORT"' || exit 1; done
    sleep 2
' &
HOLDER=$!
check "max_connections reached: one log line" log_has "max_connections \\(5\\) reached: accepting paused"
sleep 1
check "only one pause line while the limit holds" test "$(grep -c 'accepting paused' "$WORK/tlsd.log")" -eq 1
fds_during=$(ls "/proc/$TLSD_PID/fd" | wc -l)
check "exactly 5 connections were taken in ($fds_before descriptors, then $fds_during)" \
    test $((fds_during - fds_before)) -eq 5
wait "$HOLDER"
check "accepting resumes when connections close" log_has "accepting resumed"
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")
check "a normal request is served after" test "$code" = 200
stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0
finish
