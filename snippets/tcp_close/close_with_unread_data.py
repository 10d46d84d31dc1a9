"""Two ways a close sends RST instead of FIN: unread data, and SO_LINGER with a zero timeout.

Connection 1: the client sends a request; the server answers and closes without reading it.
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
ANSWER = b"HTTP/1.1 400 Bad Request\r\n\r\n"


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


def reads_until_error(sock: socket.socket) -> list[str]:
    """What each recv() gives until one fails or returns b'' (at most three)."""
    results = []
    while len(results) < 3:
        results.append(error_on_read(sock))
        if not results[-1].startswith("no error") or results[-1] == "no error, read b''":
            break
    return results


def main() -> int:
    counters = ("TCPAbortOnClose", "TCPAbortOnData")
    before = {name: netstat(name) for name in counters}
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server_port = listener.getsockname()[1]
        with LoopbackCapture(server_port) as capture:
            # Connection 1: the server answers, then closes with the request still unread.
            client1 = socket.create_connection(("127.0.0.1", server_port), timeout=2)
            server1, _ = listener.accept()
            with client1, server1:
                client1_port = client1.getsockname()[1]
                client1.sendall(REQUEST)
                capture.wait_for(5)  # the handshake, the request, and the kernel's ACK of it
                server1.sendall(ANSWER)
                capture.wait_for(7)  # the answer, and the client's ACK of it
                server1.close()
                capture.wait_until(lambda s: any(x.has("RST") for x in s))
                client1_reads = reads_until_error(client1)  # only now does the client program read
            first = len(capture.segments())

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
    print("\nconnection 1: the client's recv() calls after the RST arrived:")
    for number, result in enumerate(client1_reads, start=1):
        print(f"  {number}. {result}")
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
    answer = next((s for s in conn1 if s.payload and s.src_port == server_port), None)
    checks = {
        "1: the server's close sent RST, and no FIN at all": reset1 is not None
        and reset1.src_port == server_port
        and not any(s.has("FIN") for s in conn1),
        "1: the RST's seq is the server's next number (ISN + 1 + the answer's bytes)": reset1 is not None
        and answer is not None
        and reset1.seq == answer.next_seq == (server_isn + 1 + len(ANSWER)) % 2**32,
        "1: the RST acknowledges the whole request, which the program never read": reset1 is not None
        and request is not None
        and reset1.ack == request.next_seq,
        "1: the client still read the answer already in its buffer, then got ConnectionResetError": client1_reads
        == [f"no error, read {ANSWER!r}", "ConnectionResetError"],
        "2: the client's close sent RST instead of FIN": reset2 is not None
        and reset2.src_port == client2_port
        and not any(s.has("FIN") for s in conn2),
        "2: the server got ConnectionResetError": server2_error == "ConnectionResetError",
        "2: the client's socket skipped TIME_WAIT: it is gone": client2_left is None,
        "counters: TCPAbortOnClose (unread data) and TCPAbortOnData (zero linger here) grew": after["TCPAbortOnClose"]
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
