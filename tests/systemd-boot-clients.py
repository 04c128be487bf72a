#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""systemd-boot-clients.py: many idle connections to tlsd, for t-systemd-boot.sh.

  systemd-boot-clients.py tls N HOLD PORT CAFILE [PROCESSES [DEADLINE]]
      N TLS connections (handshake done, no request) opened by PROCESSES
      client processes (default 4) at once, held HOLD seconds once all are
      open, then one request on each. Prints "opened N" (the connections
      open), "open_seconds S", then "served M" and "serve_seconds S".
      Opening stops at DEADLINE seconds (default 120) with what is open.
  systemd-boot-clients.py tcp N HOLD PORT
      N TCP connections that send nothing, held HOLD seconds: "opened N".

Each process raises its own RLIMIT_NOFILE soft limit to the hard one. A
handshake that gets no answer in 10 s is retried on a new connection (at
most twice): with several workers (SO_REUSEPORT), the kernel may queue a
connection at a worker that is at its share of max_connections.
"""
import os
import resource
import socket
import ssl
import sys
import time

HANDSHAKE_TIMEOUT = 10
ATTEMPTS = 3
REQUEST = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def open_tls(context, port, count, deadline):
    """count connections, each with its handshake done; fewer past deadline.
    Returns them, the handshakes retried and how many resumed a session."""
    connections, retries, resumed, session = [], 0, 0, None
    while len(connections) < count and time.monotonic() < deadline:
        for _ in range(ATTEMPTS):
            raw = None
            try:
                raw = socket.create_connection(("127.0.0.1", port), timeout=HANDSHAKE_TIMEOUT)
                tls = context.wrap_socket(raw, server_hostname="localhost", session=session)
                connections.append(tls)
                if tls.session_reused:
                    resumed += 1
                elif tls.session is not None:
                    session = tls.session
                break
            except socket.timeout:
                if raw is not None:
                    raw.close()
                retries += 1
            except (OSError, ssl.SSLError) as error:
                if raw is not None:
                    raw.close()
                print("connect failed:", error, flush=True)
                return connections, retries, resumed
        else:
            print(f"connect failed: no handshake in {ATTEMPTS} attempts of {HANDSHAKE_TIMEOUT} s", flush=True)
            return connections, retries, resumed
    return connections, retries, resumed


def serve(connections):
    """one request on each: all sent first, then each answer read"""
    sent = []
    for tls in connections:
        try:
            tls.settimeout(30)
            tls.sendall(REQUEST)
            sent.append(tls)
        except (OSError, ssl.SSLError):
            pass
    served = 0
    for tls in sent:
        try:
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
            if data.startswith(b"HTTP/1.1 200"):
                served += 1
        except (OSError, ssl.SSLError):
            pass
    return served


def child(cafile, port, count, deadline, report, go):
    """one client process: open, report, wait for the parent's word, serve, report"""
    context = ssl.create_default_context(cafile=cafile)
    connections, retries, resumed = open_tls(context, port, count, deadline)
    os.write(report, f"{len(connections)} {retries} {resumed}\n".encode())
    os.read(go, 1)
    served = serve(connections)
    os.write(report, f"{served}\n".encode())
    for connection in connections:
        connection.close()


def read_line(stream):
    line = stream.readline()
    return line.split() if line else []


def tls_clients(count, hold, port, cafile, processes, limit):
    started = time.monotonic()
    deadline = started + limit
    children = []
    for index in range(processes):
        share = count // processes + (1 if index < count % processes else 0)
        report_read, report_write = os.pipe()
        go_read, go_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(report_read)
            os.close(go_write)
            code = 0
            try:
                child(cafile, port, share, deadline, report_write, go_read)
            except BaseException as error:  # noqa: BLE001 - a child must never return to the parent's code
                print("client process failed:", error, flush=True)
                code = 1
            os._exit(code)
        os.close(report_write)
        os.close(go_read)
        children.append((pid, os.fdopen(report_read), go_write))
    opened = retries = resumed = 0
    for _, report, _ in children:
        fields = read_line(report)
        if len(fields) == 3:
            opened += int(fields[0])
            retries += int(fields[1])
            resumed += int(fields[2])
    print("opened", opened, flush=True)
    print(f"open_seconds {time.monotonic() - started:.1f}", flush=True)
    print("resumed", resumed, flush=True)
    print("handshake_retries", retries, flush=True)
    time.sleep(hold)
    serving = time.monotonic()
    for _, _, go in children:
        os.write(go, b"g")
    served = 0
    for _, report, _ in children:
        fields = read_line(report)
        if len(fields) == 1:
            served += int(fields[0])
    print("served", served, flush=True)
    print(f"serve_seconds {time.monotonic() - serving:.1f}", flush=True)
    for pid, _, _ in children:
        os.waitpid(pid, 0)


def tcp_clients(count, hold, port):
    connections = []
    for _ in range(count):
        try:
            connections.append(socket.create_connection(("127.0.0.1", port), timeout=20))
        except OSError as error:
            print("connect failed:", error, flush=True)
            break
    print("opened", len(connections), flush=True)
    time.sleep(hold)
    for connection in connections:
        connection.close()


def main():
    mode, count, hold, port = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    raise_nofile()
    if mode == "tls":
        processes = int(sys.argv[6]) if len(sys.argv) > 6 else 4
        limit = float(sys.argv[7]) if len(sys.argv) > 7 else 120
        tls_clients(count, hold, port, sys.argv[5], max(1, min(processes, count)), limit)
    else:
        tcp_clients(count, hold, port)


main()
