"""A CORS preflight and the request after it, sent by hand with httpx, shown as raw headers.

A local API allows one origin, https://app.example, to PUT JSON with an X-Request-Id header. The
demo sends what a browser would send for fetch(url, {method: "PUT", headers: {...}}): first the
OPTIONS preflight, then the PUT. Then it sends the same pair with Origin: https://evil.example.
httpx is not a browser: it ignores every Access-Control-* header, so the last PUT goes through,
and the server runs it. CORS tells browsers what they may show a page; it guards nothing on the
server.

Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import json
import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

ALLOWED_ORIGINS = {"https://app.example"}


class NotesApi(QuietHandler):
    def send_response(self, code, message=None):  # no Date or Server header: shorter listings
        self.log_request(code)
        self.send_response_only(code, message)

    def do_OPTIONS(self):
        origin = self.headers.get("Origin")
        self.send_response(204)
        self.send_header("Vary", "Origin")  # the answer depends on Origin: caches must key on it
        if origin in ALLOWED_ORIGINS:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Methods", "GET, PUT, DELETE")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, X-Request-Id")
            self.send_header("Access-Control-Max-Age", "600")
        self.end_headers()

    def do_PUT(self):
        self.server.notes[self.path] = json.loads(self.read_body())["text"]
        headers = {"Vary": "Origin", "X-Request-Id": self.headers.get("X-Request-Id", "")}
        origin = self.headers.get("Origin")
        if origin in ALLOWED_ORIGINS:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = "X-Request-Id"
        self.send_body(200, json.dumps({"saved": self.server.notes[self.path]}).encode(), "application/json", headers)


def show(response: httpx.Response) -> None:
    request = response.request
    print(f"> {request.method} {request.url.raw_path.decode()} HTTP/1.1")
    for name, value in request.headers.raw:
        print(f"> {name.decode()}: {value.decode()}")
    if request.content:
        print(f"> (body) {request.content.decode()}")
    print(f"< HTTP/1.1 {response.status_code} {response.reason_phrase}")
    for name, value in response.headers.raw:
        print(f"< {name.decode()}: {value.decode()}")
    if response.content:
        print(f"< (body) {response.text}")
    print()


def preflight_then_put(client: httpx.Client, origin: str, text: str) -> tuple[httpx.Response, httpx.Response]:
    preflight = client.options("/notes/1", headers={
        "Origin": origin,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type,x-request-id",  # lower case, comma, no space
    })
    put = client.put("/notes/1", content=json.dumps({"text": text}), headers={
        "Origin": origin, "Content-Type": "application/json", "X-Request-Id": "r-7"})
    return preflight, put


def main() -> int:
    print(versions(), "\n")
    headers = {"Accept": "*/*", "User-Agent": "demo"}  # the preflight's Accept is */* (Fetch standard)
    with LocalServer(NotesApi) as server, httpx.Client(base_url=server.url, headers=headers) as client:
        server.notes = {}
        print("=== Origin: https://app.example (on the allowlist) ===\n")
        good_preflight, good_put = preflight_then_put(client, "https://app.example", "buy milk")
        show(good_preflight)
        show(good_put)
        print("=== Origin: https://evil.example (not on the allowlist) ===\n")
        bad_preflight, bad_put = preflight_then_put(client, "https://evil.example", "pwned")
        show(bad_preflight)
        show(bad_put)
        notes = dict(server.notes)
        print("Server log:")
        for line in server.access_log:
            print("  " + line)
    print(f"\nNote /notes/1 on the server now: {notes['/notes/1']!r}")

    allowed = good_preflight.headers
    checks = {
        "the preflight for the allowed origin got 204 and no body": good_preflight.status_code == 204 and good_preflight.content == b"",
        "it echoed the origin and listed PUT and both headers": allowed.get("Access-Control-Allow-Origin") == "https://app.example"
        and "PUT" in allowed.get("Access-Control-Allow-Methods", "")
        and allowed.get("Access-Control-Allow-Headers") == "Content-Type, X-Request-Id",
        "it allowed caching the answer for 600 s, and said Vary: Origin": allowed.get("Access-Control-Max-Age") == "600"
        and allowed.get("Vary") == "Origin",
        "the PUT's answer named the origin and exposed X-Request-Id": good_put.headers.get("Access-Control-Allow-Origin") == "https://app.example"
        and good_put.headers.get("Access-Control-Expose-Headers") == "X-Request-Id",
        "the other origin's preflight got no Access-Control-* header at all": not any(
            name.lower().startswith("access-control-") for name in bad_preflight.headers),
        "yet its PUT, sent anyway, ran on the server (200, note overwritten)": bad_put.status_code == 200 and notes["/notes/1"] == "pwned",
        "the server logged two OPTIONS and two PUT": [line.split('"')[1].split()[0] for line in server.access_log]
        == ["OPTIONS", "PUT", "OPTIONS", "PUT"],
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
