"""Read the kernel's table of TCP sockets, as `ss -tan` does, from /proc/net/tcp (Linux only).

Shared by the demos that show connection states. Copy it next to the demo that imports it.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

PROC_NET_TCP = Path("/proc/net/tcp")

# include/net/tcp_states.h, as the kernel numbers them in the "st" column.
STATE_NAMES = {
    0x01: "ESTABLISHED",
    0x02: "SYN_SENT",
    0x03: "SYN_RECV",
    0x04: "FIN_WAIT1",
    0x05: "FIN_WAIT2",
    0x06: "TIME_WAIT",
    0x07: "CLOSE",
    0x08: "CLOSE_WAIT",
    0x09: "LAST_ACK",
    0x0A: "LISTEN",
    0x0B: "CLOSING",
    0x0C: "NEW_SYN_RECV",
}

# The "tr" column: which timer runs (net/ipv4/tcp_ipv4.c, get_tcp4_sock and get_timewait4_sock).
TIMER_NAMES = {0: "none", 1: "retransmit", 2: "keepalive", 3: "time-wait", 4: "zero-window probe"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # "tm->when" is in these


@dataclass(frozen=True)
class TcpSocket:
    local: tuple[str, int]
    remote: tuple[str, int]
    state: str
    send_queue: int
    # For a LISTEN socket, the kernel puts the accept queue length here
    # (net/ipv4/tcp_ipv4.c, get_tcp4_sock); otherwise, unread received bytes.
    recv_queue: int
    # The running timer and the seconds left on it, from the "tr" and "tm->when" columns. A socket in
    # TIME_WAIT (or an orphaned one in FIN_WAIT2) shows "time-wait": the time left before the kernel
    # frees it. The keepalive timer of a closing socket shows "keepalive".
    timer: str = "none"
    timer_left: float = 0.0


def require_linux() -> None:
    """Exit with a clear message where there is no /proc/net/tcp."""
    if not PROC_NET_TCP.exists():
        sys.exit(
            "This demo reads the kernel's TCP table from /proc/net/tcp, which only Linux has.\n"
            "On macOS or BSD, watch the states with `netstat -an -p tcp` instead."
        )


def _address(field: str) -> tuple[str, int]:
    host_hex, port_hex = field.split(":")
    # The kernel prints the IPv4 address as one 32-bit number in host byte order.
    packed = bytes.fromhex(host_hex)
    if sys.byteorder == "little":
        packed = packed[::-1]
    return socket.inet_ntoa(packed), int(port_hex, 16)


def tcp_sockets(port: int) -> list[TcpSocket]:
    """Every IPv4 TCP socket whose local or remote port is `port`."""
    require_linux()
    found = []
    for line in PROC_NET_TCP.read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = _address(fields[1]), _address(fields[2])
        if port not in (local[1], remote[1]):
            continue
        send_queue, recv_queue = (int(part, 16) for part in fields[4].split(":"))
        timer, ticks_left = (int(part, 16) for part in fields[5].split(":"))
        found.append(
            TcpSocket(
                local,
                remote,
                STATE_NAMES[int(fields[3], 16)],
                send_queue,
                recv_queue,
                TIMER_NAMES.get(timer, str(timer)),
                ticks_left / CLOCK_TICKS if timer else 0.0,
            )
        )
    return found


def state_of(sock: socket.socket) -> str:
    """The kernel's state for the connection of `sock`, found by its local and remote address."""
    local = sock.getsockname()
    try:
        remote = sock.getpeername()
    except OSError:  # not connected yet, e.g. still in SYN_SENT
        remote = None
    for entry in tcp_sockets(local[1]):
        if entry.local == local and entry.state != "LISTEN" and remote in (None, entry.remote):
            return entry.state
    raise LookupError(f"no TCP socket for {local} in {PROC_NET_TCP}")


def show(port: int) -> None:
    """Print the sockets on `port` as a small table, the listener first."""
    print(f"{'local':<21} {'remote':<21} {'state':<12} {'recv-q':>6}")
    for entry in sorted(tcp_sockets(port), key=lambda e: (e.state != "LISTEN", e.local[1] != port, e.local)):
        local, remote = (f"{host}:{p}" for host, p in (entry.local, entry.remote))
        print(f"{local:<21} {remote:<21} {entry.state:<12} {entry.recv_queue:>6}")


def connection(local: tuple[str, int], remote: tuple[str, int]) -> TcpSocket | None:
    """The kernel's entry for the connection from `local` to `remote`, or None once it is gone."""
    for entry in tcp_sockets(local[1]):
        if entry.local == local and entry.remote == remote:
            return entry
    return None
