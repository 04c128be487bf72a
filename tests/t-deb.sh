#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-deb.sh: the Debian package under a real systemd as PID 1 (systemd 252,
# Debian 12, booted with systemd-nspawn by the systemd-boot tool). Builds
# the .deb with `make deb` (or takes TLSD_DEB), runs lintian on it when
# lintian is installed (no error or warning that is not overridden), then
# boots a copy of t-systemd-boot.sh's prepared root (it holds the .deb's
# Depends: adduser and the libraries) and runs tests/deb-inner.sh in it:
# apt-get install makes the user, the certificate (key tlsd:tlsd 0600) and
# starts the enabled service, which serves index.html to curl with the CA;
# systemctl reload; --reinstall keeps the certificate and the service;
# remove stops it (port closed); purge removes /etc/tlsd, the user and the
# group; an administrator's own certificate is neither replaced nor purged.
#
# `make check-deb` runs it (root; not part of make check). Environment:
#   TLSD_DEB            a .deb to test instead of building one
#   SYSTEMD_BOOT_RUN, SYSTEMD_BOOT_CACHE  as for t-systemd-boot.sh
#   TLSD_DEB_LOGS       where the container's logs go (default: a new
#                       /tmp/systemd-boot-logs.* directory, kept)
# Exit 77 (skip) only without root, the tool, dpkg-buildpackage (when it
# has to build the .deb), or a container that boots.
set -u
srcdir=${TESTS_SRCDIR:-$(cd "$(dirname "$0")" && pwd)}
builddir=${TLSD_BUILDDIR:-$(pwd)}
run=${SYSTEMD_BOOT_RUN:-$srcdir/../../shared/tools/systemd-boot/run.sh}
cache=${SYSTEMD_BOOT_CACHE:-/tmp}
prepared=$cache/tlsd-systemd-boot-root.tar
started=$(date +%s)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (systemd-nspawn)"
[ -x "$run" ] || skip "no systemd-boot tool at $run (set SYSTEMD_BOOT_RUN)"

root='' lintlog=''
cleanup() {
    [ -n "$root" ] && rm -rf --one-file-system "$root"
    [ -n "$lintlog" ] && rm -f "$lintlog"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- the .deb
deb=${TLSD_DEB:-}
if [ -z "$deb" ]; then
    command -v dpkg-buildpackage >/dev/null || skip "no dpkg-buildpackage (apt-get install dpkg-dev debhelper) and no TLSD_DEB"
    echo "# make deb in $builddir"
    make -s -C "$builddir" deb >"$builddir/deb.log" 2>&1 ||
        { tail -n 40 "$builddir/deb.log"; echo "FAIL - make deb (log: $builddir/deb.log)"; exit 1; }
    deb=$(ls "$builddir"/deb/tlsd_*.deb 2>/dev/null | head -n 1)
    echo "# built in $(( $(date +%s) - started )) s: $deb"
fi
[ -f "$deb" ] || { echo "FAIL - no .deb (${deb:-make deb made none})"; exit 1; }
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
echo "# $(dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ')"
echo "# Depends: $(dpkg-deb -f "$deb" Depends)"

failures=0
# ---- lintian (outside the container): overridden tags do not count
if command -v lintian >/dev/null; then
    lintlog=$(mktemp /tmp/tlsd-deb-lintian.XXXXXX)
    if lintian --fail-on error,warning "$deb" >"$lintlog" 2>&1; then
        echo "ok - lintian: no error or warning that is not overridden"
    else
        cat "$lintlog"
        echo "FAIL - lintian: errors or warnings (above)"; failures=1
    fi
else
    echo "# SKIP lintian: not installed"
fi

# ---- the prepared root (t-systemd-boot.sh makes and caches it)
sh "$srcdir/t-systemd-boot.sh" --prepare >/dev/null 2>&1
rc=$?
[ "$rc" -eq 77 ] && skip "no container root (t-systemd-boot.sh --prepare skipped)"
[ "$rc" -eq 0 ] && [ -s "$prepared" ] || { echo "FAIL - preparing the container root ($prepared, exit $rc)"; exit 1; }

root=$(mktemp -d /tmp/tlsd-deb-root.XXXXXX)
tar -C "$root" -xpf "$prepared" || { echo "FAIL - cannot unpack $prepared"; exit 1; }
chmod 755 "$root"
# the container has no network: the .deb's Depends must be in the root
for p in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*//; s/|.*//; s/ //g'); do
    [ -e "$root/var/lib/dpkg/info/$p.list" ] || [ -e "$root/var/lib/dpkg/info/$p:amd64.list" ] ||
        [ -n "$(ls "$root/var/lib/dpkg/info/$p":*.list 2>/dev/null)" ] ||
        { echo "FAIL - the prepared root lacks $p (a Depends of the .deb): add it to t-systemd-boot.sh's packages"; exit 1; }
done
mkdir -p "$root/var/tmp/tlsd-deb"
cp "$deb" "$root/var/tmp/tlsd-deb/" || { echo "FAIL - copying the .deb"; exit 1; }

logs=${TLSD_DEB_LOGS:-$(mktemp -d /tmp/systemd-boot-logs.XXXXXX)}
"$run" --root "$root" --cgroup unified --logs "$logs" --timeout 600 \
    "$srcdir/deb-inner.sh" "/var/tmp/tlsd-deb/$(basename "$deb")"
rc=$?
echo "# t-deb: $(( $(date +%s) - started )) s in all; logs (journal, console) in $logs"
[ "$rc" -eq 125 ] && skip "systemd-nspawn could not boot the container (run.sh exit 125; see $logs)"
[ "$rc" -eq 0 ] && [ "$failures" -eq 0 ] && exit 0
exit 1
