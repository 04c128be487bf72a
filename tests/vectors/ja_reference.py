#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent reference for the ClientHello test vectors.

Written from the specifications, not from src/clienthello.c:
  - TLS records and the ClientHello: RFC 8446 (5.1, 4.1.2, 4.2), RFC 6066
    (server_name), RFC 7301 (ALPN), RFC 8422 (groups, point formats);
  - JA3: salesforce/ja3 (README and ja3.py): "SSLVersion,Ciphers,Extensions,
    EllipticCurves,EllipticCurvePointFormats", decimal values joined by '-',
    GREASE (RFC 8701) left out of every list, MD5 of the text;
  - JA4: FoxIO-LLC/ja4 technical_details/JA4.md.

Usage:
  ja_reference.py NAME.hex            print NAME.expected to standard output
  ja_reference.py --write NAME.hex... write each NAME.expected beside it
  ja_reference.py --check NAME.hex... compare with the NAME.expected files
  ja_reference.py --selftest          the worked examples of JA4.md
"""
import hashlib
import struct
import sys

GREASE = {(b << 8) | b for b in range(0x0A, 0x100, 0x10)}


def is_grease(value):
    return value in GREASE


class Malformed(Exception):
    pass


class Reader:
    """Bounds-checked reads over a bytes object."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def take(self, n):
        if n > self.remaining():
            raise Malformed(f"need {n} bytes, {self.remaining()} left")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u24(self):
        hi, lo = struct.unpack(">BH", self.take(3))
        return (hi << 16) | lo

    def vector(self, length_bytes):
        n = {1: self.u8, 2: self.u16}[length_bytes]()
        return Reader(self.take(n))

    def end(self):
        if self.remaining():
            raise Malformed(f"{self.remaining()} bytes left over")


def join_records(stream):
    """Join handshake record fragments until one whole handshake message."""
    r = Reader(stream)
    message = b""
    record_version = None
    record_bytes = 0
    while True:
        content_type = r.u8()
        version = r.u16()
        fragment = r.take(r.u16())
        if content_type != 22:
            raise Malformed(f"record type {content_type}")
        if not fragment:
            raise Malformed("zero-length handshake fragment")
        if record_version is None:
            record_version = version
        message += fragment
        record_bytes = r.pos
        if len(message) >= 4:
            msg_type = message[0]
            length = int.from_bytes(message[1:4], "big")
            if msg_type != 1:
                raise Malformed(f"handshake type {msg_type}")
            if len(message) >= 4 + length:
                return record_version, record_bytes, message[4:4 + length]


def parse_client_hello(body):
    h = {
        "extensions": [], "groups": [], "ec_point_formats": [],
        "signature_algorithms": [], "supported_versions": [],
        "key_share_groups": [], "psk_key_exchange_modes": [],
        "alpn": [], "sni": None, "has_sni": False,
        "session_ticket_length": None, "flags": set(),
    }
    r = Reader(body)
    h["client_version"] = r.u16()
    h["random"] = r.take(32)
    session_id = r.vector(1)
    if session_id.remaining() > 32:
        raise Malformed("session_id > 32")
    h["session_id_length"] = session_id.remaining()
    suites = r.vector(2)
    if suites.remaining() < 2 or suites.remaining() % 2:
        raise Malformed("cipher_suites length")
    h["cipher_suites"] = [suites.u16() for _ in range(suites.remaining() // 2)]
    compression = r.vector(1)
    if compression.remaining() < 1:
        raise Malformed("no compression method")
    h["compression_methods"] = list(compression.take(compression.remaining()))
    if r.remaining() == 0:
        h["extensions_present"] = False
        return h
    h["extensions_present"] = True
    block = r.vector(2)
    r.end()
    while block.remaining():
        ext_type = block.u16()
        data = block.vector(2)
        if ext_type in h["extensions"]:
            raise Malformed(f"duplicate extension {ext_type}")
        h["extensions"].append(ext_type)
        parse_extension(h, ext_type, data)
    return h


def u16_list(vec, minimum):
    if vec.remaining() < minimum or vec.remaining() % 2:
        raise Malformed("list length")
    return [vec.u16() for _ in range(vec.remaining() // 2)]


def parse_extension(h, ext_type, d):
    if ext_type == 0:                      # RFC 6066 server_name
        h["has_sni"] = True
        names = d.vector(2)
        d.end()
        if not names.remaining():
            raise Malformed("empty server_name_list")
        while names.remaining():
            name_type = names.u8()
            n = names.u16()
            value = names.take(n)
            if n == 0:
                raise Malformed("empty host_name")
            if name_type == 0 and h["sni"] is None:
                h["sni"] = value
    elif ext_type == 10:
        h["groups"] = u16_list(d.vector(2), 2)
        d.end()
    elif ext_type == 11:
        formats = d.vector(1)
        d.end()
        if not formats.remaining():
            raise Malformed("empty ec_point_formats")
        h["ec_point_formats"] = list(formats.take(formats.remaining()))
    elif ext_type == 13:
        h["signature_algorithms"] = u16_list(d.vector(2), 2)
        d.end()
    elif ext_type == 16:                   # RFC 7301
        names = d.vector(2)
        d.end()
        if not names.remaining():
            raise Malformed("empty protocol_name_list")
        while names.remaining():
            name = names.vector(1)
            if not name.remaining():
                raise Malformed("empty protocol name")
            h["alpn"].append(name.take(name.remaining()))
    elif ext_type == 43:                   # client form
        h["supported_versions"] = u16_list(d.vector(1), 2)
        d.end()
    elif ext_type == 51:                   # client form
        shares = d.vector(2)
        d.end()
        while shares.remaining():
            group = shares.u16()
            key = shares.vector(2)
            if not key.remaining():
                raise Malformed("empty key_exchange")
            h["key_share_groups"].append(group)
    elif ext_type == 45:
        modes = d.vector(1)
        d.end()
        if not modes.remaining():
            raise Malformed("empty psk_key_exchange_modes")
        h["psk_key_exchange_modes"] = list(modes.take(modes.remaining()))
    elif ext_type == 35:
        h["session_ticket_length"] = d.remaining()
        d.take(d.remaining())
    elif ext_type == 41:
        identities = d.vector(2)
        binders = d.vector(2)
        d.end()
        if not identities.remaining() or not binders.remaining():
            raise Malformed("empty pre_shared_key lists")
        while identities.remaining():
            if not identities.vector(2).remaining():
                raise Malformed("empty identity")
            identities.take(4)
        while binders.remaining():
            if binders.vector(1).remaining() < 32:
                raise Malformed("short binder")
        h["flags"].add("pre_shared_key")
    elif ext_type == 42:
        d.end()
        h["flags"].add("early_data")
    elif ext_type == 0xFF01:
        d.vector(1)
        d.end()
        h["flags"].add("renegotiation_info")
    elif ext_type == 23:
        d.end()
        h["flags"].add("extended_master_secret")
    else:
        d.take(d.remaining())


def ja3(h):
    def dashed(values):
        return "-".join(str(v) for v in values if not is_grease(v))
    text = ",".join([
        str(h["client_version"]),
        dashed(h["cipher_suites"]),
        dashed(h["extensions"]),
        dashed(h["groups"]),
        dashed(h["ec_point_formats"]),
    ])
    return text, hashlib.md5(text.encode()).hexdigest()


JA4_VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10",
                0x0300: "s3", 0x0002: "s2",
                0xFEFF: "d1", 0xFEFD: "d2", 0xFEFC: "d3"}


def ja4_alpn(alpn):
    if not alpn or not alpn[0]:
        return "00"
    value = alpn[0]

    def alnum(b):
        return 0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A
    if alnum(value[0]) and alnum(value[-1]):
        return chr(value[0]) + chr(value[-1])
    hexed = value.hex()
    return hexed[0] + hexed[-1]


def sha12(text):
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def ja4_parts(version, has_sni, ciphers, extensions, sigalgs, alpn,
              transport="t"):
    ciphers = [c for c in ciphers if not is_grease(c)]
    extensions = [e for e in extensions if not is_grease(e)]
    sigalgs = [s for s in sigalgs if not is_grease(s)]
    a = "%s%s%s%02d%02d%s" % (transport, JA4_VERSIONS.get(version, "00"),
                              "d" if has_sni else "i", min(len(ciphers), 99),
                              min(len(extensions), 99), ja4_alpn(alpn))
    b_raw = ",".join("%04x" % c for c in sorted(ciphers))
    c_raw = ",".join("%04x" % e for e in sorted(extensions)
                     if e not in (0x0000, 0x0010))
    if sigalgs:
        c_raw += "_" + ",".join("%04x" % s for s in sigalgs)
    b = sha12(b_raw) if ciphers else "000000000000"
    c = sha12(c_raw) if c_raw else "000000000000"
    return a + "_" + b + "_" + c, a + "_" + b_raw + "_" + c_raw


def ja4(h):
    version = h["client_version"]
    if 43 in h["extensions"]:
        offered = [v for v in h["supported_versions"] if not is_grease(v)]
        if offered:
            version = max(offered)
    return ja4_parts(version, h["has_sni"], h["cipher_suites"],
                     h["extensions"], h["signature_algorithms"], h["alpn"])


def hexlist(values):
    return ",".join("%04x" % v for v in values)


def expected(stream):
    record_version, record_bytes, body = join_records(stream)
    h = parse_client_hello(body)
    sni = h["sni"] or b""
    printable = 0 < len(sni) <= 255 and all(0x21 <= b <= 0x7E for b in sni)
    text, md5 = ja3(h)
    fingerprint, raw = ja4(h)
    lines = [
        ("record_version", "0x%04x" % record_version),
        ("record_bytes", str(record_bytes)),
        ("message_length", str(len(body))),
        ("client_version", "0x%04x" % h["client_version"]),
        ("session_id_length", str(h["session_id_length"])),
        ("cipher_count", str(len(h["cipher_suites"]))),
        ("cipher_suites", hexlist(h["cipher_suites"])),
        ("compression_methods", hexlist(h["compression_methods"])),
        ("extensions", hexlist(h["extensions"])),
        ("groups", hexlist(h["groups"])),
        ("ec_point_formats", hexlist(h["ec_point_formats"])),
        ("signature_algorithms", hexlist(h["signature_algorithms"])),
        ("supported_versions", hexlist(h["supported_versions"])),
        ("key_share_groups", hexlist(h["key_share_groups"])),
        ("psk_key_exchange_modes", hexlist(h["psk_key_exchange_modes"])),
        ("has_sni", "1" if h["has_sni"] else "0"),
        ("sni", sni.decode("ascii") if printable else ""),
        ("alpn", ",".join(a.decode("latin-1") for a in h["alpn"])),
        ("has_session_ticket",
         "0" if h["session_ticket_length"] is None else "1"),
        ("session_ticket_length", str(h["session_ticket_length"] or 0)),
        ("has_pre_shared_key", "1" if "pre_shared_key" in h["flags"] else "0"),
        ("has_early_data", "1" if "early_data" in h["flags"] else "0"),
        ("has_renegotiation_info",
         "1" if ("renegotiation_info" in h["flags"]
                 or 0x00FF in h["cipher_suites"]) else "0"),
        ("has_extended_master_secret",
         "1" if "extended_master_secret" in h["flags"] else "0"),
        ("ja3", text),
        ("ja3_md5", md5),
        ("ja4", fingerprint),
    ]
    out = "# from ja_reference.py; ja4_r=%s\n" % raw
    return out + "".join("%s=%s\n" % kv for kv in lines)


def read_hex(path):
    with open(path) as f:
        return bytes.fromhex("".join(f.read().split()))


def selftest():
    # JA4.md's worked example.
    ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
               0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035]
    exts = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
            0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015]
    sigs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
    got, _ = ja4_parts(0x0304, True, ciphers, exts, sigs, [b"h2"])
    assert got == "t13d1516h2_8daaf6152771_e5627efa2ab1", got
    got, _ = ja4_parts(0x0304, True, ciphers, exts, [], [b"h2"])
    assert got.endswith("_6d807ffa2a79"), got
    # JA4.md's ALPN examples.
    for value, want in [(b"\xab", "ab"), (b"\x20", "20"), (b"\xab\xcd", "ad"),
                        (b"\x20\x61", "21"), (b"\x30\xab", "3b"),
                        (b"\x61\x20", "60"), (b"\x30\x31\xab\xcd", "3d"),
                        (b"\x30\xab\xcd\x31", "01"), (b"http/1.1", "h1"),
                        (b"h", "hh")]:
        assert ja4_alpn([value]) == want, (value, ja4_alpn([value]))
    assert ja4_alpn([]) == "00"
    print("selftest ok")


def main(argv):
    if argv[1:] == ["--selftest"]:
        selftest()
        return 0
    mode = None
    if argv[1] in ("--write", "--check"):
        mode = argv[1]
        paths = argv[2:]
    else:
        paths = argv[1:]
    status = 0
    for path in paths:
        text = expected(read_hex(path))
        target = path[:-len(".hex")] + ".expected"
        if mode == "--write":
            with open(target, "w") as f:
                f.write(text)
        elif mode == "--check":
            with open(target) as f:
                if f.read() != text:
                    print(f"{target}: differs from ja_reference.py")
                    status = 1
                else:
                    print(f"{target}: ok")
        else:
            sys.stdout.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
