"""Topic 3, GET vs POST: each demo's published output shows what the page says it shows."""

from __future__ import annotations

import re


def test_query_string_lands_in_the_access_log_and_the_body_does_not(published):
    out = published("get_vs_post/query_vs_body.py")
    assert "request line: GET /login?user=ana&password=s3cret HTTP/1.1" in out
    assert "request line: POST /login HTTP/1.1" in out
    assert "body:         user=ana&password=s3cret" in out
    assert out.count("fields:       {'user': 'ana', 'password': 's3cret'}") == 2
    assert '127.0.0.1 "GET /login?user=ana&password=s3cret HTTP/1.1" 200 -' in out
    assert '127.0.0.1 "POST /login HTTP/1.1" 200 -' in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 7


def test_post_twice_makes_two_orders_and_put_twice_one(published, published_diagrams):
    out = published("get_vs_post/post_twice_put_twice.py")
    rows = re.findall(r"^(POST|PUT|DELETE) (\S+)\s+(\d{3})\s+(\S*)\s+(\d): ", out, re.MULTILINE)
    assert [(method, status, count) for method, _, status, _, count in rows] == [
        ("POST", "201", "1"),
        ("POST", "201", "2"),
        ("PUT", "201", "3"),
        ("PUT", "200", "3"),
        ("DELETE", "204", "2"),
        ("DELETE", "404", "2"),
    ]
    assert [location for _, _, _, location, _ in rows[:2]] == ["/orders/1", "/orders/2"]
    assert "NO " not in out
    assert out.count("\nyes  ") == 5
    (diagram,) = published_diagrams("get_vs_post/post_twice_put_twice.py")
    assert diagram.count("C->>S: POST /orders") == 2
    assert "S-->>C: 404" in diagram


def test_idempotency_key_turns_a_retried_post_into_one_payment(published):
    out = published("get_vs_post/idempotency_key.py")
    assert out.count("attempt 1: no response (RemoteProtocolError: Server disconnected without sending a response.)") == 2
    without_key, with_key = out.split("POST /payments with Idempotency-Key:")
    assert "payments the server made: 2 (pay_1, pay_2)" in without_key
    assert 'attempt 2: 201 {"id": "pay_1"}' in with_key
    assert "payments the server made: 1 (pay_1)" in with_key
    assert "Same key, different amount: 422" in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 6


def test_get_body_left_unread_becomes_the_next_request(published):
    out = published("get_vs_post/get_with_body.py")
    naive, framing = out.split("Server 2:")
    assert "(raw socket): 2 response(s)" in naive
    assert '127.0.0.1 "GET /admin/drop-tables HTTP/1.1" 200 -' in naive
    assert "(Content-Length: 16): 200" in naive
    assert re.search(r"same connection:\s+400$", naive, re.MULTILINE)
    assert '127.0.0.1 "{"color": "red"}GET /items HTTP/1.1" 400 -' in naive
    assert "(raw socket): 1 response(s)" in framing
    assert re.search(r"same connection:\s+200$", framing, re.MULTILINE)
    assert "/admin" not in framing.split("yes  ")[0]
    assert "NO " not in out
    assert out.count("\nyes  ") == 7


def test_conditional_get_with_a_matching_etag_gets_304_without_a_body(published):
    out = published("get_vs_post/conditional_get.py")
    rows = re.findall(r'^GET /report.*?\s(\d{3})\s+(\d+)\s+("[0-9a-f]{16}")$', out, re.MULTILINE)
    assert [(status, size) for status, size, _ in rows] == [("200", "4800"), ("304", "0"), ("200", "4800")]
    (_, _, first_tag), (_, _, revalidated_tag), (_, _, changed_tag) = rows
    assert revalidated_tag == first_tag != changed_tag
    raw_304 = out.split("the 304's header section, as the server sent it:")[1].split("Access log:")[0]
    assert "  HTTP/1.1 304 Not Modified" in raw_304
    assert f"  ETag: {first_tag}" in raw_304
    assert "content-length" not in raw_304.lower()
    assert "Bytes after the header section, up to the server's close: 0" in raw_304
    assert "NO " not in out
    assert out.count("\nyes  ") == 6


def test_http_server_answers_414_one_byte_past_65536(published):
    out = published("get_vs_post/uri_too_long.py")
    assert re.search(r"^GET, request line of 8000 bytes\s+200 OK", out, re.MULTILINE)
    assert re.search(r"^GET, request line of 65536 bytes\s+200 OK", out, re.MULTILINE)
    assert re.search(r"^GET, request line of 65537 bytes\s+414 ", out, re.MULTILINE)
    assert re.search(r"^POST /search, 65538 bytes in the body\s+200 OK\s+65538 bytes of body", out, re.MULTILINE)
    assert '127.0.0.1 "" 414 -' in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 6
