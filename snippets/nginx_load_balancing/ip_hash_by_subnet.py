"""ip_hash keys on the first three octets of an IPv4 client address; `hash $remote_addr` on all of it.

The client binds its socket to different loopback source addresses (all of 127.0.0.0/8 is local on
Linux) and asks nginx three times from each. The demo also computes, in Python, the backend each
method should pick (the arithmetic of ngx_http_upstream_ip_hash_module.c and
ngx_http_upstream_hash_module.c) and checks that nginx picked it.

Needs Linux and nginx (Debian: apt-get install nginx). Copy local_nginx.py and local_http.py next
to this file. Run: python3 ip_hash_by_subnet.py
"""

import contextlib
import sys
import zlib
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds the helpers in snippets/
from local_http import LocalServer, QuietHandler  # noqa: E402
from local_nginx import LocalNginx, NginxMissing, nginx_version  # noqa: E402

NAMES = "abc"  # three backends, weight 1 each
CLIENTS = ["127.0.1.5", "127.0.1.9", "127.0.1.31", "127.0.2.5", "127.0.3.5"]
TRIES = 3


def ip_hash_pick(address: str) -> str:
    """ngx_http_upstream_get_ip_hash_peer(): hash = 89, then three octets, each (hash * 113 + octet) % 6271."""
    value = 89
    for octet in address.split(".")[:3]:  # the fourth octet never enters the hash
        value = (value * 113 + int(octet)) % 6271
    return NAMES[value % len(NAMES)]


def hash_pick(key: str) -> str:
    """ngx_http_upstream_get_hash_peer(), first try: (crc32(key) >> 16) & 0x7fff, modulo the total weight."""
    return NAMES[((zlib.crc32(key.encode()) >> 16) & 0x7FFF) % len(NAMES)]


def named_handler(name: str) -> type[QuietHandler]:
    class Named(QuietHandler):
        def do_GET(self):
            self.send_body(200, name.encode())

    return Named


def main() -> int:
    try:
        version = nginx_version()
    except NginxMissing as missing:
        print(missing)
        return 1

    seen = {}  # (method, client address) -> [(backend, the client address nginx saw)]
    with contextlib.ExitStack() as stack:
        ports = [stack.enter_context(LocalServer(named_handler(name))).server_address[1] for name in NAMES]
        servers = " ".join(f"server 127.0.0.1:{port};" for port in ports)
        http = f"    upstream by_ip_hash {{ ip_hash; {servers} }}\n    upstream by_address {{ hash $remote_addr; {servers} }}\n"
        server = (
            "        add_header X-Seen-Client $remote_addr always;\n"
            "        location /ip_hash { proxy_pass http://by_ip_hash; }\n"
            "        location /hash { proxy_pass http://by_address; }\n"
        )
        nginx = stack.enter_context(LocalNginx(http=http, server=server))
        for address in CLIENTS:
            transport = httpx.HTTPTransport(local_address=address)  # bind() the client socket to this source address
            with httpx.Client(base_url=nginx.url, transport=transport) as client:
                for method in ("ip_hash", "hash"):
                    seen[method, address] = [
                        (r.text, r.headers["X-Seen-Client"]) for r in (client.get(f"/{method}") for _ in range(TRIES))
                    ]
        errors = nginx.new_error_lines()

    def backends(method: str, address: str) -> set[str]:
        return {name for name, _ in seen[method, address]}

    print(f"{version}; three backends a, b, c; {TRIES} requests from each client address\n")
    print("client address   /24            ip_hash  (Python)   hash $remote_addr  (Python)")
    for address in CLIENTS:
        subnet = address.rsplit(".", 1)[0] + ".0/24"
        iph, rah = (",".join(sorted(backends(method, address))) for method in ("ip_hash", "hash"))
        print(f"{address:<16} {subnet:<14} {iph:^7}  ({ip_hash_pick(address)})        {rah:^17}  ({hash_pick(address)})")
    print()

    same_subnet = [a for a in CLIENTS if a.startswith("127.0.1.")]
    checks = {
        "nginx saw each client's own source address ($remote_addr)": all(
            client == address for (_, address), answers in seen.items() for _, client in answers
        ),
        f"each address got the same backend all {TRIES} times, under both methods": all(
            len(backends(method, address)) == 1 for method, address in seen
        ),
        "ip_hash: nginx picked what the Python arithmetic predicts": all(
            backends("ip_hash", a) == {ip_hash_pick(a)} for a in CLIENTS
        ),
        "hash $remote_addr: nginx picked what the Python arithmetic predicts": all(
            backends("hash", a) == {hash_pick(a)} for a in CLIENTS
        ),
        "ip_hash: the three addresses in 127.0.1.0/24 all went to one backend": len(
            set().union(*(backends("ip_hash", a) for a in same_subnet))
        ) == 1,
        "hash $remote_addr: the same three addresses went to three backends": len(
            set().union(*(backends("hash", a) for a in same_subnet))
        ) == 3,
        "ip_hash: other /24s went elsewhere": len(set().union(*(backends("ip_hash", a) for a in CLIENTS))) == 3,
        "nginx logged no error": not errors,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
