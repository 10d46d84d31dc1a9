"""Name resolution: what getaddrinfo() returns for localhost, and a DNS query and answer byte by byte.

Runs anywhere with Python 3 (the /etc files it prints are read only if present):
python3 name_resolution.py. The DNS server is a toy on 127.0.0.1 that knows one made-up name.
"""

import platform
import secrets
import socket
import struct
import sys
import threading
from pathlib import Path

NAME, ADDRESS, TTL = "shop.example", "192.0.2.10", 300  # .example (RFC 2606) and 192.0.2.0/24 (RFC 5737) are reserved
TYPE_A, CLASS_IN = 1, 1


def encode_name(name: str) -> bytes:
    """shop.example -> 4 'shop' 7 'example' 0: each label after its length byte (RFC 1035 §3.1)."""
    return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"


def read_name(message: bytes, offset: int) -> tuple[str, int]:
    """The name at offset, following a compression pointer if there is one; returns (name, next offset)."""
    labels, end = [], None
    while message[offset]:
        if message[offset] >= 0xC0:  # two bytes 11xxxxxx xxxxxxxx: the name continues at that offset
            end = end or offset + 2
            offset = struct.unpack("!H", message[offset:offset + 2])[0] & 0x3FFF
            continue
        labels.append(message[offset + 1:offset + 1 + message[offset]].decode())
        offset += 1 + message[offset]
    return ".".join(labels), end or offset + 1


def answer(query: bytes) -> bytes:
    """The toy server: an authoritative answer for NAME, NXDOMAIN (rcode 3) for any other name."""
    query_id, flags = struct.unpack("!HH", query[:4])
    name, end = read_name(query, 12)
    known = name == NAME
    flags = 0x8000 | 0x0400 | (flags & 0x0100) | (0 if known else 3)  # QR=1, AA=1, RD copied, rcode
    header = struct.pack("!HHHHHH", query_id, flags, 1, 1 if known else 0, 0, 0)
    question = query[12:end + 4]  # echoed: name, type, class
    record = struct.pack("!HHHIH", 0xC00C, TYPE_A, CLASS_IN, TTL, 4) + socket.inet_aton(ADDRESS) if known else b""
    return header + question + record  # 0xC00C: "the name at offset 12", the question's


def bits(flags: int) -> dict[str, int]:
    """The header's flag fields (RFC 1035 §4.1.1): QR, opcode (4 bits), AA, TC, RD, RA, Z (3 bits), RCODE."""
    return {"QR": flags >> 15, "AA": flags >> 10 & 1, "RD": flags >> 8 & 1, "RA": flags >> 7 & 1, "RCODE": flags & 15}


def main() -> int:
    libc = " ".join(platform.libc_ver())
    print(f"Python {platform.python_version()}, {platform.system()} {platform.release()}, C library {libc}\n")
    sources, in_hosts_file = [], set()  # the hosts: line's sources, and the addresses /etc/hosts gives localhost
    for path, wanted in (("/etc/nsswitch.conf", "hosts:"), ("/etc/hosts", "localhost")):
        if Path(path).exists():  # glibc's files: which sources getaddrinfo() asks, and the hosts file
            for line in Path(path).read_text().splitlines():
                fields = line.split("#")[0].split()
                if wanted in fields[1:] or fields[:1] == [wanted]:
                    print(f"{path}: {' '.join(line.split())}")
                    if wanted == "hosts:":
                        sources = fields[1:]
                    else:
                        in_hosts_file.add(fields[0])

    print("\nsocket.getaddrinfo('localhost', 443):")
    results = socket.getaddrinfo("localhost", 443)
    for family, kind, proto, _, address in results:
        print(f"  {family.name:<9} {kind.name:<12} proto {proto:<3} {address}")
    stream_only = socket.getaddrinfo("localhost", 443, type=socket.SOCK_STREAM)

    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        server.bind(("127.0.0.1", 0))
        server.settimeout(2)
        client.settimeout(2)

        def serve_two_queries() -> None:
            for _ in range(2):
                query, client_address = server.recvfrom(512)
                server.sendto(answer(query), client_address)

        thread = threading.Thread(target=serve_two_queries)
        thread.start()
        replies = {}
        for name in (NAME, "nothing.example"):
            query = struct.pack("!HHHHHH", secrets.randbelow(65536), 0x0100, 1, 0, 0, 0)  # ID, RD=1, one question
            query += encode_name(name) + struct.pack("!HH", TYPE_A, CLASS_IN)
            client.sendto(query, server.getsockname())
            replies[name] = (query, client.recv(512))
        thread.join()
    finally:
        client.close()
        server.close()

    query, reply = replies[NAME]
    end = len(query)  # the answer starts with a copy of the whole query: header and question
    print(f"\nDNS query for {NAME}, type A, {len(query)} bytes over UDP:")
    print(f"  header    {query[:12].hex(' ')}")
    print(f"  question  {query[12:end - 4].hex(' ')} | {query[end - 4:].hex(' ')}")  # name | type, class
    print(f"DNS answer, {len(reply)} bytes:")
    print(f"  header    {reply[:12].hex(' ')}")
    print(f"  question  {reply[12:end - 4].hex(' ')} | {reply[end - 4:end].hex(' ')}")
    answer_part = [reply[end:end + 2], reply[end + 2:end + 10], reply[end + 10:end + 12], reply[end + 12:]]
    print(f"  answer    {' | '.join(part.hex(' ') for part in answer_part)}\n")  # name, type class TTL, length, data
    print(f"{'field':<22} {'query':>8} {'answer':>8}")
    q_id, q_flags, q_count = struct.unpack("!HHH", query[:6])
    r_id, r_flags, r_count, an_count = struct.unpack("!HHHH", reply[:8])
    q_bits, r_bits = bits(q_flags), bits(r_flags)
    labels = {"QR": "QR (0 query, 1 answer)", "AA": "AA (authoritative)", "RD": "RD (recursion wanted)",
              "RA": "RA (recursion offered)", "RCODE": "RCODE"}
    rows = [("ID", f"0x{q_id:04x}", f"0x{r_id:04x}")] + [(labels[f], q_bits[f], r_bits[f]) for f in labels]
    for field, q, r in rows + [("questions", q_count, r_count), ("answers", 0, an_count)]:
        print(f"{field:<22} {q:>8} {r:>8}")
    name, offset = read_name(reply, end)
    kind, klass, ttl, length = struct.unpack("!HHIH", reply[offset:offset + 10])
    address = socket.inet_ntoa(reply[offset + 10:offset + 10 + length])
    print(f"answer record: name {name} (pointer 0x{reply[end:end + 2].hex()}), type {kind} (A), class {klass} (IN),"
          f" TTL {ttl} s, data length {length}, address {address}")
    _, missing = replies["nothing.example"]
    missing_flags, missing_answers = struct.unpack("!HxxH", missing[2:8])
    print(f"nothing.example: RCODE {bits(missing_flags)['RCODE']} (NXDOMAIN), {missing_answers} answers")

    addresses, kinds = {a[4][0] for a in results}, {a[1] for a in results}
    files_first = "files" in sources and ("dns" not in sources or sources.index("files") < sources.index("dns"))
    checks = {
        "getaddrinfo gave only loopback addresses for localhost": addresses <= {"127.0.0.1", "::1"},
        "they are the ones /etc/hosts lists for localhost, and files comes before dns on the hosts: line":
            bool(addresses) and addresses <= in_hosts_file and files_first,
        "it gave one entry per address and socket type; with type=SOCK_STREAM, one per address":
            len(results) == len(addresses) * len(kinds) > len(stream_only) == len(addresses),
        "the answer repeats the query's ID and question": r_id == q_id and reply[12:end] == query[12:],
        "the answer has QR=1, AA=1, RD copied, RCODE 0 and one A record":
            [r_bits[f] for f in ("QR", "AA", "RD", "RCODE")] == [1, 1, 1, 0] and an_count == 1,
        f"the record names {NAME} by a pointer to offset 12, TTL {TTL}, address {ADDRESS}":
            name == NAME and reply[end:end + 2] == b"\xc0\x0c" and ttl == TTL and address == ADDRESS,
        "a name the server does not know gets RCODE 3 (NXDOMAIN) and no answer":
            bits(missing_flags)["RCODE"] == 3 and missing_answers == 0,
        "both messages fit in 512 bytes, the limit of DNS over UDP without EDNS": len(query) <= 512 and len(reply) <= 512,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
