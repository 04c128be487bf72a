#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-descriptors.sh: the descriptor limit. tlsd raises its soft limit to the
# hard one; lowers max_connections to what the limit has room for, and says
# so at start and in `tlsd -t`; and when descriptors run out all the same
# (EMFILE), it stays up, logs the pause once for the whole shortage, keeps
# notifying systemd (WATCHDOG=1 and STATUS= need no new descriptor), and
# serves again when connections close.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
command -v prlimit >/dev/null 2>&1 || skip_all "prlimit (util-linux) is needed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the notify socket stand-in"
[ -x /bin/bash ] || skip_all "bash is needed for raw sockets"

CERT="$WORK/certs/server.crt"
KEY="$WORK/certs/server.key"
outer_wrapper=${TLSD_WRAPPER:-}

# ---- tlsd -t: the lowered max_connections is reported with the verdict
printf 'max_connections 1000\nworkers 1\n' >"$WORK/many.conf"
STATUS=0
OUT=$(prlimit --nofile=64:64 "$TLSD" -t -c "$WORK/many.conf" -l 127.0.0.1:0 --cert "$CERT" --key "$KEY" \
      --root "$TLSD_WWW" 2>"$WORK/t.err") || STATUS=$?
check "tlsd -t with 64 descriptors and max_connections 1000: still ok (status $STATUS, output: $OUT)" \
    test "$STATUS" -eq 0 -a "$OUT" = "configuration ok"
check "... and it says max_connections is lowered, and what limit would do: $(cat "$WORK/t.err")" \
    grep -Eq "warn: max_connections 1000 lowered to [0-9]+ to fit the descriptor limit 64 .*a limit of [0-9]+ would allow 1000" \
    "$WORK/t.err"

# ---- the soft limit is raised to the hard one
printf 'workers 1\n' >"$WORK/empty.conf"
TLSD_WRAPPER="prlimit --nofile=64:512 $outer_wrapper"
start_tlsd
TLSD_WRAPPER=$outer_wrapper
check "soft limit 64, hard 512: tlsd runs with 512 (/proc/PID/limits)" \
    sh -c "grep -Eq '^Max open files +512 +512 ' /proc/$TLSD_PID/limits"
check "... and says so" log_has "descriptors: soft limit raised from 64 to the hard limit, 512"
check "max_connections 10000 lowered to what 512 descriptors allow" \
    log_has "max_connections 10000 lowered to [0-9]+ to fit the descriptor limit 512"
kill -HUP "$TLSD_PID"
check "a reload fits the new configuration's max_connections too" log_has "reloaded: new connections"
check "... and says so again" \
    test "$(grep -c 'max_connections 10000 lowered to [0-9]* to fit the descriptor limit 512' "$WORK/tlsd.log")" -eq 2
check "it still serves" test "$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")" = 200
stop_tlsd

# notify_listen SOCKET LOG: a stand-in for systemd's notify socket
notify_listen() {
    python3 "$TESTS_SRCDIR/notify-listener.py" "$1" "$2" &
    LISTENER_PID=$!
    tries=0
    while ! grep -q LISTENING "$2" 2>/dev/null && [ $tries -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
}
HOLDER=""
LISTENER_PID=""
trap 'kill $LISTENER_PID $HOLDER 2>/dev/null; cleanup' EXIT

# ---- the notify socket kept open still speaks to an abstract "@name"
notify_listen "@tlsd-test-$$" "$WORK/abstract.log"
: >"$WORK/empty.conf"
export NOTIFY_SOCKET="@tlsd-test-$$"
start_tlsd
unset NOTIFY_SOCKET
check "READY=1 reaches an abstract notify socket" log_has "^READY=1" "$WORK/abstract.log"
stop_tlsd
check "... and STOPPING=1" log_has "^STOPPING=1" "$WORK/abstract.log"
kill "$LISTENER_PID"
wait "$LISTENER_PID" 2>/dev/null

# ---- out of descriptors: the pause is logged once, systemd still hears
notify_listen "$WORK/notify.sock" "$WORK/notify.log"

printf 'max_connections 1000\nhandshake_timeout 60\nworkers 1\n' >"$WORK/empty.conf"
export NOTIFY_SOCKET="$WORK/notify.sock" WATCHDOG_USEC=1000000
TLSD_WRAPPER="prlimit --nofile=64:64 $outer_wrapper"
start_tlsd
TLSD_WRAPPER=$outer_wrapper
unset NOTIFY_SOCKET WATCHDOG_USEC
check "start-up: max_connections lowered to fit 64 descriptors, one line" \
    test "$(grep -c 'max_connections 1000 lowered to [0-9]* to fit the descriptor limit 64' "$WORK/tlsd.log")" -eq 1
check "READY=1" log_has "^READY=1" "$WORK/notify.log"
# Something else takes descriptors: leave room for a few connections only
# (prlimit on a running process), so that accept meets EMFILE below
# max_connections.
in_use=$(ls "/proc/$TLSD_PID/fd" | wc -l)
prlimit --pid "$TLSD_PID" --nofile=$((in_use + 10)):64
ticks_before=$(awk '{ print $14 + $15 }' "/proc/$TLSD_PID/stat")
/bin/bash -c '
    for i in $(seq 1 30); do exec {fd}<>/dev/tcp/127.0.0.1/'"$PORT"' || exit 1; done
    sleep 60
' &
HOLDER=$!
check "EMFILE pauses accepting with a log line" \
    log_has "accept: Too many open files: accepting paused with [0-9]+ connection\\(s\\) open"
notified_before=$(wc -l <"$WORK/notify.log")
# long enough for several retries, the watchdog every 0.5 s and a STATUS=
sleep 6
ticks_after=$(awk '{ print $14 + $15 }' "/proc/$TLSD_PID/stat")
check "tlsd is still up while out of descriptors" kill -0 "$TLSD_PID"
check "the pause is logged once for the whole shortage ($(grep -c 'accepting paused' "$WORK/tlsd.log") lines)" \
    test "$(grep -c 'accepting paused' "$WORK/tlsd.log")" -eq 1
check "no 'resumed' while still out of descriptors" sh -c "! grep -q 'accepting resumed' '$WORK/tlsd.log'"
tail -n +$((notified_before + 1)) "$WORK/notify.log" >"$WORK/notify.during"
check "WATCHDOG=1 still reaches systemd at EMFILE" grep -q "^WATCHDOG=1" "$WORK/notify.during"
check "STATUS= still reaches systemd at EMFILE" grep -Eq "^STATUS=serving: [0-9]+ connection" "$WORK/notify.during"
check "no notify error in the log" sh -c "! grep -q 'notify:' '$WORK/tlsd.log'"
# a busy loop would burn ~600 ticks (6 s of CPU) here; a paused one a few
check "no busy loop while out of descriptors (CPU ticks: $((ticks_after - ticks_before)))" \
    test $((ticks_after - ticks_before)) -lt 100
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
HOLDER=""
check "accepting resumes once connections close, one line" \
    log_has "accepting resumed: descriptors free again"
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")
check "a normal request is served after" test "$code" = 200
check "one resume line" test "$(grep -c 'accepting resumed' "$WORK/tlsd.log")" -eq 1
stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0

# ---- two workers share the process's descriptors: still one shortage
printf 'max_connections 1000\nhandshake_timeout 60\nworkers 2\n' >"$WORK/empty.conf"
TLSD_WRAPPER="prlimit --nofile=128:128 $outer_wrapper"
start_tlsd
TLSD_WRAPPER=$outer_wrapper
in_use=$(ls "/proc/$TLSD_PID/fd" | wc -l)
prlimit --pid "$TLSD_PID" --nofile=$((in_use + 10)):128
/bin/bash -c '
    for i in $(seq 1 40); do exec {fd}<>/dev/tcp/127.0.0.1/'"$PORT"' || exit 1; done
    sleep 60
' &
HOLDER=$!
check "two workers: EMFILE pauses accepting" log_has "accept: Too many open files: accepting paused"
sleep 3
check "two workers: one pause line for the shortage ($(grep -c 'accepting paused' "$WORK/tlsd.log"))" \
    test "$(grep -c 'accepting paused' "$WORK/tlsd.log")" -eq 1
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
HOLDER=""
check "two workers: accepting resumes" log_has "accepting resumed: descriptors free again"
check "two workers: a normal request is served after" \
    test "$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")" = 200
check "two workers: one resume line ($(grep -c 'accepting resumed' "$WORK/tlsd.log"))" \
    test "$(grep -c 'accepting resumed' "$WORK/tlsd.log")" -eq 1
stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0
finish
