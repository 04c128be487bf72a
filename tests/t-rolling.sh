#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-rolling.sh: a rolling restart and a reload under load lose no request.
#
# Three tlsd instances a, b and c behind HAProxy (TCP mode, PROXY v2,
# round robin, HTTPS health checks, retries with redispatch: see
# fleet_haproxy_config), one shared ticket_key_file. A paced population of
# clients (tests/fleet-client.py, from 127.0.0.2) runs through HAProxy:
#   full      a new connection and a full handshake for every request;
#   resume    a new connection for every request, resuming (TLS 1.2);
#   slow      new connections whose every flight is held 150 ms, as a
#             far-away client's: their handshakes are in flight for long;
#   keepalive up to 5 requests per connection;
# asking in turn for a small page, a 1 MB file and a stylesheet, so that
# handshakes, requests and long responses are all under way at any time.
# Meanwhile:
#   - a gets SIGTERM while a slow client's connection is between its
#     ClientHello and its first request (the test waits, 3 s at most,
#     until a's log shows one that has stayed so for 50 ms); when it has
#     exited, it starts again on the same port, and the test waits until
#     HAProxy says it is UP;
#   - then b, the same, but b runs with max_connections 4 and is frozen
#     (SIGSTOP) for 0.4 s right after the SIGTERM, as a busy instance is
#     slow to get to it: new connections wait in its listen backlog, and
#     some are still there when it stops;
#   - c gets SIGHUP before, between and after, and reloads.
# It passes if no request failed, of at least 500, every instance served,
# each SIGTERM ended with exit status 0 and "stopped", each SIGHUP with
# "reloaded", and no instance cut a handshake at shutdown (`closed
# reason=shutdown requests=0` after a stage= line). A request on a reused
# keep-alive connection that the server closed before any byte of the
# response is sent again on a new connection (RFC 9112 9.3.1), as every
# browser does: a retry, counted, not a failure. HAProxy retries only
# connects that fail, never a connection it forwarded (see fleet.sh), so
# any other error a client sees is the instance's doing.
#
# T_ROLLING_KEEP=DIR copies the logs and the clients' results there.
# T_ROLLING_DRAIN_FIRST=1 is the control: HAProxy takes each instance out
# (state maint) and the test waits until its connections are done before
# the SIGTERM, as an operator would around a server that cuts connections
# at shutdown; with it, today's tlsd passes too, which shows that the
# failures without it are the server's, not the test's.
#
# Timing decides nothing here but the difficulty: the waits are bounded
# generously, and a loaded machine makes the test slower, not flaky. The
# report names, for each failure, the client's error, when it came
# relative to the signals, what HAProxy logged for it and what the
# instance's log shows for that client port (peer=127.0.0.2:PORT, from
# the PROXY header), or for HAProxy's own port when the instance never
# read the header, or nothing when it never accepted the connection.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/fleet.sh"

fleet_test_setup "$WORK/www"
# tcplog's line and the port HAProxy connected to the instance from: a
# connection the instance closed before reading the PROXY header is in
# its log under that port
FLEET_HAPROXY_LOG_FORMAT='%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq backend_source=%bi:%bp'
FLEET_STOP_SECONDS=30     # the server's own shutdown timeout is 10 s
LOAD_SECONDS=120          # the load's bound (a loaded machine takes over a minute to roll); the test ends it sooner
MINIMUM_REQUESTS=500
CLIENT_PIDS=""

cleanup() {
    local pid
    for pid in $CLIENT_PIDS; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    for pid in ${a_pid:-} ${b_pid:-} ${c_pid:-}; do
        kill -CONT "$pid" 2>/dev/null || true
    done
    fleet_stop_all
    [ -n "${T_ROLLING_KEEP:-}" ] && mkdir -p "$T_ROLLING_KEEP" && cp -R "$WORK"/. "$T_ROLLING_KEEP"/
    rm -rf "$WORK"
}

# event WHAT...: a line in the events file, with the time of day
event() {
    echo "$(date +%s.%N) $*" >>"$WORK/events"
}

# log_of NAME PID: the lines of one process in NAME's log
log_of() {
    grep -E "^([0-9][-0-9T:.]*Z )?tlsd\\[$2\\]: " "$WORK/$1.log"
}

# in_flight NAME PID FIRST_LINE: the client connections (conn=N) of that
# process, seen from FIRST_LINE of the log on, that are between their
# ClientHello and their first request
in_flight() {
    tail -n +"$3" "$WORK/$1.log" | awk -v prefix="tlsd[$2]: " '
        { sub(/^[0-9][-0-9T:.]*Z /, "") }   # the time each line starts with
        index($0, prefix) != 1 { next }
        / peer=127\.0\.0\.2:[0-9]+ stage=client_hello / { open[$2] = 1; next }
        / request="| closed reason=| stage=handshake_failed / { delete open[$2] }
        END { for (c in open) print c }'
}

# wait_back NAME PID: until HAProxy marks NAME UP and this process has
# answered a health check (15 s at most)
wait_back() {
    local tries=0
    while [ $tries -lt 150 ]; do
        if log_of "$1" "$2" | grep -q 'peer=127\.0\.0\.3:[0-9]* request="GET /" status=200' &&
            [ "$(fleet_server_state "$1" 2>/dev/null)" = UP ]; then
            return 0
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    return 1
}

# hangup NAME: SIGHUP, and wait (5 s at most) for the log to say it reloaded
hangup() {
    local pid lines tries=0
    eval "pid=\$${1}_pid"
    lines=$(wc -l <"$WORK/$1.log")
    event "SIGHUP $1 pid=$pid"
    kill -HUP "$pid"
    while [ $tries -lt 50 ]; do
        tail -n +"$((lines + 1))" "$WORK/$1.log" | grep -Eq "^([0-9][-0-9T:.]*Z )?tlsd\\[$pid\\]: reloaded: " && return 0
        sleep 0.1
        tries=$((tries + 1))
    done
    return 1
}

# roll NAME in-flight|backlog: SIGTERM NAME (see the top), wait for its
# exit, start it again on the same port, wait until it is UP
roll() {
    local name=$1 how=$2 pid port lines tries=0 open=0 status seen now_open conn
    eval "pid=\$${name}_pid port=\$${name}_port"
    if [ -n "${T_ROLLING_DRAIN_FIRST:-}" ]; then
        # the control: what an operator does for a tlsd that cuts what it
        # has at SIGTERM, take the instance out of the balancer and wait
        # until its connections are done (15 s at most)
        fleet_haproxy_command "set server tlsd/$name state maint" >/dev/null
        event "maint $name (HAProxy: no new connections, no health checks)"
        while [ "$(fleet_server_stat "$name" scur)" != 0 ] && [ $tries -lt 150 ]; do
            sleep 0.1
            tries=$((tries + 1))
        done
        tries=60   # nothing is in flight on it now
    fi
    lines=$(wc -l <"$WORK/$name.log")
    if [ "$how" = in-flight ]; then
        # a connection still between its ClientHello and its first request
        # 50 ms after it was first seen so is a slow client's, which will
        # stay so for a while yet (3 s at most: they start one every ~0.2 s)
        seen=""
        while [ $tries -lt 60 ]; do
            now_open=$(in_flight "$name" "$pid" "$((lines + 1))")
            open=0
            for conn in $now_open; do
                case " $seen " in *" $conn "*) open=$((open + 1)) ;; esac
            done
            [ "$open" -gt 0 ] && break
            seen=$(echo $now_open)
            sleep 0.05
            tries=$((tries + 1))
        done
        event "SIGTERM $name pid=$pid ($open client connection(s) between ClientHello and first request for 50 ms or more)"
        kill -TERM "$pid"
    else
        # SIGTERM, then at once SIGSTOP: the kernel runs the handler of the
        # lower-numbered SIGTERM first, so the signal waits in the event
        # loop while new connections queue in the listen backlog
        event "SIGTERM $name pid=$pid (then SIGSTOP for 0.4 s: new connections queue in its backlog)"
        kill -TERM "$pid"
        kill -STOP "$pid"
        sleep 0.4
        kill -CONT "$pid"
    fi
    [ "$how" = in-flight ] &&
        echo "# SIGTERM $name (pid $pid): $open client connection(s) between ClientHello and first request for 50 ms or more"
    fleet_stop_instance "$name" 0    # signal 0: only wait, a second SIGTERM is not the test
    status=$FLEET_STOP_STATUS
    event "exited $name pid=$pid status=$status"
    check "SIGTERM: $name exits with status 0 ($status)" test "$status" = 0
    check "... and its log says it stopped" sh -c "grep -Eq '^([0-9][-0-9T:.]*Z )?tlsd\\[$pid\\]: stopped\$' '$WORK/$name.log'"
    tries=0
    while fleet_port_listened "$port" && [ $tries -lt 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    if fleet_port_listened "$port"; then
        fail "... and released its port $port"
    else
        pass "... and released its port $port"
    fi
    if ! fleet_restart_instance "$name"; then
        fail "$name starts again on port $port"
        return
    fi
    eval "pid=\$${name}_pid"
    event "started $name pid=$pid"
    [ -n "${T_ROLLING_DRAIN_FIRST:-}" ] && fleet_haproxy_command "set server tlsd/$name state ready" >/dev/null
    check "$name starts again on port $port (pid $pid) and HAProxy marks it UP" wait_back "$name" "$pid"
}

# ---- the fleet
mkdir "$WORK/www"
cp "$TLSD_WWW"/* "$WORK/www/"
head -c 1048576 /dev/urandom >"$WORK/www/big.bin"
"$TLSD_MKCERT" --ticket-keys "$FLEET_TICKET_KEYS" >"$WORK/keys.out" 2>&1 || {
    echo "tlsd-mkcert --ticket-keys failed:"; cat "$WORK/keys.out"; exit 1; }
fleet_start_instance a || exit 1
# b at a low connection limit, as an instance under load is: when it gets
# there it stops accepting, and new connections wait in its backlog
fleet_start_instance b "max_connections 4" || exit 1
fleet_start_instance c || exit 1
fleet_start_haproxy a b c || exit 1
for name in a b c; do
    check "HAProxy finds $name UP" fleet_wait_state "$name" UP
done

# ---- the load
: >"$WORK/events"
load() {  # load NAME fleet-client-options...: one group of clients, in the background
    local name=$1
    shift
    python3 -B "$FLEET_CLIENT" --port "$HAPROXY_PORT" --ca "$FLEET_CA" --source 127.0.0.2 \
        --seconds "$LOAD_SECONDS" --stop-file "$WORK/stop" --timeout 10 --count 400 "$@" >"$WORK/$name.json" &
    CLIENT_PIDS="$CLIENT_PIDS $!"
}
results() { cat "$WORK"/full.json "$WORK"/resume.json "$WORK"/slow.json "$WORK"/keepalive.json 2>/dev/null | wc -l; }
event "load starts"
load full --concurrency 2 --no-resume --interval 0.1 --path / --path /big.bin
load resume --concurrency 2 --tls 1.2 --interval 0.1 --path / --path /style.css
load slow --concurrency 3 --send-delay 0.15 --interval 0.05
load keepalive --concurrency 3 --keep-alive 5 --interval 0.1 --path / --path /big.bin --path /style.css
load_started=$(date +%s)

# every group under way before the first signal (10 s at most)
tries=0
while [ "$(results)" -lt 40 ] && [ $tries -lt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
done

check "SIGHUP: c reloads under load" hangup c
roll a in-flight
check "SIGHUP: c reloads again" hangup c
roll b backlog
check "SIGHUP: c reloads a third time" hangup c

# a few more seconds of load on the restarted instances, until each has
# served clients again (on a loaded machine HAProxy's round robin may take
# a while to reach the last one restarted), and at least 20 % more than
# the minimum, within the load's own bound
served_clients() {  # served_clients NAME: client requests its current process answered
    eval "local pid=\$${1}_pid"
    log_of "$1" "$pid" | grep -c 'peer=127\.0\.0\.2:[0-9]* request='
}
event "last signal done"
sleep 3
while { [ "$(results)" -lt $((MINIMUM_REQUESTS * 6 / 5)) ] ||
        [ "$(served_clients a)" -eq 0 ] || [ "$(served_clients b)" -eq 0 ]; } &&
    [ $(($(date +%s) - load_started)) -lt "$LOAD_SECONDS" ]; do
    sleep 0.5
done
: >"$WORK/stop"
event "load told to stop"
for pid in $CLIENT_PIDS; do
    tries=0
    while kill -0 "$pid" 2>/dev/null && [ $tries -lt 300 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
CLIENT_PIDS=""
for name in a b c; do
    fleet_stop_instance "$name" TERM
done
fleet_stop_all

# ---- the report
python3 - "$WORK" >"$WORK/report" <<'EOF'
import json, os, re, sys, time
work = sys.argv[1]

events = []
for line in open(os.path.join(work, "events")):
    wall, what = line.rstrip("\n").split(" ", 1)
    events.append((float(wall), what))

def when(wall):
    """A time relative to the last event before it."""
    before = [e for e in events if e[0] <= wall]
    if not before:
        return "%.3f s before %s" % (events[0][0] - wall, events[0][1])
    return "%.3f s after %s" % (wall - before[-1][0], before[-1][1].split(" (")[0])

groups = ("full", "resume", "slow", "keepalive")
results = []
for group in groups:
    path = os.path.join(work, group + ".json")
    if os.path.exists(path):
        for line in open(path):
            record = json.loads(line)
            record["group"] = group
            results.append(record)

# the instances' logs: per process (tlsd[PID]), per connection (conn=N)
line_pattern = re.compile(r"^(?:\S+Z )?tlsd\[(\d+)\]: conn=(\d+) peer=(\S+) (.*)$")
connections = {}   # (name, pid, conn) -> [rest of line...]
by_peer = {}       # "127.0.0.2:PORT" -> [(name, pid, conn)...]
served = {}        # name -> {pid: client requests}
for name in ("a", "b", "c"):
    served[name] = {}
    pids = []
    for line in open(os.path.join(work, name + ".log")):
        match = re.match(r"^(?:\S+Z )?tlsd\[(\d+)\]: ", line)
        if match and match.group(1) not in pids:
            pids.append(match.group(1))
            served[name][match.group(1)] = 0
        match = line_pattern.match(line.rstrip("\n"))
        if not match:
            continue
        pid, conn, peer, rest = match.groups()
        key = (name, pid, conn)
        if key not in connections:
            connections[key] = []
        connections[key].append(rest)
        if not by_peer.get(peer) or by_peer[peer][-1] != key:
            by_peer.setdefault(peer, []).append(key)
        if peer.startswith("127.0.0.2:") and rest.startswith("request="):
            served[name][pid] += 1

def story(key):
    """A connection's log, shortly: its stages, requests and close."""
    steps = []
    for rest in connections[key]:
        match = re.match(r"stage=(\S+)", rest)
        if match:
            steps.append(match.group(1))
        elif rest.startswith("request="):
            steps.append(re.sub(r" bytes=.*", "", rest))
        elif rest.startswith("closed "):
            steps.append(re.sub(r" duration_ms=.*", "", rest))
        else:
            steps.append(rest.split(" ")[0])
    return "%s[%s] conn=%s: %s" % (key[0], key[1], key[2], ", ".join(steps))

# HAProxy's lines, by client port, with the time it accepted the client
haproxy = {}
haproxy_pattern = re.compile(r"^127\.0\.0\.2:(\d+) \[([^\]]*)\] \S+ [^/ ]+/(\S+) (\S+) (\d+) (\S+) "
                             r"\S+/\S+/\S+/\S+/(\+?\d+) \S+ backend_source=(\S+)$")
retried_connects = redispatched = 0
for line in open(os.path.join(work, "haproxy.log")):
    match = haproxy_pattern.match(line.strip())
    if match:
        port, date, server, timers, sent, state, retries, source = match.groups()
        accepted = time.mktime(time.strptime(date.split(".")[0], "%d/%b/%Y:%H:%M:%S")) + float("0." + date.split(".")[1])
        haproxy.setdefault(port, []).append(
            {"line": line.strip(), "accepted": accepted, "server": server, "timers": timers, "state": state,
             "retries": retries, "source": source})
        if retries.lstrip("+") != "0":
            retried_connects += 1
        if retries.startswith("+"):
            redispatched += 1

# which process of each instance ran when: from the events
alive = {}   # pid -> [from, to]
for name in ("a", "b", "c"):
    for pid in served[name]:
        alive[pid] = [0.0, float("inf")]
for wall, what in events:
    match = re.match(r"(started|exited) \S+ pid=(\d+)", what)
    if match and match.group(2) in alive:
        alive[match.group(2)][0 if match.group(1) == "started" else 1] = wall

def explain(record):
    """What HAProxy and the instance say about the connection of a
    request: (what happened to it, the lines that show it)."""
    port = str(record["local_port"])
    began, ended = record["wall"], record["done"]
    if record["retried"]:
        began = record["retried"]["wall"]
    # client ports come round again: the HAProxy line of this connection
    # is the one it accepted while the request ran
    entries = [e for e in haproxy.get(port, []) if began - 1 <= e["accepted"] <= ended + 1]
    entries.sort(key=lambda e: abs(e["accepted"] - began))
    entries = entries[:1]
    if not entries:
        return "not in HAProxy's log", []
    entry = entries[0]
    lines = ["HAProxy: " + entry["line"]]
    server = entry["server"]
    if entry["timers"].split("/")[1] == "-1":
        return "not connected by HAProxy (%s)" % entry["state"], lines
    def current(key):
        span = alive.get(key[1], [0.0, float("inf")])
        return key[0] == server and span[0] - 1 <= entry["accepted"] <= span[1] + 1
    kind = "other"
    keys = [k for k in by_peer.get("127.0.0.2:" + port, []) if current(k)]
    for key in keys:
        lines.append("tlsd " + story(key))
        closed = [l for l in connections[key] if l.startswith("closed ")]
        stages = [l for l in connections[key] if l.startswith("stage=")]
        if closed and closed[-1].startswith("closed reason=shutdown requests=0 "):
            if any(l.startswith("stage=established") for l in stages):
                kind = "cut at shutdown after its handshake, before its first request"
            elif stages:
                kind = "cut at shutdown in its handshake"
            else:
                kind = "cut at shutdown before its handshake"
    if not keys:
        cut = [k for k in by_peer.get(entry["source"], []) if current(k)]
        for key in cut:
            lines.append("tlsd (accepted, PROXY header not read) " + story(key))
            kind = "accepted, cut at shutdown before its PROXY header was read"
        if not cut:
            lines.append("tlsd %s: nothing under 127.0.0.2:%s nor %s: never accepted "
                         "(reset in the listen backlog)" % (server, port, entry["source"]))
            kind = "never accepted: reset in the listen backlog"
    if len(keys) > 1:
        kind += " (the client port was used twice: which is it?)"
    return kind, lines

failures = [r for r in results if not r["ok"]]
retries = [r for r in results if r["retried"]]
kinds = {}
print("# %d requests: %s" % (len(results), ", ".join(
    "%s %d" % (g, sum(r["group"] == g for r in results)) for g in groups)))
print("# %d failed, %d keep-alive retries; HAProxy retried %d connects (%d redispatched)"
      % (len(failures), len(retries), retried_connects, redispatched))
durations = sorted(r["done"] - r["wall"] for r in results)
if durations:
    print("# request durations: median %.3f s, 99th percentile %.3f s, longest %.3f s (the client's timeout: 10 s)"
          % (durations[len(durations) // 2], durations[int(len(durations) * 0.99)], durations[-1]))
for name in ("a", "b", "c"):
    print("# %s served %s client requests (per process, in order)"
          % (name, " + ".join("%d [pid %s]" % (n, pid) for pid, n in served[name].items())))
for record in failures:
    kind, lines = explain(record) if record["local_port"] else ("no connection", [])
    kinds[kind] = kinds.get(kind, 0) + 1
    print("# FAILED %s client %d request %d %s from port %s, %s: %s (stage %s), %s; began %s"
          % (record["group"], record["client"], record["n"], record["path"], record["local_port"],
             "a reused connection" if record["reused"] else "a new connection", record["error"],
             record["stage"], when(record["done"]), when(record["wall"])))
    print("#     " + kind)
    if record["retried"]:
        print("#     first tried on port %s: %s" % (record["retried"]["local_port"], record["retried"]["error"]))
    for line in lines:
        print("#     " + line)
for kind, count in sorted(kinds.items()):
    print("# failures: %d %s" % (count, kind))
for record in retries:
    print("# retried %s client %d request %d %s, %s: port %s said %s; port %s: %s"
          % (record["group"], record["client"], record["n"], record["path"], when(record["retried"]["wall"]),
             record["retried"]["local_port"], record["retried"]["error"], record["local_port"],
             "ok" if record["ok"] else record["error"]))
backlog_losses = kinds.get("never accepted: reset in the listen backlog", 0)

# connections cut at shutdown: a handshake started (a stage= line), no request served
cut = []
for key, lines in connections.items():
    closed = [l for l in lines if l.startswith("closed reason=shutdown requests=0 ")]
    if closed and any(l.startswith("stage=") for l in lines):
        cut.append(key)
for key in sorted(cut):
    print("# cut at shutdown: " + story(key))

with open(os.path.join(work, "summary"), "w") as summary:
    summary.write("total=%d\nfailed=%d\nretried=%d\nbacklog_losses=%d\n"
                  % (len(results), len(failures), len(retries), backlog_losses))
    for name in ("a", "b", "c"):
        counts = list(served[name].values())
        summary.write("served_%s=%d\nserved_%s_last=%d\nprocesses_%s=%d\n"
                      % (name, sum(counts), name, counts[-1] if counts else 0, name, len(counts)))
        summary.write("cut_%s=%d\n" % (name, sum(1 for k in cut if k[0] == name)))
EOF
cat "$WORK/report"
. "$WORK/summary"
echo "# events:"
sed 's/^/#   /' "$WORK/events"

for name in a b c; do
    eval "served=\$served_$name cut=\$cut_$name"
    check "$name served client requests ($served)" test "$served" -gt 0
    check "$name cut no handshake at shutdown ($cut connection(s) closed reason=shutdown requests=0 after a stage= line)" \
        test "$cut" -eq 0
done
check "a, restarted, served again ($served_a_last)" test "$processes_a" -eq 2 -a "$served_a_last" -gt 0
check "b, restarted, served again ($served_b_last)" test "$processes_b" -eq 2 -a "$served_b_last" -gt 0
check "at least $MINIMUM_REQUESTS requests ($total)" test "$total" -ge "$MINIMUM_REQUESTS"
check "$failed of $total requests failed ($retried keep-alive retries; $backlog_losses never accepted by the instance)" \
    test "$failed" -eq 0
# what lib.sh's finish shows when something failed
echo "(the report above is from a.log, b.log, c.log, haproxy.log and the clients' results;" \
    "T_ROLLING_KEEP=DIR keeps them)" >"$WORK/tlsd.log"
finish
