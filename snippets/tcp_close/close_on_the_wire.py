"""Capture a whole connection on loopback, from SYN to the last ACK of the four-way close.

The client closes first. The server closes only after its ACK of the client's FIN has gone out,
so the close takes four segments. No data is sent, so the server's delayed ACK waits only for the
next timer tick. The demo reads both sides' states from the kernel on the way.
Needs Linux and root (it sniffs the loopback interface): sudo python3 close_on_the_wire.py
Copy packet_capture.py and tcp_states.py next to this file.
"""

import platform
import socket
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/packet_capture.py
from packet_capture import LoopbackCapture, relative, segment_table, sequence_diagram  # noqa: E402
from tcp_states import connection  # noqa: E402


def state(local: tuple[str, int], remote: tuple[str, int]) -> str:
    entry = connection(local, remote)
    return entry.state if entry else "gone (CLOSED)"


def main() -> int:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server_port = listener.getsockname()[1]
        with LoopbackCapture(server_port) as capture:
            client = socket.create_connection(("127.0.0.1", server_port), timeout=2)
            server, _ = listener.accept()
            client_end, server_end = client.getsockname(), server.getsockname()
            client_port = client_end[1]
            try:
                capture.wait_for(3)
                client.close()  # the active close: the client's FIN goes out now

                def server_acked_the_fin(segments):
                    return any(s.src_port == server_port and s.flags == "ACK" for s in segments[3:])

                capture.wait_until(server_acked_the_fin)
                half_closed = (state(client_end, server_end), state(server_end, client_end))
                server.recv(1)  # b"": end of stream; the server program learns the client is done
            finally:
                server.close()  # the passive close: the server's FIN
            segments = capture.wait_for(7)
            closed = (state(client_end, server_end), state(server_end, client_end))

    names = {client_port: "client", server_port: "server"}
    print(f"Linux {platform.release()}, Python {platform.python_version()}")
    print(f"client 127.0.0.1:{client_port} -> server 127.0.0.1:{server_port}, captured on lo")
    print("ms: time since the first segment; rel: counted from that side's ISN, as Wireshark shows\n")
    print(segment_table(segments, names))
    print(f"\nafter segment 5: client {half_closed[0]}, server {half_closed[1]}")
    print(f"after segment 7: client {closed[0]}, server {closed[1]}")
    ack_delay = (segments[4].time - segments[3].time) * 1000 if len(segments) >= 5 else None
    shown = f"{ack_delay:.1f} ms" if ack_delay is not None else "never"
    print(f"the server's ACK of the FIN (segment 5) left {shown} after the FIN; the server had received no data")

    flags = [s.flags for s in segments]
    syn, synack, _, client_fin, server_ack, server_fin, last_ack = (segments + [None] * 7)[:7]
    numbers = relative(segments)
    checks = {
        "seven segments: SYN, SYN+ACK, ACK, then FIN, ACK, FIN, ACK": flags
        == ["SYN", "SYN,ACK", "ACK", "FIN,ACK", "ACK", "FIN,ACK", "ACK"],
        "the client's FIN comes first (it closed first)": client_fin is not None
        and client_fin.src_port == client_port,
        "the server ACKs the FIN with the FIN's seq + 1 (a FIN uses one number)": server_ack is not None
        and server_ack.ack == client_fin.next_seq == (client_fin.seq + 1) % 2**32,
        "the server's FIN acknowledges the same number again": server_fin is not None
        and server_fin.ack == client_fin.next_seq,
        "the last ACK is the server FIN's seq + 1, sent from the client FIN's seq + 1": last_ack is not None
        and last_ack.ack == (server_fin.seq + 1) % 2**32
        and last_ack.seq == client_fin.next_seq,
        "no data: each FIN has relative seq 1, right after the SYN's 0": len(numbers) == 7
        and numbers[3][0] == numbers[5][0] == 1,
        "between the two FINs: client FIN_WAIT2, server CLOSE_WAIT": half_closed == ("FIN_WAIT2", "CLOSE_WAIT"),
        # No data received: the delayed-ACK timeout (icsk_ack.ato) is still 0, so the timer fires on
        # the next tick, well before TCP_ATO_MIN (40 ms), the timeout once data has arrived.
        "the lone ACK was delayed less than TCP_ATO_MIN (40 ms): no data had arrived": ack_delay is not None
        and ack_delay < 40,
        "at the end: the client (active closer) in TIME_WAIT, the server's socket gone": closed
        == ("TIME_WAIT", "gone (CLOSED)"),
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    notes = {
        3: ["client,server: ESTABLISHED", "client: close(): FIN_WAIT1"],
        5: [f"client: {half_closed[0]}", f"server: {half_closed[1]}, recv() returns b''"],
        6: ["server: close(): LAST_ACK"],
        7: [f"client: {closed[0]}", f"server: {closed[1]}"],
    }
    print()
    print(sequence_diagram(segments, names, notes))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
