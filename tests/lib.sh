# SPDX-License-Identifier: Apache-2.0
# lib.sh: shared helpers for tlsd's integration tests (sourced by t-*.sh).
#
# The environment comes from `make check`: TLSD, TLSD_MKCERT, TLSD_WWW.
# Every test gets its own temporary directory, its own PKI made by
# tlsd-mkcert, and tlsd on an ephemeral loopback port; nothing is left
# behind, and only 127.0.0.1 / ::1 are ever contacted.

set -u

: "${TLSD:?run through make check}"
: "${TLSD_MKCERT:?run through make check}"
: "${TLSD_WWW:?run through make check}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsd-test.XXXXXX")
TLSD_PID=""
PORT=""
FAILURES=0
CHECKS=0

cleanup() {
    if [ -n "$TLSD_PID" ] && kill -0 "$TLSD_PID" 2>/dev/null; then
        kill -KILL "$TLSD_PID" 2>/dev/null
        wait "$TLSD_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# A proxy in the environment must never see test traffic.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

pass() { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "FAIL - $*"; }
check() {  # check "description" command...
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
skip_all() { echo "SKIP: $*"; exit 77; }
finish() {
    echo "$CHECKS checks, $FAILURES failed"
    if [ "$FAILURES" -ne 0 ]; then
        echo "--- tlsd log ($WORK/tlsd.log) ---"
        tail -n 60 "$WORK/tlsd.log" 2>/dev/null
        exit 1
    fi
    exit 0
}

# test_program NAME: the path of tests/NAME, a program make check builds
# (TESTS_BUILDDIR; by hand, the build tree of $TLSD), or exit 1.
test_program() {
    local path
    if [ -n "${TESTS_BUILDDIR:-}" ]; then
        path="$TESTS_BUILDDIR/$1"
    else
        path="$(dirname "$TLSD")/../tests/$1"
    fi
    if [ ! -x "$path" ]; then
        echo "no $1 at $path (make check builds tests/$1)" >&2
        exit 1
    fi
    echo "$path"
}

tls13_available() { "$TLSD" -V | grep -q "and 1.3"; }

# make_pki DIR [tlsd-mkcert options]
make_pki() {
    local dir=$1; shift
    "$TLSD_MKCERT" -d "$dir" "$@" >"$WORK/mkcert.out" 2>&1 || {
        echo "tlsd-mkcert failed:"; cat "$WORK/mkcert.out"; exit 1; }
}

make_pki "$WORK/certs"
CA="$WORK/certs/ca.crt"
: >"$WORK/empty.conf"

# start_tlsd [extra tlsd arguments...]: start on 127.0.0.1:0, set PORT.
# The configuration file is TLSD_CONF when set, else an empty one.
start_tlsd() {
    : >"$WORK/tlsd.log"
    # TLSD_WRAPPER runs tlsd under a tool, e.g. valgrind (see .ci/run)
    ${TLSD_WRAPPER:-} "$TLSD" -c "${TLSD_CONF:-$WORK/empty.conf}" -l 127.0.0.1:0 \
        --cert "$WORK/certs/server.crt" --key "$WORK/certs/server.key" \
        --root "${DOCROOT:-$TLSD_WWW}" "$@" 2>>"$WORK/tlsd.log" &
    TLSD_PID=$!
    local tries=0
    while [ $tries -lt 300 ]; do
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/tlsd.log" | head -n 1)
        [ -n "$PORT" ] && return 0
        kill -0 "$TLSD_PID" 2>/dev/null || break
        sleep 0.1
        tries=$((tries + 1))
    done
    echo "tlsd did not start:"; cat "$WORK/tlsd.log"
    exit 1
}

# stop_tlsd: SIGTERM, and its exit status in STOP_STATUS.
stop_tlsd() {
    STOP_STATUS=0
    kill -TERM "$TLSD_PID"
    wait "$TLSD_PID" || STOP_STATUS=$?
    TLSD_PID=""
}

url() { echo "https://localhost:$PORT$1"; }

# curl_tls ARGS...: curl that trusts the test CA and resolves localhost to
# the loopback address tlsd listens on.
curl_tls() {
    curl -sS --noproxy '*' --max-time 10 --cacert "$CA" \
        --resolve "localhost:$PORT:127.0.0.1" "$@"
}

# s_client ARGS...: openssl s_client against tlsd, reading stdin.
s_client() {
    timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost "$@" 2>&1
}

# log_has PATTERN [FILE]: wait (up to 5 s) for tlsd's log (or FILE) to
# show an extended regex.
log_has() {
    local tries=0
    while [ $tries -lt 50 ]; do
        grep -Eq -- "$1" "${2:-$WORK/tlsd.log}" && return 0
        sleep 0.1
        tries=$((tries + 1))
    done
    return 1
}
