"""Revalidate a cached GET response with its ETag: 304 and no body while it is unchanged, 200 once it changes.

Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import hashlib
import socket
import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def weak_match(if_none_match: str, etag: str) -> bool:
    """RFC 9110 13.1.2: If-None-Match uses the weak comparison, so W/ prefixes do not matter."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


def raw_get(url: str, path: str, headers: dict) -> tuple[bytes, bytes]:
    """Send one GET on a plain socket and read to EOF: return (header section, bytes after it).

    httpx never reads a body after a 304 (h11 knows a 304 has none), so only the raw bytes show
    whether the server really sent nothing after the header section.
    """
    host, port = url.removeprefix("http://").split(":")
    lines = [f"GET {path} HTTP/1.1", "Host: report", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    return head, rest


class ReportHandler(QuietHandler):
    def do_GET(self):
        body = self.server.report
        etag = etag_of(body)
        validators = {"ETag": etag, "Cache-Control": "no-cache"}  # store it, but revalidate before each use
        if weak_match(self.headers.get("If-None-Match", ""), etag):
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()  # a 304 ends with its header section: no Content-Length, no body
            return
        self.send_body(200, body, headers=validators)


def main() -> int:
    print(versions(), "\n")
    rows = []
    with LocalServer(ReportHandler) as server, httpx.Client(base_url=server.url) as client:
        server.report = b"sales report, version 1\n" * 200
        first = client.get("/report")
        cached_etag = first.headers["ETag"]
        rows.append(("GET /report", first))
        rows.append((f"GET /report, If-None-Match: {cached_etag}", client.get("/report", headers={"If-None-Match": cached_etag})))
        raw_head, raw_after_head = raw_get(server.url, "/report", {"If-None-Match": cached_etag})
        server.report = b"sales report, version 2\n" * 200
        rows.append((f"GET /report, If-None-Match: {cached_etag}", client.get("/report", headers={"If-None-Match": cached_etag})))
        log = list(server.access_log)

    print(f"{'request':<48} {'status':>6} {'body bytes':>10}  ETag")
    for label, response in rows:
        print(f"{label:<48} {response.status_code:>6} {len(response.content):>10}  {response.headers.get('ETag')}")
    not_modified = rows[1][1]
    print("\nThe same conditional GET on a raw socket: the 304's header section, as the server sent it:")
    for line in raw_head.decode().split("\r\n"):
        print("  " + line)
    print(f"Bytes after the header section, up to the server's close: {len(raw_after_head)}")
    print("\nAccess log:")
    for line in log:
        print("  " + line)

    statuses = [response.status_code for _, response in rows]
    checks = {
        "the statuses were 200, 304, 200": statuses == [200, 304, 200],
        "the raw 304 had no bytes after its header section (no body)": raw_head.startswith(b"HTTP/1.1 304 ")
        and raw_after_head == b"",
        "this server sent the 304 without a Content-Length": b"\r\ncontent-length:" not in raw_head.lower()
        and "content-length" not in not_modified.headers,
        "the 304 repeated the ETag the client already had": not_modified.headers.get("ETag") == cached_etag,
        "after the change, the 200 carried a new ETag and the full body": rows[2][1].headers["ETag"] != cached_etag
        and len(rows[2][1].content) == len(first.content),
        "the server raised no errors": not server.errors,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
