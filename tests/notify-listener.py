#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""notify-listener.py SOCKET OUTPUT: stand in for systemd's notify socket.

Binds a unix datagram socket at SOCKET and appends every message it gets to
OUTPUT, one per line (newlines inside a message become spaces), until it is
terminated or 120 s have passed. SOCKET "@name" is an abstract socket, as
systemd's NOTIFY_SOCKET may name one."""
import os
import socket
import sys
import time

path, output = sys.argv[1], sys.argv[2]
receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
receiver.bind("\0" + path[1:] if path.startswith("@") else path)
receiver.settimeout(1.0)
deadline = time.monotonic() + 120
with open(output, "a", buffering=1) as out:
    out.write("LISTENING\n")
    while time.monotonic() < deadline:
        try:
            message = receiver.recv(4096)
        except socket.timeout:
            continue
        out.write(message.decode("utf-8", "replace").replace("\n", " ") + "\n")
