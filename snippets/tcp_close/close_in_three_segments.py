"""After a request and its answer, a server that closes at once sends FIN+ACK: a three-segment close.

Linux does not acknowledge a FIN on the spot; it schedules the ACK. On a connection that has
carried data the delay is at least TCP_ATO_MIN (40 ms), so a server that reads the end of the
stream and closes straight away sends its FIN first, and the FIN carries the ACK.
A second connection, where the server waits instead of closing, shows how long the ACK is held.
Needs Linux and root (it sniffs the loopback interface): sudo python3 close_in_three_segments.py
Copy packet_capture.py and tcp_states.py next to this file.
"""

import platform
import socket
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/packet_capture.py
from packet_capture import LoopbackCapture, Segment, segment_table, sequence_diagram  # noqa: E402
from tcp_states import connection  # noqa: E402

REQUEST = b"GET / HTTP/1.1\r\nHost: demo\r\n\r\n"
ANSWER = b"HTTP/1.1 204 No Content\r\n\r\n"
TCP_ATO_MIN_MS = 40  # include/net/tcp.h: HZ/25, the shortest delayed-ACK timeout after data


def request_and_answer(client: socket.socket, server: socket.socket) -> None:
    client.sendall(REQUEST)
    received = b""
    while len(received) < len(REQUEST):
        received += server.recv(4096)
    server.sendall(ANSWER)
    received = b""
    while len(received) < len(ANSWER):
        received += client.recv(4096)


def close_at_once() -> tuple[list[Segment], int, int, str]:
    """One request and answer; the client closes; the server closes as soon as it reads b''."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server_port = listener.getsockname()[1]
        with LoopbackCapture(server_port) as capture:
            client = socket.create_connection(("127.0.0.1", server_port), timeout=2)
            server, _ = listener.accept()
            client_end, server_end = client.getsockname(), server.getsockname()
            with server:
                request_and_answer(client, server)
                client.close()
                server.recv(1)  # b"": the server reads the end of the stream ...
            # ... and closes at once (leaving the with block)
            segments = capture.wait_until(lambda s: len(s) >= 3 and s[-1].flags == "ACK" and s[-2].has("FIN"))
            entry = connection(client_end, server_end)
    return segments, client_end[1], server_end[1], entry.state if entry else "gone"


def ack_delay_when_server_waits() -> tuple[list[str], float | None]:
    """The same exchange, but the server closes only after its lone ACK of the FIN has left.

    Returns the flags of the close and the milliseconds between the client's FIN and that ACK.
    """
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server_port = listener.getsockname()[1]
        with LoopbackCapture(server_port) as capture:
            client = socket.create_connection(("127.0.0.1", server_port), timeout=2)
            server, _ = listener.accept()
            with server:
                request_and_answer(client, server)
                client.close()

                def fin_and_lone_ack(segments: list[Segment]) -> bool:
                    fins = [s for s in segments if s.has("FIN")]
                    return bool(fins) and any(
                        s.src_port == server_port and s.flags == "ACK" and s.ack == fins[0].next_seq for s in segments
                    )

                capture.wait_until(fin_and_lone_ack)
            segments = capture.wait_until(lambda s: sum(x.has("FIN") for x in s) == 2 and s[-1].flags == "ACK")
    fin = next((s for s in segments if s.has("FIN")), None)
    if fin is None:
        return [], None
    close = segments[segments.index(fin) :]
    lone_ack = next((s for s in close if s.src_port == server_port and s.flags == "ACK"), None)
    delay = (lone_ack.time - fin.time) * 1000 if lone_ack else None
    return [s.flags for s in close], delay


def main() -> int:
    segments, client_port, server_port, client_state = close_at_once()
    waiting_close, ack_delay = ack_delay_when_server_waits()

    names = {client_port: "client", server_port: "server"}
    print(f"Linux {platform.release()}, Python {platform.python_version()}")
    print(f"client 127.0.0.1:{client_port} -> server 127.0.0.1:{server_port}, captured on lo")
    print(f"one request ({len(REQUEST)} bytes) and its answer ({len(ANSWER)} bytes), then the client closes\n")
    print(segment_table(segments, names))
    print(f"\nstate of the client's socket at the end: {client_state}")
    shown_delay = f"{ack_delay:.1f} ms" if ack_delay is not None else "never"
    print("\nsecond connection, same exchange, but the server waits instead of closing:")
    print(f"  the close: {' / '.join(waiting_close)}")
    print(f"  the server's lone ACK of the FIN left {shown_delay} after the FIN")

    first_fin = next((i for i, s in enumerate(segments) if s.has("FIN")), len(segments))
    close = segments[first_fin:]
    checks = {
        "the connection carried data both ways before the close": any(
            s.payload and s.src_port == client_port for s in segments[:first_fin]
        )
        and any(s.payload and s.src_port == server_port for s in segments[:first_fin]),
        "the close is three segments: FIN, FIN+ACK, ACK": [s.flags for s in close] == ["FIN,ACK", "FIN,ACK", "ACK"],
        "the client sent the first FIN": len(close) == 3 and close[0].src_port == client_port,
        "the server's FIN acknowledges the client's FIN: its seq + 1": len(close) == 3
        and close[1].ack == (close[0].seq + 1) % 2**32,
        "the last ACK acknowledges the server's FIN: its seq + 1": len(close) == 3
        and close[2].ack == (close[1].seq + 1) % 2**32,
        "the last ACK's own seq is the client's FIN seq + 1": len(close) == 3
        and close[2].seq == (close[0].seq + 1) % 2**32,
        "the client, which closed first, ends in TIME_WAIT": client_state == "TIME_WAIT",
        "when the server waits, the close takes four segments: FIN, ACK, FIN, ACK": waiting_close
        == ["FIN,ACK", "ACK", "FIN,ACK", "ACK"],
        # A timer of TCP_ATO_MIN jiffies fires between one tick short of 40 ms and 40 ms (30 ms at HZ=100).
        f"and its lone ACK was held about TCP_ATO_MIN ({TCP_ATO_MIN_MS} ms) or more": ack_delay is not None
        and ack_delay >= TCP_ATO_MIN_MS - 10,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    notes = {
        first_fin: ["client: close(): FIN_WAIT1"],
        first_fin + 1: ["server: recv() returns b'', close() at once"],
        first_fin + 2: ["server: LAST_ACK"],
        first_fin + 3: [f"client: {client_state}", "server: CLOSED"],
    }
    print()
    print(sequence_diagram(segments, names, notes))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
