#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/daemon-client.py PORT CA full|resumed|keepalive COUNT: the
client side of bench/daemon.sh, over loopback. full: COUNT connections,
one GET / each; resumed: the same, resuming the first one's session;
keepalive: one connection, COUNT GET / on it. Exits 1 on any failure."""
import socket
import ssl
import sys

port, ca, mode, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
context = ssl.create_default_context(cafile=ca)
context.maximum_version = ssl.TLSVersion.TLSv1_2  # the same handshake on every Mbed TLS build


def get(stream, keep_alive):
    stream.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n" +
                   (b"" if keep_alive else b"Connection: close\r\n") + b"\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = stream.recv(16384)
        if not chunk:
            raise SystemExit("closed before the head")
        head += chunk
    head, body = head.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit("not 200: " + head.split(b"\r\n")[0].decode())
    length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:")][0])
    while len(body) < length:
        chunk = stream.recv(16384)
        if not chunk:
            raise SystemExit("closed in the body")
        body += chunk


def connect(session=None):
    raw = socket.create_connection(("127.0.0.1", port))
    return context.wrap_socket(raw, server_hostname="localhost", session=session)


if mode == "keepalive":
    with connect() as stream:
        for _ in range(count):
            get(stream, True)
else:
    session = None
    for i in range(count):
        with connect(session if mode == "resumed" else None) as stream:
            get(stream, False)
            if mode == "resumed":
                if i > 0 and not stream.session_reused:
                    raise SystemExit("connection %d was not resumed" % i)
                session = stream.session
