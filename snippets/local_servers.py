"""Run a real Gunicorn or Uvicorn for a demo, on 127.0.0.1, on a port the OS picks.

    from local_servers import gunicorn, uvicorn

    with gunicorn("my_demo:wsgi_app", worker_class="gthread", threads=10) as server:
        httpx.get(server.url + "/")
    with uvicorn("my_demo:asgi_app") as server:
        httpx.get(server.url + "/")
        print(server.log())  # what the server wrote so far

`app` is "module:attribute", imported from `app_dir` (the calling demo's folder unless given).
The `with` block starts once the server has answered one HTTP request (GET `ready_path`; any
status will do), so its worker has booted. On exit, even when the demo failed, the server gets
SIGTERM, then SIGKILL for its whole process group if it has not exited after 5 s, and is reaped;
its log folder is removed. If the server exits or does not answer within 15 s, ServerFailed is
raised, with the end of its log in the message.

No race for the port: the helper binds and listens on port 0 itself and passes the listening
socket to the server as an inherited file descriptor: `gunicorn --bind fd://N` (gunicorn/util.py,
parse_address; gunicorn/sock.py, create_sockets), or uvicorn.Server.run(sockets=[...]) for
Uvicorn (see uvicorn() for why not `uvicorn --fd N`). Both servers write their logs into a temporary folder, never to stderr; Gunicorn
gets --no-control-socket (25.1+), so it writes nothing into ~/.gunicorn.
"""

from __future__ import annotations

import http.client
import inspect
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Callable

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0


class ServerFailed(RuntimeError):
    pass


def server_versions() -> str:
    """The versions the demos' behaviour depends on: Python, Gunicorn, Uvicorn, httpx."""
    names = ("gunicorn", "uvicorn", "httpx")
    return f"Python {sys.version.split()[0]}, " + ", ".join(f"{name} {version(name)}" for name in names)


def gunicorn(app: str, *, worker_class: str = "sync", workers: int = 1, threads: int = 1,
             app_dir: str | Path | None = None, ready_path: str = "/", extra: tuple[str, ...] = ()) -> LocalServer:
    """Gunicorn with `workers` worker processes of `worker_class` (sync, gthread, asgi, ...)."""
    label = f"gunicorn -k {worker_class}" + (f" --threads {threads}" if threads > 1 else "")
    folder_of_app = _app_dir(app_dir)

    def command(fd: int, folder: Path) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", f"--bind=fd://{fd}", f"--worker-class={worker_class}",
            f"--workers={workers}", f"--threads={threads}", "--graceful-timeout=2", "--no-control-socket",
            f"--error-logfile={folder / 'server.log'}", f"--chdir={folder_of_app}", *extra, app,
        ]

    return LocalServer(label, command, ready_path)


def uvicorn(app: str, *, app_dir: str | Path | None = None, ready_path: str = "/") -> LocalServer:
    """Uvicorn, one process, one event loop (the asyncio loop unless uvloop is installed).

    Started through its Python API, uvicorn.Server(config).run(sockets=[...]), not `uvicorn --fd N`:
    --fd wraps the descriptor as socket.fromfd(fd, AF_UNIX, SOCK_STREAM) (uvicorn/server.py,
    Server.startup): family AF_UNIX, protocol 0. asyncio sets TCP_NODELAY only on AF_INET or
    AF_INET6 sockets whose protocol is IPPROTO_TCP (asyncio/base_events.py, _set_nodelay). Nagle's
    algorithm then stays on, and on a kept-alive connection each response waits for the client's
    delayed ACK: about 40 ms more per request on Linux (measured once on the build machine,
    25 November 2026, Python 3.11.7, Uvicorn 0.54.0: 44 ms median against 0.4 ms).
    socket.socket(fileno=fd) reads the real family and protocol from the socket itself.
    """
    folder_of_app = _app_dir(app_dir)

    def command(fd: int, folder: Path) -> list[str]:
        return [sys.executable, "-c", _RUN_UVICORN, str(fd), app, folder_of_app]

    return LocalServer("uvicorn", command, ready_path)


_RUN_UVICORN = """\
import socket, sys, uvicorn
fd, app, app_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path.insert(0, app_dir)  # what `uvicorn --app-dir` does
listener = socket.socket(fileno=fd)
config = uvicorn.Config(app, timeout_graceful_shutdown=2)
uvicorn.Server(config).run(sockets=[listener])
"""


def _app_dir(app_dir: str | Path | None) -> str:
    """The folder to import the app from: the given one, or the folder of the demo that called us."""
    if app_dir is not None:
        return str(app_dir)
    caller = next(frame for frame in inspect.stack() if frame.filename != __file__)
    return str(Path(caller.filename).resolve().parent)


class LocalServer:
    def __init__(self, label: str, command: Callable[[int, Path], list[str]], ready_path: str) -> None:
        self.label = label
        self.url = ""
        self.port = 0
        self._command = command
        self._ready_path = ready_path
        self._folder: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LocalServer:
        self._folder = Path(tempfile.mkdtemp(prefix="local-server-"))
        try:
            self._start()
            self._wait_until_ready()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def log(self) -> str:
        """Everything the server has logged so far."""
        assert self._folder is not None
        path = self._folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> str:
        """Stop the server now (SIGTERM, as a process manager would) and return its whole log."""
        self._stop(keep_folder=True)
        return self.log()

    def _start(self) -> None:
        assert self._folder is not None
        with socket.create_server(("127.0.0.1", 0), backlog=2048) as listener:
            self.port = listener.getsockname()[1]
            self.url = f"http://127.0.0.1:{self.port}"
            fd = listener.fileno()
            command = self._command(fd, self._folder)
            with open(self._folder / "server.log", "ab") as log:
                self._process = subprocess.Popen(
                    command,
                    pass_fds=[fd],
                    env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"},
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,  # its own process group, so a stuck server can be killed whole
                )
        # Our copy of the listening socket is closed: once the server exits, the port is free.

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerFailed(f"{self.label} exited with code {self._process.returncode}: {self._log_tail()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                connection.request("GET", self._ready_path)
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.05)
            finally:
                connection.close()
        raise ServerFailed(f"{self.label} did not answer within {START_TIMEOUT:.0f} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        lines = self.log().strip().splitlines()
        return lines[-1] if lines else "(it logged nothing)"

    def _stop(self, keep_folder: bool = False) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group we created: the server and its workers
                process.wait()
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # a worker the master left behind, if any
            except ProcessLookupError:
                pass
        if not keep_folder and self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
