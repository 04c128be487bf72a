#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/bulk.sh: a bulk download (one large file over one TLS 1.2
# connection) from tlsd and, when Debian's nginx is installed, from nginx
# in the same run: MB/s and the server's CPU seconds per 100 MB.
#
#   bench/bulk.sh [--tlsd PATH] [--mkcert PATH] [--size MB] [--count N]
#                 [--no-pin] [--random] [--no-nginx] [--base PATH] [--also NAME=PATH]...
#
# Defaults: the tlsd and tlsd-mkcert of $TLSD_BUILD_DIR (default build/),
# a 200 MB file, 5 downloads per server. The file is sparse (reads cost
# no disk; --random fills it from /dev/urandom instead) in a temporary
# directory removed at exit, with the PKI from tlsd-mkcert. tlsd runs
# with `workers 1`, nginx with `worker_processes 1`, both on ephemeral
# ports of 127.0.0.1; by default each server is pinned to CPU 0 and curl
# to CPU 1 (--no-pin: nothing is pinned). The downloads alternate between
# the servers so that the machine's drift hits both alike.
#
# Each download is `curl -o /dev/null`, TLS 1.2 only, offering only
# ECDHE-ECDSA-AES128-GCM-SHA256, with --max-time; a download that is not
# a 200 of exactly the file's size fails the script. Per server: the
# median MB/s (curl's speed_download; 1 MB = 10^6 bytes) and the server's
# CPU seconds (user + system from /proc/PID/stat, over all its processes)
# per 100 MB over all N downloads, and the ratios tlsd/nginx. The suite
# each server negotiated comes from one `openssl s_client` probe with the
# same offer. --also NAME=PATH adds another tlsd binary to the same run
# (row NAME, e.g. the same tlsd on another Mbed TLS build; repeatable);
# --base PATH is --also base=PATH (e.g. the parent commit's build): a
# change's effect, measured
# beside its parent and nginx.
set -eu
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
size_mb=200
count=5
pin=yes
fill=sparse
use_nginx=yes
also=""   # NAME=PATH ...
while [ $# -gt 0 ]; do
    case "$1" in
    --tlsd) TLSD=$(absolute "${2:?}"); shift 2 ;;
    --mkcert) TLSD_MKCERT=$(absolute "${2:?}"); shift 2 ;;
    --size) size_mb=${2:?}; shift 2 ;;
    --count) count=${2:?}; shift 2 ;;
    --no-pin) pin=""; shift ;;
    --random) fill=random; shift ;;
    --no-nginx) use_nginx=""; shift ;;
    --base) also="$also base=$(absolute "${2:?}")"; shift 2 ;;
    --also)
        case ${2:-} in [a-z]*=?*) ;; *) echo "bulk: --also takes NAME=PATH (NAME: lower-case letters and digits)" >&2; exit 2 ;; esac
        name=${2%%=*}
        case $name in *[!a-z0-9]* | tlsd | nginx) echo "bulk: --also $2: NAME must be lower-case letters and digits, not tlsd or nginx" >&2; exit 2 ;; esac
        also="$also $name=$(absolute "${2#*=}")"; shift 2 ;;
    *) echo "usage: bench/bulk.sh [--tlsd PATH] [--mkcert PATH] [--size MB] [--count N] [--no-pin] [--random] [--no-nginx] [--base PATH] [--also NAME=PATH]..." >&2
       exit 2 ;;
    esac
done
case "$size_mb$count" in *[!0-9]*) echo "bulk: --size and --count take whole numbers" >&2; exit 2 ;; esac
[ "$count" -ge 1 ] && [ "$size_mb" -ge 1 ] || { echo "bulk: --size and --count must be at least 1" >&2; exit 2; }
cd "$(dirname "$0")/.."
BENCH_NAME=bulk
. bench/lib.sh
need curl curl
need openssl openssl
need taskset util-linux

nginx_bin=""
if [ -n "$use_nginx" ]; then
    if command -v nginx >/dev/null 2>&1; then
        nginx_bin=$(command -v nginx)
    elif [ -x /usr/sbin/nginx ]; then
        nginx_bin=/usr/sbin/nginx
    else
        echo "bulk: nginx is not installed (apt-get install nginx-light): measuring tlsd alone" >&2
    fi
fi
server_cpu=""
client_cpu=""
if [ -n "$pin" ]; then
    if [ "$(nproc)" -ge 2 ]; then
        server_cpu="taskset -c 0"
        client_cpu="taskset -c 1"
    else
        echo "bulk: one CPU: nothing pinned" >&2
    fi
fi

nginx_pid=""
also_pids=""
bulk_cleanup() {
    for p in $nginx_pid $also_pids; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    cleanup
}
trap bulk_cleanup EXIT INT TERM

size=$((size_mb * 1000 * 1000))
file="$work/www/bulk.bin"
if [ "$fill" = random ]; then
    head -c "$size" /dev/urandom >"$file"
else
    truncate -s "$size" "$file"
fi
# nginx's worker runs as nobody: it must reach the document root (the
# key stays 0600, read by the master as root)
chmod 755 "$work" "$work/www"
chmod 644 "$file" "$work/www/index.html"
cat "$file" >/dev/null  # into the page cache: no server pays for the first read

printf 'workers 1\n' >"$work/tlsd.conf"
start_tlsd $server_cpu
tlsd_port=$port
tlsd_pid=$pid
for entry in $also; do
    name=${entry%%=*}
    binary=${entry#*=}
    [ -x "$binary" ] || { echo "bulk: $name: $binary is not an executable" >&2; exit 1; }
    $server_cpu "$binary" -c "$work/tlsd.conf" -l 127.0.0.1:0 --cert "$work/pki/server.crt" \
        --key "$work/pki/server.key" --root "$work/www" --log-level info 2>"$work/$name.log" &
    eval "${name}_pid=\$!"
    also_pids="$also_pids $!"
    found=""
    for _ in $(seq 50); do
        found=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -n 1)
        [ -n "$found" ] && break
        sleep 0.1
    done
    [ -n "$found" ] || { echo "bulk: $name ($binary) did not start:" >&2; cat "$work/$name.log" >&2; exit 1; }
    eval "${name}_port=\$found"
done

# A free port for nginx (it cannot listen on port 0 and say which it got);
# a race with another program is possible, then nginx fails to start.
free_port() {
    for _ in $(seq 100); do
        p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000))
        if ! ss -Htan "( sport = :$p )" 2>/dev/null | grep -q .; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

if [ -n "$nginx_bin" ]; then
    nginx_port=$(free_port)
    mkdir "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log error;
events { worker_connections 64; }
http {
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port ssl;
        server_name localhost;
        ssl_certificate $work/pki/server.crt;
        ssl_certificate_key $work/pki/server.key;
        ssl_protocols TLSv1.2;
        root $work/www;
    }
}
EOF
    $server_cpu "$nginx_bin" -e "$work/nginx/error.log" -p "$work/nginx/" -c "$work/nginx/nginx.conf" \
        </dev/null >"$work/nginx/out.log" 2>&1 &
    nginx_pid=$!
    for _ in $(seq 50); do
        ss -Hltn "( sport = :$nginx_port )" 2>/dev/null | grep -q . && break
        kill -0 "$nginx_pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! ss -Hltn "( sport = :$nginx_port )" 2>/dev/null | grep -q .; then
        echo "bulk: nginx did not start:" >&2
        cat "$work/nginx/out.log" "$work/nginx/error.log" >&2 2>/dev/null || true
        exit 1
    fi
fi

# the server's processes: the pid and its children (nginx's worker)
server_pids() {
    echo "$1"
    cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . || true
}
cpu_ticks() {
    total=0
    for p in $(server_pids "$1"); do
        t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
        total=$((total + ${t:-0}))
    done
    echo "$total"
}

suite() {  # port: the suite negotiated with the same offer as curl's
    echo Q | timeout 10 openssl s_client -connect "127.0.0.1:$1" -servername localhost -tls1_2 \
        -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -CAfile "$work/pki/ca.crt" 2>/dev/null |
        sed -n 's/^ *Cipher *: *//p; s/^New, .*Cipher is //p' | head -n 1
}

download() {  # name port: one download, its bytes/s appended to $work/NAME.speeds
    out=$($client_cpu curl -sS --noproxy '*' --max-time 120 --cacert "$work/pki/ca.crt" \
        --resolve "localhost:$2:127.0.0.1" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 \
        -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' "https://localhost:$2/bulk.bin") || {
        echo "bulk: $1: download failed" >&2; exit 1; }
    set -- "$1" $out
    [ "$2" = 200 ] && [ "$3" = "$size" ] || { echo "bulk: $1: got status $2 and $3 bytes of $size" >&2; exit 1; }
    echo "$4" >>"$work/$1.speeds"
}

servers="tlsd"
for entry in $also; do servers="$servers ${entry%%=*}"; done
[ -n "$nginx_bin" ] && servers="$servers nginx"
server_port() { eval "echo \$${1}_port"; }
server_pid() { eval "echo \$${1}_pid"; }

for s in $servers; do
    eval "suite_$s=\$(suite $(server_port "$s"))"
    : >"$work/$s.ticks"
done
i=0
while [ "$i" -lt "$count" ]; do
    for s in $servers; do
        pid_s=$(server_pid "$s")
        before=$(cpu_ticks "$pid_s")
        download "$s" "$(server_port "$s")"
        after=$(cpu_ticks "$pid_s")
        echo $((after - before)) >>"$work/$s.ticks"
    done
    i=$((i + 1))
done

# tlsd's log: every download logged the whole body
logged=$(grep -c "bytes=$size" "$work/tlsd.log" || true)
[ "$logged" -eq "$count" ] || { echo "bulk: tlsd logged bytes=$size $logged times, not $count" >&2; exit 1; }

hz=$(getconf CLK_TCK)
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
placement="unpinned"
[ -n "$server_cpu" ] && placement="server on CPU 0, curl on CPU 1"
echo "bulk: $count downloads of $size_mb MB per server, TLS 1.2, $placement, $fill file"
printf '%-6s %-32s %10s %10s %12s\n' server suite "MB/s" "range" "CPU s/100MB"
for s in $servers; do
    speed=$(median "$work/$s.speeds")
    range=$(sort -n "$work/$s.speeds" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo / 1e6, hi / 1e6 }')
    cpu=$(awk -v hz="$hz" -v mb="$((size_mb * count))" '{ t += $1 } END { printf "%.3f", t / hz / mb * 100 }' "$work/$s.ticks")
    eval "speed_$s=\$speed cpu_$s=\$cpu"
    eval "name=\$suite_$s"
    printf '%-6s %-32s %10.1f %10s %12s\n' "$s" "${name:-?}" "$(awk -v v="$speed" 'BEGIN { print v / 1e6 }')" "$range" "$cpu"
done
if [ -n "$nginx_bin" ]; then
    for s in $servers; do
        [ "$s" = nginx ] && continue
        eval "a=\$speed_$s c=\$cpu_$s"
        awk -v s="$s" -v a="$a" -v b="$speed_nginx" -v c="$c" -v d="$cpu_nginx" \
            'BEGIN { printf "%s/nginx: MB/s %.2f, CPU per MB %.2f\n", s, a / b, (d > 0 ? c / d : 0) }'
    done
fi
