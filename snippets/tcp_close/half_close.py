"""A half-close: the client sends its request, then shutdown(SHUT_WR), and still reads the answer.

shutdown(SHUT_WR) sends a FIN ("I have nothing more to send") but keeps the socket open for
reading. The server reads to the end of the stream, answers, and closes.
Needs Linux and root (it sniffs the loopback interface): sudo python3 half_close.py
Copy packet_capture.py and tcp_states.py next to this file.
"""

import platform
import socket
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/packet_capture.py
from packet_capture import LoopbackCapture, segment_table, sequence_diagram  # noqa: E402
from tcp_states import connection  # noqa: E402

REQUEST = b"count the bytes I send"


def read_to_end(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(4096):
        chunks.append(chunk)
    return b"".join(chunks)


def main() -> int:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server_port = listener.getsockname()[1]
        with LoopbackCapture(server_port) as capture:
            with socket.create_connection(("127.0.0.1", server_port), timeout=2) as client:
                server, _ = listener.accept()
                client_end, server_end = client.getsockname(), server.getsockname()
                with server:
                    client.sendall(REQUEST)
                    client.shutdown(socket.SHUT_WR)  # FIN: the request is complete
                    request = read_to_end(server)  # the server knows the request ended: b"" came
                    entries = (connection(client_end, server_end), connection(server_end, client_end))
                    states = tuple(e.state if e else "gone" for e in entries)
                    answer = f"you sent {len(request)} bytes".encode()
                    server.sendall(answer)  # data still flows to the half-closed client
                reply = read_to_end(client)
            segments = capture.wait_until(lambda s: len(s) >= 9 and s[-1].flags == "ACK" and s[-2].has("FIN"))

    client_port = client_end[1]
    names = {client_port: "client", server_port: "server"}
    print(f"Linux {platform.release()}, Python {platform.python_version()}")
    print(f"client 127.0.0.1:{client_port} -> server 127.0.0.1:{server_port}, captured on lo\n")
    print(segment_table(segments, names))
    print(f"\nafter shutdown(SHUT_WR): client {states[0]}, server {states[1]}")
    print(f"the server read {request!r}")
    print(f"the client read {reply!r} after its own FIN")

    from_client = [s for s in segments if s.src_port == client_port]
    client_data = next((s for s in from_client if s.payload), None)
    client_fin = next((s for s in from_client if s.has("FIN")), None)
    server_data = next((s for s in segments if s.src_port == server_port and s.payload), None)
    later = segments[segments.index(client_fin) + 1 :] if client_fin else []
    client_acks = [s for s in later if s.src_port == client_port and server_data and s.ack == server_data.next_seq]
    before_answer = later[: later.index(server_data)] if server_data in later else later
    lone_acks_of_fin = [
        s for s in before_answer if s.src_port == server_port and client_fin and s.ack == client_fin.next_seq
    ]
    checks = {
        "the client's FIN comes right after its data: seq = data seq + data length": client_data is not None
        and client_fin is not None
        and client_fin.seq == client_data.next_seq,
        "the server's answer travels after the client's FIN": server_data is not None and server_data in later,
        "the answer acknowledges the client's FIN: FIN seq + 1": server_data is not None
        and client_fin is not None
        and server_data.ack == client_fin.next_seq,
        "the half-closed client still acknowledges data, from seq FIN + 1": bool(client_acks)
        and client_acks[0].seq == client_fin.next_seq,
        # Linux delays the ACK of a FIN, by at least TCP_ATO_MIN (40 ms) once data has arrived, so
        # the answer leaves first and carries it.
        "no server segment acknowledged the FIN before the answer: the answer carries the ACK": server_data
        is not None
        and client_fin is not None
        and not lone_acks_of_fin,
        "while half-closed: client FIN_WAIT1 (its FIN not yet acknowledged), server CLOSE_WAIT": states
        == ("FIN_WAIT1", "CLOSE_WAIT"),
        "the client received the whole answer": reply == f"you sent {len(REQUEST)} bytes".encode(),
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    fin_number = segments.index(client_fin) + 1 if client_fin else 0
    notes = {
        fin_number - 1: ["client: shutdown(SHUT_WR)"],
        fin_number: [f"client: {states[0]}, still reading", f"server: {states[1]}, recv() returned b''"],
    }
    print()
    print(sequence_diagram(segments, names, notes))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
