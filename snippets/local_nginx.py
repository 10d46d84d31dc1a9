"""Run a real nginx on 127.0.0.1 for a demo, as whatever user runs the demo.

    from local_nginx import LocalNginx, nginx_version

    with LocalNginx(server="location / { proxy_pass http://127.0.0.1:8001; }") as nginx:
        httpx.get(nginx.url + "/")
        print(nginx.new_error_lines())

`server` is the body of the one `server {}` block (the helper adds its `listen` line); `http` is
optional text for the `http {}` block around it, such as `upstream` blocks. `new_error_lines()`
returns what nginx added to its error log since the previous call, so a demo can show the line each
request caused. `nginx_version()` is what `nginx -v` prints. Without nginx, both raise NginxMissing,
whose message is one line to print.

Everything nginx writes (config, pid file, logs, temp folders) lives in one temporary folder that
is removed on exit, even when the demo fails; nginx is stopped first.

No race for the port: the helper binds and listens on port 0 itself and hands the socket to nginx
in the NGINX environment variable, the way nginx passes its sockets to a new binary during an
upgrade. nginx keeps an inherited socket whose address matches a `listen` line instead of opening a
new one (core/nginx.c, ngx_add_inherited_sockets; core/ngx_cycle.c, ngx_init_cycle).
"""

from __future__ import annotations

import grp
import http.client
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

START_TIMEOUT = 5.0
READY_PATH = "/.local-nginx-ready"  # answered by nginx itself, to know that the worker serves


class NginxMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__("nginx is not installed (Debian: apt-get install nginx), so this demo cannot run")


def find_nginx() -> str | None:
    """The nginx binary (Debian puts it in /usr/sbin, often not on a user's PATH), or None."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin:/usr/local/nginx/sbin")


def nginx_version() -> str:
    """What `nginx -v` prints, such as "nginx/1.22.1"."""
    binary = find_nginx()
    if binary is None:
        raise NginxMissing()
    result = subprocess.run([binary, "-v"], capture_output=True, text=True, check=True)
    return result.stderr.strip().removeprefix("nginx version: ")


class LocalNginx:
    def __init__(self, server: str, http: str = "") -> None:
        self.server = server
        self.http = http
        self.port = 0
        self.url = ""
        self.startup_lines: list[str] = []  # what nginx logged while starting (see _user_directive)
        self._folder: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._error_log_read = 0

    def __enter__(self) -> LocalNginx:
        binary = find_nginx()
        if binary is None:
            raise NginxMissing()
        self._folder = Path(tempfile.mkdtemp(prefix="local-nginx-"))
        try:
            self._start(binary)
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop()

    def new_error_lines(self) -> list[str]:
        """Lines nginx added to its error log since the previous call."""
        assert self._folder is not None
        with open(self._folder / "error.log", "rb") as log:
            log.seek(self._error_log_read)
            data = log.read()
        complete = data[: data.rfind(b"\n") + 1]  # a line still being written waits for the next call
        self._error_log_read += len(complete)
        return complete.decode(errors="replace").splitlines()

    def _start(self, binary: str) -> None:
        assert self._folder is not None
        with socket.create_server(("127.0.0.1", 0)) as listener:
            self.port = listener.getsockname()[1]
            self.url = f"http://127.0.0.1:{self.port}"
            (self._folder / "nginx.conf").write_text(self._config())
            self._process = subprocess.Popen(
                # -e: the log nginx writes to before it has read its config (Debian's default: stderr)
                [binary, "-p", f"{self._folder}/", "-c", "nginx.conf", "-e", "startup.log"],
                env={**os.environ, "NGINX": f"{listener.fileno()};"},
                pass_fds=[listener.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        self._wait_until_serving()
        self.startup_lines = self.new_error_lines()

    def _config(self) -> str:
        folder = self._folder
        return f"""\
{_user_directive()}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log error;

events {{ worker_connections 64; }}

http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    default_type text/plain;

{self.http}
    server {{
        listen 127.0.0.1:{self.port};
        location = {READY_PATH} {{ return 204; }}
{self.server}
    }}
}}
"""

    def _wait_until_serving(self) -> None:
        assert self._process is not None and self._folder is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self._process.poll() is None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=0.5)
            try:
                connection.request("GET", READY_PATH)
                if connection.getresponse().status == 204:
                    return
            except OSError:
                time.sleep(0.05)
            finally:
                connection.close()
        logs = [self._folder / "startup.log", self._folder / "error.log"]
        raise RuntimeError("nginx did not start:\n" + "".join(p.read_text(errors="replace") for p in logs if p.exists()))

    def _stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)  # fast shutdown: the master stops its worker, then exits
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _user_directive() -> str:
    """As root, name the current user and group, so that nginx never switches to "nobody".

    A root master with no `user` directive picks "nobody" (core/nginx.c, ngx_core_module_init_conf),
    chowns its temp folders to it (core/ngx_file.c, ngx_create_paths) and makes its workers setgid,
    initgroups and setuid to it (os/unix/ngx_process_cycle.c, ngx_worker_process_init). Inside the
    build's user namespace, where only root is mapped, the chown fails and nginx does not start.
    Naming root keeps every step but one working: initgroups() is refused in such a namespace, which
    nginx logs as "[emerg] initgroups(root, 0) failed" and survives. That line lands in
    startup_lines, not in what new_error_lines() returns.

    (`master_process off` would avoid initgroups, but nginx 1.22.1 crashed with SIGSEGV when one
    process was given an inherited socket, measured.)
    """
    if os.geteuid() != 0:
        return ""  # without root, nginx switches to no one
    return f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
