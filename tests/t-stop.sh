#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-stop.sh: a stop (SIGTERM) drops no client whose connection the kernel
# accepted (tests/stop-clients.py catches one in each state):
#   - a TLS handshake in flight finishes and its first request is answered,
#     with Connection: close;
#   - connections still in the kernel's listen queue (tlsd at
#     max_connections has not accepted them) are accepted at the stop and
#     served the same way, not reset when the listening socket closes;
#   - a kept-alive connection idle between requests is closed at once;
# then tlsd exits 0.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# two connections fill max_connections: the next ones wait in the queue
printf 'max_connections 2\nworkers 1\n' >"$WORK/empty.conf"
start_tlsd
QUEUED=3
timeout 60 python3 -B "${TESTS_SRCDIR:-$(dirname "$0")}/stop-clients.py" --port "$PORT" --ca "$CA" \
    --pid "$TLSD_PID" --log "$WORK/tlsd.log" --queued "$QUEUED" >"$WORK/clients" 2>&1
cat "$WORK/clients"
STOP_STATUS=0
wait "$TLSD_PID" || STOP_STATUS=$?
TLSD_PID=""

check "before the stop, the kept-alive connection was served" grep -q "^idle first status=200 connection=keep-alive$" "$WORK/clients"
check "the handshake in flight at the stop finished and its request got 200, Connection: close" \
    grep -q "^midway status=200 connection=close$" "$WORK/clients"
served=$(grep -c "^queued[0-9]* status=200 connection=close$" "$WORK/clients")
check "the $QUEUED connections in the listen queue were served ($served of $QUEUED)" test "$served" -eq "$QUEUED"
check "the idle kept-alive connection was closed" grep -q "^idle status=closed$" "$WORK/clients"
check "tlsd logged taking them from the queue" \
    grep -q "shutdown: accepted $QUEUED connection(s) waiting in the listen queue" "$WORK/tlsd.log"
check "no connection was cut by the stop" sh -c "! grep -q 'reason=shutdown requests=0' '$WORK/tlsd.log'"
check "tlsd exited 0" test "$STOP_STATUS" -eq 0
check "tlsd logged stopped" grep -q "stopped" "$WORK/tlsd.log"
finish
