#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/micro.sh: tlsd's micro-benchmarks (bench/micro.c) under callgrind:
# instructions and heap allocations per iteration, without wall-clock noise.
#
#   bench/micro.sh [--micro PATH] [--mkcert PATH] [--no-tls13] [--callers] [SCENARIO...]
#
# Run from the build directory (`make bench-micro` does): PATH defaults are
# bench/micro and src/tlsd-mkcert there. SCENARIO: http-parse,
# handshake-full, handshake-resumed, request-keepalive (default: all; the
# TLS ones again over TLS 1.3 when the Mbed TLS build has it, unless
# --no-tls13).
#
# Each scenario runs twice under callgrind with a fixed iteration count:
#   total   --toggle-collect=bench_<scenario>: the whole measured loop, the
#           in-process Mbed TLS client included
#   server  --toggle-collect='server_side_*': tlsd's side of it alone
# and for each the table shows Ir (instructions executed) per iteration and
# calls to malloc, calloc and realloc per iteration (how they are counted:
# count_file below). --callers lists, for the server run, which functions
# made those calls.
set -eu

micro=bench/micro
mkcert=src/tlsd-mkcert
tls13=auto
show_callers=no
scenarios=""
while [ $# -gt 0 ]; do
    case $1 in
    --micro) micro=$2; shift 2 ;;
    --mkcert) mkcert=$2; shift 2 ;;
    --no-tls13) tls13=no; shift ;;
    --callers) show_callers=yes; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench/micro.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) scenarios="$scenarios $1"; shift ;;
    esac
done
[ -n "$scenarios" ] || scenarios="http-parse handshake-full handshake-resumed request-keepalive"

if ! command -v valgrind >/dev/null 2>&1; then
    echo "bench/micro.sh: valgrind not found: it counts the instructions (apt-get install valgrind)" >&2
    exit 1
fi
for program in "$micro" "$mkcert"; do
    if [ ! -x "$program" ]; then
        echo "bench/micro.sh: $program is not built (make bench/micro src/tlsd-mkcert, or give --micro/--mkcert)" >&2
        exit 1
    fi
done

# Fixed counts: enough that the per-connection set-up outside the loop is
# nothing beside it, few enough that callgrind (~50x slower) stays quick.
iterations_of() {
    case $1 in
    http-parse) echo 20000 ;;
    handshake-full) echo 20 ;;
    handshake-resumed) echo 50 ;;
    request-keepalive) echo 500 ;;
    *) echo "bench/micro.sh: unknown scenario $1" >&2; return 1 ;;
    esac
}

work=$(mktemp -d "${TMPDIR:-/tmp}/tlsd-micro.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
"$mkcert" -d "$work/pki" >"$work/mkcert.log" 2>&1 || { cat "$work/mkcert.log" >&2; exit 1; }

# Instructions and allocator calls of one callgrind output file.
#
# The calls= counts in callgrind's output are no good for this: callgrind
# counts every call on an arc whether or not collection is on, and writes
# an arc out when it had any cost while on. So a malloc from one mpi
# function counts for the whole run, client and set-up included. What is
# counted only while collecting is cost, so an allocator call is counted
# as one execution of its first instruction: with --dump-instr=yes that is
# the Ir on the function's lowest address (the symbol's address, which is
# where every call lands), and --separate-callers=1 names each context
# "malloc'CALLER", which gives the calling function for --callers. An
# allocator called by another (glibc's realloc(NULL) -> malloc) is not
# counted twice.
# Prints "IR ALLOCS", then a "CALLER COUNT" line per calling function.
count_file() {
    awk '
    function before_less(a, b) {   # hex addresses as text: shorter is lower
        if (length(a) != length(b)) return length(a) < length(b)
        return a < b
    }
    BEGIN { allocator["malloc"] = allocator["calloc"] = allocator["realloc"] = 1 }
    /^fn=/ {
        name = substr($0, 4); caller = ""
        quote = index(name, "'"'"'")
        if (quote > 0) { caller = substr(name, quote + 1); name = substr(name, 1, quote - 1) }
        sub(/'"'"'[0-9]+$/, "", caller)
        counting = (name in allocator) && !(caller in allocator)
        next
    }
    /^calls=/ { after_calls = 1; next }
    /^0x/ {
        if (after_calls) { after_calls = 0; next }   # an arc'"'"'s inclusive cost, not this function'"'"'s
        if (!counting) next
        executions[name, caller, $1] += $NF
        callers[name, caller] = 1
        if (!(name in entry) || before_less($1, entry[name])) entry[name] = $1
        next
    }
    { after_calls = 0 }
    /^totals:/  { total = $2 }
    /^summary:/ { if (total == "") total = $2 }
    END {
        allocs = 0
        for (key in callers) {
            split(key, part, SUBSEP)
            n = executions[part[1], part[2], entry[part[1]]] + 0
            allocs += n; by_caller[part[2]] += n
        }
        printf "%s %d\n", (total == "" ? 0 : total), allocs
        for (c in by_caller) if (by_caller[c] > 0) printf "%s %d\n", c, by_caller[c]
    }' "$1"
}

# run_callgrind NAME TOGGLE ARGS...: profile one micro run into $work/NAME.out
run_callgrind() {
    name=$1 toggle=$2
    shift 2
    if ! valgrind --tool=callgrind --collect-atstart=no --toggle-collect="$toggle" \
            --compress-strings=no --compress-pos=no --dump-instr=yes --separate-callers=1 \
            --callgrind-out-file="$work/$name.out" --log-file="$work/$name.valgrind" \
            "$micro" "$@" >"$work/$name.stdout" 2>"$work/$name.stderr"; then
        echo "bench/micro.sh: $name failed:" >&2
        cat "$work/$name.stderr" "$work/$name.valgrind" >&2
        exit 1
    fi
}

info=$("$micro" info)
echo "bench/micro: $info, valgrind $(valgrind --version | sed 's/^valgrind-//')"
rows=""
for scenario in $scenarios; do
    iterations_of "$scenario" >/dev/null || exit 2
    rows="$rows $scenario"
    case $scenario in
    http-parse) ;;
    *) if [ "$tls13" != no ] && [ "${info#*tls13=yes}" != "$info" ]; then rows="$rows $scenario/tls13"; fi ;;
    esac
done

printf '\n%-28s %10s %14s %12s %14s %12s\n' scenario iterations "Ir/iter" "allocs/iter" "server Ir/iter" "server allocs"
for row in $rows; do
    scenario=${row%/tls13}
    version_flag=""
    [ "$row" = "$scenario" ] || version_flag=--tls13
    iterations=$(iterations_of "$scenario")
    function=bench_$(echo "$scenario" | tr - _)
    label=$(echo "$row" | tr / -)
    run_callgrind "$label-total" "$function" --iterations "$iterations" --pki "$work/pki" $version_flag "$scenario"
    if [ "$scenario" = http-parse ]; then
        cp "$work/$label-total.out" "$work/$label-server.out"   # all of it is tlsd's
    else
        run_callgrind "$label-server" 'server_side_*' --iterations "$iterations" --pki "$work/pki" $version_flag "$scenario"
    fi
    count_file "$work/$label-total.out" >"$work/$label-total.counts"
    count_file "$work/$label-server.out" >"$work/$label-server.counts"
    read -r total_ir total_allocs <"$work/$label-total.counts"
    read -r server_ir server_allocs <"$work/$label-server.counts"
    if [ "$total_ir" = 0 ] || [ "$server_ir" = 0 ]; then
        echo "bench/micro.sh: $row: callgrind counted nothing: is $function (or server_side_*) inlined away?" >&2
        exit 1
    fi
    awk -v row="$row" -v n="$iterations" -v ti="$total_ir" -v ta="$total_allocs" -v si="$server_ir" -v sa="$server_allocs" \
        'BEGIN { printf "%-28s %10d %14.0f %12.2f %14.0f %12.2f\n", row, n, ti / n, ta / n, si / n, sa / n }'
done

if [ "$show_callers" = yes ]; then
    for row in $rows; do
        label=$(echo "$row" | tr / -)
        iterations=$(iterations_of "${row%/tls13}")
        echo
        echo "$row: allocator calls per iteration on the server side, by calling function"
        tail -n +2 "$work/$label-server.counts" | sort -k2,2nr |
            awk -v n="$iterations" '{ printf "  %10.2f  %s\n", $2 / n, $1 }'
    done
fi
