"""Fill the accept queue of a listener with backlog 1, and watch what the next client sees.

Needs Linux (it reads /proc). Copy tcp_states.py next to this file.
"""

import select
import socket
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/tcp_states.py
from tcp_states import require_linux, show, state_of  # noqa: E402

SLACK = 0.3  # timer granularity and scheduling, in seconds
SETTINGS = [
    "net/core/somaxconn",
    "net/ipv4/tcp_max_syn_backlog",
    "net/ipv4/tcp_syncookies",
    "net/ipv4/tcp_abort_on_overflow",
]


def listen_overflows() -> int:
    """TcpExt ListenOverflows: how many times a listener's accept queue was full (the `nstat` counter)."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split(), values.split()))["ListenOverflows"])
    raise LookupError("no TcpExt line in /proc/net/netstat")


def start_connect(port: int) -> socket.socket:
    """Send a SYN without waiting for the handshake to finish."""
    client = socket.socket()
    client.setblocking(False)
    client.connect_ex(("127.0.0.1", port))
    return client


def connected_within(client: socket.socket, seconds: float) -> bool:
    _, writable, _ = select.select([], [client], [], seconds)
    return bool(writable) and client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0


def main() -> int:
    require_linux()
    print("Kernel settings on this machine:")
    for name in SETTINGS:
        print(f"  {name.replace('/', '.'):<31} = {Path('/proc/sys', name).read_text().strip()}")

    clients: list[socket.socket] = []
    with socket.create_server(("127.0.0.1", 0), backlog=1) as server:
        port = server.getsockname()[1]
        try:
            overflows_before = listen_overflows()
            while True:  # connect until one client is left waiting
                connect_called = time.monotonic()
                client = start_connect(port)
                clients.append(client)
                if not connected_within(client, 0.3):
                    break
                if len(clients) == 10:
                    print("Ten clients connected: the queue never filled.")
                    return 1
            waiting = clients[-1]
            print(f"\nlisten(backlog=1), nobody calls accept(). Clients whose connect() finished: {len(clients) - 1}")
            waiting_state = state_of(waiting)
            print(f"Client {len(clients)} is still in {waiting_state}: its SYN got no answer.")
            overflows = listen_overflows() - overflows_before
            print(f"TcpExt ListenOverflows grew by {overflows} (the kernel dropped SYNs).\n")
            show(port)

            print("\nThe server accepts one connection, which frees a place in the queue.")
            server.accept()[0].close()
            accepted_at = time.monotonic()
            if not connected_within(waiting, 5):
                print(f"Client {len(clients)} never connected.")
                return 1
            connected_at = time.monotonic()
            after_accept = connected_at - accepted_at
            total = connected_at - connect_called
            print(f"Client {len(clients)} connected {after_accept:.2f} s after accept(), "
                  f"{total:.2f} s after its connect() call (measured on the build machine):")
            print("its connect() returned only when the kernel's SYN retransmission got through.")
        finally:
            for client in clients:
                client.close()

    checks = {
        "backlog=1 let two connections finish (Linux admits backlog + 1)": len(clients) - 1 == 2,
        f"client {len(clients)} stayed in SYN_SENT: its SYN was dropped, not refused": waiting_state == "SYN_SENT",
        "ListenOverflows counted the dropped SYN": overflows >= 1,
        f"it got in on its first retransmitted SYN, 1 s after connect() (within {SLACK} s)": abs(total - 1.0) <= SLACK,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
