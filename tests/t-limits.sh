#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-limits.sh: max_connections pauses accepting with one log line and
# resumes when connections close; running out of descriptors (EMFILE)
# pauses accepting instead of spinning; a normal request is served after.
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

# out of descriptors: a low descriptor limit and more clients than fit
: >"$WORK/empty.conf"
# prlimit sets the limit and execs tlsd in the same process
outer_wrapper=${TLSD_WRAPPER:-}
TLSD_WRAPPER="prlimit --nofile=40:40 $outer_wrapper"
start_tlsd
TLSD_WRAPPER=$outer_wrapper
ticks_before=$(awk '{ print $14 + $15 }' "/proc/$TLSD_PID/stat")
/bin/bash -c '
    for i in $(seq 1 60); do exec {fd}<>/dev/tcp/127.0.0.1/'"$PORT"' || exit 1; done
    sleep 3
' &
HOLDER=$!
check "EMFILE pauses accepting with a log line" log_has "accept: Too many open files: accepting paused"
sleep 2
ticks_after=$(awk '{ print $14 + $15 }' "/proc/$TLSD_PID/stat")
# a busy loop would burn ~200 ticks (2 s of CPU) here; a paused one a few
check "no busy loop while out of descriptors (CPU ticks: $((ticks_after - ticks_before)))" \
    test $((ticks_after - ticks_before)) -lt 50
wait "$HOLDER"
sleep 1.5
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")
check "after the clients leave, a normal request is served" test "$code" = 200
stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0
finish
