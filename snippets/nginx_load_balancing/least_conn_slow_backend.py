"""Round robin against least_conn when one of two backends is slow.

Backend "slow" takes 1 s per request, backend "fast" answers at once. The client starts a request
every 0.1 s without waiting for the previous one, first through an upstream with plain round robin,
then through one with least_conn, and prints which backend answered each request.

Needs Linux and nginx (Debian: apt-get install nginx). Copy local_nginx.py and local_http.py next
to this file. Run: python3 least_conn_slow_backend.py
"""

import contextlib
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds the helpers in snippets/
from local_http import LocalServer, QuietHandler  # noqa: E402
from local_nginx import LocalNginx, NginxMissing, nginx_version  # noqa: E402

SLOW = 1.0  # seconds the slow backend takes per request
GAP = 0.1  # seconds between the starts of two requests
REQUESTS = 8


def backend(name: str, delay: float) -> type[QuietHandler]:
    class Backend(QuietHandler):
        def do_GET(self):
            time.sleep(delay)
            self.send_body(200, name.encode())

    return Backend


def burst(client: httpx.Client, path: str) -> list[tuple[str, float]]:
    """Start REQUESTS requests GAP seconds apart; return (who answered, seconds taken) for each."""
    results: list[tuple[str, float]] = [("none", 0.0)] * REQUESTS

    def one(index: int) -> None:
        started = time.monotonic()
        text = client.get(path).text
        results[index] = (text, time.monotonic() - started)

    threads = []
    for index in range(REQUESTS):
        threads.append(threading.Thread(target=one, args=(index,)))
        threads[-1].start()
        time.sleep(GAP)
    for thread in threads:
        thread.join()
    return results


def main() -> int:
    try:
        version = nginx_version()
    except NginxMissing as missing:
        print(missing)
        return 1

    with contextlib.ExitStack() as stack:
        slow = stack.enter_context(LocalServer(backend("slow", SLOW))).server_address[1]
        fast = stack.enter_context(LocalServer(backend("fast", 0))).server_address[1]
        servers = f"server 127.0.0.1:{slow}; server 127.0.0.1:{fast};"
        http = f"    upstream rr {{ {servers} }}\n    upstream lc {{ least_conn; {servers} }}\n"
        server = "        location /rr { proxy_pass http://rr; }\n        location /lc { proxy_pass http://lc; }\n"
        nginx = stack.enter_context(LocalNginx(http=http, server=server))
        client = stack.enter_context(httpx.Client(base_url=nginx.url, timeout=10))
        results = {"round robin": burst(client, "/rr"), "least_conn": burst(client, "/lc")}
        errors = nginx.new_error_lines()

    print(f"{version}; slow backend {SLOW:g} s per request, a new request every {GAP:g} s")
    print("(times measured on the build machine)\n")
    print(("request  " + "".join(f"{method:<22}" for method in results)).rstrip())
    for index in range(REQUESTS):
        cells = "".join(f"{name:<5} {seconds:4.2f} s{'':<10}" for name, seconds in (r[index] for r in results.values()))
        print(f"{index + 1:>7}  {cells}".rstrip())
    slow_count = {method: sum(name == "slow" for name, _ in r) for method, r in results.items()}
    mean = {method: sum(seconds for _, seconds in r) / REQUESTS for method, r in results.items()}
    print()
    for method in results:
        print(f"{method:<12} slow answered {slow_count[method]} of {REQUESTS}; mean time {mean[method]:.2f} s")
    print()

    checks = {
        "round robin alternated: slow answered requests 1, 3, 5, 7": [n for n, _ in results["round robin"]]
        == ["slow", "fast"] * (REQUESTS // 2),
        "least_conn gave request 1 to slow (both idle: a tie, broken by round robin)": results["least_conn"][0][0] == "slow",
        "least_conn then sent (nearly) everything to fast: slow answered at most 2": slow_count["least_conn"] <= 2,
        "every request got an answer, none failed": all(name in ("slow", "fast") for r in results.values() for name, _ in r),
        "nginx logged no error": not errors,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
