"""Topic 6: each demo's published output shows what the page says it shows."""

from __future__ import annotations

import re


def status_after(out: str, request: str) -> int:
    """The status code on the line after a request line such as "GET /doc  [If-None-Match: ...]"."""
    match = re.search(rf"^{re.escape(request)}\n\s+HTTP/1\.1 (\d{{3}}) ", out, re.MULTILINE)
    assert match, f"no status line after {request!r}"
    return int(match.group(1))


def test_each_request_gets_its_status_line_and_key_headers(published):
    out = published("status_codes/status_lines.py")
    codes = [int(code) for code in re.findall(r"^\s+HTTP/1\.1 (\d{3}) ", out, re.MULTILINE)]
    assert codes == [200, 201, 204, 200, 304, 301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 429, 500, 503]
    assert status_after(out, 'GET /doc  [If-None-Match: "v1"]') == 304
    assert "HTTP/1.1 303 See Other\n  Location: /orders/7" in out
    assert "HTTP/1.1 308 Permanent Redirect\n  Location: /v2/report" in out
    assert 'HTTP/1.1 401 Unauthorized\n  WWW-Authenticate: Bearer realm="demo"' in out
    assert "HTTP/1.1 405 Method Not Allowed\n  Allow: GET, HEAD" in out
    assert "HTTP/1.1 429 Too Many Requests\n  Retry-After: 2" in out
    assert "HTTP/1.1 503 Service Unavailable\n  Retry-After: 120" in out
    assert "HTTP/1.1 204 No Content\n  (bytes after the header, read on a raw socket: 0)" in out
    assert 'HTTP/1.1 304 Not Modified\n  ETag: "v1"\n  (bytes after the header, read on a raw socket: 0)' in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 8


def test_307_and_308_keep_a_post_where_301_302_and_303_turn_it_into_get(published, published_diagrams):
    out = published("status_codes/redirects.py")
    hops = re.findall(r"^\s+GET (/\w+)\s+(\d{3}) ", out, re.MULTILINE)
    assert hops == [("/a", "301"), ("/b", "302"), ("/c", "307"), ("/d", "308"), ("/final", "200")]
    rows = re.findall(r"^\s+(30\d)\s+(POST|PUT)\s+(GET|POST|PUT)\s+(yes|no)$", out, re.MULTILINE)
    arrived = {(code, sent): (method, kept) for code, sent, method, kept in rows}
    for code in ("301", "302", "303"):
        assert arrived[code, "POST"] == ("GET", "no")
    for code in ("307", "308"):
        assert arrived[code, "POST"] == ("POST", "yes")
        assert arrived[code, "PUT"] == ("PUT", "yes")
    assert arrived["302", "PUT"] == ("GET", "no"), "httpx turns any method but HEAD into GET on 302"
    assert arrived["301", "PUT"] == ("PUT", "yes"), "httpx changes only POST on 301"
    assert "NO " not in out
    (diagram,) = published_diagrams("status_codes/redirects.py")
    assert diagram.startswith("sequenceDiagram")
    assert diagram.count("C->>S:") == 5


def test_nginx_answers_502_or_504_with_the_error_log_line_that_tells_them_apart(published, published_diagrams):
    out = published("status_codes/nginx_502_504.py")
    assert re.search(r"^nginx/\d+\.\d+\.\d+", out)
    expected = {
        "/down": (502, "connect() failed (111: Connection refused) while connecting to upstream"),
        "/full": (504, "upstream timed out (110: Connection timed out) while connecting to upstream"),
        "/slow": (504, "upstream timed out (110: Connection timed out) while reading response header from upstream"),
        "/close": (502, "upstream prematurely closed connection while reading response header from upstream"),
        "/reset": (502, "recv() failed (104: Connection reset by peer) while reading response header from upstream"),
    }
    blocks = {block.split()[1]: block for block in out.split("\n\n") if block.startswith("GET /")}
    assert sorted(blocks) == sorted(expected)
    for path, (code, message) in expected.items():
        block = blocks[path]
        assert re.search(rf"HTTP/1\.1 {code} ", block), f"{path} should answer {code}"
        assert block.count("error.log: [error] ") == 1
        assert message in block, f"{path} should log {message!r}"
    assert "NO " not in out
    assert out.count("\nyes  ") == 7
    (diagram,) = published_diagrams("status_codes/nginx_502_504.py")
    assert diagram.count("client gets 502") == 3 and diagram.count("client gets 504") == 2


def test_a_slow_request_becomes_500_200_504_or_503_depending_on_which_layer_gives_up_first(published):
    out = published("status_codes/gunicorn_timeouts.py")
    assert re.search(r"gunicorn \(version 27\.0\.1\)", out), "the page describes Gunicorn 27.0.1, the pinned version"
    assert status_after(out, "A. GET /sync/report  (sync worker, nginx waits 3 s)") == 500
    assert status_after(out, "B. GET /gthread/report  (gthread worker, nginx waits 3 s)") == 200
    assert status_after(out, "C. GET /impatient/report  (gthread worker, nginx waits 1 s)") == 504
    assert status_after(out, "D. GET /gthread/report?db_timeout=1  (gthread worker, app waits 1 s for the database)") == 503
    assert out.count("nginx error.log: ") == 1, "only C leaves a line in nginx's error log"
    assert (
        "nginx error.log: [error] upstream timed out (110: Connection timed out) while reading response header from upstream"
    ) in out
    assert "sync error log:    [CRITICAL] WORKER TIMEOUT (pid:N)" in out
    assert re.search(r"gthread access log: GET /impatient/report HTTP/1\.0 200 ", out)
    assert "Retry-After: 5; body: the database did not answer in time" in out, "D's 503 came from the app"
    assert "yes  B: the gthread worker was not killed (no WORKER TIMEOUT in its log)" in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 6
