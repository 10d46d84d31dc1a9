"""The capstone: each demo, as published, shows what the page says it shows."""

from __future__ import annotations

import re


def yes_lines(out: str) -> list[str]:
    return re.findall(r"^yes  (.+)$", out, re.MULTILINE)


def test_getaddrinfo_and_a_hand_built_dns_query_show_the_fields_the_page_names(published):
    out = published("url_to_page/name_resolution.py")
    assert re.search(r"^/etc/nsswitch\.conf: hosts: .*\b(files|dns)\b", out, re.MULTILINE), "the build machine's hosts: line"
    entries = re.findall(r"^  (AF_INET6?)\s+(SOCK_\w+)\s+proto \d+\s+\('([^']+)', 443", out, re.MULTILINE)
    assert {kind for _, kind, _ in entries} == {"SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW"}, "one entry per address and type"
    assert all(address in ("127.0.0.1", "::1") for _, _, address in entries)
    query_header = re.search(r"DNS query for shop\.example, type A, 30 bytes over UDP:\n  header    ((?:[0-9a-f]{2} ?){12})", out)
    answer_header = re.search(r"DNS answer, 46 bytes:\n  header    ((?:[0-9a-f]{2} ?){12})", out)
    assert query_header and answer_header
    assert query_header.group(1)[:5] == answer_header.group(1)[:5], "the answer repeats the query's ID"
    assert "  answer    c0 0c | 00 01 00 01 00 00 01 2c | 00 04 | c0 00 02 0a" in out, "pointer, A, IN, TTL 300, 192.0.2.10"
    assert re.search(r"^QR \(0 query, 1 answer\)\s+0\s+1$", out, re.MULTILINE)
    assert re.search(r"^AA \(authoritative\)\s+0\s+1$", out, re.MULTILINE)
    assert re.search(r"^RD \(recursion wanted\)\s+1\s+1$", out, re.MULTILINE)
    assert "TTL 300 s, data length 4, address 192.0.2.10" in out
    assert "nothing.example: RCODE 3 (NXDOMAIN), 0 answers" in out
    assert ("they are the ones /etc/hosts lists for localhost, and files comes before dns on the hosts: line"
            in yes_lines(out)), "the page says localhost came from /etc/hosts"
    assert "NO " not in out and len(yes_lines(out)) == 8


def test_one_https_connection_shows_tcp_then_tls_then_http_then_the_close(published, published_diagrams):
    out = published("url_to_page/https_connection_on_the_wire.py")
    assert re.search(r"^Kernel: Linux \S+$", out, re.MULTILINE)
    assert re.search(r"^openssl command: OpenSSL ", out, re.MULTILINE)
    rows = re.findall(r"^\s*(\d+)  (client|server)\s+(\S+)\s+\d+\s+(?:\d+|-)\s+(\d+)  ?(.*)$", out, re.MULTILINE)
    assert [(who, flags, size) for _, who, flags, size, _ in rows[:3]] == [
        ("client", "SYN", "0"), ("server", "SYN,ACK", "0"), ("client", "ACK", "0")]
    assert rows[3][1] == "client" and rows[3][4] == "ClientHello"
    first_server_data = next(row for row in rows if row[1] == "server" and row[3] != "0")
    assert first_server_data[4] == ("ServerHello, change_cipher_spec, [EncryptedExtensions], [Certificate], "
                                    "[CertificateVerify], [Finished]")
    client_data = [label for _, who, _, size, label in rows if who == "client" and size != "0"]
    assert client_data == ["ClientHello", "change_cipher_spec, [Finished]", "[HTTP data]"]
    server_labels = " ".join(label for _, who, _, _, label in rows if who == "server" and label)
    assert server_labels.count("[NewSessionTicket]") == 2
    assert server_labels.endswith("[close_notify alert]")
    assert [who for _, who, flags, _, _ in rows if "FIN" in flags] == ["client", "server"]
    assert not any("close_notify" in label for _, who, _, _, label in rows if who == "client"), \
        "the page says the client closes without a close_notify of its own"
    assert "NO " not in out and len(yes_lines(out)) == 8
    (diagram,) = published_diagrams("url_to_page/https_connection_on_the_wire.py")
    assert diagram.count("->>") == len(rows), "one arrow per captured segment"


def test_the_clienthello_is_readable_and_the_request_is_not(published):
    out = published("url_to_page/tls_on_the_wire.py")
    assert re.search(r"^Python \S+, its ssl module using OpenSSL ", out, re.MULTILINE)
    assert "client -> first record: type 22 (ClientHello)" in out
    assert re.search(r"ClientHello\), \d+ bytes, legacy_version 0x0303", out)
    client_part = out.split("server -> first record")[0]
    assert re.search(r"^\s+0  server_name \(SNI\) = shop\.example$", client_part, re.MULTILINE)
    assert re.search(r"^\s+16  application_layer_protocol_negotiation \(ALPN\) = http/1\.1$", client_part, re.MULTILINE)
    assert re.search(r"^\s+43  supported_versions = 0x0304", client_part, re.MULTILINE)
    assert re.search(r"^\s+51  key_share = \S+ \(\d+-byte public key\)", client_part, re.MULTILINE)
    server_part = out.split("server -> first record")[1].split("Negotiated")[0]
    assert re.findall(r"^\s+(\d+)  ", server_part, re.MULTILINE) == ["43", "51"], "no ALPN in the ServerHello"
    assert "43  supported_versions = 0x0304" in server_part
    table = dict(re.findall(r"^  (.+?)\s{2,}(yes +(?:yes|no)|no +(?:yes|no))$", out, re.MULTILINE))
    found = {label: value.split() for label, value in table.items()}
    assert found == {
        "SNI host name, client bytes": ["yes", "yes"],
        "ALPN offer, client bytes": ["yes", "yes"],
        "ALPN answer, server bytes": ["no", "yes"],
        "certificate's issuer, server bytes": ["no", "yes"],
        "request path, either side": ["no", "no"],
        "token, either side": ["no", "no"],
    }
    assert "Negotiated TLSv1.3, ALPN http/1.1" in out
    assert "a client that asked for other.example: Hostname mismatch" in out
    assert "the host name and the ALPN offer are readable in both versions" in yes_lines(out)
    assert "NO " not in out and len(yes_lines(out)) == 11


def test_the_timeline_lists_each_step_in_order_and_draws_it(published, published_diagrams):
    out = published("url_to_page/request_timeline.py")
    assert "Measured on the build machine, on loopback" in out
    steps = re.findall(r"^(.+?)\s+(\d+\.\d{3})\s+(\d+\.\d{3})\s+(\d+\.\d{3})$", out, re.MULTILINE)
    names = [name.strip() for name, _, _, _ in steps]
    assert names == ["DNS lookup (getaddrinfo)", "TCP connect", "TLS handshake", "request sent",
                     "wait for first byte", "rest of the response", "(server: handler ran)"]
    client = [(float(start), float(end)) for _, start, end, _ in steps[:6]]
    assert all(previous[1] == current[0] for previous, current in zip(client, client[1:])), "each step starts as the last ends"
    assert "getaddrinfo gave 127.0.0.1 for localhost" in yes_lines(out)
    assert "NO " not in out and len(yes_lines(out)) == 6
    (diagram,) = published_diagrams("url_to_page/request_timeline.py")
    assert diagram.startswith("gantt") and "section client" in diagram and "section server" in diagram
    assert len(re.findall(r"^\s+.+ : \d+, \d+$", diagram, re.MULTILINE)) == 7
