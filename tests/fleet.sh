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
    local name=$1 line port="" tries=0
    shift
    {
        echo "listen 127.0.0.1:0 proxy_protocol"
        echo "proxy_from $FLEET_PROXY_SOURCE"
        echo "ticket_key_file $FLEET_TICKET_KEYS"
        echo "workers 1"
        for line in "$@"; do echo "$line"; done
    } >"$FLEET_WORK/$name.conf"
    : >"$FLEET_WORK/$name.log"
    "$FLEET_TLSD" -c "$FLEET_WORK/$name.conf" --cert "$FLEET_CERT" --key "$FLEET_KEY" \
        --root "$FLEET_ROOT" 2>>"$FLEET_WORK/$name.log" &
    eval "${name}_pid=$!"
    FLEET_INSTANCES="$FLEET_INSTANCES $name"
    while [ $tries -lt 100 ]; do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$FLEET_WORK/$name.log" | head -n 1)
        if [ -n "$port" ]; then
            eval "${name}_port=$port"
            return 0
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    echo "tlsd instance $name did not start:"
    cat "$FLEET_WORK/$name.log"
    return 1
}

# fleet_stop_instance NAME [SIGNAL]: signal it (TERM) and wait for it.
fleet_stop_instance() {
    local pid
    eval "pid=\${${1}_pid:-}"
    [ -n "$pid" ] || return 0
    kill -"${2:-TERM}" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    eval "${1}_pid="
}

# fleet_haproxy_config PORT NAME...: the haproxy.cfg, TCP mode, PROXY v2
# to every instance, HTTPS health checks that carry a PROXY header too.
fleet_haproxy_config() {
    local port=$1 name instance_port
    shift
    cat <<EOF
global
    stats socket $FLEET_WORK/haproxy.sock mode 600 level admin
    log stderr format raw local0 info
    maxconn 2000

defaults
    mode tcp
    log global
    option tcplog
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

# fleet_server_state NAME: HAProxy's view of a server (UP, DOWN, ...).
fleet_server_state() {
    python3 - "$FLEET_WORK/haproxy.sock" "$1" <<'EOF'
import socket, sys
connection = socket.socket(socket.AF_UNIX)
connection.settimeout(2)
connection.connect(sys.argv[1])
connection.sendall(b"show stat\n")
data = b""
while True:
    chunk = connection.recv(65536)
    if not chunk:
        break
    data += chunk
for line in data.decode().splitlines():
    fields = line.split(",")
    # pxname, svname, ..., status is the 18th field
    if len(fields) > 17 and fields[0] == "tlsd" and fields[1] == sys.argv[2]:
        print(fields[17].split(" ")[0])
EOF
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
