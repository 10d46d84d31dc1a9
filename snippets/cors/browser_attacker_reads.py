"""An attacker's page in a real Chromium against an API that reflects any Origin with credentials.

Three servers on 127.0.0.1, each on a port the OS picks, so three origins: the API (B), its real
front end (A) and an attacker's page (C). The user logs in at B, which sets a session cookie, then
opens the attacker's page. That page's script calls the API with credentials: a GET of the user's
profile from an endpoint that reflects the Origin (misconfigured) and from one that checks an
allowlist (correct), then a money transfer sent as a simple request (text/plain) and as JSON.
The API logs what it received and what it did.

The three origins differ only in port, so they are the same site and the SameSite=Lax cookie goes
with credentialed fetches; across sites the cookie would need SameSite=None; Secure.

Needs Chromium and Playwright for Python (python3 -m pip install playwright). Copy local_http.py
next to this file.
"""

import json
import platform
import shutil
import sys
from importlib.metadata import version as package_version
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler  # noqa: E402

QUIET_CHROMIUM = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]
PROFILE = b'{"user": "alice", "email": "alice@example.com", "api_key": "sk-alice-0001"}'

FETCH = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {read: true, status: response.status, body: await response.text()};
  } catch (error) {
    return {read: false, error: String(error)};
  }
}"""


class PageHandler(QuietHandler):
    def do_GET(self):
        body = f"<!doctype html><title>{self.server.name}</title>".encode()
        self.send_body(200 if self.path == "/" else 404, body, "text/html; charset=utf-8")


class ApiHandler(QuietHandler):
    """Origin B: the user's bank. Logs each request with the CORS headers it answered with."""

    def send_response(self, code, message=None):  # no Date or Server header
        self.status, self.allow_origin = code, "-"
        self.send_response_only(code, message)

    def send_header(self, keyword, value):
        if keyword == "Access-Control-Allow-Origin":
            self.allow_origin = value
        super().send_header(keyword, value)

    def end_headers(self):  # log each answer once its headers are known
        if self.path != "/favicon.ico":
            origin = self.headers.get("Origin", "-")
            self.server.seen.append({
                "request": f"{self.command} {self.path}",
                "origin": self.server.names.get(origin, origin),
                "cookie": "yes" if "session=alice" in self.headers.get("Cookie", "") else "no",
                "status": self.status,
                "acao": self.server.names.get(self.allow_origin, self.allow_origin),
                "balance": self.server.balance,
            })
        super().end_headers()

    def cors_headers(self, policy: str) -> dict:
        origin = self.headers.get("Origin", "")
        if policy == "reflect":  # the misconfiguration: whatever Origin came, it is "allowed"
            return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}
        if origin == self.server.front_end:  # the allowlist: one exact origin
            return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}
        return {"Vary": "Origin"}

    def do_GET(self):
        if self.path == "/login":
            self.send_body(200, b"logged in", headers={"Set-Cookie": "session=alice; Path=/; HttpOnly; SameSite=Lax"})
        elif self.path in ("/me/reflect", "/me/allowlist") and "session=alice" in self.headers.get("Cookie", ""):
            self.send_body(200, PROFILE, "application/json", self.cors_headers(self.path.removeprefix("/me/")))
        else:
            self.send_body(404, b"not found")

    def do_OPTIONS(self):  # preflight for /transfer: allowlist policy
        headers = self.cors_headers("allowlist")
        if "Access-Control-Allow-Origin" in headers:
            headers.update({"Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type"})
        self.send_response(204)  # a 204 has no body and no Content-Length (RFC 9110 8.6)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def do_POST(self):
        # A naive handler: parses the body as JSON whatever the Content-Type says.
        order = json.loads(self.read_body())
        if self.path == "/transfer" and "session=alice" in self.headers.get("Cookie", ""):
            self.server.balance -= order["amount"]
            self.send_body(200, b'{"done": true}', "application/json", self.cors_headers("allowlist"))
        else:
            self.send_body(403, b"no session")


def chromium_path() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome") or "chromium"


def main() -> int:
    with LocalServer(ApiHandler) as api, LocalServer(PageHandler) as front_end, LocalServer(PageHandler) as attacker:
        front_end.name, attacker.name = "front end", "attacker"
        api.seen, api.balance, api.front_end = [], 500, front_end.url
        api.names = {api.url: "B", front_end.url: "A", attacker.url: "C"}
        order = json.dumps({"to": "mallory", "amount": 100})
        from_attacker = [
            ("GET /me/reflect", "/me/reflect", {"credentials": "include"}),
            ("GET /me/allowlist", "/me/allowlist", {"credentials": "include"}),
            ("POST /transfer, Content-Type: text/plain", "/transfer",
             {"method": "POST", "credentials": "include", "headers": {"Content-Type": "text/plain"}, "body": order}),
            ("POST /transfer, Content-Type: application/json", "/transfer",
             {"method": "POST", "credentials": "include", "headers": {"Content-Type": "application/json"}, "body": order}),
        ]
        results = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=QUIET_CHROMIUM)
            try:
                version = browser.version
                page = browser.new_page()
                page.set_default_timeout(10_000)
                page.goto(api.url + "/login")
                page.goto(attacker.url + "/")  # the user opens the attacker's page in the same browser
                for label, path, init in from_attacker:
                    results.append(("C", label, page.evaluate(FETCH, [api.url + path, init])))
                page.goto(front_end.url + "/")  # the real front end, for comparison
                results.append(("A", "GET /me/allowlist", page.evaluate(FETCH, [api.url + "/me/allowlist", {"credentials": "include"}])))
            finally:
                browser.close()

    print(f"Chromium {version} (headless, driven by Playwright {package_version('playwright')}), Python {platform.python_version()}")
    print(f"API (the bank):        origin B = {api.url}")
    print(f"its real front end:    origin A = {front_end.url}")
    print(f"the attacker's page:   origin C = {attacker.url}")
    print("The user logged in at B (cookie session=alice; SameSite=Lax), then opened C.\n")
    print("What each script could read (fetch with credentials: 'include'):")
    for where, label, result in results:
        seen = f"read {result['status']} {result['body']}" if result["read"] else f"blocked ({result['error']})"
        print(f"  from {where}: {label:<48} {seen}")
    print("\nWhat the API received and did (its own log):")
    print(f"  {'request':<20} {'Origin':<7} {'cookie':<7} {'status':<7} {'Allow-Origin sent':<18} balance after")
    for entry in api.seen:
        print(f"  {entry['request']:<20} {entry['origin']:<7} {entry['cookie']:<7} {entry['status']:<7} {entry['acao']:<18} {entry['balance']}")

    reads = [result for _, _, result in results]
    log = [(entry["request"], entry["origin"]) for entry in api.seen]
    by_request = {(entry["request"], entry["origin"]): entry for entry in api.seen}
    checks = {
        "the attacker's page read alice's profile and API key through the reflecting endpoint": reads[0]["read"]
        and json.loads(reads[0]["body"])["api_key"] == "sk-alice-0001",
        "... because the API echoed origin C with Allow-Credentials: true": by_request[("GET /me/reflect", "C")]["acao"] == "C",
        "the allowlist endpoint's answer was withheld from the attacker's script": not reads[1]["read"],
        "... though the API received the cookie and sent the profile (200)": by_request[("GET /me/allowlist", "C")]["cookie"] == "yes"
        and by_request[("GET /me/allowlist", "C")]["status"] == 200,
        "the text/plain POST went without a preflight and the API moved the money": ("POST /transfer", "C") in log
        and by_request[("POST /transfer", "C")]["balance"] == 400,
        "... while the attacker's script could not read the answer": not reads[2]["read"],
        "the JSON POST stopped at its preflight: OPTIONS only, no second transfer": log.count(("OPTIONS /transfer", "C")) == 1
        and log.count(("POST /transfer", "C")) == 1 and not reads[3]["read"] and api.balance == 400,
        "the real front end (A) read the allowlist endpoint": reads[4]["read"] and json.loads(reads[4]["body"])["user"] == "alice",
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
