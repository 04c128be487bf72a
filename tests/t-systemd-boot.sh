#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-systemd-boot.sh: the installed tlsd and its units under a real systemd
# as PID 1 (systemd 252, Debian 12, booted with systemd-nspawn by the
# systemd-boot tool). `make install` into a copy of a prepared root, a PKI
# from tlsd-mkcert, tlsd.service enabled; then, booted, the checks of
# tests/systemd-boot-inner.sh: start at boot as the sysusers user tlsd,
# stop/start/status, the journal, reloads (a keep-alive connection across
# one, a failed one reported by systemctl), socket activation, the
# watchdog, descriptor exhaustion, the ticket-key timer and
# systemd-analyze security.
#
# `make check-systemd` runs it (root; not part of make check: the first run
# builds the base and the prepared root, a few minutes).
# `t-systemd-boot.sh --prepare` only builds those (no tlsd needed), so that
# CI can do it in the background while it builds and tests. Environment:
#   SYSTEMD_BOOT_RUN    the tool (default ../shared/tools/systemd-boot/run.sh
#                       beside the source tree, where this project's machines keep it)
#   SYSTEMD_BOOT_CACHE  where the base and the prepared root are cached (/tmp)
#   TLSD_SYSTEMD_BOOT_INNER  another script to run inside (to debug)
#   TLSD_SYSTEMD_BOOT_LOGS  where the container's logs go (default: a new
#                       /tmp/systemd-boot-logs.* directory, kept)
# Exit 77 (skip) only without root, the tool, or a container that boots.
set -u
prepare_only=0
[ "${1:-}" = --prepare ] && prepare_only=1
[ "$prepare_only" = 1 ] || : "${TLSD:?run through make check-systemd}"
srcdir=${TESTS_SRCDIR:-$(cd "$(dirname "$0")" && pwd)}
run=${SYSTEMD_BOOT_RUN:-$srcdir/../../shared/tools/systemd-boot/run.sh}
cache=${SYSTEMD_BOOT_CACHE:-/tmp}
prepared=$cache/tlsd-systemd-boot-root.tar
# what tlsd (Mbed TLS 2.28 from Debian 12, libevent) and the checks need
packages="libmbedtls14 libmbedcrypto7 libmbedx509-1 libevent-core-2.1-7 curl openssl python3"
started=$(date +%s)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (systemd-nspawn)"
[ -x "$run" ] || skip "no systemd-boot tool at $run (set SYSTEMD_BOOT_RUN)"

stage='' root='' prep=''
cleanup() {
    [ -n "$stage" ] && rm -rf "$stage"
    [ -n "$root" ] && rm -rf --one-file-system "$root"
    [ -n "$prep" ] && rm -rf --one-file-system "$prep"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- the prepared root: the tool's base plus the packages, once
# (one run at a time prepares it; another waits for it)
mkdir -p "$cache"
exec 8>"$prepared.lock"
flock 8
if [ ! -s "$prepared" ] || [ "$(cat "$prepared.packages" 2>/dev/null)" != "$packages" ]; then
    echo "# preparing the container root (apt-get install $packages), once: $prepared"
    prep=$(mktemp -d /tmp/tlsd-systemd-boot-prep.XXXXXX)
    "$run" --net host --root "$prep" --timeout 900 -c \
        "apt-get update -q && apt-get install -y -q --no-install-recommends $packages && apt-get clean" \
        >"$prep.log" 2>&1
    rc=$?
    [ "$rc" -eq 0 ] || tail -n 30 "$prep.log"
    rm -f "$prep.log"
    [ "$rc" -eq 125 ] && skip "systemd-nspawn could not boot the container (run.sh exit 125)"
    [ "$rc" -eq 0 ] || { echo "FAIL - preparing the container root (exit $rc)"; exit 1; }
    rm -rf "$prep/var/lib/apt/lists/"* "$prep/var/log/journal/"* "$prep/var/tmp/systemd-boot"
    tar --numeric-owner -C "$prep" -cf "$prepared.tmp" . && mv -f "$prepared.tmp" "$prepared" &&
        echo "$packages" >"$prepared.packages" || { echo "FAIL - cannot write $prepared"; exit 1; }
    rm -rf --one-file-system "$prep"; prep=''
fi
flock -u 8

[ "$prepare_only" = 1 ] && { echo "# prepared: $prepared ($(( $(date +%s) - started )) s)"; exit 0; }

# ---- this build, installed into a fresh copy
builddir=$(cd "$(dirname "$TLSD")/.." && pwd)
stage=$(mktemp -d /tmp/tlsd-systemd-boot-stage.XXXXXX)
make -s -C "$builddir" install DESTDIR="$stage" >"$stage.install.log" 2>&1 ||
    { cat "$stage.install.log"; rm -f "$stage.install.log"; echo "FAIL - make install"; exit 1; }
rm -f "$stage.install.log"
unit=$(find "$stage" -name tlsd.service -type f | head -n 1)
[ -n "$unit" ] || { echo "FAIL - make install put no tlsd.service (configured --with-systemdsystemunitdir=no?)"; exit 1; }
[ -n "$(find "$stage" -path '*sysusers.d/tlsd.conf')" ] || { echo "FAIL - make install put no sysusers.d/tlsd.conf"; exit 1; }
sbindir=$(sed -n 's|^ExecStart=\(.*\)/tlsd .*|\1|p' "$unit")
bindir=$(dirname "$(find "$stage" -name tlsd-mkcert -type f | head -n 1)"); bindir=${bindir#"$stage"}
sysconfdir=$(dirname "$(dirname "$(find "$stage" -path '*/tlsd/tlsd.conf' | head -n 1)")"); sysconfdir=${sysconfdir#"$stage"}
unit=${unit#"$stage"}
echo "# installed: $sbindir/tlsd, $bindir/tlsd-mkcert, $sysconfdir/tlsd/tlsd.conf, $unit"

root=$(mktemp -d /tmp/tlsd-systemd-boot-root.XXXXXX)
tar -C "$root" -xpf "$prepared" || { echo "FAIL - cannot unpack $prepared"; exit 1; }
# merged /usr: /lib is a link to usr/lib, keep it one
tar -C "$stage" -cf - . | tar -C "$root" --keep-directory-symlink -xpf - || { echo "FAIL - copying the install"; exit 1; }
chmod 755 "$root"   # mktemp's 0700 would keep every user but root out of /
"$builddir/src/tlsd-mkcert" -d "$root$sysconfdir/tlsd" >/dev/null || { echo "FAIL - tlsd-mkcert"; exit 1; }
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf "$unit" "$root/etc/systemd/system/multi-user.target.wants/tlsd.service"
mkdir -p "$root/var/tmp/tlsd-test"
cp "$srcdir/systemd-boot-clients.py" "$root/var/tmp/tlsd-test/clients.py"

logs=${TLSD_SYSTEMD_BOOT_LOGS:-$(mktemp -d /tmp/systemd-boot-logs.XXXXXX)}
"$run" --root "$root" --cgroup unified --logs "$logs" --timeout 900 \
    "${TLSD_SYSTEMD_BOOT_INNER:-$srcdir/systemd-boot-inner.sh}" "$sbindir" "$bindir" "$sysconfdir"
rc=$?
echo "# t-systemd-boot: $(( $(date +%s) - started )) s in all; logs (journal, console) in $logs"
if [ "$rc" -eq 125 ]; then
    # a tlsd.service that fails in a loop keeps the boot from ending: not a skip
    if grep -q 'Failed to start.*tlsd' "$logs/console.log" 2>/dev/null; then
        echo "FAIL - tlsd.service failed to start at boot (see $logs/console.log)"; exit 1
    fi
    skip "systemd-nspawn could not boot the container (run.sh exit 125; see $logs)"
fi
exit "$rc"
