"""One HTTPS request, step by step, timed: name lookup, TCP connect, TLS handshake, request, response.

Needs the openssl command: python3 request_timeline.py. Copy local_tls.py and packet_capture.py
next to this file (local_tls.py imports packet_capture.py; this demo captures nothing).
The server is a thread of this same process, so both sides' times come from one clock.
"""

import re
import socket
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_tls.py
from local_tls import HttpsServer, certificates, client_context, versions  # noqa: E402

HOST = "localhost"  # the certificate is for this name, so the client checks it as a browser would


def main() -> int:
    with certificates(HOST) as certs, HttpsServer(certs) as server:
        context = client_context(certs)
        marks = {"start": time.perf_counter()}
        found = socket.getaddrinfo(HOST, server.port, type=socket.SOCK_STREAM)
        marks["DNS lookup (getaddrinfo)"] = time.perf_counter()
        # The server listens on 127.0.0.1 only, so take the IPv4 address (a browser would try them all).
        family, kind, proto, _, address = next(entry for entry in found if entry[0] == socket.AF_INET)
        with socket.socket(family, kind, proto) as raw:
            raw.settimeout(5)  # never hang: a demo that fails must fail quickly
            raw.connect(address)
            marks["TCP connect"] = time.perf_counter()
            with context.wrap_socket(raw, server_hostname=HOST, do_handshake_on_connect=False) as tls:
                tls.do_handshake()
                marks["TLS handshake"] = time.perf_counter()
                tls.sendall(f"GET / HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/html\r\n\r\n".encode())
                marks["request sent"] = time.perf_counter()
                data = tls.recv(65536)
                marks["wait for first byte"] = time.perf_counter()
                while b"\r\n\r\n" not in data:
                    data += tls.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(re.search(rb"(?im)^content-length: *(\d+)", head).group(1))
                while len(body) < length:
                    body += tls.recv(65536)
                marks["rest of the response"] = time.perf_counter()
                tls_version, alpn = tls.version(), tls.selected_alpn_protocol()
    (seen,) = server.seen
    start = marks.pop("start")
    us = {name: round((at - start) * 1e6) for name, at in marks.items()}  # microseconds since the start

    print(versions())
    print(f"\nGET https://{HOST}:{server.port}/: {head.split(b' ')[1].decode()}, {len(body)} bytes of body, "
          f"{tls_version}, ALPN {alpn}; {HOST} -> {address[0]}")
    print("\nMeasured on the build machine, on loopback (client and server are threads of one process):\n")
    print(f"{'step':<26} {'from ms':>8} {'to ms':>8} {'took ms':>8}")
    previous = 0
    for name, end in us.items():
        print(f"{name:<26} {previous / 1000:>8.3f} {end / 1000:>8.3f} {(end - previous) / 1000:>8.3f}")
        previous = end
    server_from, server_to = round((seen.at - start) * 1e6), round((seen.answered - start) * 1e6)
    print(f"{'(server: handler ran)':<26} {server_from / 1000:>8.3f} {server_to / 1000:>8.3f} "
          f"{(server_to - server_from) / 1000:>8.3f}")

    at = list(marks.values())  # perf_counter() at the end of each step, unrounded
    checks = {
        f"getaddrinfo gave {address[0]} for {HOST}": address[0] == "127.0.0.1",
        "each step began when the one before it ended, in this order": all(a < b for a, b in zip(at, at[1:])),
        "the server's handler started after the client began sending the request": seen.at > marks["TLS handshake"],
        "the client's first response byte came after the server's handler started":
            marks["wait for first byte"] > seen.at,
        "one connection, one TLS 1.3 handshake, one request, answered 200": len(server.seen) == 1
            and tls_version == seen.tls_version == "TLSv1.3" and b" 200 " in head.split(b"\r\n")[0],
        "the body has the length Content-Length announced": len(body) == length,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    # Mermaid's gantt charts count in milliseconds: give it microseconds, and name its seconds "ms".
    unit, axis = (1, "%-S.%L ms") if max(us.values()) < 59_000 else (1000, "%-S.%L s")

    def bar(name: str, begin: int, end: int) -> str:  # at least one unit long, or Mermaid draws nothing
        return f"    {name}, {(end - begin) / 1000:.2f} ms : {begin // unit}, {max(end // unit, begin // unit + 1)}"

    print("\n```mermaid\ngantt\n    title One HTTPS request, measured on loopback\n    dateFormat x")
    print(f"    axisFormat {axis}\n    section client")
    for name, begin, end in zip(us, [0, *us.values()], us.values()):
        print(bar(name, begin, end))
    print(f"    section server\n{bar('handler', server_from, server_to)}\n```")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
