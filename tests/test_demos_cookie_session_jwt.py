"""Topic 4, cookie vs session vs JWT: each demo's published output shows what the page says it shows."""

from __future__ import annotations

import re


def test_session_cookie_is_set_secure_and_a_real_logout_makes_a_copied_cookie_useless(published):
    out = published("cookie_session_jwt/session_cookie_login.py")
    login, logout = out.split("POST /logout -> 200")
    assert re.search(r"^  Set-Cookie: __Host-sid=\S+\.\.\.\S+; Path=/; Secure; HttpOnly; SameSite=Lax$", login, re.M)
    assert "  Set-Cookie: theme=dark; Path=/; SameSite=Lax" in login
    assert "GET /me -> 200 hello ana" in login
    assert re.search(r"^  the jar sent Cookie: __Host-sid=\S+; theme=dark$", login, re.M)
    # Same host, another port, plain HTTP: the Secure cookie stays home, the other one does not.
    assert "(plain HTTP, same host)\n  the jar sent Cookie: theme=dark\n" in login
    assert (
        "  Set-Cookie: __Host-sid=; Path=/; Secure; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        in logout
    )
    assert "cookies left in the client's jar: ['theme']" in logout
    assert "GET /me -> 401\n  the jar sent Cookie: theme=dark" in logout
    real, cookie_only = logout.split("Against a server whose logout only clears the cookie:")
    assert "The old __Host-sid value, replayed by another client -> 401" in real
    assert "A session id the server never issued -> 401" in real
    assert "The old __Host-sid value, replayed -> 200 hello ana" in cookie_only
    assert "yes  the session id is 43 base64url characters (secrets.token_urlsafe(32), 256 bits)" in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 12


def test_jwt_payload_is_readable_and_only_a_pinned_verifier_rejects_alg_none(published):
    out = published("cookie_session_jwt/jwt_by_hand.py")
    assert "yes  the RFC 7519 3.1 example token's signature is reproduced (RFC 7515 A.1 key)" in out
    assert "The token (header.payload.signature), 196 characters:" in out  # the size the page quotes
    assert '  header:  {"alg":"HS256","typ":"JWT"}' in out
    assert re.search(r'^  payload: \{"sub":"ana","role":"user","iat":(\d+),"exp":(\d+),"jti":"[0-9a-f]{16}"\}$', out, re.M)
    iat, exp = map(int, re.search(r'"iat":(\d+),"exp":(\d+)', out).groups())
    assert exp - iat == 300
    verdicts = {
        name: (pinned, trusting)
        for name, pinned, trusting in re.findall(r"^(\S.*)\n  pins HS256:         (.*)\n  trusts token's alg: (.*)$", out, re.M)
    }
    assert verdicts["genuine"] == ("ACCEPTED as ana (role user)",) * 2
    assert verdicts["payload edited (role user -> admin)"] == ("rejected: signature does not match",) * 2
    assert verdicts["expired 600 s ago, correctly signed"] == ("rejected: expired 600 s ago",) * 2
    assert verdicts["signed with another key"] == ("rejected: signature does not match",) * 2
    assert "yes  a token signed with another key is rejected by both: signature does not match" in out
    assert verdicts['forged, "alg": "none"'] == (
        "rejected: alg 'none' is not the one we accept (HS256)",
        "ACCEPTED as ana (role admin)",
    )
    forged = out.split("anyone can make one):\n")[1].split("\n\n")[0].split("\n")
    assert forged[0] == "  eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
    assert forged[2] == "  (empty)"
    assert "NO " not in out
    assert out.count("\nyes  ") == 9


def test_refresh_token_rotation_catches_reuse_and_the_deny_list_revokes_an_unexpired_token(published):
    out = published("cookie_session_jwt/refresh_and_revoke.py")
    rows = re.findall(r"^\s+(\d+)  (.{40}) (\d{3})\s+(.*)$", out, re.M)
    assert [(int(t), label.strip(), int(status), answer) for t, label, status, answer in rows] == [
        (0, "log in", 200, "new access + refresh token"),
        (0, "API call with access token 1", 200, "orders of ana"),
        (301, "API call with access token 1", 401, "expired"),
        (301, "refresh with refresh token 1", 200, "new access + refresh token"),
        (301, "API call with access token 2", 200, "orders of ana"),
        (301, "refresh token 1 again (a stolen copy)", 401, "refresh token reused: family revoked"),
        (301, "refresh token 2 (the family is gone)", 401, "unknown refresh token"),
        (301, "log in again", 200, "new access + refresh token"),
        (301, "API call with access token 3", 200, "orders of ana"),
        (301, "log out (deny-list token 3's jti)", 204, "(no content)"),
        (301, "API call with access token 3", 401, "revoked"),
        (601, "API call with access token 3", 401, "expired"),
    ]
    assert 'WWW-Authenticate on the expired token: Bearer error="invalid_token", error_description="expired"' in out
    assert "Deny-list entries: 1 at logout, 0 at t=601 s" in out
    assert "Deny-list lookups: 4, one for each of the 4 API calls" in out
    assert "(6 API calls in all)" in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 9
