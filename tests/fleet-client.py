#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fleet-client.py: HTTPS requests through a load balancer, one new TLS
connection each (or --keep-alive N requests on one), offering the session
of the previous connection, and one JSON line per request on standard
output:

  {"n": 1, "client": 0, "t": 0.012, "wall": 1764662400.123, "done": 1764662400.131,
   "ok": true, "status": 200, "resumed": false, "local_port": 40312,
   "version": "TLSv1.3", "error": null, "path": "/", "bytes": 9115,
   "reused": false, "retried": null, "stage": null}

t is seconds since the start (time.monotonic) and wall the time of day
(time.time, to compare with events outside), both taken when the request
began; done is the time of day when it ended. The count and the time are
both bounded: each client stops after --count requests, and all stop
after --seconds seconds or as soon as --stop-file exists, whichever comes
first. Only loopback addresses are accepted.

--concurrency N runs N clients at once (threads, numbered by "client"),
each with its own connections, sessions and pace (--interval between its
requests). Requests take the --path values in turn.

--keep-alive N sends up to N requests on one connection, as a browser
does; the last says Connection: close. A request on a reused connection
that the server closed before any byte of the response came is sent again
once on a new connection, as browsers and curl do (RFC 9112 section 9.3.1:
the server may close an idle connection at any time, and a client retries
an idempotent request that got no response): it counts as a retry, not a
failure; "retried" then holds what went wrong on the first connection and
its local port. Anything else is a failure ("ok": false): no connection,
an error in or after the handshake of a new connection, a response cut
short (fewer body bytes than its Content-Length), a status other than 200.
"stage" says where a failure happened: connect, handshake, request (no
byte of the response yet) or response (part of it came).

--send-delay S holds every flight the client sends (its ClientHello, its
Finished, each request) for S seconds first, as a far-away client's
packets arrive late: a handshake is then in flight on the server for at
least S. TLS goes through memory buffers (ssl.MemoryBIO) so that the
client decides when each flight leaves.

Used by tests/t-haproxy.sh, tests/t-rolling.sh and bench/fleet.sh."""
import argparse
import ipaddress
import json
import os
import socket
import ssl
import sys
import threading
import time


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="the balancer's port on 127.0.0.1")
    parser.add_argument("--ca", required=True, help="the CA certificate to trust")
    parser.add_argument("--source", default="127.0.0.1", help="loopback address to connect from")
    parser.add_argument("--count", type=int, default=10, help="at most this many requests per client (1..100000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="and for at most this long")
    parser.add_argument("--stop-file", help="and stop (after the request in progress) once this file exists")
    parser.add_argument("--interval", type=float, default=0.0, help="pause between a client's requests")
    parser.add_argument("--concurrency", type=int, default=1, help="this many clients at once (1..64)")
    parser.add_argument("--keep-alive", type=int, default=1, metavar="N",
                        help="up to N requests per connection (1: Connection: close each time)")
    parser.add_argument("--send-delay", type=float, default=0.0, metavar="S",
                        help="hold each flight the client sends for S seconds (a slow, far-away client)")
    parser.add_argument("--tls", choices=["1.2", "1.3", "any"], default="any")
    parser.add_argument("--no-resume", action="store_true", help="a full handshake every time")
    parser.add_argument("--path", action="append", help="the path to GET; several are taken in turn [/]")
    parser.add_argument("--timeout", type=float, default=5.0, help="per network operation")
    arguments = parser.parse_args()
    if not 1 <= arguments.count <= 100000:
        parser.error("--count must be 1 to 100000")
    if not 1 <= arguments.concurrency <= 64:
        parser.error("--concurrency must be 1 to 64")
    if not 1 <= arguments.keep_alive <= 1000:
        parser.error("--keep-alive must be 1 to 1000")
    if not 0 <= arguments.send_delay <= 10:
        parser.error("--send-delay must be 0 to 10 seconds")
    if not ipaddress.ip_address(arguments.source).is_loopback:
        parser.error("--source must be a loopback address")
    arguments.path = arguments.path or ["/"]
    return arguments


def make_context(arguments):
    context = ssl.create_default_context(cafile=arguments.ca)
    if arguments.tls == "1.2":
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    elif arguments.tls == "1.3":
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


class Failure(Exception):
    """A request that failed at a known stage, having received `received` bytes of the response."""
    def __init__(self, stage, message, received=0):
        super().__init__(message)
        self.stage = stage
        self.received = received


def describe(error):
    return "%s: %s" % (type(error).__name__, error)


class Connection:
    """One TLS connection over memory buffers: the client decides when its bytes leave."""

    def __init__(self, arguments, context, session):
        self.delay = arguments.send_delay
        self.closed_by_peer = False
        try:
            self.raw = socket.create_connection(("127.0.0.1", arguments.port), timeout=arguments.timeout,
                                                source_address=(arguments.source, 0))
        except OSError as error:
            raise Failure("connect", "connect: %s" % error)
        self.local_port = self.raw.getsockname()[1]
        # as browsers and curl do: without it, a resumed TLS 1.2 handshake's
        # Finished and the request that follows it wait out a delayed ACK
        self.raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_hostname="localhost", session=session)

    def _flush(self):
        data = self.outgoing.read()
        if data:
            if self.delay > 0:
                time.sleep(self.delay)
            self.raw.sendall(data)

    def _fill(self):
        if self.closed_by_peer:
            raise ConnectionError("the server closed the connection")
        chunk = self.raw.recv(65536)
        if chunk:
            self.incoming.write(chunk)
        else:
            self.closed_by_peer = True
            self.incoming.write_eof()

    def handshake(self):
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush()
                self._fill()
        self._flush()

    def send(self, data):
        self.tls.write(data)
        self._flush()

    def recv(self):
        """Some bytes of application data; b"" once the server has closed (close_notify or not)."""
        while True:
            try:
                return self.tls.read(65536)
            except ssl.SSLWantReadError:
                self._flush()
                self._fill()
            except ssl.SSLZeroReturnError:
                return b""
            except ssl.SSLEOFError:
                # TCP closed without close_notify: a truncation only if the
                # response is not complete, which the caller knows
                return b""

    @property
    def resumed(self):
        return self.tls.session_reused

    def close(self):
        try:
            self.raw.close()
        except OSError:
            pass


def read_response(connection):
    """(status, body bytes, whether the server keeps the connection open)."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = connection.recv()
        except (OSError, ssl.SSLError) as error:
            raise Failure("request" if not data else "response", describe(error), len(data))
        if not chunk:
            raise Failure("request" if not data else "response",
                          "closed after %d bytes of the response head" % len(data), len(data))
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise Failure("response", "not an HTTP response: %r" % lines[0][:60], len(data))
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep_open = headers.get("connection", "").lower() != "close"
    length = headers.get("content-length")
    if length is None or not length.isdigit():
        # no length: the body runs to the close
        keep_open = False
        while True:
            try:
                chunk = connection.recv()
            except (OSError, ssl.SSLError) as error:
                raise Failure("response", describe(error), len(head) + len(body))
            if not chunk:
                return status, len(body), keep_open
            body += chunk
    length = int(length)
    while len(body) < length:
        try:
            chunk = connection.recv()
        except (OSError, ssl.SSLError) as error:
            raise Failure("response", "%s after %d of %d body bytes" % (describe(error), len(body), length),
                          len(head) + len(body))
        if not chunk:
            raise Failure("response", "closed after %d of %d body bytes" % (len(body), length),
                          len(head) + len(body))
        body += chunk
    if len(body) > length:
        raise Failure("response", "%d bytes after a %d-byte body" % (len(body) - length, length),
                      len(head) + len(body))
    return status, length, keep_open


class Client:
    """One client: its connections, its session, its pace."""

    def __init__(self, number, arguments, context, started, output):
        self.number = number
        self.arguments = arguments
        self.context = context
        self.started = started
        self.output = output
        self.session = None
        self.connection = None
        self.requests_on_connection = 0

    def _drop_connection(self):
        if self.connection is not None:
            # TLS 1.3 tickets arrive after the handshake: the session is
            # only worth keeping once a response has been read
            if not self.arguments.no_resume and self.requests_on_connection > 0:
                self.session = self.connection.tls.session
            self.connection.close()
        self.connection = None
        self.requests_on_connection = 0

    def _open(self, result):
        self.connection = Connection(self.arguments, self.context, self.session)
        result["local_port"] = self.connection.local_port
        try:
            self.connection.handshake()
        except (OSError, ssl.SSLError) as error:
            self.connection.close()
            self.connection = None
            raise Failure("handshake", describe(error))

    def _exchange(self, path, result):
        last = self.requests_on_connection + 1 >= self.arguments.keep_alive
        request = "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: %s\r\n\r\n" % (
            path, "close" if last else "keep-alive")
        try:
            self.connection.send(request.encode("ascii"))
        except (OSError, ssl.SSLError) as error:
            raise Failure("request", describe(error))
        status, length, keep_open = read_response(self.connection)
        self.requests_on_connection += 1
        result["status"] = status
        result["bytes"] = length
        result["resumed"] = self.connection.resumed
        result["version"] = self.connection.tls.version()
        if last or not keep_open:
            if last:
                # read the server's close too, as a client that waits for it
                try:
                    while self.connection.recv():
                        pass
                except (OSError, ssl.SSLError):
                    pass
            self._drop_connection()

    def one_request(self, number):
        result = self._one_request(number)
        result["done"] = round(time.time(), 4)
        return result

    def _one_request(self, number):
        path = self.arguments.path[(number - 1) % len(self.arguments.path)]
        result = {"n": number, "client": self.number, "t": round(time.monotonic() - self.started, 4),
                  "wall": round(time.time(), 4), "ok": False, "status": None, "resumed": False,
                  "local_port": None, "version": None, "error": None, "path": path, "bytes": None,
                  "reused": self.connection is not None, "retried": None, "stage": None}
        while True:
            reused = self.connection is not None
            try:
                if not reused:
                    self._open(result)
                else:
                    result["local_port"] = self.connection.local_port
                self._exchange(path, result)
                result["ok"] = result["status"] == 200
                if not result["ok"]:
                    result["error"] = "status %s" % result["status"]
                    result["stage"] = "response"
                return result
            except Failure as failure:
                if self.connection is not None:
                    self.connection.close()
                    self.connection = None
                    self.requests_on_connection = 0
                if reused and failure.stage == "request" and failure.received == 0 and result["retried"] is None:
                    # closed by the server between two requests: once more, on a new connection
                    result["retried"] = {"error": str(failure), "local_port": result["local_port"],
                                         "wall": round(time.time(), 4)}
                    continue
                result["error"] = str(failure)
                result["stage"] = failure.stage
                return result
            except Exception as error:  # a bug here must show as a failure, not end the thread
                if self.connection is not None:
                    self.connection.close()
                    self.connection = None
                    self.requests_on_connection = 0
                result["error"] = "client: %s" % describe(error)
                result["stage"] = "client"
                return result

    def run(self):
        arguments = self.arguments
        # spread the clients over one interval, so that they do not move in step
        if arguments.interval > 0 and arguments.concurrency > 1:
            time.sleep(arguments.interval * self.number / arguments.concurrency)
        for number in range(1, arguments.count + 1):
            if time.monotonic() - self.started > arguments.seconds:
                break
            if arguments.stop_file and os.path.exists(arguments.stop_file):
                break
            self.output(self.one_request(number))
            if arguments.interval > 0:
                time.sleep(arguments.interval)
        if self.connection is not None:
            self.connection.close()


def main():
    arguments = parse_arguments()
    context = make_context(arguments)
    started = time.monotonic()
    lock = threading.Lock()

    def output(result):
        line = json.dumps(result, sort_keys=True)
        with lock:
            print(line, flush=True)

    clients = [Client(number, arguments, context, started, output) for number in range(arguments.concurrency)]
    if len(clients) == 1:
        clients[0].run()
        return 0
    threads = [threading.Thread(target=client.run, daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
