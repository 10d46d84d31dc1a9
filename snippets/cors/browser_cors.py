"""What a real Chromium lets a page read from another origin, and what the API's server sees.

Two servers on 127.0.0.1, on two ports the OS picks: the page's server (origin A) and an API
(origin B). Same scheme and host, different ports: two origins. From a page of origin A, fetch()
calls the API eight times: without CORS headers, with `Access-Control-Allow-Origin: *`, the same
with credentials, a PUT with a JSON body (preflighted) and that PUT again (the preflight answer said
Max-Age: 600, so it is cached), the same pair to a URL whose preflight answer says Max-Age: 0, and a
GET with an Authorization header to a URL whose preflight answer says Allow-Headers: *.
The API logs every request it receives, OPTIONS included; Chromium's console says why it blocked.

Needs Chromium and Playwright for Python (python3 -m pip install playwright). Copy local_http.py
next to this file.
"""

import json
import platform
from importlib.metadata import version as package_version
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler  # noqa: E402

QUIET_CHROMIUM = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]

# fetch() in the page; resolves to what the script could see, or to the error it got instead.
FETCH = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {read: true, status: response.status, body: await response.text(),
            requestId: response.headers.get("X-Request-Id"), internal: response.headers.get("X-Internal")};
  } catch (error) {
    return {read: false, error: String(error)};
  }
}"""


class PageHandler(QuietHandler):
    """Origin A: serves one empty page, the place the scripts run from."""

    def do_GET(self):
        if self.path == "/":
            self.send_body(200, b"<!doctype html><title>origin A</title>", "text/html; charset=utf-8")
        else:
            self.send_body(404, b"not found")


class ApiHandler(QuietHandler):
    """Origin B. Logs each request before answering, so a blocked fetch is still in the log."""

    def send_response(self, code, message=None):  # no Date or Server header: shorter logs
        self.log_request(code)
        self.send_response_only(code, message)

    def log_request(self, code="-", size="-"):
        if self.path == "/favicon.ico":  # Chromium asks for it after the /login page, at its own pace
            return
        self.server.seen.append({
            "method": self.command,
            "path": self.path,
            "origin": self.headers.get("Origin", "-"),
            "acrm": self.headers.get("Access-Control-Request-Method", "-"),
            "acrh": self.headers.get("Access-Control-Request-Headers", "-"),
            "cookie": "yes" if self.headers.get("Cookie") else "no",
            "status": int(code),
        })

    def do_GET(self):
        if self.path == "/login":  # the user's session at B: a host-only cookie for 127.0.0.1
            self.send_body(200, b"logged in", headers={"Set-Cookie": "session=alice; Path=/; HttpOnly; SameSite=Lax"})
        elif self.path == "/public/no-cors":
            self.send_body(200, b'{"price": 42}', "application/json")
        elif self.path == "/public/star":
            self.send_body(200, b'{"price": 42}', "application/json", {"Access-Control-Allow-Origin": "*"})
        elif self.path == "/public/me":  # the body proves the Authorization header arrived
            token = self.headers.get("Authorization", "none")
            self.send_body(200, json.dumps({"token": token}).encode(), "application/json", {"Access-Control-Allow-Origin": "*"})
        else:
            self.send_body(404, b"not found")

    def do_OPTIONS(self):
        origin = self.headers.get("Origin")
        headers = {"Vary": "Origin"}
        if self.path == "/public/me":  # no credentials: "*" may stand for any header name
            headers = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*"}
        elif origin == self.server.allowed_origin:  # /notes and /drafts: only origin A, only PUT, two headers
            headers.update({
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Credentials": "true",
                "Access-Control-Allow-Methods": "PUT",
                "Access-Control-Allow-Headers": "Content-Type, X-Request-Id",
                "Access-Control-Max-Age": "0" if self.path.startswith("/drafts/") else "600",
            })
        self.send_response(204)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def do_PUT(self):
        note = json.loads(self.read_body())
        self.server.notes.append(note["text"])
        headers = {"Vary": "Origin", "X-Request-Id": self.headers.get("X-Request-Id", ""), "X-Internal": "db-7"}
        if self.headers.get("Origin") == self.server.allowed_origin:
            headers.update({
                "Access-Control-Allow-Origin": self.server.allowed_origin,
                "Access-Control-Allow-Credentials": "true",
                "Access-Control-Expose-Headers": "X-Request-Id",
            })
        self.send_body(200, json.dumps({"saved": note["text"]}).encode(), "application/json", headers)


def chromium_path() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome") or "chromium"


def main() -> int:
    with LocalServer(PageHandler) as site, LocalServer(ApiHandler) as api:
        api.seen, api.notes, api.allowed_origin = [], [], site.url
        put = {"method": "PUT", "credentials": "include",
               "headers": {"Content-Type": "application/json", "X-Request-Id": "r-1"},
               "body": json.dumps({"text": "buy milk"})}
        calls = [
            ("GET /public/no-cors (no CORS headers)", "/public/no-cors", {}),
            ("GET /public/star (Allow-Origin: *)", "/public/star", {}),
            ("GET /public/star, credentials: include", "/public/star", {"credentials": "include"}),
            ("PUT /notes/1, JSON, with cookie", "/notes/1", put),
            ("the same PUT again", "/notes/1", put),
            ("PUT /drafts/1 (its preflight says Max-Age: 0)", "/drafts/1", put),
            ("the same PUT to /drafts/1 again", "/drafts/1", put),
            ("GET /public/me, Authorization (Allow-Headers: *)", "/public/me", {"headers": {"Authorization": "Bearer t-1"}}),
        ]
        results, consoles = [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=QUIET_CHROMIUM)
            try:
                version = browser.version
                page = browser.new_page()
                page.set_default_timeout(10_000)
                page.goto(api.url + "/login")  # the browser now holds B's session cookie
                api.seen.clear()
                page.goto(site.url + "/")
                page.on("console", lambda message: consoles.append(message.text))
                for label, path, init in calls:
                    results.append((label, path, page.evaluate(FETCH, [api.url + path, init])))
                blocked = sum(not result["read"] for _, _, result in results)
                for _ in range(100):  # the console messages travel separately: give them up to 2 s
                    if sum("CORS policy" in text for text in consoles) >= blocked:
                        break
                    page.wait_for_timeout(20)
            finally:
                browser.close()

    print(f"Chromium {version} (headless, driven by Playwright {package_version('playwright')}), Python {platform.python_version()}")
    print(f"page: origin A = {site.url}")
    print(f"API:  origin B = {api.url}")
    print("Same scheme, same host, different port: two origins.\n")
    reasons = {}  # call number -> the console's CORS message about it
    for number, (label, path, result) in enumerate(results, 1):
        if result["read"]:
            outcome = f"read: {result['status']} {result['body']}"
            if path.startswith(("/notes/", "/drafts/")):
                outcome += f"  X-Request-Id={result['requestId']} X-Internal={result['internal']}"
        else:
            outcome = f"blocked: {result['error']}"
        print(f"{number}. {label}")
        print(f"   script: {outcome}")
        for text in consoles:
            if api.url + path in text and "CORS policy" in text and not result["read"]:
                reasons[number] = text
                print("   console: " + text.replace(api.url, "B").replace(site.url, "A"))
                break
    print("\nWhat the API received (its own log), in order:")
    print(f"  {'request':<24} {'Origin':<6} {'Access-Control-Request-*':<48} {'cookie':<6} answer")
    for entry in api.seen:
        origin = "A" if entry["origin"] == site.url else entry["origin"]
        asked = "-" if entry["acrm"] == "-" else f"Method: {entry['acrm']}, Headers: {entry['acrh']}"
        print(f"  {entry['method'] + ' ' + entry['path']:<24} {origin:<6} {asked:<48} {entry['cookie']:<6} {entry['status']}")

    outcome = [result for _, _, result in results]
    methods = [f"{entry['method']} {entry['path']}" for entry in api.seen]
    options = [entry for entry in api.seen if entry["method"] == "OPTIONS"]
    blocked_reasons = [text for text in consoles if "CORS policy" in text]
    me_options = [entry for entry in options if entry["path"] == "/public/me"]
    checks = {
        "without CORS headers the script could not read the response": not outcome[0]["read"],
        "... yet the API received that GET and answered 200": api.seen[0]["method"] == "GET" and api.seen[0]["status"] == 200,
        "with Allow-Origin: * the script read the response": outcome[1]["read"] and outcome[1]["body"] == '{"price": 42}',
        "a default fetch() sent no cookie to the other origin": [e["cookie"] for e in api.seen[:2]] == ["no", "no"],
        "with credentials, Allow-Origin: * was refused (the cookie was sent)": not outcome[2]["read"] and api.seen[2]["cookie"] == "yes",
        "the PUT was preceded by one OPTIONS asking for PUT and its two headers": methods[3:5] == ["OPTIONS /notes/1", "PUT /notes/1"]
        and options[0]["acrm"] == "PUT" and options[0]["acrh"] == "content-type,x-request-id",
        "the preflight carried no cookie; the PUT after it did": options[0]["cookie"] == "no" and api.seen[4]["cookie"] == "yes",
        "the script read the PUT's answer and the exposed X-Request-Id only": outcome[3]["read"]
        and outcome[3]["requestId"] == "r-1" and outcome[3]["internal"] is None,
        "the second PUT went without a preflight: the first answer was cached": methods[5] == "PUT /notes/1"
        and methods.count("OPTIONS /notes/1") == 1,
        "with Max-Age: 0, each PUT to /drafts/1 had its own preflight": methods[6:10] == [
            "OPTIONS /drafts/1", "PUT /drafts/1", "OPTIONS /drafts/1", "PUT /drafts/1"] and outcome[5]["read"] and outcome[6]["read"],
        "Chromium's console gave a CORS reason for both blocked reads": len(blocked_reasons) == 2,
        "... for call 3 it names the wildcard: must not be '*' with credentials": "must not be the wildcard '*'" in reasons.get(3, ""),
        "the Authorization GET was preflighted, asking for 'authorization'": methods[10:] == ["OPTIONS /public/me", "GET /public/me"]
        and [entry["acrh"] for entry in me_options] == ["authorization"],
        "Allow-Headers: * covered Authorization: sent and read (the Fetch standard says it must not)": outcome[7]["read"]
        and json.loads(outcome[7]["body"]) == {"token": "Bearer t-1"},
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    print("\n```mermaid\nsequenceDiagram\n    participant P as Page (origin A)\n    participant B as API (origin B)")
    reads = iter(outcome)
    for entry in api.seen:
        cookie = " + cookie" if entry["cookie"] == "yes" else ""
        print(f"    P->>B: {entry['method']} {entry['path']}{cookie}")
        if entry["method"] == "OPTIONS":
            print(f"    B-->>P: {entry['status']} (preflight)")
        else:
            print(f"    B-->>P: {entry['status']}, script {'reads it' if next(reads)['read'] else 'is blocked'}")
    print("```")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
