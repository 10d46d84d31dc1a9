"""Send the same form data in a GET query string and in a POST body; show what the server and its log see.

Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

FORM = {"user": "ana", "password": "s3cret"}


class LoginHandler(QuietHandler):
    def do_GET(self):
        self.record(b"")

    def do_POST(self):
        self.record(self.read_body())

    def record(self, body: bytes):
        fields = parse_qs(urlsplit(self.path).query) if self.command == "GET" else parse_qs(body.decode())
        self.server.seen.append(
            {
                "request line": self.requestline,
                "Content-Type": self.headers.get("Content-Type", "(none)"),
                "body": body.decode() or "(none)",
                "fields": {name: values[0] for name, values in fields.items()},
            }
        )
        self.send_body(200, b"ok")


def main() -> int:
    print(versions(), "\n")
    with LocalServer(LoginHandler) as server, httpx.Client(base_url=server.url) as client:
        server.seen = []
        get = client.get("/login", params=FORM)
        post = client.post("/login", data=FORM)
        log = list(server.access_log)
    seen_get, seen_post = server.seen

    for method, seen in (("GET", seen_get), ("POST", seen_post)):
        print(f"What the {method} handler received:")
        for name in ("request line", "Content-Type", "body", "fields"):
            print(f"  {name + ':':<14}{seen[name]}")
        print()
    print("The server's access log (request line and status, as http.server and nginx log them):")
    for line in log:
        print("  " + line)

    get_line, post_line = log
    checks = {
        "both requests answered 200": get.status_code == post.status_code == 200,
        "the handler got the same fields from both": seen_get["fields"] == seen_post["fields"] == FORM,
        "the GET put the password in the request line": "password=s3cret" in seen_get["request line"],
        "the POST carried it in the body, as plain text": seen_post["body"] == "user=ana&password=s3cret",
        "the access log kept the GET's password": "password=s3cret" in get_line,
        "the access log has no password for the POST": "s3cret" not in post_line,
        "the server raised no errors": not server.errors,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
