"""Topic 10 in a real Chromium: a page on one loopback origin fetching from an API on another.

Both servers listen on 127.0.0.1, each on a port the OS picks: same scheme and host, different
ports, so two origins. The API logs every request before it answers, so a test can see what reached
the server even when the browser withheld the response from the script.
"""

from __future__ import annotations

import sys

import pytest

from site_pages import ROOT

sys.path.insert(0, str(ROOT / "snippets"))
from local_http import LocalServer, QuietHandler  # noqa: E402

FETCH = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {read: true, status: response.status, body: await response.text()};
  } catch (error) {
    return {read: false, error: String(error)};
  }
}"""


class PageHandler(QuietHandler):
    def do_GET(self):
        self.send_body(200, b"<!doctype html><title>page</title>", "text/html; charset=utf-8")


class ApiHandler(QuietHandler):
    def log_request(self, code="-", size="-"):
        if self.path != "/favicon.ico":
            self.server.seen.append((self.command, self.path, self.headers.get("Origin"),
                                     self.headers.get("Access-Control-Request-Method"),
                                     self.headers.get("Access-Control-Request-Headers"),
                                     "Cookie" in self.headers, int(code)))

    def do_GET(self):
        if self.path == "/login":
            self.send_body(200, b"ok", headers={"Set-Cookie": "session=s1; Path=/; SameSite=Lax"})
        elif self.path == "/plain":
            self.send_body(200, b"plain")
        elif self.path == "/star":
            self.send_body(200, b"star", headers={"Access-Control-Allow-Origin": "*"})
        elif self.path == "/token":
            self.send_body(200, self.headers.get("Authorization", "none").encode(), headers={"Access-Control-Allow-Origin": "*"})
        elif self.path == "/named":
            self.send_body(200, b"named", headers={"Access-Control-Allow-Origin": self.server.page_origin,
                                                   "Access-Control-Allow-Credentials": "true", "Vary": "Origin"})
        else:
            self.send_body(404, b"not found")

    def do_OPTIONS(self):
        self.send_response(204)
        if self.path == "/token":  # no credentials: "*" as the list of allowed headers
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "*")
        elif self.path == "/items" and self.headers.get("Origin") == self.server.page_origin:
            self.send_header("Access-Control-Allow-Origin", self.server.page_origin)
            self.send_header("Access-Control-Allow-Methods", "PUT")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.end_headers()

    def do_PUT(self):
        self.read_body()
        self.server.puts += 1
        self.send_body(200, b"stored", headers={"Access-Control-Allow-Origin": self.server.page_origin})


@pytest.fixture
def origins(browser):
    """(page at origin A, API server at origin B); the page is already loaded, the user logged in at B."""
    with LocalServer(PageHandler) as site, LocalServer(ApiHandler) as api:
        api.seen, api.puts, api.page_origin = [], 0, site.url
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(api.url + "/login")
        page.goto(site.url + "/")
        api.seen.clear()
        yield page, api
        context.close()


def call(page, api, path: str, init: dict | None = None) -> dict:
    return page.evaluate(FETCH, [api.url + path, init or {}])


def test_the_two_servers_are_two_origins_on_one_host(origins):
    page, api = origins
    page_origin = page.evaluate("location.origin")
    assert page_origin.startswith("http://127.0.0.1:") and api.url.startswith("http://127.0.0.1:")
    assert page_origin != api.url


def test_a_response_without_cors_headers_is_blocked_though_the_server_answered(origins):
    page, api = origins
    result = call(page, api, "/plain")
    assert result == {"read": False, "error": "TypeError: Failed to fetch"}
    assert api.seen == [("GET", "/plain", page.evaluate("location.origin"), None, None, False, 200)]


def test_allow_origin_star_lets_the_script_read_a_request_without_credentials(origins):
    page, api = origins
    assert call(page, api, "/star") == {"read": True, "status": 200, "body": "star"}


def test_allow_origin_star_is_refused_for_a_credentialed_request(origins):
    page, api = origins
    result = call(page, api, "/star", {"credentials": "include"})
    assert result["read"] is False
    (request,) = api.seen
    assert request[:2] == ("GET", "/star") and request[5] is True  # the cookie went, the read did not


def test_a_named_origin_with_allow_credentials_is_read_with_the_cookie(origins):
    page, api = origins
    assert call(page, api, "/named", {"credentials": "include"}) == {"read": True, "status": 200, "body": "named"}
    assert api.seen[0][5] is True


def test_a_json_put_is_preflighted_and_the_server_logs_the_options_request(origins):
    page, api = origins
    init = {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "{}"}
    assert call(page, api, "/items", init) == {"read": True, "status": 200, "body": "stored"}
    origin = page.evaluate("location.origin")
    assert api.seen == [
        ("OPTIONS", "/items", origin, "PUT", "content-type", False, 204),
        ("PUT", "/items", origin, None, None, False, 200),
    ]


def test_a_refused_preflight_keeps_the_real_request_from_being_sent(origins):
    page, api = origins
    init = {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "{}"}
    assert call(page, api, "/other", init)["read"] is False
    assert [entry[:2] for entry in api.seen] == [("OPTIONS", "/other")]
    assert api.puts == 0


def test_a_text_plain_post_is_not_preflighted(origins):
    page, api = origins
    call(page, api, "/plain-post", {"method": "POST", "headers": {"Content-Type": "text/plain"}, "body": "{}"})
    assert [entry[:2] for entry in api.seen] == [("POST", "/plain-post")]


def test_allow_headers_star_covers_authorization_in_this_chromium_though_the_standard_says_it_must_not(origins):
    page, api = origins
    result = call(page, api, "/token", {"headers": {"Authorization": "Bearer t-1"}})
    assert result == {"read": True, "status": 200, "body": "Bearer t-1"}
    assert [entry[:5] for entry in api.seen] == [
        ("OPTIONS", "/token", page.evaluate("location.origin"), "GET", "authorization"),
        ("GET", "/token", page.evaluate("location.origin"), None, None),
    ]
