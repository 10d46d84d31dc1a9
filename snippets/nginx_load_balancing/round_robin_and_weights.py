"""Which backend answers, request by request, behind a real nginx: plain and weighted round robin.

Three backends (http.server threads on 127.0.0.1) answer with their name. nginx's order for weights
5, 1, 1 and 3, 2, 1 is compared, line by line, with the pure-Python algorithm in smooth_weighted.py.

Needs Linux and nginx (Debian: apt-get install nginx). Copy local_nginx.py, local_http.py and
smooth_weighted.py next to this file. Run: python3 round_robin_and_weights.py
"""

import contextlib
import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds the helpers in snippets/
from local_http import LocalServer, QuietHandler  # noqa: E402
from local_nginx import LocalNginx, NginxMissing, nginx_version  # noqa: E402
from smooth_weighted import smooth_weighted_order  # noqa: E402

GROUPS = {  # location and upstream name: the weight of a, b and c
    "equal": {"a": 1, "b": 1, "c": 1},
    "five_one_one": {"a": 5, "b": 1, "c": 1},
    "three_two_one": {"a": 3, "b": 2, "c": 1},
}
CYCLES = 2  # requests per group: twice the sum of its weights


def named_handler(name: str) -> type[QuietHandler]:
    class Named(QuietHandler):
        def do_GET(self):
            self.send_body(200, name.encode())

    return Named


def upstream_blocks(ports: dict[str, int]) -> str:
    blocks = []
    for group, weights in GROUPS.items():
        servers = "".join(f"        server 127.0.0.1:{ports[name]} weight={weight};\n" for name, weight in weights.items())
        blocks.append(f"    upstream {group} {{\n{servers}    }}\n")
    return "".join(blocks)


def main() -> int:
    try:
        version = nginx_version()
    except NginxMissing as missing:
        print(missing)
        return 1

    answered = {}
    with contextlib.ExitStack() as stack:
        ports = {name: stack.enter_context(LocalServer(named_handler(name))).server_address[1] for name in "abc"}
        locations = "".join(f"        location /{group} {{ proxy_pass http://{group}; }}\n" for group in GROUPS)
        nginx = stack.enter_context(LocalNginx(http=upstream_blocks(ports), server=locations))
        client = stack.enter_context(httpx.Client(base_url=nginx.url))
        for group, weights in GROUPS.items():
            answered[group] = [client.get(f"/{group}").text for _ in range(CYCLES * sum(weights.values()))]
        errors = nginx.new_error_lines()

    print(f"{version}, one worker process; backends a, b, c\n")
    checks = {}
    for group, weights in GROUPS.items():
        python = smooth_weighted_order(weights, len(answered[group]))
        weights_text = ", ".join(f"{name}={weight}" for name, weight in weights.items())
        print(f"upstream {group} ({weights_text}):")
        print("  request " + "".join(f"{number:>3}" for number in range(1, len(python) + 1)))
        print("  nginx   " + "".join(f"{name:>3}" for name in answered[group]))
        print("  Python  " + "".join(f"{name:>3}" for name in python))
        marks = "".join(f"{'' if a == b else '^':>3}" for a, b in zip(answered[group], python))
        print(("  differ  " + marks).rstrip() + "\n")
        checks[f"{group}: nginx's order equals the Python algorithm's, request by request"] = answered[group] == python
        checks[f"{group}: each backend answered {CYCLES} x its weight times"] = all(
            answered[group].count(name) == CYCLES * weight for name, weight in weights.items()
        )
    checks["equal weights: a b c a b c"] = answered["equal"] == "a b c a b c".split()
    checks["weights 5, 1, 1: a a b a c a a, twice"] = answered["five_one_one"] == "a a b a c a a".split() * 2
    checks["nginx logged no error"] = not errors
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
