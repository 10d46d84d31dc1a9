"""A strict Content-Security-Policy on a real response: a fresh nonce per response, in the header and
on the page's own <script>; an injected inline script has no nonce, so a browser refuses to run it.

The page also carries one inline script without the nonce, standing in for markup an attacker got
into the page. The browser tests in tests/test_browser_xss_csrf.py load this page in Chromium and
check that the nonced script ran, the other did not, and a securitypolicyviolation event fired.
Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import base64
import re
import secrets
import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

POLICY = [
    "script-src 'nonce-{nonce}' 'strict-dynamic'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]
PAGE = """<!doctype html><title>CSP</title>
<script nonce="{nonce}">document.title = "nonced script ran";</script>
<p>Comment: <script>window.injected = true;</script></p>
"""


class CspHandler(QuietHandler):
    def do_GET(self):
        nonce = base64.b64encode(secrets.token_bytes(16)).decode()  # 128 bits, new for every response
        policy = "; ".join(POLICY).format(nonce=nonce)
        self.send_body(200, PAGE.format(nonce=nonce).encode(), "text/html; charset=utf-8",
                       headers={"Content-Security-Policy": policy})


def main() -> int:
    print(versions(), "\n")
    with LocalServer(CspHandler) as server, httpx.Client(base_url=server.url) as client:
        first, second = client.get("/"), client.get("/")
    policy = first.headers["content-security-policy"]
    print(f"GET /  ->  {first.status_code}")
    print("Content-Security-Policy, one directive a line:")
    for directive in policy.split("; "):
        print(f"  {directive}")
    print(f"\nbody:\n{first.text}")

    nonces = [re.search(r"'nonce-([A-Za-z0-9+/=]+)'", r.headers["content-security-policy"]).group(1) for r in (first, second)]
    scripts = re.findall(r"<script( nonce=\"[^\"]*\")?>", first.text)
    print(f"nonce of this response: {nonces[0]}  (base64 of {len(base64.b64decode(nonces[0])) * 8} random bits)")
    print(f"nonce of the next one:  {nonces[1]}\n")
    checks = {
        "the response carries a Content-Security-Policy header": bool(policy),
        "the nonce in the header is the nonce on the page's own <script>": scripts[0] == f' nonce="{nonces[0]}"',
        "the injected <script> has no nonce": scripts[1] == "",
        "the nonce has 128 random bits": len(base64.b64decode(nonces[0])) == 16,
        "the next response got a different nonce": nonces[0] != nonces[1],
        "the policy has no 'unsafe-inline' in it": "unsafe-inline" not in policy,
        "the server raised no errors": not server.errors,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
