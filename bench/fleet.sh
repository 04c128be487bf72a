#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/fleet.sh: two tlsd instances behind HAProxy (TCP mode, PROXY
# protocol v2, round robin, HTTPS health checks, one shared
# ticket_key_file), as docs/deploying.md sets a fleet up, on loopback:
#
#   1. the cost of the balancer: handshakes per second with `openssl
#      s_time` straight to one tlsd, through HAProxy to one instance, and
#      through HAProxy to two (full and resumed);
#   2. resumption across the fleet: N sequential connections through
#      HAProxy, each offering the previous session, from 127.0.0.2; how
#      many resumed and on which instance, from tlsd's own logs, which
#      also must show 127.0.0.2 (the client), never HAProxy's 127.0.0.3;
#   3. failover: requests every 20 ms for F seconds; one instance stopped
#      (SIGTERM) a third of the way in and started again at two thirds;
#      failures before, within and after the failover window, and how long
#      HAProxy took to mark it DOWN and UP again.
#
#   bench/fleet.sh [--seconds S] [--connections N] [--failover-seconds F] [--window W]
#   (defaults: 6, 200, 12, 2)
#
# Runs the tlsd and tlsd-mkcert of the build in $TLSD_BUILD_DIR (default
# build/). Needs haproxy, openssl and python3. Every load is bounded by
# count and time, and nothing leaves 127.0.0.0/8. On a 2-core machine the
# load generator, HAProxy and tlsd share the CPUs: quote ratios between
# the rows of one run, not the rates themselves.
set -eu
cd "$(dirname "$0")/.."
seconds=6
connections=200
failover_seconds=12
window=2
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --connections) connections=${2:?}; shift 2 ;;
    --failover-seconds) failover_seconds=${2:?}; shift 2 ;;
    --window) window=${2:?}; shift 2 ;;
    *) echo "usage: bench/fleet.sh [--seconds S] [--connections N] [--failover-seconds F] [--window W]" >&2
       exit 2 ;;
    esac
done
BENCH_NAME=fleet
. bench/lib.sh
. tests/fleet.sh
need haproxy haproxy
need openssl openssl
need python3 python3

FLEET_WORK=$work
FLEET_TLSD=$tlsd
FLEET_CERT=$work/pki/server.crt
FLEET_KEY=$work/pki/server.key
FLEET_ROOT=$work/www
FLEET_CA=$work/pki/ca.crt
FLEET_CLIENT=tests/fleet-client.py
FLEET_TICKET_KEYS=$work/ticket.keys
FLEET_CHECK_INTERVAL=500ms
cleanup() {
    fleet_stop_all
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
"$mkcert" --ticket-keys "$FLEET_TICKET_KEYS" >/dev/null

# s_time_rate PORT new|reuse: connections per second over $seconds
s_time_rate() {
    # TLS 1.2: s_time cannot resume TLS 1.3 (its tickets come after the handshake)
    openssl s_time -connect "127.0.0.1:$1" -CAfile "$FLEET_CA" -tls1_2 -"$2" -time "$seconds" 2>/dev/null |
        awk '/connections in .* real seconds/ { printf "%.0f", $1 / $4; found = 1 } END { if (!found) print 0 }'
}

echo "# 1. TLS 1.2 handshakes per second ($seconds s each, one s_time client)"
printf 'workers 1\nlog_level warn\n' >"$work/tlsd.conf"
start_tlsd
direct_new=$(s_time_rate "$port" new)
direct_reuse=$(s_time_rate "$port" reuse)
stop_tlsd
# started at info, where the "listening on" line tells the port; then
# quiet, so that the stage log does not weigh on the rates
quiet_instance() {
    local instance_pid
    eval "instance_pid=\$${1}_pid"
    echo "log_level warn" >>"$work/$1.conf"
    kill -HUP "$instance_pid"
    sleep 0.5
}
fleet_start_instance a
fleet_start_instance b
quiet_instance a
quiet_instance b
fleet_start_haproxy a
fleet_wait_state a UP
one_new=$(s_time_rate "$HAPROXY_PORT" new)
one_reuse=$(s_time_rate "$HAPROXY_PORT" reuse)
kill "$HAPROXY_PID"; wait "$HAPROXY_PID" 2>/dev/null || true; HAPROXY_PID=""
fleet_start_haproxy a b
fleet_wait_state a UP && fleet_wait_state b UP
two_new=$(s_time_rate "$HAPROXY_PORT" new)
two_reuse=$(s_time_rate "$HAPROXY_PORT" reuse)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
printf '%-34s %10s %8s %10s %8s\n' "path" "full/s" "ratio" "resumed/s" "ratio"
printf '%-34s %10s %8s %10s %8s\n' "client -> tlsd" "$direct_new" "1.00" "$direct_reuse" "1.00"
printf '%-34s %10s %8s %10s %8s\n' "client -> HAProxy -> 1 tlsd" "$one_new" "$(ratio "$one_new" "$direct_new")" \
    "$one_reuse" "$(ratio "$one_reuse" "$direct_reuse")"
printf '%-34s %10s %8s %10s %8s\n' "client -> HAProxy -> 2 tlsd" "$two_new" "$(ratio "$two_new" "$direct_new")" \
    "$two_reuse" "$(ratio "$two_reuse" "$direct_reuse")"
fleet_stop_all
FLEET_INSTANCES=""

echo
echo "# 2. resumption across the fleet ($connections sequential connections from 127.0.0.2)"
fleet_start_instance a
fleet_start_instance b
fleet_start_haproxy a b
fleet_wait_state a UP && fleet_wait_state b UP
for version in 1.2 1.3; do
    if [ "$version" = 1.3 ] && ! "$tlsd" -V | grep -q "and 1.3"; then
        echo "TLS 1.3: not offered by this build (Mbed TLS 2.28)"
        continue
    fi
    lines_a=$(wc -l <"$work/a.log"); lines_b=$(wc -l <"$work/b.log")
    fleet_client --source 127.0.0.2 --count "$connections" --seconds 120 --tls "$version" >"$work/resume.json"
    sleep 0.5   # the last lines reach the logs
    python3 - "$work/resume.json" "$work/a.log" "$work/b.log" "$lines_a" "$lines_b" "$version" <<'EOF'
import json, re, sys
results = [json.loads(line) for line in open(sys.argv[1])]
ok = sum(r["ok"] for r in results)
resumed = sum(r["resumed"] for r in results)
counts = {}
for name, path, skip in (("a", sys.argv[2], int(sys.argv[4])), ("b", sys.argv[3], int(sys.argv[5]))):
    lines = open(path).read().splitlines()[skip:]
    established = [l for l in lines if "stage=established" in l and "peer=127.0.0.2:" in l]
    counts[name] = (len(established), sum("resumed=yes" in l for l in established))
proxied = sum("peer=127.0.0.3:" in l and "request=" in l
              for path in sys.argv[2:4] for l in open(path))
print("TLS %s: %d connections, %d answered, %d resumed (%.1f %% of those that could: all but the first); "
      "a: %d handshakes (%d resumed), b: %d (%d resumed); requests under HAProxy's own address (its health checks): %d"
      % (sys.argv[6], len(results), ok, resumed, 100.0 * resumed / max(1, len(results) - 1),
         counts["a"][0], counts["a"][1], counts["b"][0], counts["b"][1], proxied))
EOF
done

echo
echo "# 3. failover: a request every 20 ms for $failover_seconds s; a stopped at $((failover_seconds / 3)) s, started again at $((2 * failover_seconds / 3)) s"
fleet_client --source 127.0.0.2 --count 100000 --seconds "$failover_seconds" --interval 0.02 >"$work/failover.json" &
client=$!
now() { python3 -c 'import time; print(round(time.time(), 3))'; }
sleep $((failover_seconds / 3))
stopped_at=$(now)
fleet_stop_instance a TERM
down_at=""
for _ in $(seq 100); do
    [ "$(fleet_server_state a)" = DOWN ] && { down_at=$(now); break; }
    sleep 0.05
done
sleep $((2 * failover_seconds / 3 - failover_seconds / 3))
restarted_at=$(now)
# again on the port HAProxy knows it by; its log goes on in a.log
fleet_restart_instance a
up_at=""
for _ in $(seq 100); do
    [ "$(fleet_server_state a)" = UP ] && { up_at=$(now); break; }
    sleep 0.05
done
wait "$client" || true
# the line's own time first when stderr is not the journal (log_timestamps)
grep -E "^([0-9TZ:.-]+ )?tlsd\\[$a_pid\\]: " "$work/a.log" | sed -E 's/^[0-9TZ:.-]+ //' >"$work/a-restarted.log"
python3 - "$work/failover.json" "$stopped_at" "${down_at:-0}" "$restarted_at" "${up_at:-0}" "$window" \
    "$work/a-restarted.log" <<'EOF'
import json, sys
results = [json.loads(line) for line in open(sys.argv[1])]
stopped, down, restarted, up, window = (float(x) for x in sys.argv[2:7])
def count(select):
    chosen = [r for r in results if select(r["wall"])]
    return len(chosen), sum(not r["ok"] for r in chosen)
before = count(lambda t: t < stopped)
within = count(lambda t: stopped <= t < stopped + window)
after = count(lambda t: t >= stopped + window)
back = sum("peer=127.0.0.2:" in l and "request=" in l for l in open(sys.argv[7]))
print("requests: %d; before the stop %d (%d failed), within the %g s window %d (%d failed), after it %d (%d failed)"
      % (len(results), before[0], before[1], window, within[0], within[1], after[0], after[1]))
print("HAProxy marked a DOWN %s after SIGTERM, UP again %s after it restarted; a served %d requests after its restart"
      % ("%.2f s" % (down - stopped) if down else "never",
         "%.2f s" % (up - restarted) if up else "never (within 5 s)", back))
EOF
