#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-journal.sh: under systemd's journal, log lines are structured entries
# of the journal's native protocol, without tlsd's own "tlsd[PID]:" prefix
# (journald adds one). The "journal" here is a file standing in for the
# journal's stream on stderr ($JOURNAL_STREAM names its device and inode,
# as systemd does) and tests/journal-listener.py standing in for journald's
# socket ($TLSD_JOURNAL_SOCKET). Also: with no socket the lines go to
# stderr as "<PRIORITY>line", and where JOURNAL_STREAM does not name
# stderr (inherited by a child) nothing changes.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the journal socket stand-in"

python3 "$TESTS_SRCDIR/journal-listener.py" "$WORK/journal.sock" "$WORK/journal.out" &
LISTENER_PID=$!
trap 'kill $LISTENER_PID 2>/dev/null; cleanup' EXIT
tries=0
while ! grep -q _listening "$WORK/journal.out" 2>/dev/null && [ $tries -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done

# journal COND...: how many entries have every COND: NAME=VALUE (equal),
# NAME~REGEX (matches), !NAME (no such field); with --value NAME first, the
# NAME of the last such entry instead.
journal() {
    python3 - "$WORK/journal.out" "$@" <<'EOF'
import json, re, sys
args = sys.argv[2:]
show = None
if args and args[0] == "--value":
    show, args = args[1], args[2:]
def values(entry, name):
    value = entry.get(name)
    return [] if value is None else value if isinstance(value, list) else [value]
def holds(entry, cond):
    if cond.startswith("!"):
        return cond[1:] not in entry
    name, op, want = re.match(r"([A-Za-z0-9_]+)([=~])(.*)", cond, re.S).groups()
    return any(v == want if op == "=" else re.search(want, v) for v in values(entry, name))
count, last = 0, None
for line in open(sys.argv[1]):
    entry = json.loads(line)
    if "_listening" in entry:
        continue
    if all(holds(entry, c) for c in args):
        count, last = count + 1, entry
print(values(last, show)[0] if show and last else "" if show else count)
EOF
}
journal_has() {  # journal_has COND...: wait up to 5 s for such an entry
    tries=0
    while [ $tries -lt 50 ]; do
        [ "$(journal "$@")" -gt 0 ] && return 0
        sleep 0.1; tries=$((tries + 1))
    done
    return 1
}

# start_journal_tlsd: tlsd with stderr on $WORK/tlsd.log, which
# JOURNAL_STREAM says is the journal; its port from the journal.
start_journal_tlsd() {
    : >"$WORK/tlsd.log"
    JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/tlsd.log") TLSD_JOURNAL_SOCKET="$WORK/journal.sock" \
        ${TLSD_WRAPPER:-} "$TLSD" -c "$WORK/empty.conf" -l 127.0.0.1:0 \
        --cert "$WORK/certs/server.crt" --key "$WORK/certs/server.key" --root "$TLSD_WWW" 2>>"$WORK/tlsd.log" &
    TLSD_PID=$!
    journal_has "MESSAGE~listening on 127\.0\.0\.1:[0-9]+" || { echo "tlsd did not start:"; cat "$WORK/tlsd.log"; exit 1; }
    PORT=$(journal --value MESSAGE "MESSAGE~listening on 127\.0\.0\.1:[0-9]+" | sed 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/')
}

# ---- the native protocol, text format
printf 'keylog_file %s\n' "$WORK/server.keys" >"$WORK/empty.conf"
start_journal_tlsd
curl_tls -o /dev/null "$(url /)"
check "a request's lines reach the journal" journal_has "TLSD_STAGE=established"
check "every datagram is a valid native entry" test "$(journal "_invalid~.")" -eq 0
check "no MESSAGE carries tlsd's own prefix" test "$(journal "MESSAGE~^(tlsd\[|<| )")" -eq 0
check "every entry says SYSLOG_IDENTIFIER=tlsd and has a PRIORITY" \
    test "$(journal "!SYSLOG_IDENTIFIER")" -eq 0 -a "$(journal "!PRIORITY")" -eq 0
check "client_hello: stage, connection, peer, as fields" \
    journal_has "TLSD_STAGE=client_hello" "TLSD_CONN~^[0-9]+$" "TLSD_PEER~^127\.0\.0\.1:[0-9]+$" \
    "TLSD_T_MS~^[0-9]+\.[0-9]{3}$" "PRIORITY=6" "MESSAGE~^conn=[0-9]+ peer=127\.0\.0\.1:[0-9]+ stage=client_hello "
check "the request line: TLSD_REQUEST and TLSD_STATUS" journal_has "TLSD_REQUEST=GET /" "TLSD_STATUS=200"
check "the close: TLSD_EVENT=closed and TLSD_REASON" journal_has "TLSD_EVENT=closed" "TLSD_REASON~."
check "a warning (the key log) has PRIORITY=4 and no TLSD_MSG" \
    journal_has "PRIORITY=4" "MESSAGE~^warn: keylog_file " "!TLSD_MSG"
check "an info message has PRIORITY=6" journal_has "PRIORITY=6" "MESSAGE~^tlsd .* starting on "
s_client -tls1_2 -cipher AES128-SHA </dev/null >/dev/null
check "a failed handshake: TLSD_STAGE=handshake_failed with TLSD_AT and TLSD_ALERT_SENT" \
    journal_has "TLSD_STAGE=handshake_failed" "TLSD_AT=client_hello" "TLSD_ALERT_SENT=handshake_failure"
stop_tlsd
check "tlsd stops cleanly" test "$STOP_STATUS" -eq 0
check "nothing fell back to stderr" test ! -s "$WORK/tlsd.log"

# ---- JSON format: the same fields, MESSAGE the JSON line
printf 'log_format json\n' >"$WORK/empty.conf"
: >"$WORK/journal.out"
start_journal_tlsd
curl_tls -o /dev/null "$(url /)"
check "JSON: the fields are the same" journal_has "TLSD_STAGE=established" "TLSD_CONN~^[0-9]+$" "PRIORITY=6"
check "JSON: MESSAGE is the JSON line" journal_has "TLSD_STAGE=client_hello" 'MESSAGE~^\{"pid":[0-9]+,"level":"info","conn":[0-9]+,.*\}$'
check "JSON: a message's MESSAGE is its JSON line, no TLSD_MSG" \
    journal_has 'MESSAGE~^\{"pid":[0-9]+,"level":"info","msg":"tlsd .* starting on ' "!TLSD_MSG"
stop_tlsd
check "JSON: nothing fell back to stderr" test ! -s "$WORK/tlsd.log"

# ---- no socket: stderr, "<PRIORITY>" and no prefix (journald reads both)
: >"$WORK/empty.conf"
: >"$WORK/tlsd.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/tlsd.log") TLSD_JOURNAL_SOCKET="$WORK/absent.sock"
export JOURNAL_STREAM TLSD_JOURNAL_SOCKET
start_tlsd
unset JOURNAL_STREAM TLSD_JOURNAL_SOCKET
curl_tls -o /dev/null "$(url /)"
check "no socket: the lines go to stderr" log_has "^<6>conn=[0-9]+ peer=127\.0\.0\.1:[0-9]+ stage=client_hello "
check "no socket: no line has tlsd's prefix" sh -c "! grep -q 'tlsd\[' '$WORK/tlsd.log'"
check "no socket: every line starts with a priority" sh -c "! grep -qv '^<[3467]>' '$WORK/tlsd.log'"
stop_tlsd

# ---- JOURNAL_STREAM that is not stderr's: lines as ever, the socket unused
: >"$WORK/journal.out"
JOURNAL_STREAM=1:1 TLSD_JOURNAL_SOCKET="$WORK/journal.sock"
export JOURNAL_STREAM TLSD_JOURNAL_SOCKET
start_tlsd
unset JOURNAL_STREAM TLSD_JOURNAL_SOCKET
curl_tls -o /dev/null "$(url /)"
check "another stream: the usual prefix, after the time" log_has "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z tlsd\[[0-9]+\]: conn=[0-9]+ peer=.* stage=client_hello "
check "another stream: nothing sent to the socket" test "$(journal)" -eq 0
stop_tlsd
finish
