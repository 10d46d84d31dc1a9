"""An Origin check on state-changing requests: compare Origin (or, if absent, Referer) with the
server's own origin, and refuse when neither header is there (fail closed).

Browsers set Origin themselves and page script cannot change it (it is a forbidden request
header), so the server can trust what it reads, as long as it is a browser that sent the request.
httpx sends the headers each case would carry; which ones Chromium really sends is measured in
samesite_in_chromium.py. Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class OriginCheckHandler(QuietHandler):
    def do_POST(self):
        self.read_body()
        origin, referer = self.headers.get("Origin"), self.headers.get("Referer")
        if origin is not None:
            source, verdict = "Origin", origin == self.server.url  # "null" never equals it
        elif referer is not None:
            source, verdict = "Referer", origin_of(referer) == self.server.url
        else:
            source, verdict = "neither", False
        if verdict:
            self.send_body(200, f"accepted ({source} matches)".encode())
        else:
            self.send_body(403, f"refused ({source})".encode())


def main() -> int:
    print(versions())
    with LocalServer(OriginCheckHandler) as server, httpx.Client(base_url=server.url) as client:
        own = server.url
        port = server.server_address[1]
        cases = {
            "same origin": {"Origin": own},
            "another site": {"Origin": "http://localhost:8080"},
            "same site, another port": {"Origin": f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}"},
            "Origin: null (sandboxed frame, file:, etc.)": {"Origin": "null"},
            "no Origin, same-origin Referer": {"Referer": f"{own}/transfer"},
            "no Origin, no Referer": {},
        }
        responses = {name: client.post("/transfer", headers=headers, data={"amount": "1"}) for name, headers in cases.items()}
    print(f"server's own origin: {own}\n")
    print(f"{'case':<44} {'headers sent':<46} status  response")
    for name, response in responses.items():
        sent = ", ".join(f"{k}: {v}" for k, v in cases[name].items()) or "(neither)"
        print(f"{name:<44} {sent:<46} {response.status_code:<7} {response.text}")
    print()
    status = {name: r.status_code for name, r in responses.items()}
    checks = {
        "same origin: accepted": status["same origin"] == 200,
        "another site: refused": status["another site"] == 403,
        "same site but another port: refused (stricter than SameSite)": status["same site, another port"] == 403,
        "Origin: null: refused": status["Origin: null (sandboxed frame, file:, etc.)"] == 403,
        "no Origin but a same-origin Referer: accepted": status["no Origin, same-origin Referer"] == 200,
        "neither header: refused": status["no Origin, no Referer"] == 403,
        "the server raised no errors": not server.errors,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
