# SPDX-License-Identifier: Apache-2.0
# fleet.sh: tlsd instances behind HAProxy on loopback, as a fleet runs
# behind a load balancer (sourced by tests/t-haproxy.sh and bench/fleet.sh).
#
# The caller sets, before using the functions:
#   FLEET_WORK    a directory of its own (configs, logs, sockets go there)
#   FLEET_TLSD    the tlsd binary
#   FLEET_CERT, FLEET_KEY, FLEET_ROOT   the chain, key and document root
#   FLEET_TICKET_KEYS                   the shared ticket_key_file
#   FLEET_CHECK_INTERVAL                HAProxy's health-check interval [200ms]
#   FLEET_CLIENT, FLEET_CA              tests/fleet-client.py and the CA it trusts
#
# Three loopback addresses keep the roles apart in every log line:
# clients connect from 127.0.0.1 or 127.0.0.2, HAProxy connects to the
# instances from 127.0.0.3 (its `source`), and only 127.0.0.3 is in
# proxy_from. A peer= of 127.0.0.3 in tlsd's log is the proxy itself
# (its health checks); anything else is a client's real address.

FLEET_PROXY_SOURCE=127.0.0.3

# fleet_test_setup ROOT: for tests/t-*.sh (after lib.sh): skip without
# HAProxy or python3, and point the FLEET_ settings at the test's PKI,
# work directory and ROOT, with a ticket key file to make.
fleet_test_setup() {
    command -v haproxy >/dev/null 2>&1 || skip_all "haproxy is not installed (apt-get install haproxy)"
    command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the test client (apt-get install python3)"
    FLEET_WORK=$WORK
    FLEET_TLSD=$TLSD
    FLEET_CERT=$WORK/certs/server.crt
    FLEET_KEY=$WORK/certs/server.key
    FLEET_ROOT=$1
    FLEET_CA=$CA
    FLEET_CLIENT=$TESTS_SRCDIR/fleet-client.py
    FLEET_TICKET_KEYS=$WORK/ticket.keys
}
FLEET_INSTANCES=""
HAPROXY_PID=""
HAPROXY_PORT=""

# fleet_free_port: a port nothing listens on now, on 127.0.0.1.
fleet_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# fleet_start_instance NAME [config line...]: tlsd with a proxy_protocol
# listener on an ephemeral port; sets NAME_pid and NAME_port, logs to
# $FLEET_WORK/NAME.log.
fleet_start_instance() {
    local name=$1 line
    shift
    {
        echo "listen 127.0.0.1:0 proxy_protocol"
        echo "proxy_from $FLEET_PROXY_SOURCE"
        echo "ticket_key_file $FLEET_TICKET_KEYS"
        echo "workers 1"
        for line in "$@"; do echo "$line"; done
    } >"$FLEET_WORK/$name.conf"
    : >"$FLEET_WORK/$name.log"
    FLEET_INSTANCES="$FLEET_INSTANCES $name"
    fleet_launch_instance "$name"
}

# fleet_restart_instance NAME: NAME again after fleet_stop_instance, with
# the same configuration and on the same port, the one HAProxy's server
# line names. The log goes on in $FLEET_WORK/NAME.log (each line says
# tlsd[PID], which keeps the two processes apart); sets NAME_pid.
fleet_restart_instance() {
    local name=$1 port pid
    eval "port=\${${name}_port}"
    eval "pid=\${${name}_pid:-}"
    if [ -n "$pid" ]; then
        echo "fleet_restart_instance $name: pid $pid is still running"
        return 1
    fi
    sed -i "s/^listen 127\\.0\\.0\\.1:[0-9]* proxy_protocol\$/listen 127.0.0.1:$port proxy_protocol/" \
        "$FLEET_WORK/$name.conf"
    fleet_launch_instance "$name"
}

# fleet_port_listened PORT: whether a socket listens on 127.0.0.1:PORT
# (or on 0.0.0.0:PORT), from /proc/net/tcp. A stopped instance has released
# its port once this says no.
fleet_port_listened() {
    python3 -c 'import sys
port = "%04X" % int(sys.argv[1])
for line in open("/proc/net/tcp").readlines()[1:]:
    fields = line.split()
    address, local_port = fields[1].split(":")
    if local_port == port and fields[3] == "0A" and address in ("0100007F", "00000000"):
        sys.exit(0)
sys.exit(1)' "$1"
}

# fleet_launch_instance NAME: tlsd on $FLEET_WORK/NAME.conf, appending to
# NAME.log; waits (10 s at most) for this process's "listening on" line and
# sets NAME_pid and NAME_port.
fleet_launch_instance() {
    local name=$1 port="" pid tries=0
    "$FLEET_TLSD" -c "$FLEET_WORK/$name.conf" --cert "$FLEET_CERT" --key "$FLEET_KEY" \
        --root "$FLEET_ROOT" 2>>"$FLEET_WORK/$name.log" &
    pid=$!
    eval "${name}_pid=$pid"
    while [ $tries -lt 100 ]; do
        port=$(sed -n "s/^\\([0-9][-0-9T:.]*Z \\)\\{0,1\\}tlsd\\[$pid\\]: listening on 127\\.0\\.0\\.1:\\([0-9]*\\).*/\\2/p" \
            "$FLEET_WORK/$name.log" | head -n 1)
        if [ -n "$port" ]; then
            eval "${name}_port=$port"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
        tries=$((tries + 1))
    done
    echo "tlsd instance $name did not start:"
    grep -E "^([0-9][-0-9T:.]*Z )?tlsd\\[$pid\\]" "$FLEET_WORK/$name.log"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    eval "${name}_pid="
    return 1
}

# fleet_stop_instance NAME [SIGNAL]: signal it (TERM) and wait for it, at
# most FLEET_STOP_SECONDS (30) before a SIGKILL; FLEET_STOP_STATUS is then
# its exit status (137 if it had to be killed).
fleet_stop_instance() {
    local pid tries=0
    FLEET_STOP_STATUS=""
    eval "pid=\${${1}_pid:-}"
    [ -n "$pid" ] || return 0
    kill -"${2:-TERM}" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ $tries -lt $((${FLEET_STOP_SECONDS:-30} * 10)) ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    FLEET_STOP_STATUS=0
    wait "$pid" 2>/dev/null || FLEET_STOP_STATUS=$?
    eval "${1}_pid="
}

# fleet_haproxy_config PORT NAME...: the haproxy.cfg, TCP mode, PROXY v2
# to every instance, HTTPS health checks that carry a PROXY header too.
# FLEET_HAPROXY_LOG_FORMAT, when set, replaces the tcplog line format.
#
# What HAProxy retries in TCP mode: only a connect that failed (refused by
# a stopped instance, or timed out), `retries` times. With `option
# redispatch`, round robin and no persistence, it tries another instance
# at once (its log's retries field says +1); otherwise it would wait
# min(timeout connect, 1 s) and try the same one, and move only on the
# last retry (HAProxy 2.6, backend.c). It never moves a connection it has
# forwarded: once the instance's kernel has accepted the TCP connection
# (into the listen backlog, before tlsd even calls accept), HAProxy sends
# the PROXY header and the client's bytes, and if the instance then closes
# or resets the connection, the client sees it. (`retry-on`, which retries
# more, is for mode http only.) So behind this balancer, a client's error
# is the doing of the instance that had it.
fleet_haproxy_config() {
    local port=$1 name instance_port log_format=""
    shift
    if [ -n "${FLEET_HAPROXY_LOG_FORMAT:-}" ]; then
        log_format="
    log-format \"$FLEET_HAPROXY_LOG_FORMAT\""
    fi
    cat <<EOF
global
    stats socket $FLEET_WORK/haproxy.sock mode 600 level admin
    log stderr format raw local0 info
    maxconn 2000

defaults
    mode tcp
    log global
    option tcplog$log_format
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # a connection refused by a stopped instance is tried on another
    retries 2
    option redispatch

frontend tls
    bind 127.0.0.1:$port
    default_backend tlsd

backend tlsd
    balance roundrobin
    source $FLEET_PROXY_SOURCE
    option httpchk GET /
    http-check expect status 200
    default-server send-proxy-v2 check check-ssl verify none check-send-proxy inter ${FLEET_CHECK_INTERVAL:-200ms} fall 2 rise 2
EOF
    for name in "$@"; do
        eval "instance_port=\$${name}_port"
        echo "    server $name 127.0.0.1:$instance_port"
    done
}

# fleet_start_haproxy NAME...: HAProxy in front of the named instances;
# sets HAPROXY_PID and HAPROXY_PORT, logs to $FLEET_WORK/haproxy.log.
fleet_start_haproxy() {
    local attempt tries
    for attempt in 1 2 3; do
        HAPROXY_PORT=$(fleet_free_port)
        fleet_haproxy_config "$HAPROXY_PORT" "$@" >"$FLEET_WORK/haproxy.cfg"
        rm -f "$FLEET_WORK/haproxy.sock"
        haproxy -db -f "$FLEET_WORK/haproxy.cfg" >>"$FLEET_WORK/haproxy.log" 2>&1 &
        HAPROXY_PID=$!
        tries=0
        while [ $tries -lt 50 ]; do
            [ -S "$FLEET_WORK/haproxy.sock" ] && return 0
            kill -0 "$HAPROXY_PID" 2>/dev/null || break
            sleep 0.1
            tries=$((tries + 1))
        done
        # the port may have been taken between the probe and the bind: again
        kill "$HAPROXY_PID" 2>/dev/null || true
        wait "$HAPROXY_PID" 2>/dev/null || true
        HAPROXY_PID=""
    done
    echo "haproxy did not start:"
    cat "$FLEET_WORK/haproxy.log"
    return 1
}

# fleet_haproxy_command COMMAND: one command on HAProxy's stats socket
# (management.txt), its answer on standard output.
fleet_haproxy_command() {
    python3 - "$FLEET_WORK/haproxy.sock" "$1" <<'EOF'
import socket, sys
connection = socket.socket(socket.AF_UNIX)
connection.settimeout(2)
connection.connect(sys.argv[1])
connection.sendall(sys.argv[2].encode() + b"\n")
data = b""
while True:
    chunk = connection.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())
EOF
}

# fleet_server_stat NAME FIELD: one field of HAProxy's `show stat` line for
# server NAME, by the header's name for it (scur: its open connections).
fleet_server_stat() {
    fleet_haproxy_command "show stat" | python3 -c 'import sys
lines = sys.stdin.read().splitlines()
names = lines[0].lstrip("# ").split(",")
for line in lines[1:]:
    fields = line.split(",")
    if len(fields) == len(names) and fields[0] == "tlsd" and fields[1] == sys.argv[1]:
        print(fields[names.index(sys.argv[2])])' "$1" "$2"
}

# fleet_server_state NAME: HAProxy's view of a server (UP, DOWN, ...).
fleet_server_state() {
    fleet_server_stat "$1" status | cut -d' ' -f1
}

# fleet_wait_state NAME STATE [SECONDS]: until HAProxy says so (10 s).
fleet_wait_state() {
    local tries=0 limit=$((${3:-10} * 10))
    while [ $tries -lt $limit ]; do
        [ "$(fleet_server_state "$1" 2>/dev/null)" = "$2" ] && return 0
        sleep 0.1
        tries=$((tries + 1))
    done
    return 1
}

# fleet_stop_all: HAProxy and every instance still running.
fleet_stop_all() {
    local name
    if [ -n "$HAPROXY_PID" ]; then
        kill "$HAPROXY_PID" 2>/dev/null || true
        wait "$HAPROXY_PID" 2>/dev/null || true
        HAPROXY_PID=""
    fi
    for name in $FLEET_INSTANCES; do
        fleet_stop_instance "$name" KILL
    done
}

# fleet_client ARGS...: tests/fleet-client.py against HAProxy.
fleet_client() {
    python3 -B "$FLEET_CLIENT" --port "$HAPROXY_PORT" --ca "$FLEET_CA" "$@"
}
