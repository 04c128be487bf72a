#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Cross-check the test vectors against Wireshark's dissector (tshark).

For each pcap/NAME.pcap (recorded on lo while capture.py took NAME.hex):
  - the client's TCP payload of the first ClientHello's stream must be the
    bytes of NAME.hex, so tshark and the tests look at the same hello;
  - tshark's fields must agree with NAME.expected: versions, cipher suites,
    extensions, SNI, ALPN, groups, point formats, signature algorithms,
    supported_versions, key_share groups, and tshark's own JA3
    (tls.handshake.ja3_full and tls.handshake.ja3; tshark 4.0 has no JA4).

    python3 crosscheck_tshark.py [NAME...]     (default: every pcap)
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

FIELDS = [
    "tcp.stream", "tls.record.version", "tls.handshake.version",
    "tls.handshake.ciphersuite", "tls.handshake.extension.type",
    "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str",
    "tls.handshake.extensions.supported_version",
    "tls.handshake.extensions_supported_group",
    "tls.handshake.extensions_ec_point_format", "tls.handshake.sig_hash_alg",
    "tls.handshake.extensions_key_share_group", "tls.handshake.ja3_full",
    "tls.handshake.ja3", "tls.handshake.session_id_length",
]


def tshark(pcap, display_filter, fields):
    cmd = ["tshark", "-r", pcap, "-Y", display_filter, "-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=\t"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line.strip()]


def numbers(text):
    return [int(v, 0) for v in text.split(",") if v]


def load_expected(name):
    values = {}
    with open(os.path.join(HERE, name + ".expected")) as f:
        for line in f:
            if line.startswith("#") or "=" not in line:
                continue
            key, value = line.rstrip("\n").split("=", 1)
            values[key] = value
    return values


def hexlist(values):
    return ",".join("%04x" % v for v in values)


def check(name):
    pcap = os.path.join(HERE, "pcap", name + ".pcap")
    with open(os.path.join(HERE, name + ".hex")) as f:
        captured = bytes.fromhex("".join(f.read().split()))
    rows = tshark(pcap, "tls.handshake.type == 1", FIELDS)
    if not rows:
        return [f"no ClientHello in {pcap}"]
    row = dict(zip(FIELDS, rows[0]))
    stream = row["tcp.stream"]

    # The same bytes: the client's payload on that stream, in order.
    payload = b""
    for (port, data) in tshark(pcap, f"tcp.stream == {stream} && tcp.len > 0",
                               ["tcp.dstport", "tcp.payload"]):
        payload += bytes.fromhex(data.replace(":", ""))
    problems = []
    if not payload.startswith(captured):
        problems.append("the pcap's client payload is not the .hex bytes")

    e = load_expected(name)
    # A hello in several records shows each record's version: the first counts.
    got = {
        "record_version": "0x%04x" % numbers(row["tls.record.version"])[0],
        "client_version": "0x%04x" % numbers(row["tls.handshake.version"])[0],
        "session_id_length": str(numbers(row["tls.handshake.session_id_length"])[0]),
        "cipher_suites": hexlist(numbers(row["tls.handshake.ciphersuite"])),
        "extensions": hexlist(numbers(row["tls.handshake.extension.type"])),
        "sni": row["tls.handshake.extensions_server_name"],
        "alpn": row["tls.handshake.extensions_alpn_str"],
        "supported_versions": hexlist(numbers(row["tls.handshake.extensions.supported_version"])),
        "groups": hexlist(numbers(row["tls.handshake.extensions_supported_group"])),
        "ec_point_formats": hexlist(numbers(row["tls.handshake.extensions_ec_point_format"])),
        "signature_algorithms": hexlist(numbers(row["tls.handshake.sig_hash_alg"])),
        "key_share_groups": hexlist(numbers(row["tls.handshake.extensions_key_share_group"])),
        "ja3": row["tls.handshake.ja3_full"],
        "ja3_md5": row["tls.handshake.ja3"],
    }
    for key, value in got.items():
        if e.get(key) != value:
            problems.append(f"{key}: tshark {value!r}, expected {e.get(key)!r}")
    return problems


def main(argv):
    names = argv[1:] or sorted(p[:-5] for p in os.listdir(os.path.join(HERE, "pcap"))
                               if p.endswith(".pcap"))
    status = 0
    for name in names:
        problems = check(name)
        print(f"{name}: " + ("agrees with tshark" if not problems else "DIFFERS"))
        for p in problems:
            print("    " + p)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
