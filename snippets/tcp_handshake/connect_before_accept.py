"""Show that the kernel finishes the handshake before the server program calls accept().

Needs Linux (it reads /proc/net/tcp). Copy tcp_states.py next to this file.
"""

import socket
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/tcp_states.py
from tcp_states import require_linux, show, state_of, tcp_sockets  # noqa: E402


def accept_queue_length(port: int) -> int:
    return next(s.recv_queue for s in tcp_sockets(port) if s.state == "LISTEN")


def main() -> int:
    require_linux()
    with socket.create_server(("127.0.0.1", 0), backlog=8) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2) as client:
            print("1. connect() has returned; the server program has not called accept().")
            client_state = state_of(client)
            both_established = sum(s.state == "ESTABLISHED" for s in tcp_sockets(port)) == 2
            queued = accept_queue_length(port)
            show(port)

            client.sendall(b"hello")
            print("\n2. The client sends 5 bytes, still before accept().")
            show(port)
            waiting = next(s.recv_queue for s in tcp_sockets(port) if s.state == "ESTABLISHED" and s.local[1] == port)

            accepted, _ = server.accept()
            with accepted:
                print("\n3. accept() hands over a connection that was ESTABLISHED already.")
                print(f"   state of the accepted socket: {state_of(accepted)}")
                data = accepted.recv(100)
                print(f"   recv() returns the bytes the kernel had queued: {data!r}")
                print(f"   accept queue length now: {accept_queue_length(port)}")

    checks = {
        "connect() returned with both ends ESTABLISHED, before accept()": client_state == "ESTABLISHED" and both_established,
        "the accept queue held that one connection": queued == 1,
        "the 5 bytes waited in the server side's receive queue": waiting == 5,
        "accept() then handed over the connection, and recv() the queued bytes": data == b"hello",
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
