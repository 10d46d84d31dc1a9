"""A forged POST carries the victim's session cookie but cannot carry the CSRF token.

The bank stores a random token in each session and puts it in its own transfer form as a hidden
field. POST /transfer runs only when the form's token equals the session's (hmac.compare_digest).
httpx plays the victim's browser: it holds the session cookie and attaches it to every request,
as a browser does when SameSite does not stop it (see samesite_in_chromium.py).
Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import hmac
import re
import secrets
import sys
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402


class BankHandler(QuietHandler):
    def session(self) -> dict | None:
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        return self.server.sessions.get(cookie["session"].value) if "session" in cookie else None

    def do_GET(self):
        if self.path == "/login":
            session_id = secrets.token_urlsafe(32)
            self.server.sessions[session_id] = {"csrf_token": secrets.token_urlsafe(32), "balance": 100}
            self.send_body(200, b"logged in", headers={
                "Set-Cookie": f"session={session_id}; Path=/; HttpOnly; SameSite=Lax"})
        elif self.path == "/transfer" and (session := self.session()):
            form = (f'<form method="post" action="/transfer">'
                    f'<input type="hidden" name="csrf_token" value="{session["csrf_token"]}">'
                    f'<input name="amount"><input name="to"></form>')
            self.send_body(200, form.encode(), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"not found")

    def do_POST(self):
        form = {name: values[0] for name, values in parse_qs(self.read_body().decode()).items()}
        session = self.session()
        if session is None:
            self.send_body(401, b"not logged in")
            return
        sent = form.get("csrf_token", "")
        if not hmac.compare_digest(sent.encode(), session["csrf_token"].encode()):
            self.send_body(403, b"CSRF token missing or incorrect")
            return
        session["balance"] -= int(form["amount"])
        self.send_body(200, f"sent {form['amount']} to {form['to']}, balance {session['balance']}".encode())


def main() -> int:
    print(versions(), "\n")
    with LocalServer(BankHandler) as server:
        server.sessions = {}
        with httpx.Client(base_url=server.url) as victim, httpx.Client(base_url=server.url) as attacker:
            victim.get("/login")
            attacker.get("/login")  # the attacker's own account: a valid token, but for another session
            attackers_token = re.search(r'name="csrf_token" value="([^"]+)"', attacker.get("/transfer").text).group(1)
            forged = {"amount": "90", "to": "mallory"}
            attempts = {
                "forged, no token": victim.post("/transfer", data=forged),
                "forged, made-up token": victim.post("/transfer", data={**forged, "csrf_token": "x" * 43}),
                "forged, attacker's own valid token": victim.post("/transfer", data={**forged, "csrf_token": attackers_token}),
            }
            own_form = victim.get("/transfer").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', own_form).group(1)
            attempts["from the bank's own form"] = victim.post("/transfer", data={"amount": "10", "to": "bob", "csrf_token": token})
            cookie_sent = all("session=" in r.request.headers.get("cookie", "") for r in attempts.values())

    print(f"{'POST /transfer':<36} {'status':<7} response")
    for name, response in attempts.items():
        print(f"{name:<36} {response.status_code:<7} {response.text}")
    print(f"\nthe session cookie went with every one of them: {cookie_sent}")
    statuses = [r.status_code for r in attempts.values()]
    print()
    checks = {
        "each request carried the victim's session cookie": cookie_sent,
        "no token: 403": statuses[0] == 403,
        "a made-up token: 403": statuses[1] == 403,
        "a valid token of another session: 403": statuses[2] == 403,
        "the token from the bank's own form: 200": statuses[3] == 200,
        "only the genuine transfer moved money (balance 100 - 10 = 90)": attempts["from the bank's own form"].text.endswith("balance 90"),
        "the server raised no errors": not server.errors,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
