"""A short-lived JWT access token with a rotating refresh token, and logout through a deny-list.

The server's clock is simulated (the demo moves it forward) so a 5-minute token can expire
without waiting. Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import base64
import hashlib
import hmac
import json
import secrets
import sys
from pathlib import Path
from urllib.parse import parse_qs

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

ACCESS_TTL = 300  # seconds: short, because nothing but the deny-list can take it back
REFRESH_TTL = 14 * 24 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()  # the server stores refresh tokens hashed


class AuthServer(LocalServer):
    def __init__(self, handler):
        super().__init__(handler)
        self.now = 1_800_000_000  # the simulated clock, in seconds since 1970
        self.key = secrets.token_bytes(32)
        self.refresh_tokens = {}  # digest -> {"user", "family", "exp", "used"}
        # jti -> exp of the access token; kept only until then. Keyed on jti alone because this demo has
        # one issuer; with several, key it on (iss, jti) as OWASP's JWT cheat sheet says.
        self.deny_list = {}
        self.deny_list_lookups = 0

    def issue(self, user: str, family: str) -> dict:
        claims = {"sub": user, "iat": self.now, "exp": self.now + ACCESS_TTL, "jti": secrets.token_hex(8)}
        signing_input = b64url(b'{"alg":"HS256","typ":"JWT"}') + "." + b64url(json.dumps(claims).encode())
        signature = hmac.new(self.key, signing_input.encode(), hashlib.sha256).digest()
        refresh = secrets.token_urlsafe(32)
        self.refresh_tokens[digest(refresh)] = {
            "user": user, "family": family, "exp": self.now + REFRESH_TTL, "used": False,
        }
        return {"access_token": signing_input + "." + b64url(signature), "refresh_token": refresh}

    def check_access(self, token: str) -> tuple[dict | None, str]:
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            if json.loads(b64url_decode(header_b64)).get("alg") != "HS256":
                return None, "wrong alg"
            expected = hmac.new(self.key, f"{header_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, b64url_decode(signature_b64)):
                return None, "bad signature"
            claims = json.loads(b64url_decode(payload_b64))
        except ValueError:
            return None, "malformed"
        if not self.now < claims["exp"]:
            return None, "expired"
        return claims, "valid"

    def is_revoked(self, claims: dict) -> bool:
        self.deny_list_lookups += 1  # the shared lookup a "stateless" token now needs on every request
        return claims["jti"] in self.deny_list

    def prune_deny_list(self) -> None:
        self.deny_list = {jti: exp for jti, exp in self.deny_list.items() if self.now < exp}


class AuthHandler(QuietHandler):
    def do_GET(self):  # GET /api/orders, Authorization: Bearer <access token>
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        claims, why = self.server.check_access(token)
        if claims is not None and self.server.is_revoked(claims):
            claims, why = None, "revoked"
        if claims is None:
            challenge = f'Bearer error="invalid_token", error_description="{why}"'  # RFC 6750 section 3
            return self.send_body(401, why.encode(), headers={"WWW-Authenticate": challenge})
        self.send_body(200, f"orders of {claims['sub']}".encode())

    def do_POST(self):
        form = {name: values[0] for name, values in parse_qs(self.read_body().decode()).items()}
        server = self.server
        if self.path == "/login":  # (password check left out: see session_cookie_login.py)
            return self.send_json(200, server.issue(form["user"], family=secrets.token_hex(4)))
        if self.path == "/refresh":
            record = server.refresh_tokens.get(digest(form.get("refresh_token", "")))
            if record is None or not server.now < record["exp"]:
                return self.send_body(401, b"unknown refresh token")
            if record["used"]:  # a rotated-out token came back: someone has a copy. End the family.
                for key in [k for k, r in server.refresh_tokens.items() if r["family"] == record["family"]]:
                    del server.refresh_tokens[key]
                return self.send_body(401, b"refresh token reused: family revoked")
            record["used"] = True
            return self.send_json(200, server.issue(record["user"], record["family"]))
        if self.path == "/logout":
            claims, _ = server.check_access(self.headers.get("Authorization", "").removeprefix("Bearer "))
            if claims:
                server.deny_list[claims["jti"]] = claims["exp"]
            record = server.refresh_tokens.get(digest(form.get("refresh_token", "")))
            if record:
                for key in [k for k, r in server.refresh_tokens.items() if r["family"] == record["family"]]:
                    del server.refresh_tokens[key]
            return self.send_body(204, b"")
        self.send_body(404, b"")

    def send_json(self, status: int, value: dict):
        self.send_body(status, json.dumps(value).encode(), "application/json")


def main() -> int:
    print(versions(), "\n")
    rows = []
    with AuthServer(AuthHandler) as server, httpx.Client(base_url=server.url) as client:
        start = server.now

        def call(label: str, method: str, path: str, access: str | None = None, refresh: str | None = None):
            headers = {"Authorization": f"Bearer {access}"} if access else {}
            data = {"refresh_token": refresh} if refresh else {"user": "ana"}
            response = client.request(method, path, headers=headers, data=data if method == "POST" else None)
            rows.append((server.now - start, label, response.status_code, answer(path, response)))
            return response

        first = call("log in", "POST", "/login").json()
        call("API call with access token 1", "GET", "/api/orders", first["access_token"])
        server.now += ACCESS_TTL + 1
        expired = call("API call with access token 1", "GET", "/api/orders", first["access_token"])
        second = call("refresh with refresh token 1", "POST", "/refresh", refresh=first["refresh_token"]).json()
        call("API call with access token 2", "GET", "/api/orders", second["access_token"])
        reuse = call("refresh token 1 again (a stolen copy)", "POST", "/refresh", refresh=first["refresh_token"])
        after_reuse = call("refresh token 2 (the family is gone)", "POST", "/refresh", refresh=second["refresh_token"])

        third = call("log in again", "POST", "/login").json()
        call("API call with access token 3", "GET", "/api/orders", third["access_token"])
        call("log out (deny-list token 3's jti)", "POST", "/logout", third["access_token"], third["refresh_token"])
        denied = call("API call with access token 3", "GET", "/api/orders", third["access_token"])
        entries_at_logout = len(server.deny_list)
        server.now += ACCESS_TTL
        server.prune_deny_list()
        late = call("API call with access token 3", "GET", "/api/orders", third["access_token"])
        api_calls = sum(1 for row in rows if row[1].startswith("API call"))
        valid_calls = sum(1 for row in rows if row[1].startswith("API call") and row[3] != "expired")
        errors = server.errors

    print(f"{'t (s)':>6}  {'request':<40} status  answer")
    for t, label, status, text in rows:
        print(f"{t:>6}  {label:<40} {status:<7} {text}")
    print(f"\nWWW-Authenticate on the expired token: {expired.headers['www-authenticate']}")
    print(f"Deny-list entries: {entries_at_logout} at logout, {len(server.deny_list)} at t={rows[-1][0]} s"
          " (an entry is needed only until its token's exp)")
    print(f"Deny-list lookups: {server.deny_list_lookups}, one for each of the {valid_calls} API calls whose"
          f" token passed the signature and exp checks ({api_calls} API calls in all)\n")

    statuses = [row[2] for row in rows]
    checks = {
        "the API accepted a fresh access token": statuses[1] == 200,
        "the same token was refused after its 300 s, with error_description=expired": expired.status_code == 401
        and 'error_description="expired"' in expired.headers["www-authenticate"],
        "the refresh token bought a new access token without a password": statuses[3] == 200 and statuses[4] == 200,
        "an already used refresh token was refused and revoked its family": reuse.status_code == 401
        and reuse.text == "refresh token reused: family revoked",
        "so the newest refresh token of that family stopped working too": after_reuse.status_code == 401,
        "after logout the unexpired, correctly signed access token was refused as revoked": denied.status_code == 401
        and denied.text == "revoked",
        "the deny-list held one entry, dropped once that token expired": entries_at_logout == 1
        and len(server.deny_list) == 0 and late.text == "expired",
        "every API call that reached it paid a deny-list lookup": server.deny_list_lookups == valid_calls == 4
        and api_calls == 6,
        "the server raised no errors": not errors,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


def answer(path: str, response: httpx.Response) -> str:
    if response.status_code == 204:
        return "(no content)"
    if response.status_code == 200 and path != "/api/orders":
        return "new access + refresh token"
    return response.text


if __name__ == "__main__":
    sys.exit(main())
