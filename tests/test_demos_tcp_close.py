"""Topic 2: each demo shows, in the output the page publishes, the close the page describes."""

from __future__ import annotations

import re
from dataclasses import dataclass

SEQ_SPACE = 2**32
ROW = re.compile(
    r"^\s*(\d+)\s+[\d.]+\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+|-)\s+(\d+)\s+(\d+|-)\s+(\d+)$", re.MULTILINE
)


@dataclass
class Row:
    sender: str
    flags: str
    seq: int
    ack: int | None
    rel_seq: int
    rel_ack: int | None
    payload: int


def rows(out: str) -> list[Row]:
    """The segment table printed by packet_capture.segment_table()."""
    found = []
    for _, sender, flags, seq, ack, rel_seq, rel_ack, payload in ROW.findall(out):
        found.append(
            Row(
                sender,
                flags,
                int(seq),
                None if ack == "-" else int(ack),
                int(rel_seq),
                None if rel_ack == "-" else int(rel_ack),
                int(payload),
            )
        )
    return found


def plus(number: int, n: int = 1) -> int:
    return (number + n) % SEQ_SPACE


def assert_all_claims_hold(out: str, count: int) -> None:
    assert "NO " not in out
    assert len(re.findall(r"^yes  ", out, re.MULTILINE)) == count


def test_close_on_the_wire_shows_fin_ack_fin_ack_and_a_fin_uses_one_number(published, published_diagrams):
    out = published("tcp_close/close_on_the_wire.py")
    segments = rows(out)
    assert [(r.sender, r.flags) for r in segments] == [
        ("client", "SYN"),
        ("server", "SYN,ACK"),
        ("client", "ACK"),
        ("client", "FIN,ACK"),
        ("server", "ACK"),
        ("server", "FIN,ACK"),
        ("client", "ACK"),
    ]
    _, _, _, client_fin, server_ack, server_fin, last_ack = segments
    assert server_ack.ack == server_fin.ack == plus(client_fin.seq)
    assert last_ack.seq == plus(client_fin.seq)
    assert last_ack.ack == plus(server_fin.seq)
    assert (client_fin.rel_seq, server_ack.rel_ack, last_ack.rel_ack) == (1, 2, 2)
    assert "after segment 5: client FIN_WAIT2, server CLOSE_WAIT" in out
    assert "after segment 7: client TIME_WAIT, server gone (CLOSED)" in out
    assert "the server had received no data" in out
    assert_all_claims_hold(out, 9)
    (diagram,) = published_diagrams("tcp_close/close_on_the_wire.py")
    assert "client->>server: 4. FIN,ACK seq=1 ack=1" in diagram
    assert "server->>client: 6. FIN,ACK seq=1 ack=2" in diagram


def test_passive_side_closing_at_once_after_a_request_makes_a_three_segment_close(published, published_diagrams):
    out = published("tcp_close/close_in_three_segments.py")
    segments = rows(out)
    first_fin = next(i for i, r in enumerate(segments) if "FIN" in r.flags)
    before = segments[:first_fin]
    assert any(r.sender == "client" and r.payload for r in before), "the request"
    assert any(r.sender == "server" and r.payload for r in before), "the answer"
    assert [(r.sender, r.flags) for r in segments[first_fin:]] == [
        ("client", "FIN,ACK"),
        ("server", "FIN,ACK"),
        ("client", "ACK"),
    ]
    client_fin, server_fin, last_ack = segments[first_fin:]
    assert server_fin.ack == plus(client_fin.seq)
    assert last_ack.ack == plus(server_fin.seq)
    assert last_ack.seq == plus(client_fin.seq)
    assert "state of the client's socket at the end: TIME_WAIT" in out
    assert "the close: FIN,ACK / ACK / FIN,ACK / ACK" in out, "a server that waits sends its ACK alone"
    assert_all_claims_hold(out, 9)
    (diagram,) = published_diagrams("tcp_close/close_in_three_segments.py")
    # 30 bytes of request and 27 of answer: the server's FIN has rel seq 1 + 27, acks 1 + 30 + 1.
    assert re.search(r"server->>client: \d+\. FIN,ACK seq=28 ack=32", diagram)


def test_close_with_unread_data_sends_rst(published, published_diagrams):
    out = published("tcp_close/close_with_unread_data.py")
    segments = rows(out)
    first = [r for r in segments if r.sender in ("client1", "server")][:8]
    second = [r for r in segments if r.sender == "client2"]
    assert not any("FIN" in r.flags for r in segments)
    request = next(r for r in first if r.payload)
    reset = next(r for r in segments if r.sender == "server" and "RST" in r.flags)
    assert reset.flags == "RST,ACK"
    assert reset.ack == plus(request.seq, request.payload)
    answer = next(r for r in first if r.sender == "server" and r.payload)
    assert reset.seq == plus(answer.seq, answer.payload)
    assert (reset.rel_seq, reset.rel_ack) == (1 + answer.payload, 1 + request.payload)
    assert second[-1].flags == "RST,ACK"
    assert "  1. no error, read b'HTTP/1.1 400 Bad Request\\r\\n\\r\\n'" in out, "buffered data is read first"
    assert "  2. ConnectionResetError" in out
    assert "connection 2: the server's next recv() raised ConnectionResetError" in out
    assert "connection 2: the client's socket afterwards: gone" in out
    assert int(re.search(r"TcpExtTCPAbortOnClose grew by (\d+)", out).group(1)) >= 1
    assert int(re.search(r"TcpExtTCPAbortOnData grew by (\d+)", out).group(1)) >= 1
    assert_all_claims_hold(out, 8)
    (diagram,) = published_diagrams("tcp_close/close_with_unread_data.py")
    assert "server->>client1:" in diagram and "RST,ACK" in diagram


def test_active_closer_waits_60_s_in_time_wait_and_passive_side_sits_in_close_wait(published):
    out = published("tcp_close/time_wait_and_close_wait.py")
    step1, step2 = out.split("2. The server called close():")
    assert re.search(r"^server\s+CLOSE_WAIT\s+none\s+-$", step1, re.MULTILINE)
    fin_wait2 = float(re.search(r"^client\s+FIN_WAIT2\s+time-wait\s+([\d.]+) s$", step1, re.MULTILINE).group(1))
    assert 4 < fin_wait2 <= 5, "TCP_LINGER2 = 5 s sets the FIN_WAIT2 timer"
    assert "one second later, the server's side: CLOSE_WAIT" in step1
    time_wait = float(re.search(r"^client\s+TIME_WAIT\s+time-wait\s+([\d.]+) s$", step2, re.MULTILINE).group(1))
    assert 58 < time_wait <= 60, "TCP_TIMEWAIT_LEN is 60 s"
    assert re.search(r"^server\s+\(gone\)", step2, re.MULTILINE)
    assert_all_claims_hold(out, 6)


def test_restart_on_the_same_port_needs_so_reuseaddr(published):
    out = published("tcp_close/restart_same_port.py")
    assert re.search(r"-> 127\.0\.0\.1:\d+\s+TIME_WAIT, [\d.]+ s left", out)
    outcomes = dict(re.findall(r"^  (\S.+?)\s{2,}(ok|(?:bind|listen)\(\) \S+)$", out, re.MULTILINE))
    assert outcomes == {
        "new server without SO_REUSEADDR": "bind() EADDRINUSE",
        "new server with SO_REUSEADDR": "ok",
        "old server had no SO_REUSEADDR, new one has it": "bind() EADDRINUSE",
        "second live listener, SO_REUSEADDR": "bind() EADDRINUSE",
        "second live listener, both SO_REUSEPORT": "ok",
    }
    assert_all_claims_hold(out, 6)


def test_half_closed_client_still_receives_the_answer(published, published_diagrams):
    out = published("tcp_close/half_close.py")
    segments = rows(out)
    request = next(r for r in segments if r.sender == "client" and r.payload)
    fin = next(r for r in segments if r.sender == "client" and "FIN" in r.flags)
    answer = next(r for r in segments if r.sender == "server" and r.payload)
    assert fin.seq == plus(request.seq, request.payload)
    assert fin.rel_seq == 1 + request.payload
    assert segments.index(answer) > segments.index(fin), "data flows after the client's FIN"
    assert answer.ack == plus(fin.seq)
    between = segments[segments.index(fin) + 1 : segments.index(answer)]
    assert not any(r.sender == "server" and r.ack == plus(fin.seq) for r in between), "the answer carries the ACK"
    client_ack = next(r for r in segments[segments.index(answer) :] if r.sender == "client")
    assert client_ack.seq == plus(fin.seq) and client_ack.ack == plus(answer.seq, answer.payload)
    assert "after shutdown(SHUT_WR): client FIN_WAIT1, server CLOSE_WAIT" in out
    assert "the client read b'you sent 22 bytes' after its own FIN" in out
    assert_all_claims_hold(out, 7)
    (diagram,) = published_diagrams("tcp_close/half_close.py")
    assert "Note over client: shutdown(SHUT_WR)" in diagram
