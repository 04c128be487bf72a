#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""journal-listener.py SOCKET OUTPUT: stand in for journald's native socket.

Binds a unix datagram socket at SOCKET and parses every datagram as an
entry of systemd's native journal protocol ("NAME=value\\n", or "NAME\\n",
a 64-bit little-endian length, the bytes, "\\n"). Appends one JSON object
per entry to OUTPUT: {"NAME": "value", ...} (a repeated field's values in a
list; bytes that are not UTF-8 as \\udcXX), and "_binary": the names sent in
the binary form. A datagram that does not parse is written as
{"_invalid": "why"}. Runs until terminated or 120 s have passed."""
import json
import os
import socket
import struct
import sys
import time


def parse(datagram):
    fields, binary = {}, []
    at = 0
    while at < len(datagram):
        newline = datagram.find(b"\n", at)
        if newline < 0:
            raise ValueError("a field without its newline at %d" % at)
        line = datagram[at:newline]
        if b"=" in line:
            name, value = line.split(b"=", 1)
            at = newline + 1
        else:
            name = line
            if newline + 9 > len(datagram):
                raise ValueError("a binary field without its length: %r" % name)
            (length,) = struct.unpack("<Q", datagram[newline + 1:newline + 9])
            start = newline + 9
            if start + length + 1 > len(datagram) or datagram[start + length:start + length + 1] != b"\n":
                raise ValueError("a binary field of the wrong length: %r" % name)
            value = datagram[start:start + length]
            at = start + length + 1
            binary.append(name.decode())
        name = name.decode()
        if not name or name[0] == "_" or len(name) > 64 or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_" for c in name):
            raise ValueError("an invalid field name: %r" % name)
        text = value.decode("utf-8", "surrogateescape")
        if name in fields:
            previous = fields[name]
            fields[name] = (previous if isinstance(previous, list) else [previous]) + [text]
        else:
            fields[name] = text
    fields["_binary"] = binary
    return fields


def main():
    path, output = sys.argv[1], sys.argv[2]
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(path)
    receiver.settimeout(1.0)
    deadline = time.monotonic() + 120
    with open(output, "a", buffering=1) as out:
        out.write('{"_listening":true}\n')
        while time.monotonic() < deadline:
            try:
                datagram = receiver.recv(1 << 20)
            except socket.timeout:
                continue
            try:
                entry = parse(datagram)
            except ValueError as error:
                entry = {"_invalid": str(error)}
            out.write(json.dumps(entry, ensure_ascii=True) + "\n")


if __name__ == "__main__":
    main()
