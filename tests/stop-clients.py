#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""stop-clients.py: clients caught by tlsd's stop in each state a
connection can be in, for tests/t-stop.sh.

  stop-clients.py --port P --ca CA --pid PID --log FILE [--queued N]

With tlsd at `max_connections 2`, it opens:
  idle       a TLS connection that made one request and waits (keep-alive)
  midway     a TLS handshake begun: ClientHello sent, tlsd's flight read, the
             rest not sent yet
  queued     N connections the kernel completed but tlsd, at its limit, has
             not accepted: they wait in the listen queue
then sends SIGTERM to PID, waits for tlsd's log (FILE) to say it is
stopping, and only then finishes each: the midway
handshake and a GET on it, a TLS handshake and a GET on each queued one, a
second GET on the idle one. One line per connection on standard output:

  idle status=closed
  midway status=200 connection=close
  queued1 status=200 connection=close

Every socket has a deadline (--timeout); only loopback is contacted.
"""
import argparse
import os
import signal
import socket
import ssl
import sys
import time


def request(tls_write, tls_read):
    tls_write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls_read()
        if not chunk:
            break
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    if not lines or not lines[0].startswith("HTTP/1.1 "):
        return "status=none"
    status = lines[0].split(" ")[1]
    connection = "keep-alive"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "connection":
            connection = value.strip().lower()
    return "status=%s connection=%s" % (status, connection)


class Midway:
    """A handshake driven by hand through memory BIOs, so that it can stop
    after tlsd's first flight."""

    def __init__(self, context, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_hostname="localhost")

    def pump(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def step(self):
        """One try at the handshake; True when it is complete."""
        try:
            self.tls.do_handshake()
            self.pump()
            return True
        except ssl.SSLWantReadError:
            self.pump()
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by tlsd in the handshake")
            self.incoming.write(chunk)
            return False

    def write(self, data):
        self.tls.write(data)
        self.pump()

    def read(self):
        while True:
            try:
                return self.tls.read(65536)
            except ssl.SSLWantReadError:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return b""
                self.incoming.write(chunk)
            except ssl.SSLZeroReturnError:
                return b""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--pid", type=int, required=True, help="tlsd's, to send SIGTERM to")
    parser.add_argument("--log", required=True, help="tlsd's log, to see that the stop began")
    parser.add_argument("--queued", type=int, default=3, help="connections left in the listen queue (1..50)")
    parser.add_argument("--timeout", type=float, default=10.0)
    arguments = parser.parse_args()
    if not 1 <= arguments.queued <= 50:
        parser.error("--queued must be 1 to 50")
    context = ssl.create_default_context(cafile=arguments.ca)
    context.maximum_version = ssl.TLSVersion.TLSv1_2   # TLS 1.2: its first flight ends before the client's keys

    idle = context.wrap_socket(socket.create_connection(("127.0.0.1", arguments.port), timeout=arguments.timeout),
                               server_hostname="localhost")
    print("idle first", request(idle.sendall, lambda: idle.recv(65536)), flush=True)

    midway = Midway(context, arguments.port, arguments.timeout)
    midway.step()   # ClientHello out, tlsd's flight in: the handshake is begun
    # tlsd now holds two connections, its max_connections: the rest wait in the queue
    queued = [socket.create_connection(("127.0.0.1", arguments.port), timeout=arguments.timeout)
              for _ in range(arguments.queued)]
    time.sleep(0.2)   # not a pass/fail timing: lets the kernel finish the connects

    os.kill(arguments.pid, signal.SIGTERM)
    # the signal reaches tlsd's loop as an event among the others: wait
    # until it has begun the stop, or the next bytes may be served first
    deadline = time.monotonic() + arguments.timeout
    while time.monotonic() < deadline:
        with open(arguments.log, encoding="utf-8", errors="replace") as log:
            if "SIGTERM: stopping" in log.read():
                break
        time.sleep(0.05)
    else:
        print("tlsd did not log its stop", flush=True)

    try:
        while not midway.step():
            pass
        print("midway", request(midway.write, midway.read), flush=True)
    except (OSError, ssl.SSLError, ConnectionError) as error:
        print("midway status=failed error=%s" % str(error).replace(" ", "_"), flush=True)
    for number, sock in enumerate(queued, 1):
        try:
            tls = context.wrap_socket(sock, server_hostname="localhost")
            print("queued%d" % number, request(tls.sendall, lambda: tls.recv(65536)), flush=True)
        except (OSError, ssl.SSLError) as error:
            print("queued%d status=failed error=%s" % (number, str(error).replace(" ", "_")), flush=True)
    try:
        answer = request(idle.sendall, lambda: idle.recv(65536))
        print("idle", "status=closed" if answer == "status=none" else answer, flush=True)
    except (OSError, ssl.SSLError):
        print("idle status=closed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
