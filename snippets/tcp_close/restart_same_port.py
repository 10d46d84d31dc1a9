"""Restart a server on its port while its old connection sits in TIME_WAIT: EADDRINUSE or not.

The old server closes its connection first (as a server does after `Connection: close`), so the
TIME_WAIT entry is on the server's port. Then a new listener tries to bind that port.
Needs Linux (it reads /proc/net/tcp; the bind rules are Linux's). Copy tcp_states.py next to this file.
"""

import errno
import platform
import socket
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/tcp_states.py
from tcp_states import require_linux, tcp_sockets  # noqa: E402


def new_socket(reuseaddr: bool = False, reuseport: bool = False) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, int(reuseaddr))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, int(reuseport))
    return sock


def leave_time_wait(old_reuseaddr: bool) -> int:
    """Run a server for one connection, close that connection first, stop; return the port."""
    with new_socket(reuseaddr=old_reuseaddr) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2) as client:
            accepted, _ = listener.accept()
            accepted.close()  # the server closes first: TIME_WAIT will be on its side
            client.recv(1)  # b"": the client sees the FIN and closes too
    return port


def try_listen(port: int, *socks: socket.socket) -> str:
    """Bind and listen every socket on `port`; 'ok', or the call that failed first and its error."""
    call = "bind()"
    try:
        for sock in socks:
            call = "bind()"
            sock.bind(("127.0.0.1", port))
            call = "listen()"
            sock.listen()
    except OSError as error:
        return f"{call} {errno.errorcode.get(error.errno, str(error.errno))}"
    finally:
        for sock in socks:
            sock.close()
    return "ok"


def main() -> int:
    require_linux()
    print(f"Linux {platform.release()}, Python {platform.python_version()}\n")
    results = {}

    port = leave_time_wait(old_reuseaddr=True)
    entries = [e for e in tcp_sockets(port) if e.local[1] == port]
    print(f"The old server (SO_REUSEADDR on) stopped; what is left on its port {port}:")
    for entry in entries:
        print(f"  {entry.local[0]}:{entry.local[1]} -> {entry.remote[0]}:{entry.remote[1]}  {entry.state}, "
              f"{entry.timer_left:.1f} s left")
    results["new server without SO_REUSEADDR"] = try_listen(port, new_socket())
    results["new server with SO_REUSEADDR"] = try_listen(port, new_socket(reuseaddr=True))

    port = leave_time_wait(old_reuseaddr=False)
    results["old server had no SO_REUSEADDR, new one has it"] = try_listen(port, new_socket(reuseaddr=True))

    with new_socket(reuseaddr=True) as running:
        running.bind(("127.0.0.1", 0))
        running.listen()
        port = running.getsockname()[1]
        results["second live listener, SO_REUSEADDR"] = try_listen(port, new_socket(reuseaddr=True))
    with new_socket(reuseport=True) as running:
        running.bind(("127.0.0.1", 0))
        running.listen()
        port = running.getsockname()[1]
        results["second live listener, both SO_REUSEPORT"] = try_listen(port, new_socket(reuseport=True))

    print()
    for case, outcome in results.items():
        print(f"  {case:<50} {outcome}")

    checks = {
        "TIME_WAIT sits on the server's port: the server closed first": any(e.state == "TIME_WAIT" for e in entries),
        "without SO_REUSEADDR the restart's bind() fails with EADDRINUSE": results["new server without SO_REUSEADDR"]
        == "bind() EADDRINUSE",
        "with SO_REUSEADDR the restart succeeds": results["new server with SO_REUSEADDR"] == "ok",
        "Linux wants SO_REUSEADDR on the old socket too": results["old server had no SO_REUSEADDR, new one has it"]
        == "bind() EADDRINUSE",
        "SO_REUSEADDR does not let two listeners share a port: bind() fails": results[
            "second live listener, SO_REUSEADDR"
        ]
        == "bind() EADDRINUSE",
        "SO_REUSEPORT (on both) does": results["second live listener, both SO_REUSEPORT"] == "ok",
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
