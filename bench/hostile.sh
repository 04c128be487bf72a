#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/hostile.sh: tlsd under the full hostile load, on loopback: 2000
# connections at once for 30 s (tests/hostile: normal requests, slowloris,
# garbage, truncated and oversized records, SSLv2 hellos, resets in the
# handshake and in the response, clients that never read), with a normal
# client (curl) beside it. Reports tlsd's descriptors and RSS before,
# during and after, the normal client's successes and latency percentiles,
# the load's own summary and tlsd's log lines counted by reason.
#
#   bench/hostile.sh [--connections N] [--seconds T] [--rate R] [--timeout S]
#                    [--mix KIND=WEIGHT,...] [--keep]
#
# tlsd runs with handshake_timeout and idle_timeout at --timeout (default
# 10 s, tlsd's default handshake_timeout). The default mix leans on the
# kinds that hold a connection (slowloris, stalled hellos, clients that
# never read): one tlsd loop completes a few hundred handshakes a second,
# so only long-lived connections add up to 2000 at once; --mix as in
# `tests/hostile --help`. --keep keeps the directory with tlsd's log.
#
# Builds nothing: uses build/src/tlsd, build/src/tlsd-mkcert and
# build/tests/hostile (`make check` builds it; TLSD_BUILD_DIR picks another
# build directory; TLSD=, TLSD_MKCERT=, HOSTILE= name the programs). Every
# loop has a count and a time limit; only 127.0.0.1 is contacted. Needs
# `ulimit -n` >= 4500 (raised here when the hard limit allows).
# Timing is reported, never judged: quote figures from one run.
set -eu
cd "$(dirname "$0")/.."

CONNECTIONS=2000
RUN_SECONDS=30
RATE=400
SERVER_TIMEOUT=10
MIX=normal=1,slowloris=4,garbage=1,truncated=2,oversized=1,sslv2=1,reset_handshake=1,reset_response=1,no_read=2,renegotiation_flood=1,alert_flood=1,empty_flood=1,ccs_flood=1
KEEP=no
while [ $# -gt 0 ]; do
    case $1 in
    --connections) CONNECTIONS=$2; shift 2 ;;
    --seconds) RUN_SECONDS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --timeout) SERVER_TIMEOUT=$2; shift 2 ;;
    --mix) MIX=$2; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "bench/hostile.sh: unknown option $1 (see --help)" >&2; exit 1 ;;
    esac
done
for value in "$CONNECTIONS" "$RUN_SECONDS" "$RATE" "$SERVER_TIMEOUT"; do
    case $value in
    ''|*[!0-9]*) echo "bench/hostile.sh: '$value' is not a whole number" >&2; exit 1 ;;
    esac
done

build=${TLSD_BUILD_DIR:-build}
TLSD=${TLSD:-$build/src/tlsd}
TLSD_MKCERT=${TLSD_MKCERT:-$build/src/tlsd-mkcert}
HOSTILE=${HOSTILE:-$build/tests/hostile}
for program in "$TLSD" "$TLSD_MKCERT" "$HOSTILE"; do
    if [ ! -x "$program" ]; then
        echo "bench/hostile.sh: no $program: build first (./quickstart.sh build, then make -C $build check" \
             "builds tests/hostile), or set TLSD=, TLSD_MKCERT=, HOSTILE=" >&2
        exit 1
    fi
done
command -v curl >/dev/null || { echo "bench/hostile.sh: needs curl" >&2; exit 1; }

# tlsd: a socket and perhaps a file per connection, plus the normal client
# and slack; the load client raises its own soft limit the same way
needed=$((CONNECTIONS * 2 + 500))
[ "$needed" -lt 4500 ] && needed=4500
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$needed" ]; then
    if ! ulimit -n "$needed" 2>/dev/null; then
        echo "bench/hostile.sh: needs ulimit -n >= $needed; the hard limit is $(ulimit -Hn)." >&2
        echo "  As root: prlimit --nofile=$needed:$needed --pid \$\$ (this shell), or run" >&2
        echo "  'prlimit --nofile=$needed:$needed bench/hostile.sh', or set nofile in" >&2
        echo "  /etc/security/limits.conf (LimitNOFILE= for a systemd session) and log in again." >&2
        exit 1
    fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsd-hostile.XXXXXX")
TLSD_PID=""
HOSTILE_PID=""
SAMPLER_PID=""
cleanup() {
    for pid in $SAMPLER_PID $HOSTILE_PID $TLSD_PID; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [ "$KEEP" = yes ]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

"$TLSD_MKCERT" -d "$WORK/certs" >"$WORK/mkcert.out" 2>&1 || { cat "$WORK/mkcert.out"; exit 1; }
mkdir -p "$WORK/www"
cp www/index.html "$WORK/www/index.html"
# far more than the kernel buffers for a socket (tcp_wmem's maximum, 4 MB
# by default): a client that never reads must see tlsd give up
head -c 16777216 /dev/urandom >"$WORK/www/big.bin"
printf 'handshake_timeout %s\nidle_timeout %s\nmax_connections %s\n' \
    "$SERVER_TIMEOUT" "$SERVER_TIMEOUT" $((CONNECTIONS * 2 + 100)) >"$WORK/tlsd.conf"
"$TLSD" -c "$WORK/tlsd.conf" -l 127.0.0.1:0 --cert "$WORK/certs/server.crt" \
    --key "$WORK/certs/server.key" --root "$WORK/www" 2>"$WORK/tlsd.log" &
TLSD_PID=$!
PORT=""
tries=0
while [ -z "$PORT" ] && [ $tries -lt 100 ]; do
    sleep 0.1
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/tlsd.log" | head -n 1)
    kill -0 "$TLSD_PID" 2>/dev/null || break
    tries=$((tries + 1))
done
[ -n "$PORT" ] || { echo "tlsd did not start:"; cat "$WORK/tlsd.log"; exit 1; }

probe() {  # probe PATH: one request; prints "code seconds"
    curl -sS --noproxy '*' --max-time 10 --cacert "$WORK/certs/ca.crt" \
        --resolve "localhost:$PORT:127.0.0.1" -o /dev/null -w '%{http_code} %{time_total}\n' \
        "https://localhost:$PORT$1" 2>>"$WORK/probe.err" || echo "000 -"
}
fds() { ls "/proc/$TLSD_PID/fd" 2>/dev/null | wc -l; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$TLSD_PID/status" 2>/dev/null; }

echo "tlsd $("$TLSD" -V 2>&1 | head -n 1 | sed 's/^tlsd //'), port $PORT; load: $CONNECTIONS connections," \
     "$RUN_SECONDS s, at most $RATE new per second; handshake_timeout = idle_timeout = $SERVER_TIMEOUT s"
echo "mix: $MIX"
for path in / /big.bin / /; do probe "$path" >/dev/null; done
FD_BEFORE=$(fds)
RSS_BEFORE=$(rss)

# the load
"$HOSTILE" --port "$PORT" --connections "$CONNECTIONS" --seconds "$RUN_SECONDS" --rate "$RATE" \
    --server-timeout "$SERVER_TIMEOUT" --mix "$MIX" --seed 1 --progress --verbose \
    >"$WORK/hostile.out" 2>"$WORK/hostile.err" &
HOSTILE_PID=$!

# tlsd's descriptors and RSS once a second while the load runs
(
    i=0
    while [ $i -lt $((RUN_SECONDS + 30)) ] && kill -0 "$HOSTILE_PID" 2>/dev/null; do
        echo "$i $(fds) $(rss)"
        sleep 1
        i=$((i + 1))
    done
) >"$WORK/samples" &
SAMPLER_PID=$!

# the normal client: four requests a second while the load runs
: >"$WORK/probes"
i=0
sleep 1
while [ $i -lt $((RUN_SECONDS * 4 + 40)) ] && kill -0 "$HOSTILE_PID" 2>/dev/null; do
    probe / >>"$WORK/probes"
    sleep 0.25
    i=$((i + 1))
done
hostile_status=0
wait "$HOSTILE_PID" || hostile_status=$?
HOSTILE_PID=""
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""

# afterwards: up to 20 s for the descriptors to come back
tries=0
while [ "$(fds)" -gt "$FD_BEFORE" ] && [ $tries -lt 200 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
FD_AFTER=$(fds)
RSS_AFTER=$(rss)
after_code=$(probe /big.bin | cut -d' ' -f1)

kill -TERM "$TLSD_PID"
stop_status=0
wait "$TLSD_PID" || stop_status=$?
TLSD_PID=""

echo
echo "== the load (tests/hostile, exit status $hostile_status: 0 all as expected, 1 some not, 2 could not run)"
cat "$WORK/hostile.out"
if [ -s "$WORK/hostile.err" ]; then
    grep -v '^hostile: t=' "$WORK/hostile.err" | sed -n '1,20p'
fi

echo
echo "== tlsd's descriptors and RSS"
awk -v fb="$FD_BEFORE" -v rb="$RSS_BEFORE" -v fa="$FD_AFTER" -v ra="$RSS_AFTER" '
    { n++; if ($2 > fmax) fmax = $2; if ($3 > rmax) rmax = $3; f[n] = $2; r[n] = $3 }
    END {
        mid = int((n + 1) / 2)
        printf "before: fds %d, RSS %.1f MB\n", fb, rb / 1024
        if (n) printf "during: fds %d, RSS %.1f MB at mid-run (s %d); peaks fds %d, RSS %.1f MB (%d samples)\n", f[mid], r[mid] / 1024, mid - 1, fmax, rmax / 1024, n
        printf "after:  fds %d (%s), RSS %.1f MB (%+.1f MB)\n", fa, fa <= fb ? "back to the baseline" : "NOT back to the baseline", ra / 1024, (ra - rb) / 1024
    }' "$WORK/samples"

echo
echo "== the normal client (curl GET /, 4 a second, --max-time 10, during the load)"
total=$(wc -l <"$WORK/probes")
ok=$(grep -c '^200 ' "$WORK/probes" || true)
echo "succeeded: $ok of $total; after the load, GET /big.bin: $after_code"
grep '^200 ' "$WORK/probes" | cut -d' ' -f2 | sort -n | awk '
    { v[++n] = $1 * 1000 }
    function p(q) { i = int(q * (n - 1) + 1.5); return v[i > n ? n : i] }
    END { if (n) printf "latency ms: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f\n", p(0.5), p(0.9), p(0.99), v[n] }'
if [ "$ok" -ne "$total" ]; then
    grep -v '^200 ' "$WORK/probes" | sort | uniq -c | sed 's/^/failed: /'
    sed -n '1,5p' "$WORK/probe.err"
fi

echo
echo "== tlsd's log ($(wc -l <"$WORK/tlsd.log") lines), by reason"
last_id=$(sed -n 's/.* conn=\([0-9]*\) .*/\1/p' "$WORK/tlsd.log" | sort -n | tail -n 1)
echo "connections accepted: ${last_id:-0}; closed lines: $(grep -c ' closed reason=' "$WORK/tlsd.log" || true)"
grep -o ' closed reason=[a-z_]*' "$WORK/tlsd.log" | sort | uniq -c | sort -rn || true
grep 'stage=handshake_failed' "$WORK/tlsd.log" | grep -o ' reason=[a-z_]*' | sed 's/^ /handshake_failed /' \
    | sort | uniq -c | sort -rn || true
grep -o 'parse_error=[a-z_]*' "$WORK/tlsd.log" | sort | uniq -c | sort -rn || true
grep 'stage=handshake_failed' "$WORK/tlsd.log" | grep -o ' error="[^"]*"' | sort | uniq -c | sort -rn || true
grep -E '^([0-9TZ:.-]+ )?tlsd\[[0-9]+\]: (warn|error):' "$WORK/tlsd.log" | grep -v 'running as root' \
    | sed -E 's/^([0-9TZ:.-]+ )?tlsd\[[0-9]*\]: //' | sort | uniq -c | sort -rn | sed -n '1,10p' || true
echo
echo "tlsd stopped with status $stop_status"
