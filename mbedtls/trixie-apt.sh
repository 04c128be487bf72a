# SPDX-License-Identifier: Apache-2.0
# mbedtls/trixie-apt.sh: sourced by mbedtls/build.sh and .ci/mbedtls36.sh.
# Defines trixie_apt: apt-get pointed at Debian 13 (trixie) through a
# private state directory, on the mirrors this machine's apt already uses
# (its Debian mirror and its security archive),
# so nothing of the system's apt configuration or package set changes.
# apt verifies what it fetches exactly as for the system: the Release file
# against debian-archive-keyring, the indices and every file (.deb, .dsc,
# tarballs) against the hashes they list.
#
#   trixie_apt_init      sets $trixie_state (removed on exit) and runs update
#   trixie_apt ARGS...   apt-get with the private state (download, source)
#   trixie_apt_cache ARGS...  apt-cache with it (showsrc)

trixie_mirror() {
    mirror=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
        mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
    fi
    [ -n "$mirror" ] || { echo "cannot find the Debian mirror in the apt sources (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list)" >&2; return 1; }
    printf '%s\n' "$mirror"
}

# The security archive the system uses, if any (where Debian's security
# updates of mbedtls appear first).
trixie_security_mirror() {
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        awk '/^URIs:/ { uri = $2 } /^Suites:/ && /-security/ { print uri; exit }' /etc/apt/sources.list.d/debian.sources
    elif [ -f /etc/apt/sources.list ]; then
        awk '$1 == "deb" && $0 ~ /-security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list
    fi
}

trixie_apt() {
    trixie_run_apt apt-get "$@"
}

trixie_apt_cache() {
    trixie_run_apt apt-cache "$@"
}

trixie_run_apt() {
    tool=$1
    shift
    "$tool" -o Dir::Etc::SourceList="$trixie_state/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::State::Lists="$trixie_state/lists" -o Dir::Cache="$trixie_state/cache" \
        -o Debug::NoLocking=1 "$@"
}

trixie_apt_init() {
    [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || {
        echo "no /usr/share/keyrings/debian-archive-keyring.gpg: apt-get install debian-archive-keyring" >&2
        return 1
    }
    trixie_mirror_url=$(trixie_mirror) || return 1
    trixie_state=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: the directory is fixed
    trap "rm -rf '$trixie_state'" EXIT
    mkdir -p "$trixie_state/lists/partial" "$trixie_state/cache/archives/partial" "$trixie_state/work"
    chmod -R a+rwX "$trixie_state"   # apt's download sandbox user must be able to write
    security=$(trixie_security_mirror)
    keyring="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
    for kind in deb deb-src; do
        echo "$kind $keyring $trixie_mirror_url trixie main"
        echo "$kind $keyring $trixie_mirror_url trixie-updates main"
        [ -z "$security" ] || echo "$kind $keyring $security trixie-security main"
    done >"$trixie_state/sources.list"
    trixie_apt update -q
}
