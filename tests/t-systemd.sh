#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-systemd.sh: what running under systemd needs. Socket activation
# (LISTEN_FDS), readiness and reload notifications on a NOTIFY_SOCKET,
# live reload on SIGHUP (old connections keep working, new ones see the new
# certificate, a bad key is refused), SIGTERM finishing a request in
# flight, privilege dropping, and the unit files themselves.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the notify socket stand-in"

serial_of_new_connection() {
    s_client </dev/null 2>/dev/null | openssl x509 -noout -serial 2>/dev/null
}

# ---- readiness, reload and stop notifications
python3 "$TESTS_SRCDIR/notify-listener.py" "$WORK/notify.sock" "$WORK/notify.log" &
LISTENER_PID=$!
trap 'kill $LISTENER_PID 2>/dev/null; cleanup' EXIT
tries=0
while ! grep -q LISTENING "$WORK/notify.log" 2>/dev/null && [ $tries -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
export NOTIFY_SOCKET="$WORK/notify.sock"
# WatchdogSec=2s, as systemd would pass it: expect WATCHDOG=1 every second
export WATCHDOG_USEC=2000000
start_tlsd
unset NOTIFY_SOCKET WATCHDOG_USEC
notified() {  # notified PATTERN: wait up to 5 s for a notification line
    tries=0
    while [ $tries -lt 50 ]; do
        grep -Eq -- "$1" "$WORK/notify.log" && return 0
        sleep 0.1; tries=$((tries + 1))
    done
    return 1
}
check "READY=1 once listening" notified "^READY=1 STATUS=serving"
check "WATCHDOG=1 when systemd asks for a watchdog" notified "^WATCHDOG=1"
check "STATUS= carries the live connection count" notified "STATUS=serving: [0-9]+ connection\(s\) open"

# a keep-alive connection opened before the reload, used after it
old_serial=$(serial_of_new_connection)
(printf 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'; sleep 3
 printf 'GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'; sleep 1) |
    s_client -quiet -ign_eof >"$WORK/keepalive.out" 2>&1 &
KEEPALIVE_PID=$!
sleep 1
make_pki "$WORK/new"
cp "$WORK/new/server.crt" "$WORK/certs/server.crt"
cp "$WORK/new/server.key" "$WORK/certs/server.key"
kill -HUP "$TLSD_PID"
check "RELOADING=1 on SIGHUP" notified "^RELOADING=1"
ready_after_reload() {
    tries=0
    while [ $tries -lt 50 ]; do
        sed -n '/^RELOADING=1/,$p' "$WORK/notify.log" | grep -q '^READY=1' && return 0
        sleep 0.1; tries=$((tries + 1))
    done
    return 1
}
check "READY=1 after the reload" ready_after_reload
check "the log says it reloaded" log_has "reloaded: new connections use the new configuration"
new_serial=$(serial_of_new_connection)
check "a new connection sees the new certificate" test -n "$new_serial" -a "$new_serial" != "$old_serial"
wait "$KEEPALIVE_PID"
check "the connection opened before the reload served both requests" \
    test "$(grep -c '^HTTP/1.1 200' "$WORK/keepalive.out")" -eq 2

# a reload with a broken key keeps the running one
echo "not a key" >"$WORK/certs/server.key"
kill -HUP "$TLSD_PID"
check "a bad key is refused with a log line" log_has "reload failed, the running configuration stays: private_key"
check "and the old certificate is still served" test "$(serial_of_new_connection)" = "$new_serial"
check "requests still succeed" test "$(curl_tls -o /dev/null -w '%{http_code}' --insecure "$(url /)")" = 200
cp "$WORK/new/server.key" "$WORK/certs/server.key"

# SIGTERM with a request in flight: it completes, then exit 0
head -c 3000000 /dev/urandom >"$WORK/big.bin"
mkdir -p "$WORK/www" && cp "$TLSD_WWW/index.html" "$WORK/big.bin" "$WORK/www/"
stop_tlsd
check "STOPPING=1 on SIGTERM" notified "^STOPPING=1"
export DOCROOT="$WORK/www"
start_tlsd
curl_tls --insecure --limit-rate 1000K -o "$WORK/big.out" "$(url /big.bin)" &
CURL_PID=$!
sleep 1
stop_tlsd
wait "$CURL_PID"; curl_status=$?
check "SIGTERM let the response in flight finish" sh -c "[ $curl_status -eq 0 ] && cmp -s '$WORK/big.out' '$WORK/big.bin'"
check "and tlsd then exited 0" test "$STOP_STATUS" -eq 0
unset DOCROOT

# ---- socket activation
if command -v systemd-socket-activate >/dev/null 2>&1; then
    # systemd-socket-activate binds the port, then starts tlsd on the first
    # connection; give it up to 10 s to be listening (a loaded machine)
    port=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
    : >"$WORK/tlsd.log"
    systemd-socket-activate -l "127.0.0.1:$port" "$TLSD" -c "$WORK/empty.conf" -l 127.0.0.1:1 \
        --cert "$WORK/certs/server.crt" --key "$WORK/certs/server.key" --root "$TLSD_WWW" 2>>"$WORK/tlsd.log" &
    TLSD_PID=$!
    PORT=$port
    code=000
    tries=0
    while [ "$code" != 200 ] && [ $tries -lt 50 ] && kill -0 "$TLSD_PID" 2>/dev/null; do
        code=$(curl_tls --insecure -o /dev/null -w '%{http_code}' "$(url /)" 2>/dev/null)
        [ "$code" = 200 ] || sleep 0.2
        tries=$((tries + 1))
    done
    check "systemd-socket-activate: the passed socket serves" test "$code" = 200
    check "the log says the sockets came from systemd" log_has "socket activation: using 1 socket\(s\) passed by systemd"
    check "the listen lines were not bound" sh -c "! grep -q 'listening on 127.0.0.1:1\$' '$WORK/tlsd.log'"
    [ "$code" = 200 ] || cat "$WORK/tlsd.log"
    stop_tlsd

    # a passed socket takes the options of the listen line with its address
    port=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
    printf 'proxy_from 127.0.0.1\n' >"$WORK/proxy.conf"
    : >"$WORK/tlsd.log"
    systemd-socket-activate -l "127.0.0.1:$port" "$TLSD" -c "$WORK/proxy.conf" -l "127.0.0.1:$port proxy_protocol" \
        --cert "$WORK/certs/server.crt" --key "$WORK/certs/server.key" --root "$TLSD_WWW" 2>>"$WORK/tlsd.log" &
    TLSD_PID=$!
    python3 - "$port" >"$WORK/proxied.out" 2>&1 <<'EOF_PY'
import socket, ssl, sys, time
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
for attempt in range(50):   # tlsd starts with the first connection
    try:
        raw = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
        raw.sendall(b"PROXY TCP4 192.0.2.9 127.0.0.1 5555 443\r\n")
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"GET /.well-known/tlsd/handshake HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
        print("record:", data.decode("latin-1"))
        break
    except (OSError, ssl.SSLError) as error:
        print("attempt", attempt, error)
        time.sleep(0.2)
EOF_PY
    check "a passed socket with a proxy_protocol listen line takes the PROXY header" \
        grep -q '"peer":"192.0.2.9:5555"' "$WORK/proxied.out"
    check "... and the log says so" log_has "listening on 127.0.0.1:$port \\(from systemd\\), PROXY protocol"
    stop_tlsd
else
    echo "# systemd-socket-activate not installed: socket activation not tested"
fi

# ---- privilege dropping (needs root and the nobody user)
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    chmod 755 "$WORK" "$WORK/www"
    chmod 644 "$WORK/www/"*
    printf 'user nobody\n' >"$WORK/empty.conf"
    export DOCROOT="$WORK/www"
    start_tlsd
    sleep 0.3
    check "started as root with user nobody: runs as nobody" \
        test "$(awk '/^Uid:/ { print $2 }' "/proc/$TLSD_PID/status")" = "$(id -u nobody)"
    check "the log says so" log_has "dropped privileges: now user nobody"
    check "and still serves" test "$(curl_tls --insecure -o /dev/null -w '%{http_code}' "$(url /)")" = 200
    stop_tlsd
    printf 'user no-such-user-here\n' >"$WORK/empty.conf"
    STATUS=0
    "$TLSD" -c "$WORK/empty.conf" -l 127.0.0.1:0 --cert "$WORK/certs/server.crt" --key "$WORK/certs/server.key" \
        --root "$DOCROOT" >"$WORK/nouser.out" 2>&1 || STATUS=$?
    check "an unknown user stops tlsd with status 1" sh -c "[ $STATUS -eq 1 ] && grep -q 'no such user' '$WORK/nouser.out'"
    : >"$WORK/empty.conf"
else
    echo "# not root: privilege dropping not tested"
fi

# ---- the unit files
unit_dir="$WORK/units"
mkdir -p "$unit_dir"
sed -e "s|@sbindir@|$(dirname "$TLSD")|g" -e "s|@sysconfdir@|$WORK/etc|g" \
    "$TESTS_SRCDIR/../systemd/tlsd.service.in" >"$unit_dir/tlsd.service"
cp "$TESTS_SRCDIR/../systemd/tlsd.socket" "$unit_dir/"
check "tlsd.service is Type=notify with ExecReload sending SIGHUP" \
    sh -c "grep -q '^Type=notify' '$unit_dir/tlsd.service' && grep -q '^ExecReload=.*-HUP' '$unit_dir/tlsd.service'"
check "tlsd.service checks the configuration first (ExecStartPre tlsd -t)" grep -q '^ExecStartPre=.*tlsd.* -t' "$unit_dir/tlsd.service"
check "the key comes through LoadCredential" grep -q '^LoadCredential=server.key:' "$unit_dir/tlsd.service"
if command -v systemd-analyze >/dev/null 2>&1; then
    # the man pages are not installed here: --man=no
    systemd-analyze verify --man=no "$unit_dir/tlsd.service" "$unit_dir/tlsd.socket" >"$WORK/verify.out" 2>&1
    verify_status=$?
    # a machine without systemd running cannot check everything; what it
    # does check must be clean
    if grep -q "System has not been booted with systemd\|Failed to connect to bus" "$WORK/verify.out"; then
        echo "# systemd-analyze verify: $(head -n 1 "$WORK/verify.out")"
    else
        check "systemd-analyze verify is clean" sh -c "[ $verify_status -eq 0 ] && ! grep -v '^$' '$WORK/verify.out' | grep -q ."
        [ -s "$WORK/verify.out" ] && cat "$WORK/verify.out"
    fi
else
    echo "# systemd-analyze not installed: unit not verified"
fi
finish
