#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-hostile.sh: a bounded hostile load on loopback (tests/hostile: slowloris,
# garbage, truncated and oversized records, SSLv2 hellos, resets in the
# handshake and in the response, clients that never read, floods of
# records after the handshake without reading (renegotiation hellos,
# warning alerts, empty records, ChangeCipherSpec), and normal requests,
# up to 200 at once for 8 s). Meanwhile a normal client is always
# served; every connection ends with a log line saying why; afterwards
# tlsd's descriptors are back to their baseline, its memory does not grow
# from one burst to the next, and it still serves and stops cleanly.
#
# Timing decides nothing here beyond generous bounds: every wait is a
# bounded poll, and the load's own deadlines are tlsd's timeouts + 8 s.
#
# The load is sized from this machine as it is now, not from a fixed rate.
# handshake_timeout stays 3 s for every connection: the slowloris and
# stalled hellos must meet it, and a normal client's handshake must fit in
# it too. A fixed 150 new connections a second once failed that on a
# machine whose load average was 6 on 2 cores: tlsd's one loop, given a
# third of a core, fell behind and a probe's handshake ran past 3 s. Not a
# fault of tlsd's, nor anything the test sets out to prove (that hostile
# clients do not keep a normal one from being served, and that every
# connection ends as its kind expects). So before the first burst the
# test measures how many whole connections (handshake, GET /, response)
# tlsd completes a second for 8 clients at once, for 2 s, on this machine
# under its present load, and starts new connections at three quarters of
# that: about 8 in 13 kinds of the mix cost tlsd a handshake (the four
# floods among them), so its loop spends less than half of what it can do
# on handshakes, and a machine much more loaded than during the
# measurement still leaves it room. The rate is at
# most 150 (50 under AddressSanitizer), what an unloaded machine always
# ran, and at least 20 (every kind still runs some 18 times in 8 s). One
# measurement serves both bursts, so that the warm-up stays the larger
# load that the RSS comparison needs. HOSTILE_RATE= overrides it.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

HOSTILE=$(test_program hostile) || exit 1
[ -r "/proc/self/status" ] || skip_all "needs /proc to read descriptors and RSS"

# ~200 at once comes from the long-lived kinds; the rate of new ones is
# measured below (see the header). A sanitizer build is several times
# slower: half the connections, and at most a third of the rate.
if grep -q '__asan_init' "$TLSD" 2>/dev/null; then
    CONNECTIONS=${HOSTILE_CONNECTIONS:-100}
    RATE_CAP=50
else
    CONNECTIONS=${HOSTILE_CONNECTIONS:-200}
    RATE_CAP=150
fi
RATE_FLOOR=20
WARMUP_CONNECTIONS=$((CONNECTIONS * 3 / 2))
RUN_SECONDS=${HOSTILE_SECONDS:-8}
PROBES=20
# tlsd holds up to two descriptors per connection (socket, file being sent)
needed=$((WARMUP_CONNECTIONS * 3 + 100))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$needed" ]; then
    ulimit -n "$needed" 2>/dev/null || skip_all "needs ulimit -n >= $needed (have $(ulimit -n))"
fi

DOCROOT="$WORK/www"
mkdir -p "$DOCROOT"
cp "$TLSD_WWW/index.html" "$DOCROOT/index.html"
# far larger than what the kernel will buffer for one socket (tcp_wmem's
# maximum, 4 MB by default; tlsd's socket grows to it even for a client
# that never reads): no_read and reset_response must land in the middle
head -c 16777216 /dev/urandom >"$DOCROOT/big.bin"
export DOCROOT
printf 'handshake_timeout 3\nidle_timeout 2\nmax_connections %d\n' $((WARMUP_CONNECTIONS * 2 + 100)) >"$WORK/empty.conf"
start_tlsd

fd_count() { ls "/proc/$TLSD_PID/fd" | wc -l; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$TLSD_PID/status"; }
# wait_fds_back: up to 10 s for tlsd's descriptors to be back to $FD_BASE
wait_fds_back() {
    local tries=0
    while [ $tries -lt 100 ]; do
        FD_NOW=$(fd_count)
        [ "$FD_NOW" -le "$FD_BASE" ] && return 0
        sleep 0.1
        tries=$((tries + 1))
    done
    return 1
}
# kind_count FILE KIND FIELD: a number from hostile's summary line
kind_count() {
    sed -n "s/^kind=$2 .* $3=\([0-9]*\) .*/\1/p" "$1"
}
# run_hostile OUT CONNECTIONS SEED [MIX]: the load, bounded by its own clock
# and by timeout. no_read waits 6 s without data (idle_timeout 2 + 4) before
# it looks whether tlsd gave up.
run_hostile() {
    timeout $((RUN_SECONDS + 20)) "$HOSTILE" --port "$PORT" --connections "$2" --seconds "$RUN_SECONDS" \
        --rate "$RATE" --server-timeout 3 --hold 6 --cafile "$CA" --seed "$3" ${4:+--mix "$4"} \
        --verbose >"$1" 2>"$1.err"
}

# warm-up: a few requests, then the baseline of descriptors
for path in / /big.bin /; do
    curl_tls -o /dev/null "$(url $path)" || true
done

# The rate: three quarters of the whole connections a second that tlsd
# completes now for 8 clients at once (see the header).
if [ -n "${HOSTILE_RATE:-}" ]; then
    RATE=$HOSTILE_RATE
    echo "rate: $RATE new connections a second (HOSTILE_RATE)"
else
    timeout 30 "$HOSTILE" --port "$PORT" --connections 8 --seconds 2 --rate 100000 --mix normal=1 \
        --server-timeout 3 --cafile "$CA" >"$WORK/capacity.out" 2>&1
    completed=$(sed -n 's/^kind=normal .* expected=\([0-9]*\) .*/\1/p' "$WORK/capacity.out")
    RATE=$(( ${completed:-0} * 3 / 8 ))
    [ "$RATE" -gt "$RATE_CAP" ] && RATE=$RATE_CAP
    [ "$RATE" -lt "$RATE_FLOOR" ] && RATE=$RATE_FLOOR
    echo "rate: $RATE new connections a second (tlsd completed ${completed:-0} whole connections in 2 s" \
         "for 8 clients at once; load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null))"
fi
FD_BASE=$(fd_count)
RSS_COLD=$(rss_kb)

# A first burst, larger than the main run: up to 1.5 times the connections
# and three times the share of clients that never read (the connections
# that hold the most memory). glibc keeps the heap a burst grew (freed, but
# not given back to the system: ~20 MB after 200 at once, and malloc_trim(0)
# called in tlsd then brings RSS back to within 1 MB of the cold figure), so
# RSS is compared from one burst to the next: a leak is growth beyond what a
# larger load needed before.
run_hostile "$WORK/warmup.out" "$WARMUP_CONNECTIONS" 1 \
    normal=1,slowloris=1,garbage=1,truncated=1,oversized=1,sslv2=1,reset_handshake=1,reset_response=1,no_read=3
warmup_status=$?
cat "$WORK/warmup.out"
sed -n '1,40p' "$WORK/warmup.out.err"
check "the warm-up burst ran, every connection ending as its kind expects (status $warmup_status)" \
    test "$warmup_status" -eq 0
check "descriptors are back to the baseline ($FD_BASE) after the warm-up burst" wait_fds_back
RSS_BASE=$(rss_kb)

# the main run, with a normal client beside it
run_hostile "$WORK/hostile.out" "$CONNECTIONS" 7 &
HOSTILE_PID=$!
sleep 1
served=0
probe=0
while [ $probe -lt $PROBES ]; do
    code=$(curl_tls --max-time 5 -o "$WORK/probe" -w '%{http_code}' "$(url /)" 2>>"$WORK/probe.err")
    if [ "$code" = 200 ] && cmp -s "$WORK/probe" "$DOCROOT/index.html"; then
        served=$((served + 1))
    else
        echo "probe $probe: status '$code'"
    fi
    [ $probe -eq 5 ] && { FD_DURING=$(fd_count); RSS_DURING=$(rss_kb); }
    probe=$((probe + 1))
    sleep 0.2
done
kill -0 "$HOSTILE_PID" 2>/dev/null || echo "note: the load ended before the normal client's last request"
wait "$HOSTILE_PID"
hostile_status=$?
cat "$WORK/hostile.out"
sed -n '1,40p' "$WORK/hostile.out.err"
[ "$served" -eq "$PROBES" ] || sed -n '1,10p' "$WORK/probe.err"
check "the normal client was served $served of $PROBES times during the load" test "$served" -eq "$PROBES"
check "every hostile connection ended as its kind expects (status $hostile_status)" test "$hostile_status" -eq 0
FLOODS="renegotiation_flood alert_flood empty_flood ccs_flood"
for kind in normal slowloris garbage truncated oversized sslv2 reset_handshake reset_response no_read $FLOODS; do
    n=$(kind_count "$WORK/hostile.out" $kind expected)
    check "the load ran $kind connections to their end (${n:-0})" test "${n:-0}" -gt 0
done
check "tlsd is still running" kill -0 "$TLSD_PID"

# afterwards: descriptors back, memory not grown
wait_fds_back
check "descriptors are back to the baseline ($FD_BASE; during the load $FD_DURING; now $FD_NOW)" \
    test "$FD_NOW" -le "$FD_BASE"
RSS_AFTER=$(rss_kb)
echo "RSS: cold ${RSS_COLD} kB, after the warm-up burst ${RSS_BASE} kB, during ${RSS_DURING} kB, after ${RSS_AFTER} kB"
# 2 MB: after the larger burst, the main run grew RSS by at most 0.12 MB
# in 12 runs on both Mbed TLS versions (after an equal burst, by up to
# 2.8 MB: where the heap's high-water mark lands varies). Leaked memory
# hides in the free heap for a while: a leak of 4 KB per connection (tried)
# shows as 2.5 MB here, which fails; smaller leaks are LeakSanitizer's job
# (the sanitizer build runs this test too). Under AddressSanitizer freed
# memory sits in its quarantine, so RSS means nothing there.
if grep -q '__asan_init' "$TLSD" 2>/dev/null; then
    echo "tlsd runs under AddressSanitizer: RSS not compared"
else
    check "RSS after the load is within 2 MB of its level after a larger load before" \
        test "$RSS_AFTER" -le $((RSS_BASE + 2048))
fi

# the log: one closed line per connection, and each refusal says why
LOG="$WORK/tlsd.log"
last_id=$(sed -n 's/.* conn=\([0-9]*\) .*/\1/p' "$LOG" | sort -n | tail -n 1)
closed=$(grep -c ' closed reason=' "$LOG")
check "every connection has its closed line ($closed closed, $last_id accepted)" test "$closed" -eq "$last_id"
check "no error lines in the log" test "$(grep -Ec '^([0-9][-0-9T:.]*Z )?tlsd\[[0-9]*\]: error:' "$LOG")" -eq 0
check "no connection limit was reached" test "$(grep -c 'max_connections .* reached' "$LOG")" -eq 0
check "slowloris: handshake_timeout logged" grep -q 'stage=handshake_failed .*reason=handshake_timeout' "$LOG"
check "garbage and SSLv2 hellos: not_tls and tls_error logged" \
    sh -c "grep -q 'parse_error=not_tls' '$LOG' && grep -q 'stage=handshake_failed .*reason=tls_error' '$LOG'"
check "oversized records: the hello logged as malformed" grep -Eq 'parse_error=(malformed|too_large)' "$LOG"
check "truncated hellos: peer_closed logged" grep -q 'stage=handshake_failed .*reason=peer_closed' "$LOG"
check "resets in the handshake: the failed read logged" \
    grep -q 'stage=handshake_failed .*reason=tls_error error="NET - Reading information from the socket failed"' "$LOG"
check "resets in the response: closed reason=reset logged" grep -q ' closed reason=reset ' "$LOG"
check "clients that never read: closed reason=send_timeout logged" grep -q ' closed reason=send_timeout ' "$LOG"
check "normal requests: 200s logged" grep -q 'request="GET /" status=200' "$LOG"
check "renegotiation floods: closed reason=renegotiation_attempt logged" \
    grep -q ' closed reason=renegotiation_attempt record_type=handshake alert_sent=no_renegotiation ' "$LOG"
check "alert and empty-record floods: closed reason=record_flood logged" \
    sh -c "grep -q ' closed reason=record_flood record_type=alert ' '$LOG' && grep -q ' closed reason=record_flood record_type=application_data ' '$LOG'"

# every refused connection has its own line: at least as many as both runs refused
refused=0
reset_responses=0
not_read=0
floods=0
for out in "$WORK/warmup.out" "$WORK/hostile.out"; do
    for kind in $FLOODS; do
        n=$(kind_count "$out" $kind expected)
        floods=$((floods + ${n:-0}))
    done
    for kind in slowloris garbage truncated oversized sslv2 reset_handshake; do
        n=$(kind_count "$out" $kind expected)
        refused=$((refused + ${n:-0}))
    done
    n=$(kind_count "$out" reset_response expected)
    reset_responses=$((reset_responses + ${n:-0}))
    n=$(kind_count "$out" no_read expected)
    not_read=$((not_read + ${n:-0}))
done
failed_lines=$(grep -c 'stage=handshake_failed ' "$LOG")
check "a handshake_failed line for each refused connection ($failed_lines for $refused)" \
    test "$failed_lines" -ge "$refused"
reset_lines=$(grep -c ' closed reason=reset ' "$LOG")
check "a reset line for each response reset ($reset_lines for $reset_responses)" \
    test "$reset_lines" -ge "$reset_responses"
flood_lines=$(grep -Ec ' closed reason=(renegotiation_attempt|record_flood|tls_error) ' "$LOG")
check "a closed line with its reason for each flood ($flood_lines for $floods)" test "$flood_lines" -ge "$floods"
timeout_lines=$(grep -c ' closed reason=send_timeout ' "$LOG")
check "a send_timeout line for each client that never read ($timeout_lines for $not_read)" \
    test "$timeout_lines" -ge "$not_read"

# still serving, and a clean stop
curl_tls -o "$WORK/big" "$(url /big.bin)"
check "a 16 MB file is served intact after the load" cmp -s "$WORK/big" "$DOCROOT/big.bin"
stop_tlsd
check "tlsd stopped cleanly" test "$STOP_STATUS" -eq 0
finish
