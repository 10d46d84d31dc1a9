"""The passive side closes at once, so its FIN carries the ACK of the client's FIN: three segments.

Linux does not acknowledge a FIN on the spot; it schedules the ACK. A program that reads the end
of the stream and closes straight away sends its FIN first, and the FIN carries the ACK.
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

ATTEMPTS = 5  # the server must close before its delayed ACK leaves; a busy machine can miss once


def one_connection() -> tuple[list[Segment], int, int, str]:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server_port = listener.getsockname()[1]
        with LoopbackCapture(server_port) as capture:
            client = socket.create_connection(("127.0.0.1", server_port), timeout=2)
            server, _ = listener.accept()
            client_end, server_end = client.getsockname(), server.getsockname()
            with server:
                capture.wait_for(3)
                client.close()
                server.recv(1)  # b"": the server reads the end of the stream ...
            # ... and closes at once (leaving the with block)
            segments = capture.wait_until(lambda s: len(s) >= 6 and s[-1].flags == "ACK" and s[-2].has("FIN"))
            entry = connection(client_end, server_end)
    return segments, client_end[1], server_end[1], entry.state if entry else "gone"


def main() -> int:
    for attempt in range(1, ATTEMPTS + 1):
        segments, client_port, server_port, client_state = one_connection()
        if [s.flags for s in segments[3:]] == ["FIN,ACK", "FIN,ACK", "ACK"]:
            break

    names = {client_port: "client", server_port: "server"}
    print(f"Linux {platform.release()}, Python {platform.python_version()}")
    print(f"client 127.0.0.1:{client_port} -> server 127.0.0.1:{server_port}, captured on lo")
    print(f"connections tried until the close took three segments: {attempt} (at most {ATTEMPTS})\n")
    print(segment_table(segments, names))
    print(f"\nstate of the client's socket at the end: {client_state}")

    close = segments[3:]
    checks = {
        "the close is three segments: FIN, FIN+ACK, ACK": [s.flags for s in close] == ["FIN,ACK", "FIN,ACK", "ACK"],
        "the client sent the first FIN": len(close) == 3 and close[0].src_port == client_port,
        "the server's FIN acknowledges the client's FIN: its seq + 1": len(close) == 3
        and close[1].ack == (close[0].seq + 1) % 2**32,
        "the last ACK acknowledges the server's FIN: its seq + 1": len(close) == 3
        and close[2].ack == (close[1].seq + 1) % 2**32,
        "the last ACK's own seq is the client's FIN seq + 1": len(close) == 3
        and close[2].seq == (close[0].seq + 1) % 2**32,
        "the client, which closed first, ends in TIME_WAIT": client_state == "TIME_WAIT",
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    notes = {
        3: ["client: close(): FIN_WAIT1"],
        4: ["server: recv() returns b'', close() at once"],
        5: ["server: LAST_ACK"],
        6: [f"client: {client_state}", "server: CLOSED"],
    }
    print()
    print(sequence_diagram(segments, names, notes))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
