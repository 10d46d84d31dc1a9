"""Serve a built site over HTTP on 127.0.0.1, on a port the OS picks, gzip-compressing text responses.

Used by scripts/lighthouse (and scripts/print): a page is measured as a static host such as GitHub
Pages would send it, compressed, not as `mkdocs serve` sends it. Standard library only.

    with serve_site(Path("site"), prefix="/network-essentials/") as base_url:
        ...  # base_url == "http://127.0.0.1:<port>/network-essentials/"

Run alone, it serves until interrupted: python3 scripts/lighthouse_server.py site/ [/prefix/]
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import mimetypes
import posixpath
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

# Compressed when the client accepts gzip (GitHub Pages and most static hosts do the same).
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")
TYPES = {".js": "application/javascript", ".mjs": "application/javascript", ".json": "application/json",
         ".svg": "image/svg+xml", ".xml": "application/xml", ".webmanifest": "application/manifest+json",
         ".woff2": "font/woff2", ".css": "text/css", ".html": "text/html", ".gz": "application/gzip"}


def _handler(root: Path, prefix: str) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real host
        server_version = "lighthouse-static"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            if path in ("", "/") and prefix != "/":
                return self._send(302, b"", "text/plain", head, {"Location": prefix})
            if not path.startswith(prefix):
                return self._not_found(head)
            relative = posixpath.normpath(path[len(prefix):]).lstrip("/")
            if relative.startswith(".."):
                return self._not_found(head)
            target = root / relative if relative not in ("", ".") else root
            if target.is_dir():
                if not path.endswith("/"):
                    return self._send(301, b"", "text/plain", head, {"Location": path + "/"})
                target = target / "index.html"
            if not target.is_file():
                return self._not_found(head)
            suffix = target.suffix.lower()
            ctype = TYPES.get(suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(200, target.read_bytes(), ctype, head)

        def _not_found(self, head: bool) -> None:
            page = root / "404.html"
            body = page.read_bytes() if page.is_file() else b"Not found\n"
            self._send(404, body, "text/html", head)

        def _send(self, status: int, body: bytes, ctype: str, head: bool, extra: dict[str, str] | None = None) -> None:
            headers = dict(extra or {})
            if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
                ctype += "; charset=utf-8"
            headers["Content-Type"] = ctype
            headers["Cache-Control"] = "max-age=600"  # what GitHub Pages sends
            if ctype.startswith(TEXT_TYPES) or "manifest" in ctype:
                headers["Vary"] = "Accept-Encoding"
                if body and "gzip" in self.headers.get("Accept-Encoding", "").lower():
                    body = gzip.compress(body, compresslevel=6, mtime=0)
                    headers["Content-Encoding"] = "gzip"
            headers["Content-Length"] = str(len(body))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def serve_site(root: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `root` under `prefix` on 127.0.0.1:<free port> in a thread; yield the site's base URL."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(Path(root).resolve(), prefix))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with serve_site(Path(argv[0]), argv[1] if len(argv) == 2 else "/") as url:
        print(f"Serving {argv[0]} at {url} (gzip); Ctrl-C stops", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
