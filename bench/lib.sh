# SPDX-License-Identifier: Apache-2.0
# bench/lib.sh: what bench/workers.sh, latency.sh and memory.sh share
# (sourced): the built tools, a work directory removed at exit, a PKI from
# tlsd-mkcert, a 2 KB page, and tlsd started on an ephemeral loopback port.
#
# The caller sets BENCH_NAME first; TLSD_BUILD_DIR (default build/), TLSD
# and TLSD_MKCERT choose the binaries.

build=${TLSD_BUILD_DIR:-build}
tlsd=${TLSD:-$build/src/tlsd}
mkcert=${TLSD_MKCERT:-$build/src/tlsd-mkcert}
for tool in "$tlsd" "$mkcert"; do
    [ -x "$tool" ] || { echo "$BENCH_NAME: $tool not built (./quickstart.sh build)" >&2; exit 1; }
done

# need COMMAND PACKAGE: stop with the package to install when missing
need() {
    command -v "$1" >/dev/null 2>&1 || { echo "$BENCH_NAME: $1 is needed (apt-get install $2)" >&2; exit 1; }
}

work=$(mktemp -d "/tmp/tlsd-$BENCH_NAME.XXXXXX")
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
"$mkcert" -d "$work/pki" >/dev/null
mkdir "$work/www"
head -c 2048 /dev/zero | tr '\0' 'x' >"$work/www/index.html"

# start_tlsd [prefix command...]: tlsd with $work/tlsd.conf on 127.0.0.1:0
# (run under the prefix, e.g. taskset); sets pid and port.
start_tlsd() {
    : >"$work/tlsd.log"
    "$@" "$tlsd" -c "$work/tlsd.conf" -l 127.0.0.1:0 --cert "$work/pki/server.crt" \
        --key "$work/pki/server.key" --root "$work/www" --log-level info 2>"$work/tlsd.log" &
    pid=$!
    port=""
    for _ in $(seq 50); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/tlsd.log" | head -n 1)
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    echo "tlsd did not start:" >&2
    cat "$work/tlsd.log" >&2
    exit 1
}

stop_tlsd() {
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
}
