"""Topic 10, cross-origin requests and CORS: each demo's published output shows what the page says."""

from __future__ import annotations

import re


def test_preflight_names_the_origin_and_the_server_still_runs_a_request_it_did_not_allow(published):
    out = published("cors/preflight_by_hand.py")
    allowed, other = out.split("=== Origin: https://evil.example")
    assert "> OPTIONS /notes/1 HTTP/1.1" in allowed
    assert "> Access-Control-Request-Method: PUT" in allowed
    assert "> Access-Control-Request-Headers: content-type,x-request-id" in allowed
    assert "< HTTP/1.1 204 No Content" in allowed
    assert "< Access-Control-Allow-Origin: https://app.example" in allowed
    assert "< Access-Control-Allow-Methods: GET, PUT, DELETE" in allowed
    assert "< Access-Control-Allow-Headers: Content-Type, X-Request-Id" in allowed
    assert "< Access-Control-Max-Age: 600" in allowed
    assert "< Access-Control-Expose-Headers: X-Request-Id" in allowed
    assert allowed.count("< Vary: Origin") == 2
    assert "< Access-Control-" not in other.split("Server log:")[0]
    assert '< (body) {"saved": "pwned"}' in other
    assert "Note /notes/1 on the server now: 'pwned'" in out
    assert out.count('"OPTIONS /notes/1 HTTP/1.1" 204') == 2 and out.count('"PUT /notes/1 HTTP/1.1" 200') == 2
    assert "NO " not in out
    assert out.count("\nyes  ") == 7


def test_only_an_exact_allowlist_keeps_other_origins_from_reading_credentialed_answers(published):
    out = published("cors/reflected_origin.py")
    assert "  Access-Control-Allow-Origin: https://evil.example" in out
    assert "  Access-Control-Allow-Credentials: true" in out
    assert '"api_key": "sk-alice-0001"' in out
    rows = dict(re.findall(r"^(https://\S+|null)\s+(.*)$", out, re.MULTILINE))
    assert rows["https://app.example"].split() == ["READS", "READS", "READS", "READS"]
    assert rows["https://evil.example"].split() == ["READS", "-", "-", "-"]
    assert rows["https://evilapp.example"].split() == ["READS", "READS", "-", "-"]
    assert rows["null"].split() == ["READS", "-", "READS", "-"]
    assert rows["https://app.example.evil.example"].split() == ["READS", "-", "-", "-"]
    assert "NO " not in out
    assert out.count("\nyes  ") == 7


def test_chromium_blocks_without_cors_and_with_star_plus_credentials_preflights_the_put_and_lets_star_cover_authorization(published, published_diagrams):
    out = published("cors/browser_cors.py")
    assert re.match(r"Chromium \d+\.\d+\.\d+\.\d+ \(headless, driven by Playwright \d+\.\d+\.\d+\)", out)
    origin_a = re.search(r"origin A = (http://127\.0\.0\.1:\d+)", out).group(1)
    origin_b = re.search(r"origin B = (http://127\.0\.0\.1:\d+)", out).group(1)
    assert origin_a != origin_b
    calls = re.findall(r"^\d\. .*\n   script: (\w+)", out, re.MULTILINE)
    assert calls == ["blocked", "read", "blocked", "read", "read", "read", "read", "read"]
    assert "No 'Access-Control-Allow-Origin' header is present on the requested resource." in out
    assert "must not be the wildcard '*' when the request's credentials mode is 'include'" in out
    assert out.count("X-Request-Id=r-1 X-Internal=None") == 4
    assert '8. GET /public/me, Authorization (Allow-Headers: *)\n   script: read: 200 {"token": "Bearer t-1"}' in out
    log = re.findall(r"^  (GET|OPTIONS|PUT) (\S+)\s+A\s+(.*?)\s+(yes|no)\s+(\d{3})$", out, re.MULTILINE)
    assert [(method, path, cookie, status) for method, path, _, cookie, status in log] == [
        ("GET", "/public/no-cors", "no", "200"),
        ("GET", "/public/star", "no", "200"),
        ("GET", "/public/star", "yes", "200"),
        ("OPTIONS", "/notes/1", "no", "204"),
        ("PUT", "/notes/1", "yes", "200"),
        ("PUT", "/notes/1", "yes", "200"),
        ("OPTIONS", "/drafts/1", "no", "204"),
        ("PUT", "/drafts/1", "yes", "200"),
        ("OPTIONS", "/drafts/1", "no", "204"),
        ("PUT", "/drafts/1", "yes", "200"),
        ("OPTIONS", "/public/me", "no", "204"),
        ("GET", "/public/me", "no", "200"),
    ]
    assert log[3][2] == "Method: PUT, Headers: content-type,x-request-id"
    assert log[10][2] == "Method: GET, Headers: authorization"
    assert "NO " not in out
    assert out.count("\nyes  ") == 14
    (diagram,) = published_diagrams("cors/browser_cors.py")
    assert diagram.count("P->>B: OPTIONS /notes/1") == 1
    assert diagram.count("script is blocked") == 2


def test_attacker_page_reads_through_a_reflected_origin_and_a_text_plain_post_moves_money(published):
    out = published("cors/browser_attacker_reads.py")
    assert re.match(r"Chromium \d+\.", out)
    reads = dict(re.findall(r"^  from (C: .+?|A: .+?)\s{2,}(read 200|blocked)", out, re.MULTILINE))
    assert reads == {
        "C: GET /me/reflect": "read 200",
        "C: GET /me/allowlist": "blocked",
        "C: POST /transfer, Content-Type: text/plain": "blocked",
        "C: POST /transfer, Content-Type: application/json": "blocked",
        "A: GET /me/allowlist": "read 200",
    }
    assert '"api_key": "sk-alice-0001"' in out.split("from C: GET /me/allowlist")[0]
    log = re.findall(r"^  (\w+ /\S+)\s+([ABC-])\s+(yes|no)\s+(\d{3})\s+(\S+)\s+(\d+)$", out, re.MULTILINE)
    assert log == [
        ("GET /login", "-", "no", "200", "-", "500"),
        ("GET /me/reflect", "C", "yes", "200", "C", "500"),
        ("GET /me/allowlist", "C", "yes", "200", "-", "500"),
        ("POST /transfer", "C", "yes", "200", "-", "400"),
        ("OPTIONS /transfer", "C", "no", "204", "-", "400"),
        ("GET /me/allowlist", "A", "yes", "200", "A", "400"),
    ]
    assert "NO " not in out
    assert out.count("\nyes  ") == 8
