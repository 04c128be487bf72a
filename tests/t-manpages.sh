#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-manpages.sh: the manual pages format without a warning, and they cannot
# silently fall behind the code: every configuration key has its entry in
# tlsd.conf(5), every option of tlsd its entry in tlsd(8), every option of
# tlsd-mkcert its entry in tlsd-mkcert(1).
#
# Needs only groff (and the sources); it starts no daemon, so it does not
# use lib.sh. Exit status for automake: 0 pass, 1 fail, 77 skip.

SRCDIR=${TESTS_SRCDIR:-$(dirname "$0")}
MAN="$SRCDIR/../man"
SRC="$SRCDIR/../src"
PAGES="tlsd.8 tlsd.conf.5 tlsd-mkcert.1"

if ! command -v groff >/dev/null 2>&1; then
    echo "SKIP: groff is needed (apt-get install groff-base)"
    exit 77
fi

CHECKS=0
FAILURES=0
pass() { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "FAIL - $*"; }

ERRORS=$(mktemp "${TMPDIR:-/tmp}/tlsd-manpages.XXXXXX") || exit 1
trap 'rm -f "$ERRORS"' EXIT

# ---- formatting: nothing at all on stderr, on the default device and on
# the terminal one that man(1) uses (only there do too-wide tables show)
for page in $PAGES; do
    if [ ! -f "$MAN/$page" ]; then
        fail "$page exists in man/"
        continue
    fi
    for device in "" utf8; do
        status=0
        groff -ww -z ${device:+-T"$device"} -mandoc "$MAN/$page" 2>"$ERRORS" || status=$?
        if [ "$status" -eq 0 ] && [ ! -s "$ERRORS" ]; then
            pass "$page formats cleanly${device:+ with -T$device}"
        else
            fail "$page formats cleanly${device:+ with -T$device} (status $status):"
            sed 's/^/    /' "$ERRORS"
        fi
    done
done

# has_entry PAGE PATTERN: PAGE has a line matching the extended regex PATTERN
has_entry() { grep -Eq -- "$2" "$MAN/$1" 2>/dev/null; }

# option_pattern OPTION: the mdoc item line of OPTION, which mdoc writes
# without its first '-' ("-c" is ".It Fl c", "--cert" is ".It Fl -cert"),
# possibly after another form (".It Fl h , Fl -help")
option_pattern() { echo "^\.It( .*)? Fl ${1#-}( |\$)"; }

# ---- every configuration key: an item ".It Ic KEY" in tlsd.conf(5)
KEYS="listen certificate private_key document_root index workers user group
handshake_timeout idle_timeout max_connections min_tls_version max_tls_version
ciphersuites session_tickets session_cache_size keylog_file log_level
log_format hsts content_security_policy precompressed cache_control error_page"
for key in $KEYS; do
    if has_entry tlsd.conf.5 "^\.It (Ic|Cm) $key( |\$)"; then
        pass "tlsd.conf.5 documents $key"
    else
        fail "tlsd.conf.5 documents $key (no '.It Ic $key' line)"
    fi
done

# ---- every option of tlsd: an item ".It Fl ..." in tlsd(8)
for option in --cert --key --root --keylog --log-level --workers -c -t -V -h -l; do
    if has_entry tlsd.8 "$(option_pattern "$option")"; then
        pass "tlsd.8 documents $option"
    else
        fail "tlsd.8 documents $option (no '.It Fl ${option#-}' line)"
    fi
done

# ---- every option of tlsd-mkcert in tlsd-mkcert(1)
for option in -d --rsa --force --days -h -V; do
    if has_entry tlsd-mkcert.1 "$(option_pattern "$option")"; then
        pass "tlsd-mkcert.1 documents $option"
    else
        fail "tlsd-mkcert.1 documents $option (no '.It Fl ${option#-}' line)"
    fi
done

# ---- the lists above against the code, so that a key or an option added to
# the code without its entry in the page fails here too. The patterns match
# the tables' layout: { "name", VALUE_... } in config.c, and
# { "name", required_argument|no_argument, ... } in main.c and mkcert.c.
code_names() {  # code_names FILE SED-SCRIPT: the names the script prints
    [ -f "$1" ] && sed -n "$2" "$1" | sort -u
}
check_code() {  # check_code WHAT FILE SED-SCRIPT PAGE KIND (key or option)
    names=$(code_names "$2" "$3")
    if [ ! -f "$2" ]; then
        echo "# $2 not found: $1 not checked against the code"
        return
    fi
    if [ -z "$names" ]; then
        fail "$1 found in $2 (the table's layout changed: update tests/t-manpages.sh)"
        return
    fi
    missing=""
    for name in $names; do
        if [ "$5" = key ]; then
            has_entry "$4" "^\.It (Ic|Cm) $name( |\$)" || missing="$missing $name"
        else
            has_entry "$4" "$(option_pattern "--$name")" || missing="$missing --$name"
        fi
    done
    if [ -z "$missing" ]; then
        pass "$4 documents every $1 in $(basename "$2")"
    else
        fail "$4 documents every $1 in $(basename "$2"); missing:$missing"
    fi
}
check_code "configuration key" "$SRC/config.c" \
    's/^[[:space:]]*{[[:space:]]*"\([a-z_0-9]*\)",[[:space:]]*VALUE_.*/\1/p' \
    tlsd.conf.5 key
LONG_OPTION='s/^[[:space:]]*{[[:space:]]*"\([a-z][a-z-]*\)",[[:space:]]*[a-z]*_argument.*/\1/p'
check_code "long option" "$SRC/main.c" "$LONG_OPTION" tlsd.8 option
check_code "long option" "$SRC/mkcert.c" "$LONG_OPTION" tlsd-mkcert.1 option

echo "$CHECKS checks, $FAILURES failed"
[ "$FAILURES" -eq 0 ] || exit 1
exit 0
