"""What a slow request becomes behind nginx, depending on which layer gives up first.

A WSGI app in this file runs a "report" that waits 2.5 s for a slow database (a thread of this demo).
It runs under real Gunicorn, sync and gthread workers, both with `--timeout 1`, behind a real nginx.

Needs Linux, nginx (Debian: apt-get install nginx) and Gunicorn 25.1 or later (pip install gunicorn).
Copy local_nginx.py next to this file. Run: python3 gunicorn_timeouts.py
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_nginx.py
from local_nginx import LocalNginx, NginxMissing, nginx_version  # noqa: E402

QUERY_SECONDS = 2.5  # how long the database takes
WORKER_TIMEOUT = 1  # gunicorn --timeout
NGINX_TIMEOUT = 3  # proxy_read_timeout, longer than the query
SHORT_NGINX_TIMEOUT = 1  # proxy_read_timeout, shorter than the query
APP_DB_TIMEOUT = 1  # the app's own limit on its database call
DATABASE_ENV = "DEMO_SLOW_DATABASE"  # host:port of the slow database, for the app
START_TIMEOUT = 10  # seconds for Gunicorn to boot its worker


def app(environ, start_response):
    """The WSGI app Gunicorn imports (gunicorn_timeouts:app)."""
    query = parse_qs(environ["QUERY_STRING"])
    db_timeout = float(query["db_timeout"][0]) if "db_timeout" in query else None
    try:
        ask_database(QUERY_SECONDS, db_timeout)
    except TimeoutError:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Retry-After", "5")])
        return [b"the database did not answer in time\n"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"report ready\n"]


def ask_database(seconds: float, timeout: float | None) -> None:
    host, port = os.environ[DATABASE_ENV].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(f"{seconds}\n".encode())
        conn.recv(16)  # raises TimeoutError once `timeout` seconds pass with nothing to read


def serve_database(listener: socket.socket) -> None:
    """The slow database: each connection sends a number of seconds and gets "done" that much later."""

    def answer(conn: socket.socket) -> None:
        with conn:
            try:
                seconds = float(conn.recv(64).decode())
                time.sleep(seconds)
                conn.sendall(b"done\n")
            except (OSError, ValueError):
                pass  # the app gave up and closed the connection

    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return  # the demo closed the listener
        threading.Thread(target=answer, args=(conn,), daemon=True).start()


class GunicornFailed(RuntimeError):
    pass


class Gunicorn:
    """Gunicorn serving this file's app on a socket the demo bound on port 0 (no race for the port)."""

    def __init__(self, worker_class: str, folder: Path, database: str) -> None:
        self.folder = folder / worker_class
        self.folder.mkdir()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        fd = self.listener.fileno()
        command = [sys.executable, "-m", "gunicorn", f"--bind=fd://{fd}", f"--worker-class={worker_class}"]
        command += ["--workers=1", f"--timeout={WORKER_TIMEOUT}", "--graceful-timeout=1"]
        if worker_class == "gthread":
            command += ["--threads=2"]  # (with sync, --threads above 1 silently switches to gthread)
        # --no-control-socket (new in Gunicorn 25.1): no control socket file left behind
        command += ["--no-control-socket", f"--error-logfile={self.folder / 'error.log'}"]
        command += [f"--access-logfile={self.folder / 'access.log'}", "--access-logformat=%(r)s %(s)s %(L)s"]
        command += [f"--chdir={Path(__file__).resolve().parent}", "gunicorn_timeouts:app"]
        with open(self.folder / "stderr.log", "wb") as stderr:
            self.process = subprocess.Popen(
                command,
                pass_fds=[fd],
                env={**os.environ, DATABASE_ENV: database},
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
            )

    def wait_until_booted(self) -> None:
        """Return once the worker boots; raise GunicornFailed if Gunicorn exits (a usage error, say)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = (self.log("stderr.log") + self.log("error.log") or ["(nothing)"])[-1]
                raise GunicornFailed(f"Gunicorn ({self.folder.name}) exited with code {self.process.returncode}: {said}")
            if any("Booting worker" in line for line in self.log("error.log")):
                return
            time.sleep(0.05)
        raise GunicornFailed(f"Gunicorn ({self.folder.name}) did not boot a worker within {START_TIMEOUT} s")

    def log(self, name: str) -> list[str]:
        path = self.folder / name
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.listener.close()


def gunicorn_version() -> str:
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True)
    return result.stdout.strip() or "gunicorn is not installed (pip install gunicorn)"


def main() -> int:
    try:
        nginx_release = nginx_version()
    except NginxMissing as missing:
        print(missing)
        return 1
    gunicorn_release = gunicorn_version()
    if "version" not in gunicorn_release:
        print(gunicorn_release)
        return 1
    versions = f"{nginx_release}, {gunicorn_release}, Python {sys.version.split()[0]}"
    folder = Path(tempfile.mkdtemp(prefix="gunicorn-timeouts-"))
    database = socket.create_server(("127.0.0.1", 0))
    database_thread = threading.Thread(target=serve_database, args=(database,))
    database_thread.start()
    address = f"127.0.0.1:{database.getsockname()[1]}"
    servers: list[Gunicorn] = []
    results = []
    failure = ""
    try:
        sync = Gunicorn("sync", folder, address)
        servers.append(sync)
        gthread = Gunicorn("gthread", folder, address)
        servers.append(gthread)
        for server_process in servers:
            server_process.wait_until_booted()

        def location(path: str, backend: Gunicorn, timeout: int) -> str:
            return f"location {path} {{ proxy_pass http://127.0.0.1:{backend.port}; proxy_read_timeout {timeout}s; }}"

        cases = [
            ("A", "/sync/report", "sync worker, nginx waits 3 s", location("/sync/", sync, NGINX_TIMEOUT)),
            ("B", "/gthread/report", "gthread worker, nginx waits 3 s", location("/gthread/", gthread, NGINX_TIMEOUT)),
            ("C", "/impatient/report", "gthread worker, nginx waits 1 s", location("/impatient/", gthread, SHORT_NGINX_TIMEOUT)),
            ("D", f"/gthread/report?db_timeout={APP_DB_TIMEOUT}", "gthread worker, app waits 1 s for the database", ""),
        ]
        server = "\n".join(f"        {config}" for *_, config in cases if config)
        with LocalNginx(server=server) as nginx, httpx.Client(base_url=nginx.url, timeout=10) as client:
            for letter, path, setup, _ in cases:
                started = time.monotonic()
                response = client.get(path)
                results.append((letter, path, setup, response, time.monotonic() - started, nginx.new_error_lines()))
            # C: nginx gave up after 1 s, but the worker is still running the query. Wait for it.
            deadline = time.monotonic() + QUERY_SECONDS + 2
            while time.monotonic() < deadline and not any("/impatient/" in line for line in gthread.log("access.log")):
                time.sleep(0.1)
        for server_process in servers:
            if server_process.process.poll() is not None:
                failure = f"Gunicorn ({server_process.folder.name}) exited during the demo, code {server_process.process.returncode}"
    except GunicornFailed as error:
        failure = str(error)
    finally:
        for server_process in servers:
            server_process.stop()
        database.shutdown(socket.SHUT_RDWR)  # wakes the accept() in the database thread
        database.close()
        database_thread.join()
        logs = {s.folder.name: (s.log("error.log"), s.log("access.log")) for s in servers}
        shutil.rmtree(folder, ignore_errors=True)

    print(versions)
    if failure:
        print(f"NO   {failure}")
        return 1
    print(f"gunicorn --timeout {WORKER_TIMEOUT}; the query takes {QUERY_SECONDS} s; times measured on the build machine\n")
    for letter, path, setup, response, seconds, nginx_lines in results:
        print(f"{letter}. GET {path}  ({setup})")
        print(f"   {response.http_version} {response.status_code} {response.reason_phrase}  after {seconds:.1f} s")
        if "Retry-After" in response.headers:
            print(f"   Retry-After: {response.headers['Retry-After']}; body: {response.text.strip()}")
        for line in nginx_lines:
            message = re.sub(r"^\S+ \S+ (\[\w+\]) \d+#\d+: \*\d+ (.*?), client: .*$", r"\1 \2", line)
            print(f"   nginx error.log: {message}")
    sync_errors, _ = logs["sync"]
    gthread_errors, gthread_access = logs["gthread"]
    timeout_lines = [line for line in sync_errors if "WORKER TIMEOUT" in line]
    late_line = next((line for line in gthread_access if "/impatient/" in line), "")
    print()
    for line in timeout_lines:
        print("sync error log:    " + re.sub(r"^\[[^]]*\] \[\d+\] ", "", re.sub(r"pid:\d+", "pid:N", line)))
    print(f"gthread access log: {late_line}  (request, status, seconds)")

    status = {letter: response.status_code for letter, _, _, response, _, _ in results}
    seconds = {letter: took for letter, _, _, _, took, _ in results}
    nginx_lines = {letter: lines for letter, *_, lines in results}
    late_seconds = float(late_line.split()[-1]) if late_line else 0.0
    answered_by_app = results[3][3]  # D's response
    checks = {
        "A: the sync worker was killed for silence (WORKER TIMEOUT) and the client got 500, not 502": (
            status["A"] == 500 and len(timeout_lines) == 1 and nginx_lines["A"] == []
        ),
        "A: the 500 came 1 to 2.5 s after the request (--timeout 1, then the arbiter's next check)": (
            WORKER_TIMEOUT <= seconds["A"] < WORKER_TIMEOUT + 1.5
        ),
        "B: the gthread worker was not killed (no WORKER TIMEOUT in its log); 200 after the whole query": (
            status["B"] == 200
            and seconds["B"] >= QUERY_SECONDS * 0.9
            and not any("WORKER TIMEOUT" in line for line in gthread_errors)
        ),
        "C: nginx answered 504 after 1 s and logged upstream timed out": (
            status["C"] == 504
            and SHORT_NGINX_TIMEOUT * 0.9 <= seconds["C"] < SHORT_NGINX_TIMEOUT + 1
            and any("upstream timed out" in line for line in nginx_lines["C"])
        ),
        "C: the worker still finished the query for nobody (200 in its access log)": (
            " 200 " in late_line and late_seconds >= QUERY_SECONDS * 0.9
        ),
        "D: the app answered 503 itself after about 1 s (its Retry-After and body); nginx logged nothing": (
            status["D"] == 503
            and answered_by_app.headers.get("Retry-After") == "5"
            and answered_by_app.text == "the database did not answer in time\n"
            and nginx_lines["D"] == []
            and APP_DB_TIMEOUT * 0.9 <= seconds["D"] < APP_DB_TIMEOUT + 1
        ),
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
