"""One HTTPS request, every TCP segment of its connection: handshake, TLS, request, response, close.

Needs Linux, root (it sniffs the loopback interface) and the openssl command:
sudo python3 https_connection_on_the_wire.py. Copy local_tls.py and packet_capture.py next to it.
"""

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_tls.py
from local_tls import (  # noqa: E402
    HANDSHAKE_TYPES, HttpsServer, TlsCapture, certificates, client_context, https_get, tls_records, versions)
from packet_capture import relative  # noqa: E402

HOST = "shop.example"


def main() -> int:
    # What the client's TLS library saw inside each record it wrote or read, through OpenSSL's message
    # callback. CPython exposes it as SSLContext._msg_callback: private, undocumented, used by its tests.
    inside = {"write": [], "read": []}

    def on_message(connection, direction, version, content_type, message_type, data):
        if content_type == 256:  # a record's 5-byte header: a new record starts
            inside[direction].append([])
        elif content_type == 257 and message_type == 23:  # TLS 1.3, decrypted: the record holds application data
            inside[direction][-1].append("HTTP data")
        elif content_type == 22:
            inside[direction][-1].append(HANDSHAKE_TYPES.get(message_type, f"handshake {message_type}"))
        elif content_type == 21:
            inside[direction][-1].append("close_notify alert" if message_type == 0 else f"alert {message_type}")
        elif content_type == 20:
            inside[direction][-1].append("change_cipher_spec")

    with certificates(HOST) as certs, HttpsServer(certs) as server:
        context = client_context(certs)
        context._msg_callback = on_message
        with TlsCapture(server.port) as capture:
            got = https_get(context, server.port, HOST, "/")
            # Done when both FINs are out and the last one is acknowledged.
            segments = capture.wait_until(lambda s: sum(x.has("FIN") for x in s) == 2 and not s[-1].has("FIN"))
            streams = {port: capture.stream(port) for port in (got.client_port, server.port)}
    names = {got.client_port: "client", server.port: "server"}
    print(versions())
    print(f"\nGET https://{HOST}/ from 127.0.0.1:{server.port}: {got.status}, {got.tls_version}, ALPN {got.alpn}\n")

    # Name each record: its type on the wire, or [what the client found inside] when it was encrypted.
    records, content = {}, {}
    for port, direction in ((got.client_port, "write"), (server.port, "read")):
        records[port] = tls_records(streams[port])
        for record, found in zip(records[port], inside[direction]):
            content[port, record.offset] = found if record.content_type == 23 else [record.name]
    numbers = relative(segments)  # seq and ack counted from each side's ISN, as Wireshark shows them
    sender = [names[segment.src_port] for segment in segments]
    carried, labels = [], []  # per segment: the messages in the records that start in it, and how to show them
    for segment, (seq, _) in zip(segments, numbers):
        start = seq - 1  # the SYN used sequence number 0, so data byte 0 has relative seq 1
        starting = [r for r in records[segment.src_port] if start <= r.offset < start + segment.payload]
        inner = [content[segment.src_port, r.offset] for r in starting]
        carried.append([message for messages in inner for message in messages])
        labels.append(", ".join(", ".join(m) if r.content_type != 23 else f"[{', '.join(m)}]"
                                for r, m in zip(starting, inner)))

    print(f"{'#':>2}  {'sender':<7} {'flags':<12} {'rel seq':>7} {'rel ack':>7} {'bytes':>5}  "
          "TLS records that start here")
    for number, (segment, (seq, ack), label) in enumerate(zip(segments, numbers, labels), start=1):
        print(f"{number:>2}  {sender[number - 1]:<7} {segment.flags:<12} {seq:>7} {'-' if ack is None else ack:>7} "
              f"{segment.payload:>5}  {label}")
    print("[...] = sent as application_data; inside, as the client's TLS library found it")

    def sent_by(side: str) -> list[str]:
        return [message for who, messages in zip(sender, carried) if who == side for message in messages]

    with_data = [i for i, segment in enumerate(segments) if segment.payload]
    first_server = next(i for i in with_data if sender[i] == "server")
    client_finished = next(i for i in with_data if sender[i] == "client" and "Finished" in carried[i])
    tickets = [i for i in with_data if sender[i] == "server" for m in carried[i] if m == "NewSessionTicket"]
    last_ack = {who: next(ack for w, (_, ack) in zip(reversed(sender), reversed(numbers)) if w == who)
                for who in ("client", "server")}
    sent = {names[port]: len(stream) for port, stream in streams.items()}
    flight = ["ServerHello", "change_cipher_spec", "EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"]
    flight_records = ["ServerHello", "change_cipher_spec"] + [f"[{message}]" for message in flight[2:]]
    in_clear = {r.name for rs in records.values() for r in rs if r.content_type != 23}
    checks = {
        "segments 1 to 3 are SYN, SYN+ACK, ACK, and carry no data":
            [s.flags for s in segments[:3]] == ["SYN", "SYN,ACK", "ACK"] and not any(s.payload for s in segments[:3]),
        "the first data is the client's ClientHello, in segment 4": with_data[0] == 3 and labels[3] == "ClientHello",
        "the server's first data segment carries " + ", ".join(flight) + ", the last four each in a record of its own":
            carried[first_server] == flight and labels[first_server] == ", ".join(flight_records),
        "only the ClientHello, ServerHello and change_cipher_spec records went in clear":
            in_clear == {"ClientHello", "ServerHello", "change_cipher_spec"},
        "the client sent ClientHello, change_cipher_spec, Finished, then its request, and no close_notify":
            sent_by("client") == ["ClientHello", "change_cipher_spec", "Finished", "HTTP data"],
        "the server sent two NewSessionTickets, both after the client's Finished":
            len(tickets) == 2 and min(tickets) > client_finished,
        "each side acknowledged every byte of the other, plus its SYN and its FIN":
            last_ack["client"] == sent["server"] + 2 and last_ack["server"] == sent["client"] + 2,
        "after the server's close_notify, the client sent the first FIN":
            sent_by("server")[-1] == "close_notify alert"
            and [who for who, s in zip(sender, segments) if s.has("FIN")] == ["client", "server"],
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    print("\n```mermaid\nsequenceDiagram\n    participant client\n    participant server")
    for number, (segment, label) in enumerate(zip(segments, labels), start=1):
        arrow = f"{names[segment.src_port]}->>{names[segment.dst_port]}"
        print(f"    {arrow}: {number}. {segment.flags}{': ' + label if label else ''}")
    print("```")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
