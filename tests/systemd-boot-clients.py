#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""systemd-boot-clients.py: many idle connections to tlsd, for t-systemd-boot.sh.

  systemd-boot-clients.py tls N HOLD PORT CAFILE
      N TLS connections (handshake done, no request), held HOLD seconds,
      then one request on each: prints "opened N", then "served M".
  systemd-boot-clients.py tcp N HOLD PORT
      N TCP connections that send nothing, held HOLD seconds: "opened N".
"""
import socket
import ssl
import sys
import time


def main():
    mode, count, hold, port = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    context = None
    if mode == "tls":
        context = ssl.create_default_context(cafile=sys.argv[5])
    connections = []
    for _ in range(count):
        try:
            raw = socket.create_connection(("127.0.0.1", port), timeout=20)
            connections.append(context.wrap_socket(raw, server_hostname="localhost") if context else raw)
        except (OSError, ssl.SSLError) as error:
            print("connect failed:", error, flush=True)
            break
    print("opened", len(connections), flush=True)
    time.sleep(hold)
    if mode == "tls":
        served = 0
        for tls in connections:
            try:
                tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := tls.recv(65536):
                    data += chunk
                if data.startswith(b"HTTP/1.1 200"):
                    served += 1
            except (OSError, ssl.SSLError):
                pass
        print("served", served, flush=True)
    for connection in connections:
        connection.close()


main()
