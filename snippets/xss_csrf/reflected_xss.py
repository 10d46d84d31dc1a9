"""Reflected XSS: a search page echoes the query raw, then the same page with html.escape().

The payload closes the input's value="..." attribute and adds a <script> element. The vulnerable
handler returns it as markup; the fixed one returns it as text. The browser tests in
tests/test_browser_xss_csrf.py load both pages in Chromium and check which one runs the script.
Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import html
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

PAYLOAD = '"><script>alert("reflected")</script>'
PAGE = '<!doctype html><title>Search</title>\n<input name="q" value="{q}">\n<p>Results for {q}</p>\n'


class SearchHandler(QuietHandler):
    """/vulnerable?q=... pastes q into the page; /fixed?q=... escapes it first."""

    def do_GET(self):
        url = urlsplit(self.path)
        q = parse_qs(url.query).get("q", [""])[0]
        if url.path == "/vulnerable":
            body = PAGE.format(q=q)
        elif url.path == "/fixed":
            body = PAGE.format(q=html.escape(q))  # quote=True by default: & < > " ' all escaped
        else:
            self.send_body(404, b"not found")
            return
        self.send_body(200, body.encode(), "text/html; charset=utf-8")


class Elements(HTMLParser):
    """What an HTML parser builds from a body: the start tags, and the text of the <p>."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.input_value, self.text = [], None, ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "input":
            self.input_value = dict(attrs).get("value")

    def handle_data(self, data):
        if self.tags and self.tags[-1] == "p":
            self.text += data


def main() -> int:
    print(versions())
    print(f"payload in the query string: q={PAYLOAD}\n")
    with LocalServer(SearchHandler) as server, httpx.Client(base_url=server.url) as client:
        pages = {name: client.get(f"/{name}", params={"q": PAYLOAD}) for name in ("vulnerable", "fixed")}
    for name, response in pages.items():
        print(f"GET /{name}?q=...  ->  {response.status_code}, Content-Type: {response.headers['content-type']}")
        print(response.text)

    vulnerable, fixed = Elements(pages["vulnerable"].text), Elements(pages["fixed"].text)
    print("elements an HTML parser finds:")
    print(f"  vulnerable: {' '.join(vulnerable.tags)}")
    print(f"  fixed:      {' '.join(fixed.tags)}\n")
    checks = {
        "the vulnerable page contains the payload byte for byte": PAYLOAD in pages["vulnerable"].text,
        "in the vulnerable page the payload became <script> elements": vulnerable.tags.count("script") == 2,
        "the fixed page contains no <script": "<script" not in pages["fixed"].text,
        "html.escape turned < > \" into &lt; &gt; &quot;": "&quot;&gt;&lt;script&gt;alert(&quot;reflected&quot;)" in pages["fixed"].text,
        "in the fixed page the input's value is the payload, as text": fixed.input_value == PAYLOAD,
        "in the fixed page the paragraph shows the payload, as text": fixed.text.strip() == f"Results for {PAYLOAD}",
        "the server raised no errors": not server.errors,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
