#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-site.sh: a dropped-in static site served as nginx would (issue 14), with
# curl. Validators (ETag, Last-Modified) and Cache-Control per class;
# conditional requests (304, 412) in RFC 9110 13.2.2's order; byte ranges
# (206, 416, If-Range, several ranges, curl -C - resuming a download);
# precompressed siblings (FILE.gz, FILE.br) chosen by Accept-Encoding, and
# `precompressed off` after a reload; error_page; the handshake endpoint's
# own headers. Each for a small file (served from tlsd's memory cache) and a
# large one (read from disk) where it matters.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
command -v gzip >/dev/null 2>&1 || skip_all "gzip is needed"

# ---- the site
DOCROOT="$WORK/site"
mkdir -p "$DOCROOT"
cat >"$DOCROOT/index.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>t-site</title>
<link rel="stylesheet" href="style.css"></head>
<body><h1>A static site</h1><p>Served by tlsd, revalidated on every visit.</p></body></html>
EOF
# a style sheet that compresses well, with both siblings
i=0
while [ $i -lt 60 ]; do
    echo ".rule-$i { margin: ${i}px; padding: 0 ${i}px; color: #0a6b4d; }"
    i=$((i + 1))
done >"$DOCROOT/style.css"
# a large text file with both siblings, all three more than 64 KiB (not
# cached in memory): random text compresses by only a quarter
{
    echo "var data = ["
    head -c 150000 /dev/urandom | base64 -w 76 | sed 's/.*/    "&",/'
    echo "];"
} >"$DOCROOT/app.js"
for f in style.css app.js; do
    gzip -n -9 -c "$DOCROOT/$f" >"$DOCROOT/$f.gz"
done
HAVE_BROTLI=no
if command -v brotli >/dev/null 2>&1; then
    HAVE_BROTLI=yes
    for f in style.css app.js; do
        brotli -q 5 -c "$DOCROOT/$f" >"$DOCROOT/$f.br"
    done
else
    echo "# no brotli (apt-get install brotli): the .br checks are skipped"
fi
for f in app.js app.js.gz app.js.br; do
    [ ! -f "$DOCROOT/$f" ] || [ "$(wc -c <"$DOCROOT/$f")" -gt 65536 ] ||
        { echo "$f is not larger than the 64 KiB the file cache holds"; exit 1; }
done
head -c 10000 /dev/urandom >"$DOCROOT/small.bin"        # cached
head -c 3145728 /dev/urandom >"$DOCROOT/big.bin"        # 3 MB, read from disk
printf '<!DOCTYPE html>\n<title>Gone</title><p>custom not-found page of t-site</p>\n' >"$DOCROOT/404.html"
# An hour old, with nanoseconds: tlsd never sends a Last-Modified later than
# its Date, and the changes below move the mtimes forward.
past=$(($(date +%s) - 3600))
for f in "$DOCROOT"/*; do
    touch -d "@$past.123456789" "$f"
done
export DOCROOT

cat >"$WORK/site.conf" <<EOF
workers 1
error_page 404 /404.html
error_page 405 /no-such-error-page.html
EOF
TLSD_CONF="$WORK/site.conf"

# tlsd -t accepts the configuration but warns of the missing error page
"$TLSD" -t -c "$TLSD_CONF" --cert "$WORK/certs/server.crt" --key "$WORK/certs/server.key" \
    --root "$DOCROOT" >"$WORK/configtest.out" 2>&1
status=$?
check "tlsd -t accepts error_page lines (status $status)" test "$status" -eq 0
check "tlsd -t warns of the missing error page" grep -q "no-such-error-page.html" "$WORK/configtest.out"

start_tlsd

# ---- helpers
# get PATH [curl arguments...]: one request; its head in $WORK/h, its body
# in $WORK/b, and its status printed
get() {
    local path=$1
    shift
    rm -f "$WORK/b"  # curl writes no file for an empty body
    curl_tls -o "$WORK/b" -D "$WORK/h" -w '%{http_code}' "$@" "$(url "$path")"
}
# head_of PATH [curl arguments...]: the same as HEAD
head_of() {
    local path=$1
    shift
    curl_tls --head -o /dev/null -D "$WORK/h" -w '%{http_code}' "$@" "$(url "$path")"
}
# hdr NAME: the value of that response header in $WORK/h (the last one
# if repeated), without its CR; empty if absent
hdr() {
    awk -v name="$1" '{ sub(/\r$/, ""); i = index($0, ":") }
        i > 0 && tolower(substr($0, 1, i - 1)) == tolower(name) { v = substr($0, i + 1); sub(/^[ \t]*/, "", v) }
        END { print v }' "$WORK/h"
}
has_hdr() { grep -qi "^$1:" "$WORK/h"; }
no_hdr() { ! has_hdr "$1"; }
# hdr_is NAME VALUE
hdr_is() { [ "$(hdr "$1")" = "$2" ]; }
size_of() { wc -c <"$1" | tr -d ' '; }
body_empty() { [ ! -s "$WORK/b" ]; }
body_is() { cmp -s "$WORK/b" "$1"; }
# slice FILE FIRST COUNT: COUNT bytes of FILE from offset FIRST
slice() { tail -c +$(($2 + 1)) "$1" | head -c "$3"; }
# body_is_slice FILE FIRST COUNT
body_is_slice() { slice "$1" "$2" "$3" >"$WORK/expected" && cmp -s "$WORK/b" "$WORK/expected"; }
# http_date FILE: its mtime as an IMF-fixdate
http_date() { LC_ALL=C date -u -d "@$(stat -c %Y "$1")" '+%a, %d %b %Y %H:%M:%S GMT'; }
# etag_matches_file ETAG FILE [SUFFIX]: the ETag is
# "<inode>-<size>-<mtime>.<ns>[-SUFFIX]" of that file, in hex
etag_matches_file() {
    local tag=$1 file=$2 suffix=${3:-} fields inode size sec ns
    case $tag in
        \"*\") ;;
        *) return 1 ;;
    esac
    tag=${tag#\"}
    tag=${tag%\"}
    if [ -n "$suffix" ]; then
        case $tag in
            *-"$suffix") tag=${tag%-"$suffix"} ;;
            *) return 1 ;;
        esac
    fi
    echo "$tag" | grep -Eq '^[0-9a-f]+-[0-9a-f]+-[0-9a-f]+\.[0-9a-f]+$' || return 1
    fields=$(echo "$tag" | tr '.-' '  ')
    set -- $fields
    inode=$(stat -c %i "$file")
    size=$(stat -c %s "$file")
    sec=$(stat -c %Y "$file")
    ns=$(stat -c %.9Y "$file" | sed 's/.*\.//; s/^0*//')
    [ $((0x$1)) -eq "$inode" ] && [ $((0x$2)) -eq "$size" ] && [ $((0x$3)) -eq "$sec" ] &&
        [ $((0x$4)) -eq "${ns:-0}" ]
}
# wait_for_status EXPECTED PATH [curl arguments...]: repeat the request
# until it answers EXPECTED (tlsd looks a cached file up on disk again at
# most once a second), at most 5 s
wait_for_status() {
    local expected=$1 tries=0
    shift
    while [ $tries -lt 25 ]; do
        [ "$(get "$@")" = "$expected" ] && return 0
        sleep 0.2
        tries=$((tries + 1))
    done
    return 1
}

# ---- 200: validators and Cache-Control per class
for f in index.html style.css small.bin big.bin; do
    code=$(get "/$f")
    check "GET /$f is 200 ($code)" test "$code" = 200
    check "GET /$f: the body is the file" body_is "$DOCROOT/$f"
    etag=$(hdr ETag)
    check "GET /$f: a strong ETag of inode, size and mtime ($etag)" etag_matches_file "$etag" "$DOCROOT/$f"
    check "GET /$f: Last-Modified is the file's mtime" hdr_is Last-Modified "$(http_date "$DOCROOT/$f")"
    check "GET /$f: Accept-Ranges: bytes" hdr_is Accept-Ranges bytes
    case $f in
        *.html) check "GET /$f: Cache-Control: no-cache (html)" hdr_is Cache-Control no-cache ;;
        *) check "GET /$f: Cache-Control: max-age=600 (static)" hdr_is Cache-Control max-age=600 ;;
    esac
done
get /index.html >/dev/null
check "the site gets the site's Content-Security-Policy" \
    sh -c "tr -d '\r' <'$WORK/h' | grep -i '^content-security-policy:' | grep -q \"default-src 'self'\""
code=$(head_of /big.bin)
check "HEAD /big.bin is 200 with its validators" \
    sh -c "[ '$code' = 200 ] && grep -qi '^etag: \"' '$WORK/h' && grep -qi '^last-modified: ' '$WORK/h'"

# ---- the handshake endpoint: never stored, no validators, its own CSP
code=$(get /.well-known/tlsd/handshake)
check "the handshake endpoint answers ($code)" test "$code" = 200
check "the handshake endpoint: Cache-Control: no-store" hdr_is Cache-Control no-store
check "the handshake endpoint: no ETag" no_hdr ETag
check "the handshake endpoint: no Last-Modified" no_hdr Last-Modified
check "the handshake endpoint: the strict CSP" \
    hdr_is Content-Security-Policy "default-src 'none'; frame-ancestors 'none'"

# ---- conditional requests, for a cached and an uncached file
for f in index.html big.bin; do
    get "/$f" >/dev/null
    etag=$(hdr ETag)
    lm=$(hdr Last-Modified)
    code=$(get "/$f" -H "If-None-Match: $etag")
    check "$f: If-None-Match with its ETag is 304 ($code)" test "$code" = 304
    check "$f: the 304 has no body" body_empty
    check "$f: the 304 carries the ETag" hdr_is ETag "$etag"
    check "$f: the 304 carries Cache-Control" has_hdr Cache-Control
    code=$(get "/$f" -H "If-None-Match: \"other\", $etag")
    check "$f: If-None-Match with a list that holds it is 304 ($code)" test "$code" = 304
    code=$(get "/$f" -H "If-None-Match: *")
    check "$f: If-None-Match: * is 304 ($code)" test "$code" = 304
    code=$(get "/$f" -H "If-None-Match: W/$etag")
    check "$f: If-None-Match with W/ of it is 304 (weak comparison) ($code)" test "$code" = 304
    code=$(get "/$f" -H 'If-None-Match: "other"')
    check "$f: If-None-Match with another tag is 200 ($code)" \
        sh -c "[ '$code' = 200 ] && cmp -s '$WORK/b' '$DOCROOT/$f'"
    code=$(get "/$f" -H "If-Modified-Since: $lm")
    check "$f: If-Modified-Since its Last-Modified is 304 ($code)" test "$code" = 304
    check "$f: that 304 has no body" body_empty
    code=$(get "/$f" -H "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT")
    check "$f: If-Modified-Since an older date is 200 ($code)" test "$code" = 200
    code=$(get "/$f" -H 'If-None-Match: "other"' -H "If-Modified-Since: $lm")
    check "$f: If-None-Match wins over If-Modified-Since (200) ($code)" test "$code" = 200
    code=$(head_of "/$f" -H "If-None-Match: $etag")
    check "$f: HEAD with If-None-Match is 304 ($code)" test "$code" = 304
    code=$(get "/$f" -H 'If-Match: "other"')
    check "$f: If-Match with another tag is 412 ($code)" test "$code" = 412
    check "$f: the 412 sends no file" sh -c "! cmp -s '$WORK/b' '$DOCROOT/$f'"
    code=$(get "/$f" -H "If-Match: $etag")
    check "$f: If-Match with its ETag is 200 ($code)" test "$code" = 200
    code=$(get "/$f" -H "If-Match: *")
    check "$f: If-Match: * is 200 ($code)" test "$code" = 200
    code=$(get "/$f" -H "If-Match: W/$etag")
    check "$f: If-Match with a weak tag is 412 (strong comparison) ($code)" test "$code" = 412
    code=$(get "/$f" -H "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT")
    check "$f: If-Unmodified-Since an older date is 412 ($code)" test "$code" = 412
    code=$(get "/$f" -H "If-Unmodified-Since: $lm")
    check "$f: If-Unmodified-Since its Last-Modified is 200 ($code)" test "$code" = 200
    code=$(get "/$f" -H 'If-Match: "other"' -H "If-None-Match: $etag")
    check "$f: If-Match is evaluated before If-None-Match (412) ($code)" test "$code" = 412

    # the file changes: the old validators no longer match
    touch -d "@$(($(stat -c %Y "$DOCROOT/$f") + 2)).5" "$DOCROOT/$f"
    check "$f changed: If-None-Match with the old ETag is 200" wait_for_status 200 "/$f" -H "If-None-Match: $etag"
    check "$f changed: a new ETag" etag_matches_file "$(hdr ETag)" "$DOCROOT/$f"
    check "$f changed: the ETag differs" sh -c "[ '$(hdr ETag)' != '$etag' ]"
    code=$(get "/$f" -H "If-Modified-Since: $lm")
    check "$f changed: If-Modified-Since the old date is 200 ($code)" test "$code" = 200
    check "$f changed: Last-Modified is the new mtime" hdr_is Last-Modified "$(http_date "$DOCROOT/$f")"
done
code=$(get /no-such-file -H "If-None-Match: *")
check "If-None-Match: * on a missing file is still 404 ($code)" test "$code" = 404

# ---- byte ranges
for f in small.bin big.bin; do
    len=$(size_of "$DOCROOT/$f")
    get "/$f" >/dev/null
    etag=$(hdr ETag)
    lm=$(hdr Last-Modified)
    code=$(get "/$f" -H "Range: bytes=0-99")
    check "$f: bytes=0-99 is 206 ($code)" test "$code" = 206
    check "$f: Content-Range: bytes 0-99/$len" hdr_is Content-Range "bytes 0-99/$len"
    check "$f: Content-Length: 100" hdr_is Content-Length 100
    check "$f: the 100 bytes are the file's first" body_is_slice "$DOCROOT/$f" 0 100
    check "$f: the 206 carries the ETag" hdr_is ETag "$etag"
    code=$(get "/$f" -H "Range: bytes=100-")
    check "$f: bytes=100- is 206 ($code)" test "$code" = 206
    check "$f: Content-Range: bytes 100-$((len - 1))/$len" hdr_is Content-Range "bytes 100-$((len - 1))/$len"
    check "$f: the rest of the file from 100" body_is_slice "$DOCROOT/$f" 100 $((len - 100))
    code=$(get "/$f" -H "Range: bytes=-50")
    check "$f: bytes=-50 is 206 ($code)" test "$code" = 206
    check "$f: Content-Range: bytes $((len - 50))-$((len - 1))/$len" \
        hdr_is Content-Range "bytes $((len - 50))-$((len - 1))/$len"
    check "$f: the file's last 50 bytes" body_is_slice "$DOCROOT/$f" $((len - 50)) 50
    code=$(get "/$f" -H "Range: bytes=5000-$((len + 1000))")
    check "$f: a range past the end stops at the end ($code)" \
        sh -c "[ '$code' = 206 ] && [ \"\$(tr -d '\r' <'$WORK/h' | sed -n 's/^content-range: //Ip')\" = 'bytes 5000-$((len - 1))/$len' ]"
    check "$f: those bytes" body_is_slice "$DOCROOT/$f" 5000 $((len - 5000))
    code=$(get "/$f" -H "Range: bytes=$len-")
    check "$f: a range from the end is 416 ($code)" test "$code" = 416
    check "$f: the 416 has Content-Range: bytes */$len" hdr_is Content-Range "bytes */$len"
    code=$(get "/$f" -H "Range: bytes=0-9,20-29")
    check "$f: two ranges are answered with the whole file (200) ($code)" \
        sh -c "[ '$code' = 200 ] && cmp -s '$WORK/b' '$DOCROOT/$f'"
    code=$(get "/$f" -H "Range: bytes=0-9,5-19")
    check "$f: overlapping ranges are one range (206 0-19) ($code)" \
        sh -c "[ '$code' = 206 ] && tr -d '\r' <'$WORK/h' | grep -qi '^content-range: bytes 0-19/$len\$'"
    code=$(get "/$f" -H "Range: bytes=0-99" -H "If-Range: $etag")
    check "$f: If-Range with the current ETag is 206 ($code)" test "$code" = 206
    code=$(get "/$f" -H "Range: bytes=0-99" -H 'If-Range: "stale"')
    check "$f: If-Range with a stale ETag is the whole 200 ($code)" \
        sh -c "[ '$code' = 200 ] && cmp -s '$WORK/b' '$DOCROOT/$f'"
    code=$(get "/$f" -H "Range: bytes=0-99" -H "If-Range: $lm")
    check "$f: If-Range with the Last-Modified date is 206 ($code)" test "$code" = 206
    code=$(get "/$f" -H "Range: bytes=0-99" -H "If-Range: Sat, 01 Jan 2000 00:00:00 GMT")
    check "$f: If-Range with an older date is 200 ($code)" test "$code" = 200
    code=$(head_of "/$f" -H "Range: bytes=0-99")
    check "$f: HEAD with Range is 200 ($code)" test "$code" = 200
    check "$f: HEAD with Range has the whole Content-Length" hdr_is Content-Length "$len"
    code=$(get "/$f" -H "Range: bytes=0-99" -H "If-None-Match: $etag")
    check "$f: If-None-Match before Range (304) ($code)" test "$code" = 304
done
code=$(get /big.bin -H "Range: bytes=1000000-1999999")
check "big.bin: a megabyte from the middle is 206 ($code)" test "$code" = 206
check "big.bin: and its bytes are the file's" body_is_slice "$DOCROOT/big.bin" 1000000 1000000

# curl -C -: an interrupted download of the 3 MB file resumed
curl_tls --range 0-999999 -o "$WORK/resumed" "$(url /big.bin)"
check "the first megabyte downloaded" test "$(size_of "$WORK/resumed")" -eq 1000000
curl_tls -C - -o "$WORK/resumed" "$(url /big.bin)" 2>"$WORK/resume.err"
status=$?
check "curl -C - resumes the download (exit $status)" test "$status" -eq 0
check "the resumed file is the original" cmp -s "$WORK/resumed" "$DOCROOT/big.bin"
check "tlsd served the rest as a 206" log_has 'request="GET /big.bin" status=206 bytes=2145728'

# ---- precompressed siblings
for f in style.css app.js; do
    get "/$f" >/dev/null
    plain_etag=$(hdr ETag)
    plain_type=$(hdr Content-Type)
    check "$f without Accept-Encoding: no Content-Encoding" no_hdr Content-Encoding
    check "$f without Accept-Encoding: the file itself" body_is "$DOCROOT/$f"
    check "$f without Accept-Encoding: Vary: Accept-Encoding (it has siblings)" hdr_is Vary Accept-Encoding

    code=$(get "/$f" -H "Accept-Encoding: gzip")
    check "$f, gzip: 200 ($code)" test "$code" = 200
    check "$f, gzip: Content-Encoding: gzip" hdr_is Content-Encoding gzip
    check "$f, gzip: Vary: Accept-Encoding" hdr_is Vary Accept-Encoding
    check "$f, gzip: the original's Content-Type" hdr_is Content-Type "$plain_type"
    check "$f, gzip: the body is $f.gz" body_is "$DOCROOT/$f.gz"
    check "$f, gzip: Content-Length of $f.gz" hdr_is Content-Length "$(size_of "$DOCROOT/$f.gz")"
    check "$f, gzip: decoded, it is $f" sh -c "gzip -dc <'$WORK/b' 2>/dev/null | cmp -s - '$DOCROOT/$f'"
    gz_etag=$(hdr ETag)
    check "$f, gzip: its own ETag, of $f.gz with -gz ($gz_etag)" etag_matches_file "$gz_etag" "$DOCROOT/$f.gz" gz
    check "$f, gzip: the ETag differs from the identity one" test "$gz_etag" != "$plain_etag"
    code=$(get "/$f" -H "Accept-Encoding: gzip" -H "If-None-Match: $gz_etag")
    check "$f, gzip: If-None-Match with the gzip ETag is 304 ($code)" test "$code" = 304
    check "$f, gzip: that 304 names the encoding's ETag" hdr_is ETag "$gz_etag"
    code=$(get "/$f" -H "Accept-Encoding: gzip" -H "If-None-Match: $plain_etag")
    check "$f, gzip: If-None-Match with the identity ETag is 200 ($code)" test "$code" = 200
    code=$(get "/$f" -H "Accept-Encoding: gzip" -H "Range: bytes=0-9")
    check "$f, gzip: a range is of the gzip bytes ($code)" \
        sh -c "[ '$code' = 206 ] && tail -c +1 '$DOCROOT/$f.gz' | head -c 10 | cmp -s - '$WORK/b'"
    code=$(get "/$f" -H "Accept-Encoding: x-gzip")
    check "$f, x-gzip is gzip" hdr_is Content-Encoding gzip
    code=$(get "/$f" -H "Accept-Encoding: gzip;q=0")
    check "$f, gzip;q=0: no Content-Encoding" no_hdr Content-Encoding
    check "$f, gzip;q=0: the file itself" body_is "$DOCROOT/$f"
    check "$f, gzip;q=0: Vary: Accept-Encoding" hdr_is Vary Accept-Encoding
    check "$f, gzip;q=0: the identity ETag" hdr_is ETag "$plain_etag"
    code=$(head_of "/$f" -H "Accept-Encoding: gzip")
    check "$f, HEAD with gzip: Content-Encoding and Length of $f.gz" \
        sh -c "[ '$code' = 200 ] && tr -d '\r' <'$WORK/h' | grep -qi '^content-encoding: gzip\$' &&
               tr -d '\r' <'$WORK/h' | grep -qi '^content-length: $(size_of "$DOCROOT/$f.gz")\$'"

    if [ "$HAVE_BROTLI" = yes ]; then
        code=$(get "/$f" -H "Accept-Encoding: br, gzip")
        check "$f, br and gzip: br is preferred ($code)" hdr_is Content-Encoding br
        check "$f, br: the body is $f.br" body_is "$DOCROOT/$f.br"
        check "$f, br: decoded, it is $f" sh -c "brotli -dc <'$WORK/b' 2>/dev/null | cmp -s - '$DOCROOT/$f'"
        check "$f, br: Vary: Accept-Encoding" hdr_is Vary Accept-Encoding
        check "$f, br: the original's Content-Type" hdr_is Content-Type "$plain_type"
        br_etag=$(hdr ETag)
        check "$f, br: its own ETag, of $f.br with -br ($br_etag)" etag_matches_file "$br_etag" "$DOCROOT/$f.br" br
        check "$f: the three ETags differ" \
            sh -c "[ '$br_etag' != '$gz_etag' ] && [ '$br_etag' != '$plain_etag' ]"
        # (identity, unnamed, counts as q=1: it would win over both)
        code=$(get "/$f" -H "Accept-Encoding: gzip;q=0.8, br;q=0.5, identity;q=0.1")
        check "$f, gzip;q=0.8, br;q=0.5, identity;q=0.1: the weights win (gzip)" hdr_is Content-Encoding gzip
        code=$(get "/$f" -H "Accept-Encoding: br;q=0, gzip")
        check "$f, br;q=0, gzip: gzip" hdr_is Content-Encoding gzip
        code=$(get "/$f" -H "Accept-Encoding: *")
        check "$f, *: br" hdr_is Content-Encoding br
        code=$(get "/$f" -H "Accept-Encoding: br;q=0, gzip;q=0")
        check "$f, both refused: identity" no_hdr Content-Encoding
    else
        echo "# skipped the br checks for $f: no brotli"
    fi
done
code=$(get /index.html -H "Accept-Encoding: br, gzip")
check "a file without siblings: no Content-Encoding ($code)" no_hdr Content-Encoding
check "a file without siblings: the file itself" body_is "$DOCROOT/index.html"

# ---- error pages
code=$(get /no-such-file)
check "a missing file is 404 ($code)" test "$code" = 404
check "error_page 404: the site's own page" body_is "$DOCROOT/404.html"
check "error_page 404: text/html" sh -c "tr -d '\r' <'$WORK/h' | grep -qi '^content-type: text/html'"
check "error_page 404: Cache-Control: no-store" hdr_is Cache-Control no-store
check "error_page 404: no ETag" no_hdr ETag
code=$(get /sub/deeper/missing.css -H "Accept-Encoding: gzip" -H "Range: bytes=0-9")
check "error_page 404 for a nested path, with Range and Accept-Encoding ($code)" \
    sh -c "[ '$code' = 404 ] && cmp -s '$WORK/b' '$DOCROOT/404.html'"
code=$(head_of /no-such-file)
check "HEAD of a missing file: 404 ($code)" test "$code" = 404
code=$(get / -X DELETE)
check "a 405 whose error page is missing is 405 ($code)" test "$code" = 405
check "the built-in 405 page instead" grep -q "405" "$WORK/b"
check "the built-in page: Cache-Control: no-store" hdr_is Cache-Control no-store
check "tlsd served the 404 with the error page" log_has 'request="GET /no-such-file" status=404'

# ---- precompressed off, after a reload
printf 'workers 1\nprecompressed off\nerror_page 404 /404.html\n' >"$TLSD_CONF"
kill -HUP "$TLSD_PID"
check "the reload happened" log_has "reloaded: new connections use the new configuration"
for f in style.css app.js; do
    code=$(get "/$f" -H "Accept-Encoding: br, gzip")
    check "precompressed off: $f is 200 ($code)" test "$code" = 200
    check "precompressed off: $f has no Content-Encoding" no_hdr Content-Encoding
    check "precompressed off: $f is the file itself" body_is "$DOCROOT/$f"
done
code=$(get /no-such-file)
check "after the reload, error_page still serves the site's 404" \
    sh -c "[ '$code' = 404 ] && cmp -s '$WORK/b' '$DOCROOT/404.html'"
code=$(get / -X DELETE)
check "after the reload, 405 has no error page: built-in ($code)" \
    sh -c "[ '$code' = 405 ] && grep -q 405 '$WORK/b'"

# ---- cache_control: each class set, or off
printf 'workers 1\ncache_control html max-age=0, must-revalidate\ncache_control static off\ncache_control error no-cache\n' \
    >"$TLSD_CONF"
kill -HUP "$TLSD_PID"
check "the second reload happened" \
    sh -c "tries=0; while [ \$tries -lt 50 ]; do [ \$(grep -c 'reloaded: ' '$WORK/tlsd.log') -ge 2 ] && exit 0; sleep 0.1; tries=\$((tries + 1)); done; exit 1"
get /index.html >/dev/null
check "cache_control html: the configured value" hdr_is Cache-Control "max-age=0, must-revalidate"
get /big.bin -H "Range: bytes=0-0" >/dev/null
check "cache_control static off: no Cache-Control" no_hdr Cache-Control
get /no-such-file >/dev/null
check "cache_control error: the configured value" hdr_is Cache-Control no-cache

stop_tlsd
check "SIGTERM stops tlsd with status 0" test "$STOP_STATUS" -eq 0
finish
