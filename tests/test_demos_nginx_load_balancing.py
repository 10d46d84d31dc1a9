"""Topic 5: each demo's published output shows what the page says it shows."""

from __future__ import annotations

import re

NGINX_VERSION = re.compile(r"^nginx/\d+\.\d+\.\d+", re.MULTILINE)


def order_rows(out: str, group: str) -> tuple[list[str], list[str]]:
    """The nginx row and the Python row printed under `upstream <group>`."""
    block = re.search(rf"^upstream {group} .*?\n(.*?)\n\n", out, re.MULTILINE | re.DOTALL).group(1)
    nginx = re.search(r"^  nginx +(.*)$", block, re.MULTILINE).group(1).split()
    python = re.search(r"^  Python +(.*)$", block, re.MULTILINE).group(1).split()
    return nginx, python


def test_smooth_weighted_round_robin_interleaves_the_heavy_server(published):
    out = published("nginx_load_balancing/smooth_weighted_round_robin.py")
    picks = re.findall(r"^\s+(\d)\s+a=\s*-?\d+ b=\s*-?\d+ c=\s*-?\d+\s+([abc])\s", out, re.MULTILINE)
    assert [picked for _, picked in picks] == list("aabacaa")
    assert "smooth weighted order:  a a b a c a a" in out
    assert "plain weighted order:   a a a a a b c" in out
    assert re.search(r"^\s+7\s+a=\s+7 b=\s+0 c=\s+0\s+a\s+a=\s+0 b=\s+0 c=\s+0$", out, re.MULTILINE)
    assert "NO " not in out and out.count("\nyes  ") == 6


def test_nginx_picks_backends_in_the_same_order_as_the_python_algorithm(published):
    out = published("nginx_load_balancing/round_robin_and_weights.py")
    assert NGINX_VERSION.search(out)
    expected = {
        "equal": "a b c a b c",
        "five_one_one": "a a b a c a a a a b a c a a",
        "three_two_one": "a b a c b a a b a c b a",
    }
    for group, order in expected.items():
        nginx, python = order_rows(out, group)
        assert nginx == python == order.split(), group
    assert "^" not in out, "no request differs"
    assert "NO " not in out and out.count("\nyes  ") == 9


def test_least_conn_keeps_requests_off_the_slow_backend(published):
    out = published("nginx_load_balancing/least_conn_slow_backend.py")
    assert NGINX_VERSION.search(out)
    rows = re.findall(r"^\s+(\d+)\s+(slow|fast)\s+[\d.]+ s\s+(slow|fast)\s+[\d.]+ s$", out, re.MULTILINE)
    assert [int(n) for n, _, _ in rows] == list(range(1, 9))
    assert [rr for _, rr, _ in rows] == ["slow", "fast"] * 4
    least_conn = [lc for _, _, lc in rows]
    assert least_conn[0] == "slow" and least_conn.count("slow") <= 2
    assert re.search(r"^round robin\s+slow answered 4 of 8", out, re.MULTILINE)
    assert "NO " not in out and out.count("\nyes  ") == 5


def test_ip_hash_sends_a_whole_slash_24_to_one_backend(published):
    out = published("nginx_load_balancing/ip_hash_by_subnet.py")
    assert NGINX_VERSION.search(out)
    rows = {
        address: (ip_hash, ip_pred, by_hash, hash_pred)
        for address, ip_hash, ip_pred, by_hash, hash_pred in re.findall(
            r"^(127\.0\.\d+\.\d+)\s+\S+/24\s+([abc])\s+\(([abc])\)\s+([abc])\s+\(([abc])\)$", out, re.MULTILINE
        )
    }
    assert len(rows) == 5
    for ip_hash, ip_pred, by_hash, hash_pred in rows.values():
        assert ip_hash == ip_pred and by_hash == hash_pred, "nginx agrees with the Python arithmetic"
    same_24 = [rows[a] for a in ("127.0.1.5", "127.0.1.9", "127.0.1.31")]
    assert {r[0] for r in same_24} == {"a"}, "ip_hash: one backend for the /24"
    assert {r[2] for r in same_24} == {"a", "b", "c"}, "hash $remote_addr: spread"
    assert {rows["127.0.2.5"][0], rows["127.0.3.5"][0]} == {"b", "c"}
    assert "NO " not in out and out.count("\nyes  ") == 8


def test_a_dead_backend_is_retried_then_skipped_and_posts_are_not_retried(published):
    out = published("nginx_load_balancing/backend_dies.py")
    assert NGINX_VERSION.search(out)
    requests = re.findall(r"^\s*(\d+)  GET /pool  (\d{3}) from (\w+)\s+tried (.*)$", out, re.MULTILINE)
    assert len(requests) == 15 and all(status == "200" for _, status, _, _ in requests)
    assert [who for _, _, who, _ in requests[:4]] == list("abca")
    assert requests[4][2:] == ("c", "b -> c")
    assert all("b" not in tried.split(" -> ") for _, _, _, tried in requests[5:9])
    assert any(tried.startswith("b -> ") for _, _, _, tried in requests[9:]), "b is probed again after fail_timeout"
    block5 = out.split("\n 5  GET /pool")[1].split("\n 6  GET")[0]
    assert "error.log: [error] connect() failed (111: Connection refused) while connecting to upstream, upstream: b" in block5
    assert "error.log: [warn] upstream server temporarily disabled while connecting to upstream, upstream: b" in block5
    assert re.search(r"^GET /once\s+200 from good\s+tried closer -> good$", out, re.MULTILINE)
    assert re.search(r"^POST /once\s+502 from -\s+tried closer$", out, re.MULTILINE)
    assert re.search(r"^POST /twice\s+200 from good\s+tried closer -> good$", out, re.MULTILINE)
    assert out.count("upstream prematurely closed connection while reading response header from upstream, upstream: closer") == 3
    assert "[('closer', '/once'), ('closer', '/twice'), ('good', '/twice')]" in out
    nginx_tried = re.search(r"^nginx tried: +(.*)$", out, re.MULTILINE).group(1)
    model = re.search(r"^Python model: +(.*)$", out, re.MULTILINE).group(1)
    assert nginx_tried == model
    assert nginx_tried.split() == [tried.replace(" -> ", "->") for _, _, _, tried in requests]
    assert "NO " not in out and out.count("\nyes  ") == 12


def test_forged_forwarding_headers_fool_only_a_backend_that_trusts_anyone(published):
    out = published("nginx_load_balancing/forwarded_headers.py")
    assert NGINX_VERSION.search(out)
    rows = {
        row[0]: row[1:]
        for row in re.findall(
            r"^(/\w+|direct)\s+(\S+)\s+(\S+)\s+(\S+)\s+(203\.0\.113\.7(?:, \S+)?)\s+(\w+)\s+(\S+)\s+(\S+)$", out, re.MULTILINE
        )
    }
    # peer, Host, X-Real-IP, X-Forwarded-For, Proto, naive, trusting
    assert rows["/bare"] == ("127.0.0.1", "app", "203.0.113.7", "203.0.113.7", "https", "203.0.113.7", "203.0.113.7")
    assert rows["/common"] == (
        "127.0.0.1", "127.0.0.1", "127.0.1.5", "203.0.113.7, 127.0.1.5", "https", "203.0.113.7", "127.0.1.5")
    assert rows["/full"][4] == "http" and rows["/full"][6] == "127.0.1.5"
    assert rows["direct"][0] == "127.0.1.9" and rows["direct"][5:] == ("203.0.113.7", "127.0.1.9")
    assert "NO " not in out and out.count("\nyes  ") == 13


def test_the_published_config_passes_nginx_t_and_ip_hash_refuses_backup_only_before_the_servers(published):
    out = published("nginx_load_balancing/check_config.py")
    assert NGINX_VERSION.search(out)
    assert "listen 80;  ->  listen 127.0.0.1:" in out
    good, bad, late = out.split("Same file with")
    assert "$ nginx -t   (exit status 0)" in good
    assert "nginx: the configuration file <temp>/nginx.conf syntax is ok" in good
    assert "nginx: configuration file <temp>/nginx.conf test is successful" in good
    assert "$ nginx -t   (exit status 1)" in bad
    assert 'nginx: [emerg] balancing method does not support parameter "backup"' in bad
    assert "after the servers" in late and "$ nginx -t   (exit status 0)" in late and "test is successful" in late
    assert "NO " not in out and out.count("\nyes  ") == 4
