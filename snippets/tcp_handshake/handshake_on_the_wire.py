"""Capture a real three-way handshake on loopback and check its sequence numbers.

Needs Linux and root (it sniffs the loopback interface): sudo python3 handshake_on_the_wire.py
Copy packet_capture.py next to this file.
"""

import socket
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/packet_capture.py
from packet_capture import LoopbackCapture  # noqa: E402


def plus_one(number: int) -> int:
    return (number + 1) % 2**32  # sequence numbers wrap around at 2**32


def main() -> int:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server_port = server.getsockname()[1]
        with LoopbackCapture(server_port) as capture:
            with socket.create_connection(("127.0.0.1", server_port), timeout=2) as client:
                client_port = client.getsockname()[1]
                accepted, _ = server.accept()
                accepted.close()
                syn, syn_ack, ack = capture.wait_for(3)[:3]

    print(f"client 127.0.0.1:{client_port} -> server 127.0.0.1:{server_port}, captured on lo\n")
    print(f"{'#':>2}  {'sender':<7} {'flags':<8} {'seq':>10}  {'ack':>10}")
    for number, segment in enumerate((syn, syn_ack, ack), start=1):
        sender = "client" if segment.src_port == client_port else "server"
        print(f"{number:>2}  {sender:<7} {segment.flags:<8} {segment.seq:>10}  {segment.ack:>10}")

    client_isn, server_isn = syn.seq, syn_ack.seq
    checks = {
        "the segments are SYN, SYN+ACK, ACK": [s.flags for s in (syn, syn_ack, ack)] == ["SYN", "SYN,ACK", "ACK"],
        "SYN+ACK acknowledges client ISN + 1": syn_ack.ack == plus_one(client_isn),
        "ACK acknowledges server ISN + 1": ack.ack == plus_one(server_isn),
        "ACK's own seq is client ISN + 1 (the SYN used one number)": ack.seq == plus_one(client_isn),
        "no data rode on the handshake": syn.payload == syn_ack.payload == ack.payload == 0,
        "neither ISN is 0 or 1, and the two differ": client_isn not in (0, 1)
        and server_isn not in (0, 1)
        and client_isn != server_isn,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
