"""Ask a local server for each common status code and print the raw status line and key headers.

Run: python3 status_lines.py (standard library and httpx).
"""

import http.server
import socket
import sys
import threading

import httpx

KEY_HEADERS = ["Location", "ETag", "WWW-Authenticate", "Allow", "Retry-After"]
ETAG = '"v1"'
GOOD_TOKEN = "Bearer admin-token"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the default, HTTP/1.0, would close every connection

    def do_GET(self) -> None:
        path, auth = self.path, self.headers.get("Authorization")
        if path == "/ok":
            self.reply(200, body=b"hello\n")
        elif path == "/doc":
            if self.headers.get("If-None-Match") == ETAG:
                self.reply(304, ETag=ETAG)  # no body, ever
            else:
                self.reply(200, ETag=ETAG, body=b"version 1 of the document\n")
        elif path == "/old-home":
            self.reply(301, Location="/home")
        elif path == "/account":
            self.reply(302, Location="/login?next=/account")
        elif path == "/maintenance-page":
            self.reply(307, Location="/status-page")
        elif path == "/v1/report":
            self.reply(308, Location="/v2/report")
        elif path == "/admin":
            if auth is None or not auth.startswith("Bearer "):
                self.reply(401, **{"WWW-Authenticate": 'Bearer realm="demo"'})
            elif auth != GOOD_TOKEN:
                self.reply(403, body=b"this token may not see /admin\n")
            else:
                self.reply(200, body=b"admin page\n")
        elif path == "/crash":
            self.reply(500, body=b"unexpected error\n")
        elif path == "/maintenance":
            self.reply(503, **{"Retry-After": "120"})
        else:
            self.reply(404, body=b"no such page\n")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/items":
            self.reply(201, Location="/items/42", body=b'{"id": 42}\n')
        elif self.path == "/orders":
            self.reply(303, Location="/orders/7")  # POST/Redirect/GET
        elif self.path == "/bad-json":
            self.reply(400, body=b"body is not valid JSON\n")
        elif self.path == "/search":
            self.reply(429, **{"Retry-After": "2"})
        else:
            self.reply(405, Allow="GET, HEAD")

    def do_DELETE(self) -> None:
        if self.path == "/items/42":
            self.reply(204)
        else:
            self.reply(405, Allow="GET, HEAD")

    def reply(self, code: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        if code not in (204, 304):  # these two never carry content (RFC 9110 sections 15.3.5, 15.4.5)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep stderr empty


# expected code, method, path, extra request headers
REQUESTS = [
    (200, "GET", "/ok", {}),
    (201, "POST", "/items", {}),
    (204, "DELETE", "/items/42", {}),
    (200, "GET", "/doc", {}),
    (304, "GET", "/doc", {"If-None-Match": ETAG}),
    (301, "GET", "/old-home", {}),
    (302, "GET", "/account", {}),
    (303, "POST", "/orders", {}),
    (307, "GET", "/maintenance-page", {}),
    (308, "GET", "/v1/report", {}),
    (400, "POST", "/bad-json", {}),
    (401, "GET", "/admin", {}),
    (403, "GET", "/admin", {"Authorization": "Bearer reader-token"}),
    (404, "GET", "/no-such-page", {}),
    (405, "DELETE", "/ok", {}),
    (429, "POST", "/search", {}),
    (500, "GET", "/crash", {}),
    (503, "GET", "/maintenance", {}),
]


def bytes_after_header(port: int, method: str, path: str, headers: dict[str, str]) -> bytes:
    """Send one request on a raw socket and return every byte the server sent after the blank line.

    An HTTP client cannot show this: for 204 and 304 it reads no body, whatever the server sends.
    With `Connection: close` the server closes the connection, so what follows the header ends at EOF.
    """
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := conn.recv(4096):
            data += chunk
    return data.partition(b"\r\n\r\n")[2]


def main() -> int:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    responses = []
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with httpx.Client(base_url=base, follow_redirects=False, timeout=5) as client:
            for expected, method, path, headers in REQUESTS:
                content = b"{}" if method == "POST" else None
                responses.append(client.request(method, path, headers=headers, content=content))
        port = server.server_address[1]
        raw_304 = bytes_after_header(port, "GET", "/doc", {"If-None-Match": ETAG})
        raw_204 = bytes_after_header(port, "DELETE", "/items/42", {})
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    print(f"Python {sys.version.split()[0]}, httpx {httpx.__version__}; server: http.server on 127.0.0.1\n")
    for (expected, method, path, headers), response in zip(REQUESTS, responses):
        sent = "".join(f"  [{name}: {value}]" for name, value in headers.items())
        print(f"{method} {path}{sent}")
        print(f"  {response.http_version} {response.status_code} {response.reason_phrase}")
        for name in KEY_HEADERS:
            if name in response.headers:
                print(f"  {name}: {response.headers[name]}")
        if response.status_code in (204, 304):
            raw = raw_204 if response.status_code == 204 else raw_304
            print(f"  (bytes after the header, read on a raw socket: {len(raw)})")

    by_code = {r.status_code: r for r in responses}
    checks = {
        "every request got the status code it asked for": [r.status_code for r in responses] == [e for e, *_ in REQUESTS],
        "201 and every 3xx redirect carry Location": all(
            "Location" in by_code[c].headers for c in (201, 301, 302, 303, 307, 308)
        ),
        "304 answers a conditional GET, repeats the ETag, and has no body (raw socket)": (
            by_code[304].headers.get("ETag") == ETAG and raw_304 == b""
        ),
        "204 has no body (raw socket)": raw_204 == b"",
        "401 carries a WWW-Authenticate challenge": "WWW-Authenticate" in by_code[401].headers,
        "403 refused a request that had credentials, with no new challenge": (
            "Authorization" in by_code[403].request.headers and "WWW-Authenticate" not in by_code[403].headers
        ),
        "405 lists the allowed methods in Allow": by_code[405].headers.get("Allow") == "GET, HEAD",
        "429 and 503 say when to retry (Retry-After, in seconds)": (
            by_code[429].headers.get("Retry-After") == "2" and by_code[503].headers.get("Retry-After") == "120"
        ),
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
