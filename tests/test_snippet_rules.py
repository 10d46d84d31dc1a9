"""Rules every demo keeps, checked on the files themselves."""

from __future__ import annotations

import re

import pytest

from site_pages import DOCS, ROOT, declared_needs, demo_files, nav_pages, page_demos

DEMOS = demo_files()


def test_there_are_demos():
    assert len(DEMOS) >= 3


@pytest.mark.parametrize("demo", DEMOS)
def test_each_demo_is_on_a_page(demo):
    assert any(demo in page_demos(page) for page in nav_pages()), f"{demo} is on no page"


@pytest.mark.parametrize("demo", DEMOS)
def test_each_demo_has_a_test_of_its_published_output(demo):
    topic, name = demo.split("/")[1:]
    test_file = ROOT / "tests" / f"test_demos_{topic}.py"
    assert test_file.exists() and f'published("{topic}/{name}")' in test_file.read_text(), f"no test reads {demo}"


@pytest.mark.parametrize("demo", DEMOS)
def test_each_demo_runs_alone_as_a_script(demo):
    text = (ROOT / demo).read_text()
    assert 'if __name__ == "__main__":' in text
    assert "scripts" not in re.findall(r"^(?:from|import) (\w+)", text, re.MULTILINE), "demos never import the build"


@pytest.mark.parametrize("source", sorted((ROOT / "snippets").rglob("*.py")), ids=lambda p: p.name)
def test_sockets_bind_only_loopback_on_port_zero(source):
    text = source.read_text()
    assert "0.0.0.0" not in text and '("", ' not in text
    # An address is a ("host", port) tuple passed as a call's first argument: bind((...)), create_server((...)).
    for host, port in re.findall(r'\(\s*\(\s*"([^"]*)"\s*,\s*(\w+)\s*\)', text):
        if port.isdigit() and host != "lo":  # "lo" is an interface name (AF_PACKET), not a host
            assert host == "127.0.0.1" and port == "0", f"binds or connects to {host}:{port}"


@pytest.mark.parametrize("page", nav_pages())
def test_pages_tell_readers_to_run_python3_not_python(page):
    text = (DOCS / page).read_text()
    assert not re.search(r"(?:^\$ |`|sudo )python (?!3)", text, re.MULTILINE), "Debian has no `python` command"


NEEDS = {demo: needs for page in nav_pages() for demo, needs in declared_needs(page).items()}


@pytest.mark.parametrize("demo", sorted(NEEDS))
def test_a_demo_declares_what_it_needs_so_other_systems_show_a_note(demo):
    text = (ROOT / demo).read_text()
    needs = NEEDS[demo]
    if re.search(r"^from (tcp_states|packet_capture) import|/proc/|AF_PACKET", text, re.MULTILINE):
        assert "linux" in needs, f"{demo} reads Linux's /proc or raw sockets: its block needs linux"
    if "packet_capture import" in text:
        assert "packet-capture" in needs, f"{demo} captures packets: its block needs packet-capture"
    if "local_nginx import" in text:
        assert "nginx" in needs, f"{demo} runs nginx: its block needs nginx"
    if re.search(r"[\"']openssl[\"']", text):
        assert "openssl" in needs, f"{demo} runs the openssl command: its block needs openssl"
