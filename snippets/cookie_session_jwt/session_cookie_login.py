"""Log in, be recognised by a session cookie, log out; then replay the old cookie to see if logout really ended it.

Runs an HTTPS server on 127.0.0.1 (a throwaway self-signed certificate is embedded below, valid for
127.0.0.1 only, together with its private key: public, so never reuse or trust it outside this demo)
so the cookie can carry Secure and the __Host- prefix, as it should in production.
Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import hmac
import http.cookies
import os
import secrets
import ssl
import string
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

# A self-signed P-256 certificate for IP 127.0.0.1 only (CA:FALSE, serverAuth), valid from 2020-01-01
# to 2119-12-31 so that a machine whose clock is behind still accepts it. Made with OpenSSL 3.0:
# `openssl ca -selfsign -startdate 20200101000000Z -enddate 21191231000000Z` over a CSR for
# CN=127.0.0.1 with subjectAltName=IP:127.0.0.1. Its private key is below, public, for this demo only.
CERT = """-----BEGIN CERTIFICATE-----
MIIBsDCCAVegAwIBAgIRAIdHCebZmDpFp0CWMfHt8ggwCgYIKoZIzj0EAwIwFDES
MBAGA1UEAwwJMTI3LjAuMC4xMCAXDTIwMDEwMTAwMDAwMFoYDzIxMTkxMjMxMDAw
MDAwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjOPQMB
BwNCAASCtl0W8DYXE5PDb2r47EmEweGfLl/LWJglmAzLdmT2t10NYnc1x/Zz7FCA
YVFxoQr9wtE8cfAyVIxIZ/OB5T/0o4GHMIGEMB0GA1UdDgQWBBQ+cP0M0be2DCLf
cp3+Trg7LnrlRzAfBgNVHSMEGDAWgBQ+cP0M0be2DCLfcp3+Trg7LnrlRzAPBgNV
HREECDAGhwR/AAABMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1Ud
JQQMMAoGCCsGAQUFBwMBMAoGCCqGSM49BAMCA0cAMEQCIC4Hjh+ouSmRqk5NWVQL
iN85Ql7gEKIwscPOa9b6HFFUAiBoc26pjoPdtk1heqMBC13Ekkr+R6MeBF+pEohW
Re1WTg==
-----END CERTIFICATE-----
"""
# DEMO ONLY - published private key, never reuse
KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgByaR/pbu9Yief+lT
jP+jmkjWXSyW9ArWnceM0Yi3DbGhRANCAASCtl0W8DYXE5PDb2r47EmEweGfLl/L
WJglmAzLdmT2t10NYnc1x/Zz7FCAYVFxoQr9wtE8cfAyVIxIZ/OB5T/0
-----END PRIVATE KEY-----
"""
COOKIE = "__Host-sid"
ATTRIBUTES = "Path=/; Secure; HttpOnly; SameSite=Lax"  # no Max-Age or Expires: gone when the browser closes
EXPIRED = "Expires=Thu, 01 Jan 1970 00:00:00 GMT"  # RFC 6265's way to delete; Max-Age=0 works in browsers too
PASSWORD = "correct horse"


class SessionHandler(QuietHandler):
    """POST /login, GET /me, POST /logout. The session store is a dict on the server: sid -> user."""

    def session_id(self) -> str | None:
        jar = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
        return jar[COOKIE].value if COOKIE in jar else None

    def do_POST(self):
        if self.path == "/login":
            form = parse_qs(self.read_body().decode())
            if not hmac.compare_digest(form.get("password", [""])[0], PASSWORD):
                return self.send_body(401, b"bad credentials\n")
            sid = secrets.token_urlsafe(32)  # 256 random bits; a new id at every login (no fixation)
            self.server.sessions[sid] = form["user"][0]
            cookies = [f"{COOKIE}={sid}; {ATTRIBUTES}", "theme=dark; Path=/; SameSite=Lax"]
            return self.send_cookies(200, b"logged in\n", cookies)
        if self.path == "/logout":
            if self.server.forget_on_logout:
                self.server.sessions.pop(self.session_id(), None)
            return self.send_cookies(200, b"logged out\n", [f"{COOKIE}=; {ATTRIBUTES}; {EXPIRED}"])
        self.send_body(404, b"")

    def do_GET(self):
        user = self.server.sessions.get(self.session_id())
        self.server.seen_cookie_headers.append(self.headers.get("Cookie", "(none)"))
        if user is None:
            return self.send_body(401, b"who are you?\n")
        self.send_body(200, f"hello {user}\n".encode())

    def send_cookies(self, status: int, body: bytes, cookies: list[str]):
        self.send_response(status)
        for line in cookies:
            self.send_header("Set-Cookie", line)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class PlainHandler(QuietHandler):
    """A plain-HTTP service on another port of the same host; it only records the Cookie header."""

    def do_GET(self):
        self.server.seen_cookie_headers.append(self.headers.get("Cookie", "(none)"))
        self.send_body(200, b"ok\n")


def https_server(forget_on_logout: bool) -> LocalServer:
    server = LocalServer(SessionHandler)
    server.sessions, server.seen_cookie_headers, server.forget_on_logout = {}, [], forget_on_logout
    with tempfile.TemporaryDirectory() as folder:  # load_cert_chain reads files; removed at once
        cert, key = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert.write_text(CERT)
        key.write_text(KEY)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.url = server.url.replace("http://", "https://")
    return server


def short(value: str) -> str:
    return value if len(value) < 20 else value[:8] + "..." + value[-4:]


def run(forget_on_logout: bool) -> dict:
    """One session's life against one server; returns what the checks need."""
    client_tls = ssl.create_default_context(cadata=CERT)
    seen = {}
    with https_server(forget_on_logout) as server, LocalServer(PlainHandler) as plain:
        plain.seen_cookie_headers = []
        with httpx.Client(base_url=server.url, verify=client_tls) as browser:
            login = browser.post("/login", data={"user": "ana", "password": PASSWORD})
            sid = browser.cookies.get(COOKIE)
            me = browser.get("/me")
            browser.get(plain.url + "/")  # same host, other port, plain HTTP
            logout = browser.post("/logout")
            seen["jar after logout"] = [cookie.name for cookie in browser.cookies.jar]
            me_after = browser.get("/me")
        with httpx.Client(base_url=server.url, verify=client_tls) as attacker:
            replay = attacker.get("/me", headers={"Cookie": f"{COOKIE}={sid}"})
            planted = attacker.get("/me", headers={"Cookie": f"{COOKIE}=chosen-by-attacker"})
        seen.update(
            login=login, me=me, logout=logout, me_after=me_after, replay=replay, planted=planted, sid=sid,
            server_cookie_headers=[h.replace(sid, short(sid)) for h in server.seen_cookie_headers],
            plain_cookie_header=plain.seen_cookie_headers[0], sessions_left=len(server.sessions),
            errors=server.errors + plain.errors,
        )
    return seen


def main() -> int:
    print(versions(), f"| {ssl.OPENSSL_VERSION}\n")
    good = run(forget_on_logout=True)
    print("POST /login ->", good["login"].status_code)
    for line in good["login"].headers.get_list("set-cookie"):
        print("  Set-Cookie:", line.replace(good["sid"], short(good["sid"])))
    print(f"GET /me -> {good['me'].status_code} {good['me'].text.strip()}")
    print(f"  the jar sent Cookie: {good['server_cookie_headers'][0]}")
    print("GET http://127.0.0.1:<another port>/ (plain HTTP, same host)")
    print(f"  the jar sent Cookie: {good['plain_cookie_header']}")
    print("POST /logout ->", good["logout"].status_code)
    for line in good["logout"].headers.get_list("set-cookie"):
        print("  Set-Cookie:", line)
    print("cookies left in the client's jar:", good["jar after logout"])
    print(f"GET /me -> {good['me_after'].status_code}")
    print(f"  the jar sent Cookie: {good['server_cookie_headers'][1]}")
    print(f"The old {COOKIE} value, replayed by another client -> {good['replay'].status_code}")
    print(f"A session id the server never issued -> {good['planted'].status_code}\n")

    weak = run(forget_on_logout=False)
    print("Against a server whose logout only clears the cookie:")
    print(f"The old {COOKIE} value, replayed -> {weak['replay'].status_code} {weak['replay'].text.strip()}\n")

    login_lines = good["login"].headers.get_list("set-cookie")
    logout_line = good["logout"].headers.get_list("set-cookie")[0]
    checks = {
        "login set the session cookie with Path=/, Secure, HttpOnly, SameSite=Lax": login_lines[0].endswith(
            "; Path=/; Secure; HttpOnly; SameSite=Lax"
        ) and login_lines[0].startswith(f"{COOKIE}="),
        "the session cookie has no Max-Age or Expires (a session cookie)": "max-age" not in login_lines[0].lower()
        and "expires" not in login_lines[0].lower(),
        "the session id is 43 base64url characters (secrets.token_urlsafe(32), 256 bits)": len(good["sid"]) == 43
        and set(good["sid"]) <= set(string.ascii_letters + string.digits + "-_"),
        "the next request was recognised by the cookie alone": good["me"].status_code == 200
        and good["me"].text == "hello ana\n",
        "plain HTTP on another port got theme but not the Secure cookie": good["plain_cookie_header"] == "theme=dark",
        "logout told the client to delete the cookie (same name, Path, an Expires in the past)": logout_line
        == f"{COOKIE}=; {ATTRIBUTES}; {EXPIRED}",
        "the client's jar dropped it": COOKIE not in good["jar after logout"],
        "after logout the client is not recognised": good["me_after"].status_code == 401,
        "the server deleted the session, so a copied cookie is refused (401)": good["replay"].status_code == 401
        and good["sessions_left"] == 0,
        "an id the server never issued is refused": good["planted"].status_code == 401,
        "a logout that only clears the cookie leaves a copied cookie valid (200)": weak["replay"].status_code == 200,
        "the servers raised no errors": not good["errors"] and not weak["errors"],
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
