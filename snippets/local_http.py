"""A throwaway HTTP server for demos: Python's http.server on 127.0.0.1, on a port the OS picks.

Shared by the GET-vs-POST demos. Copy it next to the demo that imports it.

    with LocalServer(MyHandler) as server:
        httpx.get(server.url + "/path")
        print(server.access_log)

The server runs in a background thread and stops when the `with` block ends. Its access log
goes into the list `server.access_log` instead of stderr, one line per response, in the form
http.server writes it minus the date: 127.0.0.1 "GET /path HTTP/1.1" 200 -
"""

from __future__ import annotations

import http.server
import platform
import threading


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that speaks HTTP/1.1 (keep-alive) and logs into server.access_log."""

    protocol_version = "HTTP/1.1"

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        self.server.access_log.append(f'{self.client_address[0]} "{self.requestline}" {code} {size}')

    def log_error(self, format, *args):
        pass  # send_error() calls this too; log_request() already records the status it sent

    def send_body(self, status: int, body: bytes, content_type: str = "text/plain", headers: dict | None = None):
        """Send a complete response with a Content-Length, so the connection can stay open."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def read_body(self) -> bytes:
        """Read exactly the Content-Length bytes the request announced (none if it announced none)."""
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))


class LocalServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler_class: type[http.server.BaseHTTPRequestHandler]):
        super().__init__(("127.0.0.1", 0), handler_class)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.access_log: list[str] = []
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request, client_address):
        import traceback

        self.errors.append(traceback.format_exc())  # kept for the demo to check, never printed to stderr

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()
        self._thread.join()
        self.server_close()


def versions() -> str:
    import httpx

    return f"Python {platform.python_version()} (http.server), httpx {httpx.__version__}"
