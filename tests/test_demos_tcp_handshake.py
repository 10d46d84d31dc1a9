"""Topic 1: each demo, as published, shows what the page says it shows."""

from __future__ import annotations

import re


def test_handshake_on_the_wire_shows_syn_synack_ack_with_isn_plus_one(published):
    out = published("tcp_handshake/handshake_on_the_wire.py")
    rows = re.findall(r"^\s*(\d)\s+(client|server)\s+(\S+)\s+(\d+)\s+(\d+)$", out, re.MULTILINE)
    assert [(n, who, flags) for n, who, flags, _, _ in rows] == [
        ("1", "client", "SYN"),
        ("2", "server", "SYN,ACK"),
        ("3", "client", "ACK"),
    ]
    (_, _, _, syn_seq, _), (_, _, _, synack_seq, synack_ack), (_, _, _, ack_seq, ack_ack) = rows
    assert int(synack_ack) == (int(syn_seq) + 1) % 2**32
    assert int(ack_seq) == (int(syn_seq) + 1) % 2**32
    assert int(ack_ack) == (int(synack_seq) + 1) % 2**32
    assert int(syn_seq) not in (0, 1) and int(synack_seq) not in (0, 1), "real ISNs, not Wireshark's relative 0"
    assert syn_seq != synack_seq
    assert "\nyes  neither ISN is 0 or 1, and the two differ" in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 6


def test_connect_returns_before_accept_and_data_waits_in_the_kernel(published):
    out = published("tcp_handshake/connect_before_accept.py")
    step1, step2, step3 = out.split("\n\n")[:3]
    assert "connect() has returned" in step1
    listener = re.search(r"LISTEN\s+(\d+)$", step1, re.MULTILINE)
    assert listener and listener.group(1) == "1", "the accept queue should hold the one connection"
    assert step1.count("ESTABLISHED") == 2, "both ends are ESTABLISHED before accept()"
    assert re.search(r"ESTABLISHED\s+5$", step2, re.MULTILINE), "5 unread bytes wait on the server side"
    assert "state of the accepted socket: ESTABLISHED" in step3
    assert "b'hello'" in step3
    assert "accept queue length now: 0" in step3
    assert "NO " not in out and out.count("\nyes  ") == 4


def test_full_accept_queue_leaves_the_next_client_in_syn_sent(published):
    out = published("tcp_handshake/accept_queue_full.py")
    assert re.search(r"net\.core\.somaxconn\s+= \d+", out)
    finished = int(re.search(r"Clients whose connect\(\) finished: (\d+)", out).group(1))
    assert finished == 2, "Linux lets backlog + 1 connections wait in the accept queue"
    assert f"Client {finished + 1} is still in SYN_SENT" in out
    assert int(re.search(r"ListenOverflows grew by (\d+)", out).group(1)) >= 1
    assert re.search(rf"LISTEN\s+{finished}$", out, re.MULTILINE), "ss's Recv-Q: the full accept queue"
    assert re.search(r"SYN_SENT\s+0$", out, re.MULTILINE)
    assert re.search(rf"Client {finished + 1} connected [\d.]+ s after accept\(\), [\d.]+ s after its connect\(\) call", out)
    assert "\nyes  it got in on its first retransmitted SYN, 1 s after connect()" in out
    assert "NO " not in out and out.count("\nyes  ") == 4


def test_dropped_syns_are_retransmitted_on_the_schedule_of_tcp_syn_linear_timeouts(published, published_diagrams):
    out = published("tcp_handshake/syn_retransmissions.py")
    assert re.search(r"^Kernel: Linux \S+$", out, re.MULTILINE)
    setting = re.search(r"^net\.ipv4\.tcp_syn_linear_timeouts(?: = (\d+)|: absent)", out, re.MULTILINE)
    assert setting, "the demo prints the setting the schedule depends on"
    linear = int(setting.group(1) or 0)
    rows = re.findall(r"^\s*(\d+)\s+[\d.]+ s\s+[\d.]+ s\s+(\d+) s\s+(\d+) s$", out, re.MULTILINE)
    assert len(rows) >= 3, "at least three retransmitted SYNs"
    assert [int(number) for number, _, _ in rows] == list(range(2, len(rows) + 2))
    # What tcp_retransmit_timer() gives: 1 s gaps while the backoff count is at most the setting, then doubling.
    expected, old, rto = [], [], 1
    for backoff in range(1, len(rows) + 1):
        expected.append(rto)
        old.append(2 ** (backoff - 1))
        rto *= 2 if backoff > linear else 1
    assert [int(gap) for _, gap, _ in rows] == expected
    assert [int(gap) for _, _, gap in rows] == old, "the column for kernels before 6.5 doubles every time"
    assert f"retransmitted its SYN {len(rows)} times" in out
    # The page says the build machine's gaps stay at 1 s: a kernel with linear timeouts (6.5 or later).
    assert linear >= 4 and set(expected) == {1}
    assert f"\nyes  the first {len(rows)} gaps are about 1 s, not the 1, 2, 4, 8 s of kernels before 6.5" in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 6
    (diagram,) = published_diagrams("tcp_handshake/syn_retransmissions.py")
    assert diagram.count("C-xS: SYN") == len(rows) + 1, "one lost arrow per SYN"
