#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-serve.sh: tlsd serves its page over TLS: GET, HEAD, 404, keep-alive,
# content types, redirects, dot files (404 but /.well-known/), the chain,
# and a clean stop.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

DOCROOT="$WORK/www"
mkdir -p "$DOCROOT/sub" "$DOCROOT/empty"
cp "$TLSD_WWW/index.html" "$DOCROOT/index.html"
echo "body { color: black; }" >"$DOCROOT/style.css"
echo "sub index" >"$DOCROOT/sub/index.html"
head -c 300000 /dev/urandom >"$DOCROOT/big.bin"
# what a deploy leaves behind in a document root
mkdir -p "$DOCROOT/.git" "$DOCROOT/.well-known/acme-challenge"
echo "[remote \"origin\"]" >"$DOCROOT/.git/config"
echo "DATABASE_PASSWORD=hunter2" >"$DOCROOT/.env"
echo "admin:\$apr1\$hash" >"$DOCROOT/.htpasswd"
echo "hidden" >"$DOCROOT/sub/.hidden"
echo "token.thumbprint" >"$DOCROOT/.well-known/acme-challenge/x"
export DOCROOT
start_tlsd

# GET / with curl -v: 200, the page, a verified TLS connection
curl_tls -v -o "$WORK/page" -D "$WORK/headers" "$(url /)" 2>"$WORK/curl.err"
check "GET / is 200" grep -q "^HTTP/1.1 200 OK" "$WORK/headers"
check "GET / returns the bundled page" cmp -s "$WORK/page" "$TLSD_WWW/index.html"
check "curl verified the certificate" grep -q "SSL certificate verify ok" "$WORK/curl.err"
check "Content-Type is text/html" grep -qi "^content-type: text/html; charset=utf-8" "$WORK/headers"
size=$(wc -c <"$TLSD_WWW/index.html" | tr -d ' ')
check "Content-Length matches the file" grep -qi "^content-length: $size" "$WORK/headers"

# HEAD: the same head, no body
curl_tls -I -o "$WORK/head" "$(url /index.html)"
check "HEAD is 200 with the Content-Length of the file" grep -qi "^content-length: $size" "$WORK/head"
check "HEAD has no body" test "$(curl_tls -I -s "$(url /)" | grep -c '<html')" -eq 0

# 404 with a small body
code=$(curl_tls -o "$WORK/404" -w '%{http_code}' "$(url /no-such-file)")
check "missing file is 404" test "$code" = 404
check "404 has a small HTML body" grep -q "404 Not Found" "$WORK/404"

# content types and subdirectories
check "CSS is text/css" sh -c "curl -sS --noproxy '*' --max-time 10 --cacert '$CA' --resolve localhost:$PORT:127.0.0.1 -D - -o /dev/null '$(url /style.css)' | grep -qi '^content-type: text/css'"
check "a directory serves its index" test "$(curl_tls "$(url /sub/)")" = "sub index"
code=$(curl_tls -o /dev/null -D "$WORK/redirect" -w '%{http_code}' "$(url /sub)")
check "a directory without its slash redirects (301)" test "$code" = 301
check "the redirect points at the slash" grep -qi "^location: /sub/" "$WORK/redirect"
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /empty/)")
check "a directory without index is 404, not a listing" test "$code" = 404

# dot files: 404 like a missing file, also percent-encoded, and no redirect
# for a dot directory (it would say that it exists)
curl_tls -o "$WORK/missing" "$(url /no-such-file)"
for path in /.git/config /.env /.htpasswd /sub/.hidden /%2egit/config /%2Eenv /.git /.git/ /sub/%2ehidden; do
    code=$(curl_tls --path-as-is -o "$WORK/dot" -w '%{http_code}' "$(url "$path")")
    check "dot file $path is 404 ($code)" sh -c "[ '$code' = 404 ] && cmp -s '$WORK/dot' '$WORK/missing'"
done
check "the log says why: reason=hidden_file" log_has 'request="GET /.env" status=404 bytes=[0-9]+ reason=hidden_file'
check "a plain 404 has no such reason" sh -c "grep 'request=\"GET /no-such-file\" status=404' '$WORK/tlsd.log' | grep -vq reason="
check "/.well-known/ is served (RFC 8615)" test "$(curl_tls "$(url /.well-known/acme-challenge/x)")" = "token.thumbprint"
code=$(curl_tls -o "$WORK/handshake.json" -w '%{http_code}' "$(url /.well-known/tlsd/handshake)")
check "the handshake endpoint still answers under /.well-known/ ($code)" sh -c "[ '$code' = 200 ] && grep -q '\"resumed\"' '$WORK/handshake.json'"

# a file larger than one record and than the output high-water mark
curl_tls -o "$WORK/big" "$(url /big.bin)"
check "a 300 KB file arrives intact" cmp -s "$WORK/big" "$DOCROOT/big.bin"

# methods and paths
code=$(curl_tls -o /dev/null -w '%{http_code}' -X DELETE "$(url /)")
check "DELETE is 405" test "$code" = 405
code=$(curl_tls -o /dev/null -w '%{http_code}' --path-as-is "$(url /../../etc/passwd)")
check "a path above the root is refused (400)" test "$code" = 400
code=$(curl_tls -o /dev/null -w '%{http_code}' --path-as-is "$(url /%2e%2e/%2e%2e/etc/passwd)")
check "an encoded path above the root is refused (400)" test "$code" = 400

# two requests on one keep-alive connection
log_has 'request="GET /sub" status=301' >/dev/null
handshakes_before=$(grep -c "stage=established" "$WORK/tlsd.log")
curl_tls -v -o /dev/null -o /dev/null "$(url /)" "$(url /style.css)" 2>"$WORK/keepalive.err"
check "curl reused the connection for the second request" grep -q "Re-using existing connection" "$WORK/keepalive.err"
log_has 'request="GET /style.css" status=200' >/dev/null
sleep 0.2
handshakes_after=$(grep -c "stage=established" "$WORK/tlsd.log")
check "two requests on one connection took one handshake" test $((handshakes_after - handshakes_before)) -eq 1

# Connection: close is honoured
curl_tls -D "$WORK/close" -o /dev/null -H "Connection: close" "$(url /)"
check "Connection: close is answered with Connection: close" grep -qi "^connection: close" "$WORK/close"

# HTTP/1.0 without keep-alive gets Connection: close
curl_tls -0 -D "$WORK/http10" -o /dev/null "$(url /)"
check "HTTP/1.0 gets Connection: close" grep -qi "^connection: close" "$WORK/http10"

# pipelining: two requests in one write, two responses in order
printf 'GET /sub/ HTTP/1.1\r\nHost: localhost\r\n\r\nGET /style.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' \
    | s_client -quiet -ign_eof -CAfile "$CA" >"$WORK/pipelined"
check "pipelined requests both answered" test "$(grep -c '^HTTP/1.1 200' "$WORK/pipelined")" -eq 2
check "pipelined answers come in order" sh -c "grep -n 'sub index\|color: black' '$WORK/pipelined' | head -1 | grep -q 'sub index'"

# the chain: leaf then intermediate, verified against the root only
s_client -CAfile "$CA" -verify_return_error -showcerts </dev/null >"$WORK/chain"
check "openssl s_client verifies the chain" grep -q "Verify return code: 0 (ok)" "$WORK/chain"
check "the server sends leaf and intermediate" test "$(grep -c 'BEGIN CERTIFICATE' "$WORK/chain")" -eq 2
check "the intermediate is the leaf's issuer" grep -q "i:.*tlsd development intermediate CA" "$WORK/chain"

# the log: one established line per handshake, one line per request and close
check "log has established lines" log_has "stage=established .*version=TLS1\.[23] suite=TLS"
check "log has request lines" log_has 'request="GET /" status=200 bytes='"$size"
check "log has closed lines" log_has "closed reason="
check "log names the peer" log_has "conn=[0-9]+ peer=127\.0\.0\.1:[0-9]+"

stop_tlsd
check "SIGTERM stops tlsd with status 0" test "$STOP_STATUS" -eq 0

# Small files are served from memory and looked up again on disk at most
# once a second: an edit shows within that, a removal too.
DOCROOT="$WORK/www"
mkdir -p "$DOCROOT"
printf 'first version\n' >"$DOCROOT/page.txt"
start_tlsd
check "a small file is served" test "$(curl_tls "$(url /page.txt)")" = "first version"
check "... and again from the cache" test "$(curl_tls "$(url /page.txt)")" = "first version"
printf 'second, longer version\n' >"$DOCROOT/page.txt.new" && mv "$DOCROOT/page.txt.new" "$DOCROOT/page.txt"
sleep 1.2
check "an edited file is served new within a second" \
    test "$(curl_tls "$(url /page.txt)")" = "second, longer version"
printf 'same size, new text\n' >"$DOCROOT/page.txt"   # rewritten in place, same inode
sleep 1.2
check "a file rewritten in place is served new too" test "$(curl_tls "$(url /page.txt)")" = "same size, new text"
rm "$DOCROOT/page.txt"
sleep 1.2
code=$(curl_tls -o /dev/null -w '%{http_code}' "$(url /page.txt)")
check "a removed file is 404 within a second ($code)" test "$code" = 404
stop_tlsd
check "the log says it stopped" grep -q "stopped" "$WORK/tlsd.log"

# serve_dotfiles on: dot files are files like any other
mkdir -p "$DOCROOT/.git"
echo "[core]" >"$DOCROOT/.git/config"
echo "PUBLIC=1" >"$DOCROOT/.env"
printf 'serve_dotfiles on\n' >"$WORK/empty.conf"
start_tlsd
check "serve_dotfiles on serves /.env" test "$(curl_tls "$(url /.env)")" = "PUBLIC=1"
check "... and /%2egit/config" test "$(curl_tls --path-as-is "$(url /%2egit/config)")" = "[core]"
stop_tlsd
: >"$WORK/empty.conf"
finish
