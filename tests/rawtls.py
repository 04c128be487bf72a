#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""rawtls.py: hand-made TLS 1.2 handshake bytes against tlsd, and what it
answers: one line such as

  case=sni_empty server_hello=no alert=fatal:decode_error closed=yes

Each --case is a ClientHello (and for some, what follows tlsd's first
flight) that a real client would not send, to see which alert tlsd sends:

  ok               a well-formed hello (control: tlsd answers with its flight)
  sni_empty        server_name extension with no data at all
  sni_trailing     server_name extension with a byte after the name list
  sni_length       server_name list length larger than the extension
  bad_point        offers only P-256, then a ClientKeyExchange whose point is
                   not on the curve
  early_finished   a Finished message where the ClientKeyExchange belongs
  old_version      a TLS 1.1 hello (client_version 3.2, no supported_versions)
  oversized        after the flight, a record longer than TLS allows
  client_alert     after the flight, a fatal alert of the client's own
  resume_no_ems    offers --session-id (hex) without extended_master_secret
  resume_ems       offers --session-id (hex) with extended_master_secret

Only plaintext is involved: nothing is encrypted, no key is derived. Only
loopback addresses are contacted; every read has a deadline.
"""
import argparse
import ipaddress
import os
import socket
import struct
import sys
import time

ALERTS = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
    40: "handshake_failure", 42: "bad_certificate", 47: "illegal_parameter", 50: "decode_error",
    51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
    86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation",
    109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
    120: "no_application_protocol",
}
CASES = ["ok", "sni_empty", "sni_trailing", "sni_length", "bad_point", "early_finished", "old_version",
         "oversized", "client_alert", "resume_no_ems", "resume_ems"]


def u8(value):
    return struct.pack("!B", value)


def u16(value):
    return struct.pack("!H", value)


def vector16(data):
    return u16(len(data)) + data


def extension(kind, data):
    return u16(kind) + vector16(data)


def server_name_data(case, name=b"localhost"):
    entry = u8(0) + vector16(name)
    if case == "sni_empty":
        return b""
    if case == "sni_trailing":
        return vector16(entry) + b"\x00"
    if case == "sni_length":
        return u16(len(entry) + 5) + entry
    return vector16(entry)


def client_hello(case, session_id=b""):
    p256_only = case == "bad_point"
    groups = [0x0017] if p256_only else [0x001d, 0x0017]
    suites = [0xc02b, 0xc02f]      # ECDHE-ECDSA / ECDHE-RSA with AES-128-GCM: SHA-256
    extensions = [
        extension(0x0000, server_name_data(case)),
        extension(0x000a, vector16(b"".join(u16(g) for g in groups))),
        extension(0x000b, u8(1) + u8(0)),
        extension(0x000d, vector16(b"".join(u16(s) for s in (0x0403, 0x0804, 0x0401)))),
        extension(0xff01, u8(0)),
    ]
    if case != "resume_no_ems":
        extensions.append(extension(0x0017, b""))
    version = 0x0302 if case == "old_version" else 0x0303
    body = (u16(version) + os.urandom(32) + u8(len(session_id)) + session_id +
            vector16(b"".join(u16(s) for s in suites)) + u8(1) + u8(0) + vector16(b"".join(extensions)))
    return handshake(1, body)


def handshake(kind, body):
    return u8(kind) + struct.pack("!I", len(body))[1:] + body


def record(kind, fragment, version=0x0303):
    return u8(kind) + u16(version) + u16(len(fragment)) + fragment


class Reader:
    """Records from tlsd, with a deadline on every read."""

    def __init__(self, sock, deadline):
        self.sock = sock
        self.deadline = deadline
        self.buffer = b""
        self.closed = False

    def fill(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return False
        except (ConnectionResetError, BrokenPipeError):
            self.closed = True
            return False
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def record(self):
        while len(self.buffer) < 5 or len(self.buffer) < 5 + struct.unpack("!H", self.buffer[3:5])[0]:
            if not self.fill():
                return None
        length = struct.unpack("!H", self.buffer[3:5])[0]
        kind, fragment = self.buffer[0], self.buffer[5:5 + length]
        self.buffer = self.buffer[5 + length:]
        return kind, fragment


class Outcome:
    def __init__(self):
        self.messages = []       # handshake message types tlsd sent
        self.session_id = b""
        self.alert = None
        self.closed = False


def read_flight(reader, outcome, until):
    """Read tlsd's records until a handshake message of type `until`, an
    alert, the end of the stream, or the deadline."""
    while True:
        got = reader.record()
        if got is None:
            outcome.closed = reader.closed
            return False
        kind, fragment = got
        if kind == 21 and len(fragment) == 2:
            level = "fatal" if fragment[0] == 2 else "warning"
            outcome.alert = "%s:%s" % (level, ALERTS.get(fragment[1], str(fragment[1])))
            return False
        if kind == 20:
            outcome.messages.append("change_cipher_spec")
            return False   # what follows is encrypted
        if kind != 22:
            continue
        at = 0
        while at + 4 <= len(fragment):
            message = fragment[at]
            size = struct.unpack("!I", b"\x00" + fragment[at + 1:at + 4])[0]
            body = fragment[at + 4:at + 4 + size]
            outcome.messages.append(message)
            if message == 2 and len(body) >= 35:
                outcome.session_id = body[35:35 + body[34]]
            at += 4 + size
            if message == until:
                return True


def after_flight(case):
    if case == "bad_point":
        point = b"\x04" + b"\x01" * 64       # (1...1, 1...1) is not on P-256
        return record(22, handshake(16, u8(len(point)) + point))
    if case == "early_finished":
        return record(22, handshake(20, b"\x00" * 12))
    if case == "oversized":
        return u8(22) + u16(0x0303) + u16(16384 + 2048 + 1) + b"\x00" * 64
    if case == "client_alert":
        return record(21, u8(2) + u8(40))
    return b""


def exchange(arguments, sock, outcome):
    session_id = bytes.fromhex(arguments.session_id) if arguments.session_id else b""
    reader = Reader(sock, time.monotonic() + arguments.timeout)
    sock.sendall(record(22, client_hello(arguments.case, session_id), version=0x0301))
    flight_done = read_flight(reader, outcome, until=14)
    follow = after_flight(arguments.case)
    if outcome.alert is None and not follow:
        return   # the first flight (or a resumed ServerHello and ChangeCipherSpec) is the answer
    if flight_done and follow:
        try:
            sock.sendall(follow)
        except (BrokenPipeError, ConnectionResetError):
            outcome.closed = True
            return
        read_flight(reader, outcome, until=-1)
    # after an alert (or none), tlsd must close: read to the end of the stream
    while not reader.closed and reader.fill():
        pass
    outcome.closed = reader.closed


def run(arguments):
    outcome = Outcome()
    with socket.create_connection((arguments.host, arguments.port), timeout=arguments.timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        exchange(arguments, sock, outcome)
    names = {1: "client_hello", 2: "server_hello", 11: "certificate", 12: "server_key_exchange",
             14: "server_hello_done", 4: "new_session_ticket"}
    print("case=%s messages=%s session_id=%s alert=%s closed=%s" % (
        arguments.case, ",".join(names.get(m, str(m)) if isinstance(m, int) else m for m in outcome.messages) or "none",
        outcome.session_id.hex() or "none", outcome.alert or "none", "yes" if outcome.closed else "no"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--case", choices=CASES, required=True)
    parser.add_argument("--session-id", help="hex, for the resume_* cases")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds for the whole exchange")
    arguments = parser.parse_args()
    if not ipaddress.ip_address(arguments.host).is_loopback:
        parser.error("--host must be a loopback address")
    if arguments.case.startswith("resume") and not arguments.session_id:
        parser.error("--case %s needs --session-id" % arguments.case)
    run(arguments)


if __name__ == "__main__":
    sys.exit(main())
