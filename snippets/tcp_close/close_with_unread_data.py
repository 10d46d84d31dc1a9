"""Two ways a close sends RST instead of FIN: unread data, and SO_LINGER with a zero timeout.

Connection 1: the client sends a request; the server closes without reading it.
Connection 2: the client sets SO_LINGER (on, 0 seconds) and closes with nothing left to read.
Needs Linux and root (it sniffs the loopback interface): sudo python3 close_with_unread_data.py
Copy packet_capture.py and tcp_states.py next to this file.
"""

import platform
import socket
import struct
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/packet_capture.py
from packet_capture import LoopbackCapture, segment_table, sequence_diagram  # noqa: E402
from tcp_states import connection  # noqa: E402

REQUEST = b"GET / HTTP/1.1\r\n\r\n"


def netstat(name: str) -> int:
    """One TcpExt counter from /proc/net/netstat, as `nstat -az TcpExt<name>` shows it."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for header, values in zip(lines[::2], lines[1::2]):
        if header.startswith("TcpExt:"):
            return int(dict(zip(header.split()[1:], values.split()[1:]))[name])
    raise LookupError(name)


def error_on_read(sock: socket.socket) -> str:
    try:
        data = sock.recv(100)
    except OSError as error:
        return type(error).__name__
    return f"no error, read {data!r}"


def main() -> int:
    counters = ("TCPAbortOnClose", "TCPAbortOnData")
    before = {name: netstat(name) for name in counters}
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server_port = listener.getsockname()[1]
        with LoopbackCapture(server_port) as capture:
            # Connection 1: the server closes with the request still unread.
            client1 = socket.create_connection(("127.0.0.1", server_port), timeout=2)
            server1, _ = listener.accept()
            with client1, server1:
                client1_port = client1.getsockname()[1]
                client1.sendall(REQUEST)
                capture.wait_for(5)  # the handshake, the request, and the kernel's ACK of it
                server1.close()
                client1_error = error_on_read(client1)
            first = len(capture.wait_until(lambda s: any(x.has("RST") for x in s)))

            # Connection 2: the client closes with SO_LINGER on and a zero timeout.
            client2 = socket.create_connection(("127.0.0.1", server_port), timeout=2)
            server2, _ = listener.accept()
            with server2:
                client2_end, server2_end = client2.getsockname(), server2.getsockname()
                client2.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                capture.wait_for(first + 3)
                client2.close()
                server2_error = error_on_read(server2)
                segments = capture.wait_until(lambda s: sum(x.has("RST") for x in s) >= 2)
                client2_left = connection(client2_end, server2_end)
    after = {name: netstat(name) for name in counters}

    client2_port = client2_end[1]
    names = {client1_port: "client1", client2_port: "client2", server_port: "server"}
    print(f"Linux {platform.release()}, Python {platform.python_version()}")
    print(f"server 127.0.0.1:{server_port}, captured on lo\n")
    print(segment_table(segments, names))
    print(f"\nconnection 1: the client's next recv() raised {client1_error}")
    print(f"connection 2: the server's next recv() raised {server2_error}")
    print(f"connection 2: the client's socket afterwards: {client2_left.state if client2_left else 'gone'}")
    for name in counters:
        print(f"TcpExt{name} grew by {after[name] - before[name]}")

    conn1 = [s for s in segments if client1_port in (s.src_port, s.dst_port)]
    conn2 = [s for s in segments if client2_port in (s.src_port, s.dst_port)]
    request = next((s for s in conn1 if s.payload), None)
    reset1 = next((s for s in conn1 if s.has("RST")), None)
    reset2 = next((s for s in conn2 if s.has("RST")), None)
    server_isn = conn1[1].seq
    checks = {
        "1: the server's close sent RST, and no FIN at all": reset1 is not None
        and reset1.src_port == server_port
        and not any(s.has("FIN") for s in conn1),
        "1: the RST's seq is the server's next number (ISN + 1: it sent no data)": reset1 is not None
        and reset1.seq == (server_isn + 1) % 2**32,
        "1: the RST acknowledges the whole request, which the program never read": reset1 is not None
        and request is not None
        and reset1.ack == request.next_seq,
        "1: the client got ConnectionResetError (ECONNRESET)": client1_error == "ConnectionResetError",
        "2: the client's close sent RST instead of FIN": reset2 is not None
        and reset2.src_port == client2_port
        and not any(s.has("FIN") for s in conn2),
        "2: the server got ConnectionResetError": server2_error == "ConnectionResetError",
        "2: the client's socket skipped TIME_WAIT: it is gone": client2_left is None,
        "the kernel counted an abort on close and an abort on zero linger": after["TCPAbortOnClose"]
        - before["TCPAbortOnClose"]
        >= 1
        and after["TCPAbortOnData"] - before["TCPAbortOnData"] >= 1,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    reset_number = segments.index(reset1) + 1 if reset1 else 0
    notes = {
        reset_number - 1: ["server: close() with the request unread"],
        len(conn1) + 3: ["client2: SO_LINGER 0, close()"],
    }
    print()
    print(sequence_diagram(segments, names, notes))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
