#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-configtest.sh: `tlsd -t` on good and bad configurations: exit 0 with
# "configuration ok" and nothing else, or exit 1 with a message that names
# what is wrong (an unknown user or group included: the unit runs tlsd -t
# before the start, and the start must not fail after binding).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

CERT="$WORK/certs/server.crt"
KEY="$WORK/certs/server.key"

# config_test NAME CONFIG-TEXT: runs tlsd -t -c NAME.conf; output in $OUT, status in $STATUS
config_test() {
    printf '%s\n' "$2" >"$WORK/$1.conf"
    STATUS=0
    OUT=$("$TLSD" -t -c "$WORK/$1.conf" 2>&1) || STATUS=$?
}
expect() {  # expect STATUS PATTERN DESCRIPTION
    if [ "$STATUS" -eq "$1" ] && printf '%s\n' "$OUT" | grep -Eq -- "$2"; then
        pass "$3"
    else
        fail "$3 (status $STATUS, output: $OUT)"
    fi
}

# max_connections that fits any machine's descriptor limit: otherwise
# tlsd -t rightly warns that it lowers it
GOOD="certificate $CERT
private_key $KEY
document_root $TLSD_WWW
listen 127.0.0.1:0
max_connections 100"

config_test good "$GOOD"
expect 0 "^configuration ok$" "a good configuration is ok"
check "... and the verdict is all tlsd -t prints (output: $OUT)" test "$OUT" = "configuration ok"

config_test debug "$GOOD
log_level debug"
check "with log_level debug too, only the verdict (output: $OUT)" test "$STATUS" -eq 0 -a "$OUT" = "configuration ok"

config_test nouser "$GOOD
user no-such-user-here"
expect 1 "user no-such-user-here: no such user" "an unknown user fails tlsd -t"

config_test nogroup "$GOOD
group no-such-group-here"
expect 1 "group no-such-group-here: no such group" "an unknown group fails tlsd -t"

STATUS=0
OUT=$(timeout 10 "$TLSD" -c "$WORK/nouser.conf" 2>&1) || STATUS=$?
expect 1 "user no-such-user-here: no such user" "an unknown user stops the start with status 1"
check "... before binding anything (output: $OUT)" sh -c "! printf '%s' \"\$1\" | grep -q 'listening on'" sh "$OUT"

config_test comments "# a comment

$GOOD   
  # indented comment
handshake_timeout 5"
expect 0 "^configuration ok$" "comments, blank lines and spaces are fine"

config_test unknown "$GOOD
hanshake_timeout 5"
expect 1 "unknown.conf:6: .*hanshake_timeout" "an unknown key names file, line and key"

config_test badnumber "$GOOD
idle_timeout soon"
expect 1 "badnumber.conf:6: .*idle_timeout" "a bad number names file, line and key"

config_test badlisten "listen 127.0.0.1:99999
$GOOD"
expect 1 "badlisten.conf:1: .*port" "a bad port names file and line"

config_test badversion "$GOOD
min_tls_version 1.1"
expect 1 "badversion.conf:6: .*min_tls_version" "TLS 1.1 cannot be configured"

config_test nocert "certificate $WORK/missing.crt
private_key $KEY
document_root $TLSD_WWW"
expect 1 "missing.crt: No such file or directory" "a missing certificate file is named"

echo "not a certificate" >"$WORK/garbage.crt"
config_test garbagecert "certificate $WORK/garbage.crt
private_key $KEY
document_root $TLSD_WWW"
expect 1 "garbage.crt: not a PEM certificate" "a file that is not PEM is named"

make_pki "$WORK/other"
config_test mismatch "certificate $CERT
private_key $WORK/other/server.key
document_root $TLSD_WWW"
expect 1 "does not match" "a key of another certificate is refused"

cp "$KEY" "$WORK/open.key"
chmod 644 "$WORK/open.key"
config_test openkey "certificate $CERT
private_key $WORK/open.key
document_root $TLSD_WWW"
expect 1 "open.key: readable by group or others.*chmod 600" "a world-readable key is refused"

# chain out of order: intermediate first
awk '/BEGIN CERT/{n++} {print > ("'"$WORK"'/part" n ".pem")}' "$CERT"
cat "$WORK/part2.pem" "$WORK/part1.pem" >"$WORK/reversed.crt"
config_test reversed "certificate $WORK/reversed.crt
private_key $KEY
document_root $TLSD_WWW"
expect 1 "reversed.crt: certificate 1 is issued by" "a chain out of order is refused"

config_test noroot "certificate $CERT
private_key $KEY
document_root $WORK/no-such-dir"
expect 1 "document_root .*no-such-dir: No such file or directory" "a missing document root is named"

config_test badsuite "$GOOD
ciphersuites TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA256"
expect 1 "is not allowed|unknown or unsupported" "a CBC suite cannot be configured (not allowed, or not in the build at all)"

config_test namedsuite "$GOOD
ciphersuites TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256"
expect 0 "^configuration ok$" "suites can be named the IANA or the Mbed TLS way"

# error_page: a page that is missing (or hidden) is a warning, not a
# failure (the built-in page stands in); a bad line is an error.
mkdir -p "$WORK/site/.private"
echo "<p>not here</p>" >"$WORK/site/404.html"
echo "secret" >"$WORK/site/.private/500.html"
SITE="certificate $CERT
private_key $KEY
document_root $WORK/site
listen 127.0.0.1:0
max_connections 100"
config_test errorpage "$SITE
error_page 404 /404.html"
expect 0 "^configuration ok$" "an error_page that exists is ok"
check "... and tlsd -t prints only the verdict (output: $OUT)" test "$OUT" = "configuration ok"

STDERR="$WORK/errorpage.stderr"
printf '%s\n' "$SITE
error_page 404 /404.html
error_page 502 503 /50x.html
error_page 500 /.private/500.html" >"$WORK/missingpage.conf"
STATUS=0
OUT=$("$TLSD" -t -c "$WORK/missingpage.conf" 2>"$STDERR") || STATUS=$?
expect 0 "^configuration ok$" "a missing error_page: tlsd -t still succeeds"
check "... with a warning on stderr naming the statuses, the page, the root and the reason" \
    grep -q "warn: error_page 502 503 /50x.html: not found under $WORK/site (No such file or directory): the built-in page is served" "$STDERR"
check "... a hidden page is named as such while serve_dotfiles is off" \
    grep -q "warn: error_page 500 /.private/500.html: not found under $WORK/site (a dot file, and serve_dotfiles is off)" "$STDERR"
check "... and nothing about the page that exists" sh -c "! grep -q '/404.html' '$STDERR'"
printf 'serve_dotfiles on\n' >>"$WORK/missingpage.conf"
STATUS=0
OUT=$("$TLSD" -t -c "$WORK/missingpage.conf" 2>"$STDERR") || STATUS=$?
check "with serve_dotfiles on, the dot-file page is found" sh -c "[ $STATUS -eq 0 ] && ! grep -q '/.private/' '$STDERR'"

config_test badpage "$SITE
error_page 404 404.html"
expect 1 "badpage.conf:6: error_page: the page must be a path under document_root starting with /, e.g. /404.html" \
    "an error_page that is not a path fails tlsd -t with the reason"
config_test badstatus "$SITE
error_page 302 /moved.html"
expect 1 "badstatus.conf:6: error_page: '302' is not a status from 400 to 599" "an error_page status below 400 fails"
config_test badcache "$SITE
cache_control images max-age=60"
expect 1 "badcache.conf:6: cache_control: the class must be html, static or error, not 'images'" \
    "a cache_control class that does not exist fails"

STATUS=0
OUT=$("$TLSD" -t -c "$WORK/no-such.conf" 2>&1) || STATUS=$?
expect 1 "no-such.conf: No such file or directory" "a missing configuration file is named"

STATUS=0
OUT=$("$TLSD" -t -c "$WORK/empty.conf" --cert "$CERT" --key "$KEY" --root "$TLSD_WWW" 2>&1) || STATUS=$?
expect 0 "^configuration ok$" "command-line options complete an empty file"

# Every command-line option counts, however many: the ones that matter
# come after eight others (an old fixed table kept eight and let each later
# option overwrite the eighth, so --root, --cert and --key were lost here).
STATUS=0
OUT=$("$TLSD" -t -c "$WORK/empty.conf" --workers 1 --workers 1 --workers 1 --workers 1 \
      --log-level info --log-level info --log-level info --log-level info --log-level warn \
      --root "$TLSD_WWW" --cert "$CERT" --key "$KEY" --workers 2 --log-level error 2>&1) || STATUS=$?
expect 0 "^configuration ok$" "fourteen command-line options all take effect"

STATUS=0
OUT=$("$TLSD" -t -c "$WORK/empty.conf" --cert "$CERT" --key "$KEY" --root "$TLSD_WWW" --workers 1 \
      --workers 1 --workers 1 --workers 1 --workers 1 --workers many --workers 2 --log-level info \
      --log-level info 2>&1) || STATUS=$?
expect 1 "workers" "a bad value among many options is refused, not dropped"

# The key log gets the same mode check as the other secret files.
: >"$WORK/shared.keys"
chmod 620 "$WORK/shared.keys"
config_test keylogmode "$GOOD
keylog_file $WORK/shared.keys"
expect 1 "shared.keys: writable by group or others \(mode 0620\): run chmod 600 on it" \
    "a key log file writable by its group is refused, and the message says writable"

STATUS=0
OUT=$("$TLSD" -t --bogus 2>&1) || STATUS=$?
expect 1 "usage" "an unknown option prints the usage"

STATUS=0
OUT=$("$TLSD" -V 2>&1) || STATUS=$?
expect 0 "Mbed TLS [23]\.[0-9]+\.[0-9]+" "-V names the Mbed TLS version"

# A key log file owned by another user: that user can read (or chmod)
# it, and would get every session's secrets. Needs root to chown.
if [ "$(id -u)" -eq 0 ]; then
    : >"$WORK/foreign.keys"
    chmod 600 "$WORK/foreign.keys"
    chown 65534 "$WORK/foreign.keys"
    config_test keylogowner "$GOOD
keylog_file $WORK/foreign.keys"
    expect 1 "keylog_file $WORK/foreign.keys: owned by uid 65534 .*not by the user tlsd runs as \(uid 0, root\).*every session's secrets.*chown" \
        "tlsd -t refuses a key log file owned by another user, and says whose it is"
    STATUS=0
    OUT=$(timeout 10 "$TLSD" -c "$WORK/keylogowner.conf" 2>&1) || STATUS=$?
    expect 1 "keylog_file .*foreign.keys: owned by uid 65534" "tlsd does not start with it"
    check "nothing was written to it" test ! -s "$WORK/foreign.keys"

    config_test keylognew "$GOOD
keylog_file $WORK/new.keys"
    expect 0 "^configuration ok$" "a key log file tlsd creates itself is accepted"
    check "... owned by the user tlsd runs as, mode 0600" test "$(stat -c %u:%a "$WORK/new.keys")" = "0:600"
    config_test keylogagain "$GOOD
keylog_file $WORK/new.keys"
    expect 0 "^configuration ok$" "... and again once it exists"

    # the documented way to let reloads write it: give it to `user`
    nobody=$(id -u nobody 2>/dev/null || echo 65534)
    chown "$nobody" "$WORK/new.keys"
    config_test keyloguser "$GOOD
user nobody
keylog_file $WORK/new.keys"
    expect 0 "^configuration ok$" "a key log file owned by the configured user is accepted while tlsd is root"
else
    echo "skip - key log owner checks: not root, cannot chown"
fi

# The root policy: started as root with `user root` tlsd stays root
# silently; with neither `user` nor `group` it warns once.
if [ "$(id -u)" -eq 0 ]; then
    printf 'user root\n' >"$WORK/empty.conf"
    start_tlsd
    check "user root: serves as root" test "$(curl_tls -o /dev/null -w '%{http_code}' "$(url /)")" = 200
    stop_tlsd
    check "user root: nothing said about it" sh -c "! grep -Eq 'user root|running as root|privileges' '$WORK/tlsd.log'"
    : >"$WORK/empty.conf"
    start_tlsd
    stop_tlsd
    check "no user: one warning that tlsd runs as root" \
        test "$(grep -c 'warn: running as root: set `user`' "$WORK/tlsd.log")" -eq 1
else
    echo "skip - root policy: not root"
fi

# The same warning at start and at each reload, which serve on.
printf 'max_connections 100\nerror_page 503 /50x.html\n' >"$WORK/empty.conf"
DOCROOT="$WORK/site" start_tlsd
check "start: the missing error_page is a warning in the log" \
    log_has "warn: error_page 503 /50x.html: not found under $WORK/site \(No such file or directory\): the built-in page is served"
printf 'error_page 410 /gone.html\n' >>"$WORK/empty.conf"
kill -HUP "$TLSD_PID"
check "reload: the new missing error_page is a warning" log_has "warn: error_page 410 /gone.html: not found under"
check "... and the reload goes on" log_has "reloaded: new connections"
stop_tlsd
: >"$WORK/empty.conf"

# runtime failure: an address already in use is exit status 2
start_tlsd
STATUS=0
OUT=$(timeout 10 "$TLSD" -c "$WORK/empty.conf" -l "127.0.0.1:$PORT" --cert "$CERT" --key "$KEY" \
      --root "$TLSD_WWW" 2>&1) || STATUS=$?
expect 2 "listen 127.0.0.1:$PORT: Address already in use" "a port in use is exit status 2 with the reason"
stop_tlsd
finish
