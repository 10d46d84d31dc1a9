"""TLS for the URL-to-page demos: a throwaway CA and certificate, a local HTTPS server, TLS records.

Shared by the demos in snippets/url_to_page/. Copy it, and packet_capture.py, next to the demo.

    with certificates("shop.example") as certs, HttpsServer(certs) as server:
        ...  # connect to 127.0.0.1:server.port with client_context(certs), server_hostname="shop.example"
        print(server.seen)  # what the server decrypted: path, headers, TLS version, ALPN protocol

certificates() runs the `openssl` command in a temporary folder: a CA, then a certificate for the
host name signed by it (subjectAltName DNS:<host>). The folder is deleted when the block ends.
TlsCapture is packet_capture's LoopbackCapture that also keeps the bytes each segment carried;
tls_records() cuts a byte stream into TLS records (RFC 8446 §5.1).
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import platform
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from packet_capture import ETHERNET_HEADER, LoopbackCapture, Segment

CA_NAME = "Network Essentials demo CA"
ALPN = ["http/1.1"]
CONTENT_TYPES = {20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data"}
HANDSHAKE_TYPES = {1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket", 8: "EncryptedExtensions",
                   11: "Certificate", 12: "ServerKeyExchange", 13: "CertificateRequest", 14: "ServerHelloDone",
                   15: "CertificateVerify", 16: "ClientKeyExchange", 20: "Finished"}
# Only what the certificates need, so the system's openssl.cnf changes nothing.
OPENSSL_CONFIG = """\
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:{host}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


@dataclass(frozen=True)
class Certificates:
    host: str
    ca: Path  # the CA's certificate: what the client trusts
    cert: Path  # the server's certificate, signed by the CA
    key: Path  # the server's private key


@contextlib.contextmanager
def certificates(host: str) -> Iterator[Certificates]:
    with tempfile.TemporaryDirectory() as folder:
        d = Path(folder)
        (d / "demo.cnf").write_text(OPENSSL_CONFIG.format(host=host))
        new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-config", d / "demo.cnf"]
        for command in (
            ["req", "-x509", *new_key, "-extensions", "ca", "-subj", f"/CN={CA_NAME}", "-days", "1",
             "-keyout", d / "ca.key", "-out", d / "ca.pem"],
            ["req", "-new", *new_key, "-subj", f"/CN={host}", "-keyout", d / "server.key", "-out", d / "server.csr"],
            ["x509", "-req", "-in", d / "server.csr", "-CA", d / "ca.pem", "-CAkey", d / "ca.key", "-set_serial", "2",
             "-days", "1", "-extfile", d / "demo.cnf", "-extensions", "server", "-out", d / "server.pem"],
        ):
            result = subprocess.run(["openssl", *command], capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"openssl {command[0]} failed: {result.stderr.strip()}")
        yield Certificates(host, d / "ca.pem", d / "server.pem", d / "server.key")


def client_context(certs: Certificates) -> ssl.SSLContext:
    """What a browser does, minus the system's CA list: trust only the demo CA, check the host name."""
    context = ssl.create_default_context(cafile=certs.ca)
    context.set_alpn_protocols(ALPN)
    return context


@dataclass
class Seen:
    """One request, as the server read it after decrypting."""
    path: str
    headers: dict[str, str]
    tls_version: str
    alpn: str | None
    at: float  # time.perf_counter() when the handler started (the request line and headers read)
    answered: float = 0.0  # time.perf_counter() when the whole response was written


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, unless the request says "Connection: close"
    disable_nagle_algorithm = True  # TCP_NODELAY, as nginx sets it: each write leaves at once

    def do_GET(self) -> None:
        seen = Seen(self.path, dict(self.headers), self.connection.version(),
                    self.connection.selected_alpn_protocol(), time.perf_counter())
        self.server.seen.append(seen)
        body = b"<!doctype html><title>Shop</title><h1>Hello</h1>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        seen.answered = time.perf_counter()

    def log_message(self, format: str, *args: object) -> None:
        pass


class HttpsServer(http.server.ThreadingHTTPServer):
    """HTTPS on 127.0.0.1, on a port the OS picks, offering ALPN http/1.1; runs while the `with` block does."""

    daemon_threads = False  # server_close() then waits for every connection's thread
    block_on_close = True

    def __init__(self, certs: Certificates) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        try:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certs.cert, certs.key)
            context.set_alpn_protocols(ALPN)
            self.socket = context.wrap_socket(self.socket, server_side=True)  # accept() does the handshake
        except BaseException:
            self.server_close()
            raise
        self.port = self.server_address[1]
        self.seen: list[Seen] = []
        self.errors: list[str] = []

    def handle_error(self, request: object, client_address: object) -> None:
        self.errors.append(traceback.format_exc())  # for the demo to check; never printed to stderr

    def shutdown_request(self, request: ssl.SSLSocket) -> None:
        """After "Connection: close": send TLS close_notify (RFC 8446 §6.1), wait for the client to close, close."""
        try:
            request.unwrap()
        except OSError:
            pass  # the client closed without a close_notify of its own, as http.client does
        self.close_request(request)

    def __enter__(self) -> HttpsServer:
        self._thread = threading.Thread(target=self.serve_forever)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self._thread.join()
        self.server_close()


@dataclass
class Fetched:
    client_port: int
    status: int
    body: bytes
    tls_version: str
    alpn: str | None


def https_get(context: ssl.SSLContext, port: int, host: str, path: str, headers: dict[str, str] | None = None) -> Fetched:
    """GET https://host/path from 127.0.0.1:port on a new connection; the server closes it after answering."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        client_port = raw.getsockname()[1]
        with context.wrap_socket(raw, server_hostname=host) as tls:  # the TLS handshake happens here
            tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            response = http.client.HTTPResponse(tls)
            response.begin()
            body = response.read()
            response.close()
            fetched = Fetched(client_port, response.status, body, tls.version(), tls.selected_alpn_protocol())
            while tls.recv(4096):  # until the server's close_notify: then we close, and it does
                pass
            return fetched


class TlsCapture(LoopbackCapture):
    """LoopbackCapture that also keeps the data bytes of each segment: data[segment].

    It extends LoopbackCapture._parse(), which reads each captured frame, to copy the bytes too."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.data: dict[Segment, bytes] = {}

    def _parse(self, frame: bytes, seen_at: float) -> Segment | None:
        segment = super()._parse(frame, seen_at)
        if segment is not None and segment.payload:
            end = ETHERNET_HEADER + struct.unpack("!H", frame[ETHERNET_HEADER + 2:ETHERNET_HEADER + 4])[0]
            self.data[segment] = frame[end - segment.payload:end]
        return segment

    def stream(self, src_port: int) -> bytes:
        """Every byte one side sent, in order (a segment sent twice counts once)."""
        sent = {s.seq: self.data[s] for s in self.segments() if s.src_port == src_port and s.payload}
        return b"".join(sent[seq] for seq in sorted(sent))


@dataclass
class Record:
    content_type: int
    version: int
    fragment: bytes
    offset: int = 0  # where the record starts in its stream

    @property
    def name(self) -> str:
        """The handshake message's name when the record is in clear, else the record's content type.

        (A TLS 1.2 Finished is an encrypted handshake record: its name here means nothing.)"""
        if self.content_type == 22 and self.fragment[:1] and self.fragment[0] in HANDSHAKE_TYPES:
            return HANDSHAKE_TYPES[self.fragment[0]]
        return CONTENT_TYPES.get(self.content_type, f"type {self.content_type}")


def tls_records(stream: bytes) -> list[Record]:
    """Cut a stream into records: type (1 byte), legacy version (2), length (2), then the fragment."""
    records, offset = [], 0
    while offset + 5 <= len(stream):
        content_type, version, length = struct.unpack("!BHH", stream[offset:offset + 5])
        records.append(Record(content_type, version, stream[offset + 5:offset + 5 + length], offset))
        offset += 5 + length
    return records


def versions() -> str:
    command = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    return (f"Python {platform.python_version()}, its ssl module using {ssl.OPENSSL_VERSION}\n"
            f"openssl command: {command}\nKernel: {platform.system()} {platform.release()}")
