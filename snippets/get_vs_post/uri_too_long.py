"""Find where CPython's http.server stops accepting a long URL (414), and send the same data in a POST body.

http.server reads the request line with readline(65537) and answers 414 when it gets more than
65536 bytes (Lib/http/server.py, handle_one_request). The limit is http.server's, not HTTP's.
Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402

LIMIT = 65536  # bytes of request line, CRLF included, that http.server accepts
FRAME = len("GET ") + len(" HTTP/1.1\r\n")  # what the request line adds around the target


class SearchHandler(QuietHandler):
    def do_GET(self):
        self.send_body(200, b"%d bytes of query" % len(self.path.partition("?")[2]))

    def do_POST(self):
        self.send_body(200, b"%d bytes of body" % len(self.read_body()))


def target_for(request_line_bytes: int) -> str:
    prefix = "/search?q="
    return prefix + "a" * (request_line_bytes - FRAME - len(prefix))


def main() -> int:
    print(versions(), "\n")
    rows = []
    with LocalServer(SearchHandler) as server:
        for size in (8000, LIMIT, LIMIT + 1):
            # a fresh connection each time: http.server closes the connection after a 414
            with httpx.Client(base_url=server.url) as client:
                response = client.get(target_for(size))
            rows.append((f"GET, request line of {size} bytes", response))
        with httpx.Client(base_url=server.url) as client:
            data = "q=" + "a" * LIMIT
            response = client.post("/search", content=data, headers={"Content-Type": "application/x-www-form-urlencoded"})
        rows.append((f"POST /search, {len(data)} bytes in the body", response))
        log = [line if len(line) < 90 else line[:40] + "..." + line[-20:] for line in server.access_log]

    print(f"{'request':<42} {'status':<20} body")
    for label, response in rows:
        status = f"{response.status_code} {response.reason_phrase}"
        body = response.text if response.status_code == 200 else "(error page)"
        print(f"{label:<42} {status:<20} {body}")
    print("\nAccess log:")
    for line in log:
        print("  " + line)

    statuses = [response.status_code for _, response in rows]
    checks = {
        "an 8000-byte request line, the RFC's recommended minimum, was accepted": statuses[0] == 200,
        f"a {LIMIT}-byte request line was accepted": statuses[1] == 200,
        "one byte more was answered 414": statuses[2] == 414,
        "http.server logged the 414 with an empty request line": '127.0.0.1 "" 414 -' in log,
        "the same data in a POST body was accepted": statuses[3] == 200,
        "the server raised no errors": not server.errors,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
