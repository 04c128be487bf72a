#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-site-browser.sh: a real browser on a dropped-in static site (issue 14).
# Headless Chromium, trusting the test CA through its own NSS database,
# loads a page that uses what a site uses: a same-origin web font, a video
# it seeks in, an iframe of another page of the site, an external style
# sheet, an inline <style> and an inline <script>. Under tlsd's default
# Content-Security-Policy all of it must work with no violation; tlsd must
# have answered the video with a 206 (a Range request), the page's
# revalidation with a 304, and nothing with a 404. Then the bundled page:
# its favicon served, its own strict <meta> policy, and under it no
# violation and no 404 either.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] || skip_all "no $CHROMIUM (apt-get install chromium)"
command -v certutil >/dev/null 2>&1 || skip_all "no certutil (apt-get install libnss3-tools)"
FONT=""
for candidate in /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/*/*.ttf \
    /usr/share/fonts/opentype/*/*.otf /usr/share/fonts/woff/*/*.woff /usr/share/fonts/*/*/*.woff2; do
    if [ -f "$candidate" ]; then
        FONT=$candidate
        break
    fi
done
[ -n "$FONT" ] || skip_all "no font file under /usr/share/fonts to serve as a web font (apt-get install fonts-dejavu-core)"
case $FONT in
    *.ttf) FONT_NAME=font.ttf FONT_FORMAT=truetype ;;
    *.otf) FONT_NAME=font.otf FONT_FORMAT=opentype ;;
    *.woff) FONT_NAME=font.woff FONT_FORMAT=woff ;;
    *.woff2) FONT_NAME=font.woff2 FONT_FORMAT=woff2 ;;
esac
CLIP="${TESTS_SRCDIR:-$(dirname "$0")}/site/clip.webm"
[ -f "$CLIP" ] || { echo "no $CLIP"; exit 1; }

RUNS=0
# new_home DIR CA: a HOME whose NSS database (what Chromium reads on Linux)
# trusts CA for TLS servers (as in t-browser.sh)
new_home() {
    mkdir -p "$1/.pki/nssdb"
    certutil -N -d "sql:$1/.pki/nssdb" --empty-password || return 1
    certutil -A -d "sql:$1/.pki/nssdb" -t "C,," -n "tlsd test CA" -i "$2" || return 1
}
# chromium HOME ARGS...: one headless Chromium run as HOME, with a fresh
# profile, localhost mapped to the loopback address tlsd listens on, and at
# most 30 s (then it is killed); its console on standard error
chromium() {
    local home=$1
    shift
    RUNS=$((RUNS + 1))
    HOME=$home XDG_CONFIG_HOME=$home/.config XDG_CACHE_HOME=$home/.cache \
    timeout -k 5 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$WORK/profile$RUNS" --autoplay-policy=no-user-gesture-required \
        --enable-logging=stderr --v=0 \
        --host-resolver-rules="MAP localhost 127.0.0.1" "$@"
}
# no_csp_refusal FILE: Chromium's console (on its standard error, FILE)
# reported no Content-Security-Policy violation
no_csp_refusal() { ! grep -Eq 'Refused to|Content Security Policy directive' "$1"; }
# result ID: the text of <output id="ID"> in the dumped DOM
result() {
    sed -n "s/.*<output id=\"$1\">\([^<]*\)<.*/\1/p" "$WORK/dom.html" | head -n 1
}

# ---- the site
DOCROOT="$WORK/site"
mkdir -p "$DOCROOT/media"
cp "$FONT" "$DOCROOT/$FONT_NAME"
cp "$CLIP" "$DOCROOT/media/clip.webm"
cp "$TLSD_WWW/favicon.svg" "$DOCROOT/favicon.svg"
cat >"$DOCROOT/site.css" <<'EOF'
#styled { color: rgb(10, 107, 77); }
body { font-family: "Site Font", sans-serif; }
EOF
cat >"$DOCROOT/frame.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>the framed page</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml"></head>
<body><p>framed</p></body></html>
EOF
cat >"$DOCROOT/index.html" <<EOF
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>t-site-browser</title>
<script>
window.violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
    window.violations.push(e.violatedDirective + " " + e.blockedURI);
});
</script>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="site.css">
<style>
@font-face { font-family: "Site Font"; src: url("$FONT_NAME") format("$FONT_FORMAT"); }
#inline-styled { letter-spacing: 3px; }
</style>
</head>
<body>
<h1 id="styled">A static site</h1>
<p id="inline-styled">styled inline</p>
<iframe id="frame" src="frame.html" width="200" height="60"></iframe>
<video id="video" src="media/clip.webm" preload="auto" muted playsinline></video>
<p>font <output id="font">pending</output>, frame <output id="frame-title">pending</output>,
video <output id="video-state">pending</output>, stylesheet <output id="sheet">pending</output>,
inline style <output id="inline-style">pending</output>, revalidation <output id="revalidated">pending</output>,
violations <output id="violations">pending</output>, <output id="done">running</output></p>
<script>
function show(id, text) { document.getElementById(id).textContent = String(text); }
function once(target, name, failure) {
    return new Promise(function (resolve, reject) {
        target.addEventListener(name, resolve, { once: true });
        if (failure) target.addEventListener(failure, function () { reject(new Error(failure)); }, { once: true });
    });
}
async function step(id, work) {
    try { show(id, await work()); } catch (e) { show(id, "error: " + e.message); }
}
async function run() {
    await step("font", async function () {
        var faces = await document.fonts.load('16px "Site Font"');
        return faces.length > 0 && document.fonts.check('16px "Site Font"') ? "loaded" : "not loaded";
    });
    await step("frame-title", async function () {
        var frame = document.getElementById("frame");
        var doc = frame.contentDocument;
        if (!doc || doc.readyState !== "complete" || doc.URL === "about:blank") {
            await once(frame, "load");
            doc = frame.contentDocument;
        }
        return doc ? doc.title : "no document";
    });
    await step("video-state", async function () {
        var video = document.getElementById("video");
        if (video.error) throw new Error("media error " + video.error.code);
        if (video.readyState < 1) await once(video, "loadedmetadata", "error");
        if (!(video.duration > 0)) return "no duration";
        var seeked = once(video, "seeked", "error");
        video.currentTime = video.duration / 2;
        await seeked;
        return "seeked to " + video.currentTime.toFixed(1) + " of " + video.duration.toFixed(1) +
            " (seekable: " + (video.seekable.length ? video.seekable.start(0) + "-" + video.seekable.end(0) : "nothing") + ")";
    });
    show("sheet", getComputedStyle(document.getElementById("styled")).color);
    show("inline-style", getComputedStyle(document.getElementById("inline-styled")).letterSpacing);
    await step("revalidated", async function () {
        var response = await fetch(location.href, { cache: "no-cache" });
        return response.status;
    });
    show("violations", window.violations.length ? window.violations.join(", ") : "none");
    show("done", "done");
}
run();
</script>
</body>
</html>
EOF
export DOCROOT

start_tlsd
check "an NSS database that trusts the test CA" new_home "$WORK/home" "$CA"
chromium "$WORK/home" --virtual-time-budget=15000 --dump-dom "$(url /)" \
    >"$WORK/dom.html" 2>"$WORK/chromium.err"
echo "# font $(result font); frame $(result frame-title); video $(result video-state); sheet $(result sheet);" \
    "inline $(result inline-style); revalidation $(result revalidated); violations $(result violations)"
check "the page's script ran to its end" test "$(result done)" = done
check "no Content-Security-Policy violation" test "$(result violations)" = none
check "no CSP refusal on Chromium's console" no_csp_refusal "$WORK/chromium.err"
check "the web font loaded" test "$(result font)" = loaded
check "the iframe's title was read" test "$(result frame-title)" = "the framed page"
check "the video was seeked to its middle" sh -c "echo '$(result video-state)' | grep -q '^seeked to 1\.0 of 2\.0 '"
check "the external style sheet applied" test "$(result sheet)" = "rgb(10, 107, 77)"
check "the inline <style> applied" test "$(result inline-style)" = 3px
check "the page's fetch succeeded" test "$(result revalidated)" = 200
check "tlsd served the font" log_has "request=\"GET /$FONT_NAME\" status=200"
check "tlsd served the video's bytes as a 206 (a Range request)" log_has 'request="GET /media/clip.webm" status=206'
check "tlsd answered the page's revalidation with a 304" log_has 'request="GET /(index\.html)?" status=304'
check "tlsd answered nothing with a 404" sh -c "! grep -q 'status=404' '$WORK/tlsd.log'"
stop_tlsd

# ---- the bundled page under its own <meta> policy
DOCROOT="$TLSD_WWW"
export DOCROOT
start_tlsd
curl_tls -D "$WORK/favicon.headers" -o "$WORK/favicon.svg" "$(url /favicon.svg)"
check "the bundled favicon is served as image/svg+xml" \
    sh -c "grep -qi '^content-type: image/svg+xml' '$WORK/favicon.headers' && cmp -s '$WORK/favicon.svg' '$TLSD_WWW/favicon.svg'"
curl_tls -o "$WORK/bundled.html" "$(url /)"
check "the bundled page links it" grep -q '<link rel="icon" href="favicon.svg" type="image/svg+xml">' "$WORK/bundled.html"
check "the bundled page keeps the strict policy in its <meta>" \
    grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'\">" \
    "$WORK/bundled.html"
check "an NSS database for the bundled page" new_home "$WORK/home2" "$CA"
chromium "$WORK/home2" --virtual-time-budget=10000 --dump-dom "$(url /)" \
    >"$WORK/dom-bundled.html" 2>"$WORK/chromium-bundled.err"
check "the bundled page loaded" grep -q "<h1>It works: this page came to you over TLS</h1>" "$WORK/dom-bundled.html"
check "the bundled page's script read the handshake record" \
    sh -c "grep -o '<p [^>]*id=\"handshake-status\"' '$WORK/dom-bundled.html' | grep -q 'class=\"ok\"'"
check "the bundled page: no CSP refusal on Chromium's console" \
    no_csp_refusal "$WORK/chromium-bundled.err"
check "the bundled page: tlsd answered nothing with a 404" sh -c "! grep -q 'status=404' '$WORK/tlsd.log'"
stop_tlsd
finish
