"""Capture the SYNs a client retransmits when a full accept queue drops them, and time the gaps.

Needs Linux and root (it sniffs the loopback interface): sudo python3 syn_retransmissions.py
Copy packet_capture.py and tcp_states.py next to this file.
"""

import platform
import socket
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds the helpers in snippets/
from packet_capture import LoopbackCapture  # noqa: E402
from tcp_states import require_linux, state_of, tcp_sockets  # noqa: E402

LINEAR_TIMEOUTS = Path("/proc/sys/net/ipv4/tcp_syn_linear_timeouts")  # Linux 6.5 and later
SYN_RETRIES = Path("/proc/sys/net/ipv4/tcp_syn_retries")
INITIAL_RTO = 1.0  # TCP_TIMEOUT_INIT in include/net/tcp.h: 1 s
SLACK = 0.3  # timer wheel granularity and scheduling, in seconds
WATCH_FOR = 5.0  # seconds of retransmissions to wait for, so the demo stays short
BACKLOG = 1


def predicted_gaps(linear_timeouts: int, count: int) -> list[float]:
    """The gaps between SYNs that tcp_retransmit_timer() (net/ipv4/tcp_timer.c) produces.

    The kernel counts the SYN's retransmissions (in tp->total_rto since Linux 6.8, commit
    14dd92d0a117; in icsk_backoff in 6.5 to 6.7) and doubles the timeout only once that count
    exceeds tcp_syn_linear_timeouts. Before Linux 6.5 it doubled every time, as with 0.
    """
    gaps, rto = [], INITIAL_RTO
    for backoff in range(1, count + 1):
        gaps.append(rto)
        if backoff > linear_timeouts:
            rto *= 2
    return gaps


def listen_overflows() -> int:
    """TcpExt ListenOverflows from /proc/net/netstat (the `nstat` counter)."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split(), values.split()))["ListenOverflows"])
    raise LookupError("no TcpExt line in /proc/net/netstat")


def wait_until_queued(port: int, count: int) -> bool:
    """Wait until the listener's accept queue holds `count` connections (its recv-q)."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if any(s.state == "LISTEN" and s.recv_queue >= count for s in tcp_sockets(port)):
            return True
        time.sleep(0.01)
    return False


def main() -> int:
    require_linux()
    linear = int(LINEAR_TIMEOUTS.read_text()) if LINEAR_TIMEOUTS.exists() else None
    syn_retries = int(SYN_RETRIES.read_text())
    print(f"Kernel: Linux {platform.release()}")
    if linear is None:
        print("net.ipv4.tcp_syn_linear_timeouts: absent (kernel before 6.5: the timeout doubles from the start)")
    else:
        print(f"net.ipv4.tcp_syn_linear_timeouts = {linear}")
    print(f"net.ipv4.tcp_syn_retries         = {syn_retries}")

    # How many retransmissions to wait for: those due within WATCH_FOR seconds, at least 3,
    # and no more than the kernel sends before it gives up (tcp_write_timeout()).
    most = syn_retries + (linear or 0)
    gaps = predicted_gaps(linear or 0, most)
    wanted = max(3, sum(1 for i in range(len(gaps)) if sum(gaps[: i + 1]) <= WATCH_FOR))
    wanted = min(wanted, most)
    expected = gaps[:wanted]

    fillers: list[socket.socket] = []
    with socket.create_server(("127.0.0.1", 0), backlog=BACKLOG) as server:
        port = server.getsockname()[1]
        with LoopbackCapture(port) as capture:
            try:
                for _ in range(BACKLOG + 1):  # Linux queues backlog + 1 connections
                    fillers.append(socket.create_connection(("127.0.0.1", port), timeout=2))
                if not wait_until_queued(port, BACKLOG + 1):
                    print("The accept queue never filled.")
                    return 1
                overflows_before = listen_overflows()
                client = socket.socket()
                fillers.append(client)
                client.setblocking(False)
                client.connect_ex(("127.0.0.1", port))
                client_port = client.getsockname()[1]

                def syns() -> list:
                    return [s for s in capture.segments() if s.flags == "SYN" and s.src_port == client_port]

                deadline = time.monotonic() + sum(expected) + 1.0
                while len(syns()) < wanted + 1 and time.monotonic() < deadline:
                    time.sleep(0.02)
                captured = syns()
                client_state = state_of(client)
                overflows = listen_overflows() - overflows_before
            finally:
                for sock in fillers:
                    sock.close()

    print(f"\nlisten(backlog={BACKLOG}) holds {BACKLOG + 1} connections and nobody calls accept().")
    print("Another client connects; the SYNs it sent, captured on lo (measured on the build machine):\n")
    before_6_5 = predicted_gaps(0, len(expected))
    print(f"{'SYN':>3}  {'sent at':>8}  {'gap':>7}  {'expected':>8}  {'before 6.5':>10}")
    for number, segment in enumerate(captured, start=1):
        sent_at = segment.time - captured[0].time
        if number == 1:
            print(f"{number:>3}  {sent_at:>6.2f} s")
        else:
            gap = segment.time - captured[number - 2].time
            index = number - 2
            schedule = f"{expected[index]:.0f} s" if index < len(expected) else "?"
            old = f"{before_6_5[index]:.0f} s" if index < len(before_6_5) else "?"
            print(f"{number:>3}  {sent_at:>6.2f} s  {gap:>5.2f} s  {schedule:>8}  {old:>10}")

    print("(expected: the gap tcp_retransmit_timer() in net/ipv4/tcp_timer.c gives for this setting;")
    print(" before 6.5: the gap kernels without tcp_syn_linear_timeouts used)")

    measured = [b.time - a.time for a, b in zip(captured, captured[1:])]
    setting = "tcp_syn_linear_timeouts absent" if linear is None else f"tcp_syn_linear_timeouts={linear}"
    checks = {
        f"the client retransmitted its SYN {wanted} times (at least 3)": len(captured) == wanted + 1,
        "every SYN has the same sequence number: one SYN, sent again": len({s.seq for s in captured}) == 1,
        f"every gap is within {SLACK} s of what tcp_timer.c gives for {setting}": len(measured) == len(expected)
        and all(abs(got - want) <= SLACK for got, want in zip(measured, expected)),
        f"ListenOverflows grew by at least {len(captured)}: each SYN was dropped": overflows >= len(captured),
        "the client is still in SYN_SENT": client_state == "SYN_SENT",
        f"the first {len(measured)} gaps are about 1 s, not the 1, 2, 4, 8 s of kernels before 6.5": len(measured) >= 4
        and all(abs(got - INITIAL_RTO) <= SLACK for got in measured),
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    print("\n```mermaid")
    print("sequenceDiagram")
    print("    participant C as Client (SYN_SENT)")
    print("    participant S as Listener (accept queue full)")
    for number, segment in enumerate(captured, start=1):
        label = "SYN" if number == 1 else f"SYN again (retransmission {number - 1})"
        print(f"    C-xS: {label} at {segment.time - captured[0].time:.2f} s")
    print("    Note over S: each SYN dropped, ListenOverflows +1")
    print("```")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
