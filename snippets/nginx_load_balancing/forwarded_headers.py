"""What a backend behind nginx sees when a client spoofs X-Forwarded-For, X-Real-IP and X-Forwarded-Proto.

The client connects from 127.0.1.5 and sends forged headers claiming to be 203.0.113.7 over https.
Three nginx locations proxy to the same backend: one with no proxy_set_header at all, one with the
headers most tutorials set, one that also sets X-Forwarded-Proto. Then the client skips nginx and
talks to the backend directly from 127.0.1.9. For each request the backend works out the client's
address two ways: naively (the first X-Forwarded-For entry) and trusting the header only when the
connection comes from the proxy.

Needs Linux and nginx (Debian: apt-get install nginx). Copy local_nginx.py and local_http.py next
to this file. Run: python3 forwarded_headers.py
"""

import contextlib
import json
import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds the helpers in snippets/
from local_http import LocalServer, QuietHandler  # noqa: E402
from local_nginx import LocalNginx, NginxMissing, nginx_version  # noqa: E402

CLIENT = "127.0.1.5"  # the client's real source address, through nginx
DIRECT_CLIENT = "127.0.1.9"  # the client's address when it bypasses nginx
FORGED = {"X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.7", "X-Forwarded-Proto": "https"}
TRUSTED_PROXIES = {"127.0.0.1"}  # the address nginx connects to the backend from
HEADERS = ("Host", "X-Real-IP", "X-Forwarded-For", "X-Forwarded-Proto")


class Echo(QuietHandler):
    """Answers with the peer address of the connection and the forwarding headers it received."""

    def do_GET(self):
        seen = {"peer": self.client_address[0]} | {name: self.headers.get(name, "") for name in HEADERS}
        self.send_body(200, json.dumps(seen).encode(), "application/json")


def naive_client(seen: dict[str, str]) -> str:
    """What many apps do: believe the first X-Forwarded-For entry, whoever sent it."""
    return seen["X-Forwarded-For"].split(",")[0].strip() or seen["peer"]


def trusting_client(seen: dict[str, str]) -> str:
    """Believe X-Forwarded-For only from a trusted proxy, and only the entries that proxies added:
    walk it from the right, skipping trusted proxies; the first other address is the client."""
    if seen["peer"] not in TRUSTED_PROXIES:
        return seen["peer"]
    for hop in reversed([entry.strip() for entry in seen["X-Forwarded-For"].split(",") if entry.strip()]):
        if hop not in TRUSTED_PROXIES:
            return hop
    return seen["peer"]


def main() -> int:
    try:
        version = nginx_version()
    except NginxMissing as missing:
        print(missing)
        return 1

    common = (
        "proxy_set_header Host $host; proxy_set_header X-Real-IP $remote_addr; "
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"
    )
    locations = {
        "/bare": "proxy_pass http://app;",
        "/common": f"proxy_pass http://app; {common}",
        "/full": f"proxy_pass http://app; {common} proxy_set_header X-Forwarded-Proto $scheme;",
    }
    seen = {}
    with contextlib.ExitStack() as stack:
        backend = stack.enter_context(LocalServer(Echo))
        http = f"    upstream app {{ server 127.0.0.1:{backend.server_address[1]}; }}\n"
        server = "".join(f"        location {path} {{ {config} }}\n" for path, config in locations.items())
        nginx = stack.enter_context(LocalNginx(http=http, server=server))
        via_nginx = httpx.Client(base_url=nginx.url, transport=httpx.HTTPTransport(local_address=CLIENT))
        direct = httpx.Client(base_url=backend.url, transport=httpx.HTTPTransport(local_address=DIRECT_CLIENT))
        with via_nginx, direct:
            for path in locations:
                seen[path] = via_nginx.get(path, headers=FORGED).json()
            seen["direct"] = direct.get("/", headers=FORGED).json()
            client_host = via_nginx.build_request("GET", "/").headers["Host"]
        errors = nginx.new_error_lines()

    print(f"{version}; client at {CLIENT} (direct: {DIRECT_CLIENT}) sends forged headers: {FORGED}")
    print(f"The client's own Host header: {client_host}\n")
    for path, config in locations.items():
        print(f"location {path}: {config}")
    print()
    print(f"{'request':<8} {'peer':<10} {'Host':<16} {'X-Real-IP':<12} {'X-Forwarded-For':<24} {'Proto':<6} naive        trusting")
    for path, got in seen.items():
        print(
            f"{path:<8} {got['peer']:<10} {got['Host']:<16} {got['X-Real-IP']:<12} {got['X-Forwarded-For']:<24} "
            f"{got['X-Forwarded-Proto']:<6} {naive_client(got):<12} {trusting_client(got)}"
        )
    print()

    bare, common_, full, direct_ = seen["/bare"], seen["/common"], seen["/full"], seen["direct"]
    checks = {
        "without proxy_set_header, Host is the upstream's name ('app'), not the client's": bare["Host"] == "app",
        "without proxy_set_header, the client's forged X-Real-IP and X-Forwarded-For pass through unchanged": bare[
            "X-Real-IP"
        ]
        == "203.0.113.7"
        and bare["X-Forwarded-For"] == "203.0.113.7",
        "Host $host drops the port the client sent": common_["Host"] == "127.0.0.1" and client_host != "127.0.0.1",
        f"X-Real-IP $remote_addr replaces the forged value with {CLIENT}": common_["X-Real-IP"] == CLIENT,
        "$proxy_add_x_forwarded_for appends the real address to the forged list": common_["X-Forwarded-For"]
        == f"203.0.113.7, {CLIENT}",
        "without proxy_set_header X-Forwarded-Proto, the client's forged 'https' passes through": common_[
            "X-Forwarded-Proto"
        ]
        == "https",
        "X-Forwarded-Proto $scheme replaces it with the real scheme, http": full["X-Forwarded-Proto"] == "http",
        "a backend reading the first X-Forwarded-For entry is fooled (203.0.113.7)": naive_client(common_) == "203.0.113.7",
        f"a backend trusting only the proxy's own entry finds {CLIENT}": trusting_client(common_) == CLIENT
        and trusting_client(full) == CLIENT,
        "bypassing nginx, the naive backend is fooled again": naive_client(direct_) == "203.0.113.7",
        f"bypassing nginx, the trusting backend ignores the headers and uses the peer, {DIRECT_CLIENT}": trusting_client(
            direct_
        )
        == DIRECT_CLIENT,
        "on /bare even the trusting backend is fooled: nginx did not append the address it saw": trusting_client(bare)
        == "203.0.113.7",
        "nginx logged no error": not errors,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
