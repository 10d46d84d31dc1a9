"""Stored XSS: a comment is saved as it came and escaped only when a page shows it.

A visitor posts a comment whose text is an <img> tag with an onerror handler. The server stores
the text unchanged (escaping is for output, and the same text may later go to JSON, a CSV or an
e-mail). /comments/unsafe pastes stored comments into HTML as they are; /comments escapes each with
html.escape() at the moment it is written into the page.
Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import html
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

PAYLOAD = "<img src=x onerror=alert('stored')>"


class CommentsHandler(QuietHandler):
    def do_POST(self):
        text = parse_qs(self.read_body().decode())["text"][0]
        self.server.comments.append(text)  # stored as received: no escaping on the way in
        self.send_body(303, b"", headers={"Location": "/comments"})

    def do_GET(self):
        if self.path == "/comments":
            items = "".join(f"<li>{html.escape(text)}</li>" for text in self.server.comments)
        elif self.path == "/comments/unsafe":
            items = "".join(f"<li>{text}</li>" for text in self.server.comments)
        else:
            self.send_body(404, b"not found")
            return
        body = f"<!doctype html><title>Comments</title><ul>{items}</ul>\n"
        self.send_body(200, body.encode(), "text/html; charset=utf-8")


class EventHandlers(HTMLParser):
    """The on* attributes an HTML parser finds: each would run as script in a browser."""

    def __init__(self, text: str):
        super().__init__()
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found += [f"<{tag} {name}={value}>" for name, value in attrs if name.startswith("on")]


def new_server() -> LocalServer:
    server = LocalServer(CommentsHandler)
    server.comments = ["First!"]
    return server


def main() -> int:
    print(versions(), "\n")
    with new_server() as server, httpx.Client(base_url=server.url) as client:
        posted = client.post("/comments", data={"text": PAYLOAD})
        stored = list(server.comments)
        unsafe, escaped = client.get("/comments/unsafe"), client.get("/comments")
    print(f"POST /comments text={PAYLOAD}  ->  {posted.status_code}")
    print(f"stored comments: {stored}\n")
    print(f"GET /comments/unsafe  ->  {unsafe.status_code}\n{unsafe.text}")
    print(f"GET /comments  ->  {escaped.status_code}\n{escaped.text}")
    unsafe_handlers, escaped_handlers = EventHandlers(unsafe.text).found, EventHandlers(escaped.text).found
    print(f"event-handler attributes an HTML parser finds in /comments/unsafe: {unsafe_handlers}")
    print(f"event-handler attributes an HTML parser finds in /comments:        {escaped_handlers}\n")
    checks = {
        "the server stored the comment exactly as it was sent": stored[-1] == PAYLOAD,
        "the unsafe page has an <img> with an onerror handler": unsafe_handlers == ["<img onerror=alert('stored')>"],
        "the escaped page has no <img and no event handler": "<img" not in escaped.text and not escaped_handlers,
        "the escaped page shows the comment as text": f"<li>{html.escape(PAYLOAD)}</li>" in escaped.text,
        "the server raised no errors": not server.errors,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
