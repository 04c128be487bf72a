#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Capture the first bytes a TLS client sends, for test vectors.

Listens on 127.0.0.1 only (loopback), accepts one connection, reads what
the client sends until it has been quiet for a second (at most 16 KiB),
writes it as hex text (32 bytes a line) and closes without answering.

    python3 capture.py PORT OUT.hex &
    curl -k https://localhost:PORT/
"""
import socket
import sys
import time


def main():
    port = int(sys.argv[1])
    out = sys.argv[2]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(1)
        server.settimeout(60)
        conn, _ = server.accept()
        data = b""
        with conn:
            conn.settimeout(1.0)
            deadline = time.monotonic() + 5
            while len(data) < 16384 and time.monotonic() < deadline:
                try:
                    chunk = conn.recv(16384 - len(data))
                except socket.timeout:
                    break
                if not chunk:
                    break
                data += chunk
    with open(out, "w") as f:
        for i in range(0, len(data), 32):
            f.write(data[i:i + 32].hex() + "\n")
    print(f"{out}: {len(data)} bytes")


if __name__ == "__main__":
    main()
