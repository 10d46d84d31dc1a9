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
    assert "NO " not in out
    assert out.count("\nyes  ") == 5


def test_connect_returns_before_accept_and_data_waits_in_the_kernel(published):
    out = published("tcp_handshake/connect_before_accept.py")
    step1, step2, step3 = out.split("\n\n")
    assert "connect() has returned" in step1
    listener = re.search(r"LISTEN\s+(\d+)$", step1, re.MULTILINE)
    assert listener and listener.group(1) == "1", "the accept queue should hold the one connection"
    assert step1.count("ESTABLISHED") == 2, "both ends are ESTABLISHED before accept()"
    assert re.search(r"ESTABLISHED\s+5$", step2, re.MULTILINE), "5 unread bytes wait on the server side"
    assert "state of the accepted socket: ESTABLISHED" in step3
    assert "b'hello'" in step3
    assert "accept queue length now: 0" in step3


def test_full_accept_queue_leaves_the_next_client_in_syn_sent(published):
    out = published("tcp_handshake/accept_queue_full.py")
    assert re.search(r"net\.core\.somaxconn\s+= \d+", out)
    finished = int(re.search(r"Clients whose connect\(\) finished: (\d+)", out).group(1))
    assert finished == 2, "Linux lets backlog + 1 connections wait in the accept queue"
    assert f"Client {finished + 1} is still in SYN_SENT" in out
    assert int(re.search(r"ListenOverflows grew by (\d+)", out).group(1)) >= 1
    assert re.search(rf"LISTEN\s+{finished}$", out, re.MULTILINE), "ss's Recv-Q: the full accept queue"
    assert re.search(r"SYN_SENT\s+0$", out, re.MULTILINE)
    assert re.search(rf"Client {finished + 1} connected [\d.]+ s later", out)
