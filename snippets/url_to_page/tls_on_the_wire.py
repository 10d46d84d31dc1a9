"""What an eavesdropper sees of an HTTPS request: the hellos in clear, the request encrypted.

Needs Linux, root (it sniffs the loopback interface) and the openssl command:
sudo python3 tls_on_the_wire.py. Copy local_tls.py and packet_capture.py next to this file.
"""

import secrets
import ssl
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_tls.py
from local_tls import (  # noqa: E402
    CA_NAME, HttpsServer, TlsCapture, certificates, client_context, https_get, tls_records, versions)

HOST = "shop.example"  # a made-up name (.example is reserved, RFC 2606); the certificate is for it
PATH = "/orders/7d1e?coupon=SPRING"
# Names from the IANA registries "TLS ExtensionType Values" and "TLS Supported Groups".
EXTENSIONS = {0: "server_name (SNI)", 5: "status_request", 10: "supported_groups", 11: "ec_point_formats",
              13: "signature_algorithms", 16: "application_layer_protocol_negotiation (ALPN)", 21: "padding",
              22: "encrypt_then_mac", 23: "extended_master_secret", 35: "session_ticket", 41: "pre_shared_key",
              43: "supported_versions", 45: "psk_key_exchange_modes", 49: "post_handshake_auth", 51: "key_share"}
GROUPS = {0x17: "secp256r1", 0x18: "secp384r1", 0x1D: "x25519", 0x1E: "x448", 0x11EC: "X25519MLKEM768"}


def extensions_of(hello: bytes) -> dict[int, bytes]:
    """The extensions of a ClientHello or ServerHello (RFC 8446 §4.1.2, §4.1.3), in the order sent."""
    i = 4 + 2 + 32  # msg_type and length (4 bytes), legacy_version, random
    i += 1 + hello[i]  # legacy_session_id
    if hello[0] == 1:  # ClientHello: cipher_suites offered (2-byte length), compression methods (1-byte length)
        i += 2 + int.from_bytes(hello[i:i + 2], "big")
        i += 1 + hello[i]
    else:  # ServerHello: the cipher suite chosen (2 bytes), the compression method (1 byte)
        i += 3
    end, i, found = i + 2 + int.from_bytes(hello[i:i + 2], "big"), i + 2, {}
    while i < end:
        kind, length = int.from_bytes(hello[i:i + 2], "big"), int.from_bytes(hello[i + 2:i + 4], "big")
        found[kind] = hello[i + 4:i + 4 + length]
        i += 4 + length
    return found


def decode(kind: int, data: bytes, client: bool) -> str:
    """The value of the extensions this page talks about, readable."""
    if kind == 0:  # server_name_list length (2), name_type 0 = host_name (1), name length (2), name
        return data[5:].decode()
    if kind == 16:  # protocol_name_list length (2), then each name: length (1), bytes
        names, i = [], 2
        while i < len(data):
            names.append(data[i + 1:i + 1 + data[i]].decode())
            i += 1 + data[i]
        return ", ".join(names)
    if kind == 43:  # client: a list (length 1 byte) of 2-byte versions; server: the one it chose
        return ", ".join(f"0x{data[i:i + 2].hex()}" for i in range(1 if client else 0, len(data), 2))
    if kind == 51:  # client: list length (2), then shares; server: one share. A share: group (2), length (2), key
        shares, i = [], 2 if client else 0
        while i < len(data):
            group, size = int.from_bytes(data[i:i + 2], "big"), int.from_bytes(data[i + 2:i + 4], "big")
            shares.append(f"{GROUPS.get(group, f'group 0x{group:04x}')} ({size}-byte public key)")
            i += 4 + size
        return ", ".join(shares)
    return ""


def one_request(certs, tls_version: ssl.TLSVersion, token: str) -> dict:
    """One HTTPS GET on a new connection, captured: what each side sent on the wire, and what they saw."""
    context = client_context(certs)
    context.maximum_version = tls_version
    with HttpsServer(certs) as server, TlsCapture(server.port) as capture:
        got = https_get(context, server.port, HOST, PATH, {"Authorization": f"Bearer {token}"})
        capture.wait_until(lambda segments: sum(s.has("FIN") for s in segments) == 2)
        return {"client": capture.stream(got.client_port), "server": capture.stream(server.port),
                "seen": server.seen, "got": got}


def wrong_name(certs) -> str:
    """What the client says when the certificate does not name the host it asked for."""
    with HttpsServer(certs) as server:
        try:
            https_get(client_context(certs), server.port, "other.example", "/")
        except ssl.SSLCertVerificationError as error:
            return error.verify_message
    return "accepted"


def main() -> int:
    token = secrets.token_hex(16)
    with certificates(HOST) as certs:
        runs = {name: one_request(certs, version, token) for name, version in
                (("TLS 1.3", ssl.TLSVersion.TLSv1_3), ("TLS 1.2", ssl.TLSVersion.TLSv1_2))}
        refused = wrong_name(certs)
    print(versions() + "\n")

    run = runs["TLS 1.3"]
    client_records, server_records = tls_records(run["client"]), tls_records(run["server"])
    hellos = {}
    for side, record in (("client", client_records[0]), ("server", server_records[0])):
        hellos[side] = extensions_of(record.fragment)
        print(f"{side} -> first record: type {record.content_type} ({record.name}), {len(record.fragment)} "
              f"bytes, legacy_version 0x{record.fragment[4:6].hex()}; its extensions:")
        for kind, data in hellos[side].items():
            value = decode(kind, data, side == "client")
            name = EXTENSIONS.get(kind, "(see the IANA registry)")
            print(f"  {kind:>5}  {name}{' = ' + value if value else ''}")

    (seen,) = run["seen"]
    print(f"\nNegotiated {run['got'].tls_version}, ALPN {run['got'].alpn}. The server decrypted GET {seen.path}\n"
          f"with Authorization: {seen.headers['Authorization'][:14]}... and answered {run['got'].status}.")

    rows = [("SNI host name, client bytes", HOST, ["client"]),
            ("ALPN offer, client bytes", "http/1.1", ["client"]),
            ("ALPN answer, server bytes", "http/1.1", ["server"]),
            ("certificate's issuer, server bytes", CA_NAME, ["server"]),
            ("request path, either side", PATH, ["client", "server"]),
            ("token, either side", token, ["client", "server"])]
    print(f"\n{'Readable in the captured bytes?':<38} TLS 1.3  TLS 1.2")
    found = {(label, name): any(text.encode() in runs[name][side] for side in sides)
             for label, text, sides in rows for name in runs}
    for label, _, _ in rows:
        tls13, tls12 = ("yes" if found[label, name] else "no" for name in runs)
        print(f"  {label:<36} {tls13:<8} {tls12}")

    print(f"\nThe same server, to a client that asked for other.example: {refused}")

    hello, server_hello = hellos["client"], hellos["server"]
    offered = {kind: decode(kind, hello[kind], True) for kind in (0, 16, 43) if kind in hello}
    readable = {label: [found[label, name] for name in runs] for label, _, _ in rows}
    decrypted = [r["seen"][0].path == PATH and r["seen"][0].headers.get("Authorization") == f"Bearer {token}"
                 and r["seen"][0].alpn == "http/1.1" and r["got"].status == 200 for r in runs.values()]
    checks = {
        "the client's first record is a cleartext ClientHello":
            client_records[0].content_type == 22 and client_records[0].name == "ClientHello",
        f"it names {HOST} in SNI, offers http/1.1 in ALPN and carries a key share":
            offered.get(0) == HOST and offered.get(16) == "http/1.1" and 51 in hello,
        "TLS 1.3 is offered in supported_versions (0x0304); legacy_version says 0x0303":
            "0x0304" in offered.get(43, "") and client_records[0].fragment[4:6] == b"\x03\x03",
        "the ServerHello picks 0x0304 and has no ALPN: only supported_versions and key_share":
            set(server_hello) == {43, 51} and server_hello[43] == b"\x03\x04",
        "after the ServerHello, every server record is application_data or change_cipher_spec":
            server_records[0].name == "ServerHello" and {r.content_type for r in server_records[1:]} <= {20, 23},
        "the two connections negotiated TLSv1.3 and TLSv1.2":
            [r["got"].tls_version for r in runs.values()] == ["TLSv1.3", "TLSv1.2"],
        "the host name and the ALPN offer are readable in both versions":
            readable["SNI host name, client bytes"] == readable["ALPN offer, client bytes"] == [True, True],
        "certificate and ALPN answer: hidden in TLS 1.3, readable in TLS 1.2":
            readable["certificate's issuer, server bytes"] == readable["ALPN answer, server bytes"] == [False, True],
        "the path and the token are readable in neither version":
            not any(readable["request path, either side"] + readable["token, either side"]),
        "yet the server decrypted both, over http/1.1, and answered 200": all(decrypted),
        "a client that asked for another host name refused the certificate": refused.startswith("Hostname mismatch"),
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
