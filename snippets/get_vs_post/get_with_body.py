"""Send GET requests with a body to two servers: one that never reads it, one that frames it and ignores it.

http.server reads the request line and headers, never the body: a handler that does not read it
leaves it on the connection, where it is parsed as the next request.
Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import socket
import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

HIDDEN_REQUEST = b"GET /admin/drop-tables HTTP/1.1\r\nHost: shop\r\n\r\n"
JSON_BODY = b'{"color": "red"}'


class IgnoresBody(QuietHandler):
    def do_GET(self):
        self.send_body(200, f"items at {self.path}".encode())


class FramesBody(QuietHandler):
    def do_GET(self):
        self.read_body()  # framing does not depend on the method: consume the content, then ignore it
        self.send_body(200, f"items at {self.path}".encode())


def one_get_with_a_request_inside(url: str) -> int:
    """Send one GET whose body is another request; return how many responses come back."""
    host, port = url.removeprefix("http://").split(":")
    head = b"GET /items HTTP/1.1\r\nHost: shop\r\nContent-Length: %d\r\n\r\n" % len(HIDDEN_REQUEST)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head + HIDDEN_REQUEST)
        sock.shutdown(socket.SHUT_WR)  # no more requests: the server closes after what it read
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received.count(b"HTTP/1.1 ")


def run(handler_class) -> dict:
    with LocalServer(handler_class) as server:
        responses_on_raw_socket = one_get_with_a_request_inside(server.url)
        with httpx.Client(base_url=server.url) as client:
            with_body = client.request("GET", "/items", content=JSON_BODY)
            plain = client.get("/items")
        log = list(server.access_log)
    return {
        "raw": responses_on_raw_socket,
        "sent_length": with_body.request.headers.get("Content-Length"),
        "statuses": (with_body.status_code, plain.status_code),
        "log": log,
        "errors": server.errors,
    }


def main() -> int:
    print(versions(), "\n")
    results = {}
    for title, handler_class in (
        ("Server 1: do_GET never reads the body", IgnoresBody),
        ("Server 2: do_GET reads Content-Length bytes, then ignores them", FramesBody),
    ):
        results[handler_class] = result = run(handler_class)
        print(title)
        print(f"  one GET /items whose body is another request (raw socket): {result['raw']} response(s)")
        print(f"  httpx GET /items with a JSON body (Content-Length: {result['sent_length']}): {result['statuses'][0]}")
        print(f"  then a plain GET /items on the same connection:          {result['statuses'][1]}")
        print("  access log:")
        for line in result["log"]:
            print("    " + line)
        print()

    ignores, frames = results[IgnoresBody], results[FramesBody]
    checks = {
        "httpx sent the GET body with a Content-Length": ignores["sent_length"] == str(len(JSON_BODY)),
        "server 1 answered the request hidden in the body": ignores["raw"] == 2
        and any("/admin/drop-tables" in line for line in ignores["log"]),
        "server 1 answered the plain GET after the JSON body with 400": ignores["statuses"] == (200, 400),
        "server 1 logged the leftover body glued to the next method": any(
            line.startswith('127.0.0.1 "{"color": "red"}GET /items') for line in ignores["log"]
        ),
        "server 2 answered one response per request": frames["raw"] == 1 and frames["statuses"] == (200, 200),
        "server 2 never saw /admin/drop-tables": not any("/admin" in line for line in frames["log"]),
        "the servers raised no errors": not ignores["errors"] and not frames["errors"],
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
