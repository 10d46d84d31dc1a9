"""Four ways a server picks Access-Control-Allow-Origin, and which origins each lets read a
credentialed response.

One local API serves the user's profile at four paths, each with its own CORS policy: reflect
whatever Origin arrives, accept any origin that ends in "app.example", accept "null" too, or
match an exact allowlist. httpx sends a credentialed GET (with the session cookie) from five
origins and prints the headers each policy answered with. `browser_would_share()` is the Fetch
standard's CORS check, step by step: what a browser decides with those headers (the browser demos
show Chromium deciding the same way).

Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

FRONT_END = "https://app.example"
ORIGINS = [
    FRONT_END,
    "https://evil.example",
    "https://evilapp.example",  # ends in "app.example" but is someone else's domain
    "null",  # what a sandboxed iframe or a file: page sends
    "https://app.example.evil.example",
]


def allowed(policy: str, origin: str) -> bool:
    if policy == "reflect":
        return True  # the bug: every origin is "allowed"
    if policy == "suffix":
        return origin.endswith("app.example")  # the bug: should be == or endswith(".app.example")
    if policy == "with-null":
        return origin in (FRONT_END, "null")  # the bug: any sandboxed page can send Origin: null
    return origin == FRONT_END  # exact allowlist


class ProfileApi(QuietHandler):
    def do_GET(self):
        policy = self.path.strip("/")
        origin = self.headers.get("Origin", "")
        headers = {"Vary": "Origin"}
        if allowed(policy, origin):
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Allow-Credentials"] = "true"
        body = b'{"user": "alice", "api_key": "sk-alice-0001"}' if "session=alice" in self.headers.get("Cookie", "") else b"{}"
        self.send_body(200, body, "application/json", headers)


def browser_would_share(request_origin: str, credentials_mode: str, response: httpx.Response) -> bool:
    """Fetch standard, "CORS check", for a response to a request from request_origin."""
    origin = response.headers.get("Access-Control-Allow-Origin")
    if origin is None:
        return False
    if credentials_mode != "include" and origin == "*":
        return True
    if origin != request_origin:  # byte-for-byte: no pattern, no list, no trailing slash
        return False
    if credentials_mode != "include":
        return True
    return response.headers.get("Access-Control-Allow-Credentials") == "true"  # case-sensitive


def main() -> int:
    print(versions(), "\n")
    table = {}
    with LocalServer(ProfileApi) as server, httpx.Client(base_url=server.url, cookies={"session": "alice"}) as client:
        for policy in ("reflect", "suffix", "with-null", "allowlist"):
            for origin in ORIGINS:
                response = client.get(f"/{policy}", headers={"Origin": origin})
                table[policy, origin] = response
    first = table["reflect", "https://evil.example"]
    print("A credentialed GET /reflect with Origin: https://evil.example, as the server answered it:")
    for name, value in first.headers.raw:
        print(f"  {name.decode()}: {value.decode()}")
    print(f"  (body) {first.text}\n")

    print("Can a page at this origin read the credentialed answer? (the Fetch CORS check on the headers")
    print("each policy sent; READS where the server echoed the Origin with Allow-Credentials: true)\n")
    print(f"{'request Origin':<34} " + "".join(f"{policy:<12}" for policy in ("reflect", "suffix", "with-null", "allowlist")).rstrip())
    for origin in ORIGINS:
        cells = []
        for policy in ("reflect", "suffix", "with-null", "allowlist"):
            cells.append("READS" if browser_would_share(origin, "include", table[policy, origin]) else "-")
        print((f"{origin:<34} " + "".join(f"{cell:<12}" for cell in cells)).rstrip())

    def readers(policy: str) -> list[str]:
        return [o for o in ORIGINS if browser_would_share(o, "include", table[policy, o])]

    star = httpx.Response(200, headers={"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true"})
    checks = {
        "reflect echoed evil.example with Allow-Credentials: true and the private body": first.headers.get(
            "Access-Control-Allow-Origin") == "https://evil.example" and first.headers.get(
            "Access-Control-Allow-Credentials") == "true" and "sk-alice-0001" in first.text,
        "reflect lets every one of the five origins read": readers("reflect") == ORIGINS,
        "the suffix test lets evilapp.example read": readers("suffix") == [FRONT_END, "https://evilapp.example"],
        "allowing null lets a request with Origin: null read": readers("with-null") == [FRONT_END, "null"],
        "the exact allowlist lets only app.example read": readers("allowlist") == [FRONT_END],
        "every answer carried Vary: Origin": all(r.headers.get("Vary") == "Origin" for r in table.values()),
        "browser_would_share() (this demo's CORS check) refuses * with credentials, accepts it without": not browser_would_share(
            "https://evil.example", "include", star) and browser_would_share("https://evil.example", "omit", star),
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
