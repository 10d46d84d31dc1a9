"""Put a real nginx in front of five broken backends and read its answer and its error log.

Needs Linux and nginx (Debian: apt-get install nginx). Copy local_nginx.py next to this file.
Run: python3 nginx_502_504.py
"""

import re
import socket
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_nginx.py
from local_nginx import LocalNginx, NginxMissing, nginx_version  # noqa: E402

TIMEOUT = 1  # proxy_read_timeout and proxy_connect_timeout, seconds (nginx's defaults: 60)
SLOW = 2.0  # the slow backend answers after this many seconds


def read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk


def serve_one(listener: socket.socket, behaviour: str) -> None:
    """Accept one connection, read the request, then misbehave."""
    listener.settimeout(10)
    try:
        conn, _ = listener.accept()
    except OSError:
        return
    with conn:
        try:
            read_request(conn)
            if behaviour == "slow":
                time.sleep(SLOW)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
            elif behaviour == "reset":  # SO_LINGER with a zero timeout: close() sends RST
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            # "close": fall through; leaving the with block closes the connection with FIN
        except OSError:
            pass  # nginx gave up first and closed its side


def short(line: str) -> str:
    """Drop the timestamp, pid and the request details that follow the message."""
    line = re.sub(r"^\S+ \S+ (\[\w+\]) \d+#\d+: \*\d+ ", r"\1 ", line)
    return re.sub(r", client: .*?(, upstream: \S+)?, host: .*$", r"\1", line)


def main() -> int:
    try:
        version = nginx_version()
    except NginxMissing as missing:
        print(missing)
        return 1

    down = socket.socket()  # bound, never listening: the kernel answers a SYN with RST
    down.bind(("127.0.0.1", 0))
    full = socket.socket()  # listening with backlog 0, and one connection fills the accept queue
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    filler = socket.create_connection(full.getsockname(), timeout=2)
    backends = {name: socket.create_server(("127.0.0.1", 0)) for name in ("slow", "close", "reset")}
    threads = [threading.Thread(target=serve_one, args=(sock, name)) for name, sock in backends.items()]
    for thread in threads:
        thread.start()

    def proxy(sock: socket.socket, extra: str = "") -> str:
        return f"proxy_pass http://127.0.0.1:{sock.getsockname()[1]}; {extra}"

    # path, what the backend does, nginx location config
    cases = [
        ("/down", "nothing listens on its port", proxy(down)),
        ("/full", "accept queue full, SYN dropped", proxy(full, f"proxy_connect_timeout {TIMEOUT}s;")),
        ("/slow", f"answers after {SLOW:g} s", proxy(backends["slow"], f"proxy_read_timeout {TIMEOUT}s;")),
        ("/close", "reads the request, closes (FIN)", proxy(backends["close"])),
        ("/reset", "reads the request, resets (RST)", proxy(backends["reset"])),
    ]
    server = "\n".join(f"        location {path} {{ {config} }}" for path, _, config in cases)
    results = {}
    try:
        with LocalNginx(server=server) as nginx, httpx.Client(base_url=nginx.url, timeout=10) as client:
            for path, _, _ in cases:
                started = time.monotonic()
                response = client.get(path)
                results[path] = (response, time.monotonic() - started, nginx.new_error_lines())
    finally:
        for listener in (full, *backends.values()):
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes a thread still waiting in accept()
            except OSError:
                pass
        for sock in (down, full, filler, *backends.values()):
            sock.close()
        for thread in threads:
            thread.join()

    print(f"{version}, proxy_connect_timeout and proxy_read_timeout {TIMEOUT}s; times measured on the build machine\n")
    for path, what, _ in cases:
        response, seconds, lines = results[path]
        print(f"GET {path}  (backend: {what})")
        print(f"  {response.http_version} {response.status_code} {response.reason_phrase}  after {seconds:.1f} s")
        for line in lines:
            print(f"  error.log: {short(line)}")
        print()

    def answer(path: str) -> int:
        return results[path][0].status_code

    def logged(path: str, message: str) -> bool:
        return any(message in line for line in results[path][2])

    checks = {
        "nothing listening: 502, connect() failed (111: Connection refused)": answer("/down") == 502
        and logged("/down", "(111: Connection refused) while connecting to upstream"),
        "accept queue full: 504 after proxy_connect_timeout, not 502": answer("/full") == 504
        and logged("/full", "upstream timed out (110: Connection timed out) while connecting to upstream")
        and results["/full"][1] >= TIMEOUT * 0.9,
        "too slow: 504 after proxy_read_timeout": answer("/slow") == 504
        and logged("/slow", "upstream timed out (110: Connection timed out) while reading response header from upstream")
        and results["/slow"][1] >= TIMEOUT * 0.9,
        "closed before answering: 502, upstream prematurely closed connection": answer("/close") == 502
        and logged("/close", "upstream prematurely closed connection while reading response header from upstream"),
        "reset before answering: 502, recv() failed (104: Connection reset by peer)": answer("/reset") == 502
        and logged("/reset", "recv() failed (104: Connection reset by peer) while reading response header from upstream"),
        "every 502 and 504 left exactly one error-log line": all(len(lines) == 1 for _, _, lines in results.values()),
        "nginx, not the backend, wrote every answer": all(
            response.headers.get("Server", "").startswith("nginx") for response, _, _ in results.values()
        ),
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    print(f'\n```mermaid\nflowchart LR\n    C["httpx"] --> N["{version}"]')
    for number, (path, what, _) in enumerate(cases):
        print(f'    N -- "client gets {answer(path)}" --> B{number}["{path}: {what}"]')
    print("```")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
