#!/usr/bin/env python3
"""fleet-client.py: HTTPS requests through a load balancer, one new TLS
connection each, offering the session of the previous connection, and one
JSON line per request on standard output:

  {"n": 1, "t": 0.012, "ok": true, "status": 200, "resumed": false,
   "local_port": 40312, "version": "TLSv1.3", "error": null}

t is seconds since the start (time.monotonic) and wall the time of day
(time.time, to compare with events outside), both taken when the
connection was opened. The count and the time are both bounded: the run stops after
--count requests or --seconds seconds, whichever comes first. Only
loopback addresses are accepted.

Used by tests/t-haproxy.sh and bench/fleet.sh."""
import argparse
import ipaddress
import json
import socket
import ssl
import sys
import time


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="the balancer's port on 127.0.0.1")
    parser.add_argument("--ca", required=True, help="the CA certificate to trust")
    parser.add_argument("--source", default="127.0.0.1", help="loopback address to connect from")
    parser.add_argument("--count", type=int, default=10, help="at most this many requests (1..100000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="and for at most this long")
    parser.add_argument("--interval", type=float, default=0.0, help="pause between requests")
    parser.add_argument("--tls", choices=["1.2", "1.3", "any"], default="any")
    parser.add_argument("--no-resume", action="store_true", help="a full handshake every time")
    parser.add_argument("--path", default="/", help="the path to GET")
    parser.add_argument("--timeout", type=float, default=5.0, help="per request")
    arguments = parser.parse_args()
    if not 1 <= arguments.count <= 100000:
        parser.error("--count must be 1 to 100000")
    if not ipaddress.ip_address(arguments.source).is_loopback:
        parser.error("--source must be a loopback address")
    return arguments


def make_context(arguments):
    context = ssl.create_default_context(cafile=arguments.ca)
    if arguments.tls == "1.2":
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    elif arguments.tls == "1.3":
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


def read_response(tls):
    """The status code of a Connection: close response, read to the end."""
    data = b""
    while True:
        chunk = tls.recv(65536)
        if not chunk:
            break
        data += chunk
    status_line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ")
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError("not an HTTP response: %r" % status_line[:60])
    return int(parts[1])


def one_request(arguments, context, session, started):
    result = {"t": None, "wall": round(time.time(), 4), "ok": False, "status": None, "resumed": False,
              "local_port": None, "version": None, "error": None}
    result["t"] = round(time.monotonic() - started, 4)
    try:
        raw = socket.create_connection(("127.0.0.1", arguments.port), timeout=arguments.timeout,
                                       source_address=(arguments.source, 0))
    except OSError as error:
        result["error"] = "connect: %s" % error
        return result, session
    result["local_port"] = raw.getsockname()[1]
    # as browsers and curl do: without it, a resumed TLS 1.2 handshake's
    # Finished and the request that follows it wait out a delayed ACK
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        with context.wrap_socket(raw, server_hostname="localhost", session=session) as tls:
            request = ("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" % arguments.path)
            tls.sendall(request.encode("ascii"))
            result["status"] = read_response(tls)
            result["resumed"] = tls.session_reused
            result["version"] = tls.version()
            # TLS 1.3 tickets arrive after the handshake: the session is
            # only worth keeping once the response has been read
            session = tls.session
            result["ok"] = result["status"] == 200
    except (OSError, ssl.SSLError, ValueError) as error:
        result["error"] = "%s: %s" % (type(error).__name__, error)
    finally:
        raw.close()
    return result, session


def main():
    arguments = parse_arguments()
    context = make_context(arguments)
    session = None
    started = time.monotonic()
    for number in range(1, arguments.count + 1):
        if time.monotonic() - started > arguments.seconds:
            break
        result, new_session = one_request(arguments, context, session, started)
        if not arguments.no_resume and new_session is not None:
            session = new_session
        result["n"] = number
        print(json.dumps(result, sort_keys=True), flush=True)
        if arguments.interval > 0:
            time.sleep(arguments.interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
