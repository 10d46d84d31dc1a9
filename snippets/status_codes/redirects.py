"""Follow a redirect chain with httpx, then see which redirects keep a POST and its body.

Run: python3 redirects.py (standard library and httpx).
"""

import http.server
import json
import sys
import threading

import httpx

CHAIN = {"/a": (301, "/b"), "/b": (302, "/c"), "/c": (307, "/d"), "/d": (308, "/final")}
REDIRECT_CODES = [301, 302, 303, 307, 308]
BODY = b'{"amount": 10}'


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path in CHAIN:
            code, target = CHAIN[self.path]
            self.redirect(code, target)
        elif self.path.startswith("/redirect-"):  # /redirect-307 answers 307 to /echo
            self.redirect(int(self.path.removeprefix("/redirect-")), "/echo")
        else:  # /final and /echo: say what arrived
            self.send(200, json.dumps({"method": self.command, "body": body.decode()}).encode())

    do_GET = do_POST = do_PUT = handle_any

    def redirect(self, code: int, target: str) -> None:
        self.send_response(code)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with httpx.Client(base_url=base, timeout=5) as client:
            not_followed = client.get("/a")  # httpx's default: follow_redirects=False
            chain = client.get("/a", follow_redirects=True)
            arrived = {}
            for method in ("POST", "PUT"):
                for code in REDIRECT_CODES:
                    response = client.request(method, f"/redirect-{code}", content=BODY, follow_redirects=True)
                    arrived[method, code] = response.json()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    print(f"Python {sys.version.split()[0]}, httpx {httpx.__version__}\n")
    print(f"client.get('/a') without follow_redirects: {not_followed.status_code}, Location {not_followed.headers['Location']}\n")
    print("client.get('/a', follow_redirects=True):")
    for hop in [*chain.history, chain]:
        location = f" -> {hop.headers['Location']}" if hop.is_redirect else ""
        print(f"  {hop.request.method} {hop.request.url.path:<7} {hop.status_code} {hop.reason_phrase}{location}")

    print(f"\nA request with body {BODY.decode()} to /redirect-<code>, which redirects to /echo:")
    print(f"  {'code':<5} {'sent':<5} {'arrived at /echo':<17} body kept")
    for (method, code), seen in arrived.items():
        kept = "yes" if seen["body"] == BODY.decode() else "no"
        print(f"  {code:<5} {method:<5} {seen['method']:<17} {kept}")

    def became_get(method: str, code: int) -> bool:
        return arrived[method, code] == {"method": "GET", "body": ""}

    def kept(method: str, code: int) -> bool:
        return arrived[method, code] == {"method": method, "body": BODY.decode()}

    checks = {
        "httpx does not follow redirects unless asked": not_followed.status_code == 301 and not_followed.history == [],
        "the chain 301 -> 302 -> 307 -> 308 ended in 200 at /final": (
            [r.status_code for r in chain.history] == [301, 302, 307, 308] and chain.url.path == "/final"
        ),
        "301, 302 and 303 turned the POST into a GET without a body": all(became_get("POST", c) for c in (301, 302, 303)),
        "307 and 308 kept the POST and its body": kept("POST", 307) and kept("POST", 308),
        "httpx turned a PUT into a GET on 302 and 303, but kept it on 301": (
            became_get("PUT", 302) and became_get("PUT", 303) and kept("PUT", 301)
        ),
        "307 and 308 kept the PUT and its body": kept("PUT", 307) and kept("PUT", 308),
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    print("\n```mermaid\nsequenceDiagram\n    participant C as httpx\n    participant S as server")
    for hop in [*chain.history, chain]:
        print(f"    C->>S: {hop.request.method} {hop.request.url.path}")
        location = f", Location {hop.headers['Location']}" if hop.is_redirect else ""
        print(f"    S-->>C: {hop.status_code} {hop.reason_phrase}{location}")
    print("```")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
