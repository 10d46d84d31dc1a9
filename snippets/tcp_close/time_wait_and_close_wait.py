"""Watch both ends of a close in the kernel's table: CLOSE_WAIT, FIN_WAIT2, TIME_WAIT and their timers.

The client closes first, with TCP_LINGER2 = 5 s (its FIN_WAIT2 limit, tcp_fin_timeout for one
socket). The server reads the end of the stream but does not close: it sits in CLOSE_WAIT, which
has no timer. When the server closes, the client's side enters TIME_WAIT for 60 s.
Needs Linux (it reads /proc/net/tcp). Copy tcp_states.py next to this file.
"""

import platform
import socket
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/tcp_states.py
from tcp_states import TcpSocket, connection, require_linux  # noqa: E402

FIN_WAIT2_LIMIT = 5  # seconds, set on the client with TCP_LINGER2


def wait_for_state(local, remote, wanted: str | None) -> TcpSocket | None:
    """The entry once it reaches `wanted` (None: once it is gone), or as it is after a second."""
    deadline = time.monotonic() + 1
    while True:
        entry = connection(local, remote)
        if (entry.state if entry else None) == wanted or time.monotonic() > deadline:
            return entry
        time.sleep(0.01)


def row(who: str, entry: TcpSocket | None) -> str:
    if entry is None:
        return f"{who:<8} {'(gone)':<12}"
    timer = f"{entry.timer_left:6.2f} s" if entry.timer != "none" else "-"
    return f"{who:<8} {entry.state:<12} {entry.timer:<11} {timer:>9}"


def main() -> int:
    require_linux()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=2)
        server, _ = listener.accept()
        with server:
            client_end, server_end = client.getsockname(), server.getsockname()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_LINGER2, FIN_WAIT2_LIMIT)
            client.close()
            eof = server.recv(100)
            step1 = (wait_for_state(client_end, server_end, "FIN_WAIT2"), wait_for_state(server_end, client_end, "CLOSE_WAIT"))
            time.sleep(1)  # CLOSE_WAIT does not time out: it is still there
            server_still = connection(server_end, client_end)
        # The server has closed (leaving the with block): its FIN goes out.
        step2 = (wait_for_state(client_end, server_end, "TIME_WAIT"), wait_for_state(server_end, client_end, None))

    print(f"Linux {platform.release()}, Python {platform.python_version()}")
    fin_timeout = Path("/proc/sys/net/ipv4/tcp_fin_timeout").read_text().strip()
    print(f"net.ipv4.tcp_fin_timeout = {fin_timeout} (the default for TCP_LINGER2; this client set {FIN_WAIT2_LIMIT})")
    print(f"client 127.0.0.1:{client_end[1]} -> server 127.0.0.1:{server_end[1]}; timers read from /proc/net/tcp\n")
    header = f"{'side':<8} {'state':<12} {'timer':<11} {'time left':>9}"
    print(f"1. The client called close(); the server's recv() returned {eof!r} but it has not closed:")
    print(header)
    print(row("client", step1[0]))
    print(row("server", step1[1]))
    print(f"   one second later, the server's side: {server_still.state if server_still else 'gone'}")
    print("\n2. The server called close():")
    print(header)
    print(row("client", step2[0]))
    print(row("server", step2[1]))

    fin_wait2, close_wait = step1
    time_wait, server_gone = step2
    checks = {
        "the passive side (server) sits in CLOSE_WAIT until its program closes": close_wait is not None
        and close_wait.state == "CLOSE_WAIT"
        and server_still is not None
        and server_still.state == "CLOSE_WAIT",
        "CLOSE_WAIT has no timer: only close() ends it": close_wait is not None and close_wait.timer == "none",
        f"the client's FIN_WAIT2 timer is TCP_LINGER2 ({FIN_WAIT2_LIMIT} s), not 60 s": fin_wait2 is not None
        and fin_wait2.state == "FIN_WAIT2"
        and FIN_WAIT2_LIMIT - 1 < fin_wait2.timer_left <= FIN_WAIT2_LIMIT,
        "the active closer (client) is in TIME_WAIT after the server's FIN": time_wait is not None
        and time_wait.state == "TIME_WAIT",
        "its timer shows about 60 s left (TCP_TIMEWAIT_LEN), whatever TCP_LINGER2 said": time_wait is not None
        and time_wait.timer == "time-wait"
        and 58 < time_wait.timer_left <= 60,
        "the passive side's socket is gone: it never enters TIME_WAIT": server_gone is None,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
