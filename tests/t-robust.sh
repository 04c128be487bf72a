#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-robust.sh: idle sockets, plain HTTP, garbage, slow handshakes and
# oversized requests never stop tlsd from serving others.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# bash is needed for /dev/tcp; every Debian system has it
[ -x /bin/bash ] || skip_all "bash is needed for raw sockets"

printf 'handshake_timeout 2\nidle_timeout 2\nrequest_timeout 2\n' >"$WORK/short.conf"
cp "$WORK/short.conf" "$WORK/empty.conf"
start_tlsd

# 100 idle TCP connections that never send, then a normal request
/bin/bash -c '
    for i in $(seq 1 100); do exec {fd}<>/dev/tcp/127.0.0.1/'"$PORT"' || exit 1; done
    code=$(curl -sS --noproxy "*" --max-time 5 --cacert "'"$CA"'" \
        --resolve "localhost:'"$PORT"':127.0.0.1" -o /dev/null -w "%{http_code}" "https://localhost:'"$PORT"'/")
    [ "$code" = 200 ]
' 
check "a request is served while 100 idle connections are open" test $? -eq 0

# plain HTTP to the TLS port: a plain 400 and a close, not a hang
answer=$(/bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
    printf "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" >&3
    timeout 5 cat <&3')
check "plain HTTP gets a plain 400 naming the TLS port" sh -c "printf '%s' '$answer' | grep -q 'TLS port'"
check "tlsd logged the plain HTTP attempt" log_has "stage=handshake_failed .*reason=plain_http"

# garbage bytes: closed promptly, no hang
/bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
    head -c 600 /dev/urandom >&3
    timeout 5 cat <&3 >/dev/null'
check "garbage is answered by a close within the bound" test $? -ne 124
check "tlsd logged the garbage as a failed handshake" log_has "stage=handshake_failed .*reason=tls_error"

# a client that starts a handshake and stalls is cut at handshake_timeout
/bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
    printf "\026\003\001\000\100" >&3
    timeout 8 cat <&3 >/dev/null'
check "a stalled handshake is closed by handshake_timeout" test $? -ne 124
check "tlsd logged the handshake timeout" log_has "stage=handshake_failed .*reason=handshake_timeout"

# a request head over 8 KiB is 431
long=$(head -c 9000 /dev/zero | tr '\0' 'a')
code=$(curl_tls -o /dev/null -w '%{http_code}' -H "X-Long: $long" "$(url /)")
check "a 9 KB request header is refused with 431" test "$code" = 431

# a request that never finishes gets 408 after idle_timeout
(printf 'GET / HTTP/1.1\r\nHost: localhost\r\n'; sleep 4) | s_client -quiet -CAfile "$CA" >"$WORK/slow" 2>&1
check "an unfinished request gets 408" grep -q "^HTTP/1.1 408" "$WORK/slow"

# slowloris: a header line every half second for 10 s never finishes the
# head. request_timeout (2 s) counts from the first byte, so the 408 must
# come while the trickle is still going (idle_timeout alone would never
# fire: each line comes well within it).
: >"$WORK/slowloris"
(printf 'GET / HTTP/1.1\r\nHost: localhost\r\n'
 for i in $(seq 1 20); do printf 'X-Slow-%s: yes\r\n' "$i"; sleep 0.5; done
 echo "TRICKLE-DONE" >>"$WORK/slowloris") |
    s_client -quiet -CAfile "$CA" >>"$WORK/slowloris" 2>&1
status_line=$(grep -n "^HTTP/1.1 408" "$WORK/slowloris" | head -n 1 | cut -d: -f1)
done_line=$(grep -n "^TRICKLE-DONE" "$WORK/slowloris" | head -n 1 | cut -d: -f1)
check "a slowloris request head gets 408 at request_timeout, mid-trickle" \
    sh -c "[ -n '$status_line' ] && { [ -z '$done_line' ] || [ '$status_line' -lt '$done_line' ]; }"

# an idle keep-alive connection is closed with close_notify after idle_timeout
(sleep 4) | s_client -CAfile "$CA" >"$WORK/idle" 2>&1
check "an idle connection is closed by tlsd" log_has "closed reason=idle_timeout"

# HTTP/2 and unsupported versions
code=$(curl_tls -o /dev/null -w '%{http_code}' --http1.1 "$(url /)")
check "HTTP/1.1 still works after all that" test "$code" = 200
printf 'GET / HTTP/3.0\r\nHost: localhost\r\n\r\n' | s_client -quiet -CAfile "$CA" >"$WORK/v3"
check "HTTP/3.0 over this socket is 505" grep -q "^HTTP/1.1 505" "$WORK/v3"

stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0
finish
