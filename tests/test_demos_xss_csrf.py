"""Topic 7: each XSS and CSRF demo, as published, shows what the page says it shows."""

from __future__ import annotations

import re


def test_reflected_payload_is_markup_raw_and_text_escaped(published):
    out = published("xss_csrf/reflected_xss.py")
    assert '<input name="q" value=""><script>alert("reflected")</script>">' in out
    assert "&lt;script&gt;alert(&quot;reflected&quot;)&lt;/script&gt;" in out
    assert "vulnerable: title input script p script" in out
    assert "fixed:      title input p\n" in out
    assert "NO " not in out and out.count("\nyes  ") == 7


def test_stored_payload_is_kept_raw_and_escaped_at_output(published):
    out = published("xss_csrf/stored_xss.py")
    assert "stored comments: ['First!', \"<img src=x onerror=alert('stored')>\"]" in out
    assert "<li>&lt;img src=x onerror=alert(&#x27;stored&#x27;)&gt;</li>" in out
    assert "in /comments:        []" in out
    assert "NO " not in out and out.count("\nyes  ") == 5


def test_html_escape_fails_in_unquoted_attributes_urls_and_scripts(published):
    out = published("xss_csrf/escape_by_context.py")
    assert "with html.escape(): <input value=x autofocus onfocus=alert(1)>" in out
    assert 'with html.escape(): <a href="javascript:alert(1)">home page</a>' in out
    assert "script the parser finds: 1 new <script>" in out
    assert 'const q = "Tom &amp; Jerry";' in out
    assert "-> const q = 1;alert(document.domain);" in out
    assert "code outside string literals: const a = ;alert(document.domain)//" in out
    for tricky in ("' javascript:alert(1)'", "'\\x01javascript:alert(1)'", "'java\\tscript:alert(1)'"):
        assert re.search(re.escape(tricky) + r"\s+-> '#'", out), tricky
    assert re.search(r"'/comments\?page=2'\s+-> '/comments\?page=2'", out)
    assert "NO " not in out and out.count("\nyes  ") == 13


def test_csp_header_carries_a_fresh_128_bit_nonce(published):
    out = published("xss_csrf/csp_header.py")
    directives = re.findall(r"^  (\S+-\S+|\S+) (.+)$", out.split("body:")[0], re.MULTILINE)
    assert [name for name, _ in directives] == ["script-src", "object-src", "base-uri", "frame-ancestors", "form-action"]
    nonce = re.search(r"'nonce-([A-Za-z0-9+/=]{24})' 'strict-dynamic'", out).group(1)
    assert f'<script nonce="{nonce}">' in out
    assert "<script>window.injected = true;</script>" in out
    assert "(base64 of 128 random bits)" in out
    assert "NO " not in out and out.count("\nyes  ") == 7


def test_forged_post_is_refused_without_the_sessions_token(published):
    out = published("xss_csrf/csrf_token.py")
    rows = dict(re.findall(r"^(forged[^\n]*?|from the bank's own form)\s+(\d{3})\s", out, re.MULTILINE))
    assert rows == {"forged, no token": "403", "forged, made-up token": "403",
                    "forged, attacker's own valid token": "403", "from the bank's own form": "200"}
    assert "sent 10 to bob, balance 90" in out
    assert "NO " not in out and out.count("\nyes  ") == 7


def test_origin_check_accepts_only_its_own_origin_and_fails_closed(published):
    out = published("xss_csrf/origin_check.py")
    statuses = re.findall(r"\s(200|403)\s+(?:accepted|refused)", out)
    assert statuses == ["200", "403", "403", "403", "200", "403"]
    assert "refused (neither)" in out
    assert "NO " not in out and out.count("\nyes  ") == 7


def test_chromium_sends_samesite_cookies_as_the_table_says(published):
    out = published("xss_csrf/samesite_in_chromium.py")
    assert re.search(r"^Chromium \d+\.", out, re.MULTILINE)
    rows = {(m[0], m[1]): m[2].split() for m in re.findall(
        r"^(cross-site|same-site)\s+(link GET|form POST|fetch POST)\s+\S+\s+((?:(?:sent|-)\s+){4})", out, re.MULTILINE)}
    assert rows[("cross-site", "link GET")] == ["-", "sent", "sent", "sent"]
    assert rows[("cross-site", "form POST")] == ["-", "-", "sent", "sent"]
    assert rows[("cross-site", "fetch POST")] == ["-", "-", "sent", "-"]
    for request in ("link GET", "form POST", "fetch POST"):
        assert rows[("same-site", request)] == ["sent"] * 4
    assert "none (sameSite=None, secure=True)" in out
    assert "none: UserPreferences" in out
    assert "  cookies sent: none\n" in out
    assert "NO " not in out and out.count("\nyes  ") == 12
