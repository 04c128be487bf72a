#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/summary.py: the one table of bench/compare.sh (make bench).

    summary.py --harness RESULTS.json --work DIR NAME=TLSD...

Reads the shared harness's JSON (TLS 1.2: full ECDSA/RSA, resumed and
keep-alive per busy server core, KB per idle connection), each build's
crypto floor before and after it (DIR/floor-NAME.before|after), and
bench/tls13.sh's and bench/bulk.sh's output (DIR/tls13.txt, DIR/bulk.txt).
Prints the figures per build as ratios to nginx (and, where the issue's
targets name them, to lighttpd, to the Debian-config 3.6 build and to the
build's own crypto floor)."""
import argparse
import json
import os
import re
import sys

LABELS = {"d228": "2.28 Debian", "sys36": "3.6 Debian", "own": "3.6 tlsd"}


def read_floor(path):
    values = {}
    try:
        with open(path) as f:
            for line in f:
                m = re.match(r"floor=(\S+) max_hs_per_s=([\d.]+)", line)
                if m:
                    values[m.group(1)] = float(m.group(2))
    except OSError:
        pass
    return values


def per_core(server, figure):
    entry = server.get(figure) or {}
    return entry.get("per_server_core") if entry.get("valid") else None


def read_table(path, first_column):
    """Rows of a whitespace table printed by tls13.sh or bulk.sh."""
    rows = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if parts and parts[0] in first_column:
                    rows[parts[0]] = parts
    except OSError:
        pass
    return rows


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--harness", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("builds", nargs="+")
    args = parser.parse_args()
    names = [b.split("=", 1)[0] for b in args.builds]
    with open(args.harness) as f:
        results = json.load(f)
    servers = results["servers"]
    nginx, lighttpd = servers.get("nginx", {}), servers.get("lighttpd", {})
    meta = results.get("meta", {})
    tls13 = {n: r for n, r in read_table(os.path.join(args.work, "tls13.txt"), names).items()
             if "only)" not in r}   # "(TLS 1.2 only)" rows have no figures
    bulk = read_table(os.path.join(args.work, "bulk.txt"), ["tlsd", "nginx"] + names)

    columns = names + ["nginx", "lighttpd"]
    header = f"{'figure (per busy server core)':44}" + "".join(f"{LABELS.get(n, n):>13}" for n in columns)
    lines = [f"tlsd on each Mbed TLS build, nginx and lighttpd+mod_mbedtls: one run "
             f"({meta.get('mode', '?')} mode, {meta.get('cpu_model', '?')}, {meta.get('date', '?')})",
             "TLS 1.2 ECDHE X25519 unless said; ratios to nginx in this run", "", header]

    def row(label, values):
        lines.append(f"{label:44}" + "".join(f"{v:>13}" for v in values))

    for figure, label in (("full_ecdsa", "full ECDSA handshakes, x nginx"),
                          ("full_rsa", "full RSA-2048 handshakes, x nginx"),
                          ("resumed", "resumed handshakes, x nginx"),
                          ("keepalive", "keep-alive requests, x nginx")):
        base = per_core(nginx, figure)
        row(label, [ratio(per_core(servers.get(f"tlsd_{n}", {}), figure), base) for n in names]
            + ["1.00" if base else "-", ratio(per_core(lighttpd, figure), base)])
    base = per_core(lighttpd, "full_ecdsa")
    row("full ECDSA handshakes, x lighttpd",
        [ratio(per_core(servers.get(f"tlsd_{n}", {}), "full_ecdsa"), base) for n in names] + ["", "1.00"])
    shares = []
    for n in names:
        floor = [read_floor(os.path.join(args.work, f"floor-{n}.{when}")).get("ecdsa_x25519")
                 for when in ("before", "after")]
        rate = per_core(servers.get(f"tlsd_{n}", {}), "full_ecdsa")
        shares.append(f"{100 * rate / (sum(floor) / 2):.0f}%" if rate and all(floor) else "-")
    row("full ECDSA, share of its library's floor", shares + ["", ""])
    floors = [read_floor(os.path.join(args.work, f"floor-{n}.before")).get("ecdsa_x25519") for n in names]
    row("  floor: 1/(ECDSA sign + X25519), per s", [f"{f:.0f}" if f else "-" for f in floors] + ["", ""])
    memory = [(servers.get(f"tlsd_{n}", {}).get("memory") or {}).get("value") for n in names]
    memory += [(nginx.get("memory") or {}).get("value"), (lighttpd.get("memory") or {}).get("value")]
    row("KB per idle established connection", [f"{m:.1f}" if m else "-" for m in memory])
    first13 = next((n for n in names if n in tls13), None)
    for column, label in ((-4, "TLS 1.3 full handshakes"), (-3, "TLS 1.3 resumed handshakes")):
        values = [number(tls13[n][column]) if n in tls13 else None for n in names]
        base_value = number(tls13[first13][column]) if first13 else None
        row(f"{label}, x {LABELS.get(first13, first13)}",
            [ratio(v, base_value) if v else "(1.2 only)" for v in values] + ["", ""])
        row("  per s", [f"{v:.0f}" if v else "-" for v in values] + ["", ""])
    speeds = {n: number(bulk[key][-3]) for n, key in [(n, "tlsd" if n == "own" else n) for n in names]
              if key in bulk}
    nginx_speed = number(bulk["nginx"][-3]) if "nginx" in bulk else None
    row("bulk download MB/s (TLS 1.2), x nginx",
        [ratio(speeds.get(n), nginx_speed) for n in names] + ["1.00" if nginx_speed else "-", ""])
    row("  MB/s", [f"{speeds[n]:.0f}" if speeds.get(n) else "-" for n in names]
        + [f"{nginx_speed:.0f}" if nginx_speed else "-", ""])
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
