"""A backend dies mid-run: nginx retries the request on another server and stops sending it traffic.

Part 1: three backends in round robin, `max_fails=1 fail_timeout=1s`. After request 3 the demo
stops backend b (its port then refuses connections). Part 2: a primary that reads each request and
closes the connection without answering, with a `backup` server behind it: a GET is retried on the
backup, a POST is not, unless `proxy_next_upstream` lists `non_idempotent`.

Needs Linux and nginx (Debian: apt-get install nginx). Copy local_nginx.py and local_http.py next
to this file. Run: python3 backend_dies.py
"""

import contextlib
import re
import sys
import time
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds the helpers in snippets/
from local_http import LocalServer, QuietHandler  # noqa: E402
from local_nginx import LocalNginx, NginxMissing, nginx_version  # noqa: E402

FAIL_TIMEOUT = 1  # seconds; nginx's default is 10
MAX_FAILS = 1
STOPS_BEFORE, PAUSE_BEFORE, REQUESTS = 4, 10, 15  # b stops before request 4; the pause comes before request 10
arrivals: list[tuple[str, str, str]] = []  # (backend, method, path), as the backends saw them


def answering(name: str) -> type[QuietHandler]:
    class Answering(QuietHandler):
        def do_GET(self):
            self.read_body()
            arrivals.append((name, self.command, self.path))
            self.send_body(200, name.encode())

        do_POST = do_GET

    return Answering


class Closer(QuietHandler):
    """Reads the whole request, then closes the connection without a response."""

    def do_GET(self):
        self.read_body()
        arrivals.append(("closer", self.command, self.path))
        self.close_connection = True

    do_POST = do_GET


def predicted_part1() -> list[list[str]]:
    """The servers nginx should try for each request of part 1: smooth weighted round robin with the
    failure rule of ngx_http_upstream_get_peer() and ngx_http_upstream_free_round_robin_peer().

    A failed server is skipped (until fail_timeout passes, here: the pause), its effective weight
    drops by weight / max_fails (not below 0), and a server regains 1 of effective weight each time
    it takes part in a pick. A request is retried on a server it has not tried yet.
    """
    weight = {name: 1 for name in "abc"}
    effective, current = dict(weight), {name: 0 for name in weight}
    disabled: set[str] = set()
    orders = []
    for number in range(1, REQUESTS + 1):
        if number == PAUSE_BEFORE:
            disabled.clear()  # fail_timeout has passed: b may be picked again
        tried: list[str] = []
        while True:
            best, total = None, 0
            for name in weight:
                if name in tried or name in disabled:
                    continue
                current[name] += effective[name]
                total += effective[name]
                if effective[name] < weight[name]:
                    effective[name] += 1
                if best is None or current[name] > current[best]:
                    best = name
            current[best] -= total
            tried.append(best)
            if best == "b" and number >= STOPS_BEFORE:  # refused: a failure, and the request is retried
                disabled.add(best)
                effective[best] = max(0, effective[best] - weight[best] // MAX_FAILS)
                continue
            orders.append(tried)
            break
    return orders


def short(line: str, names: dict[str, str]) -> str:
    """Drop the date, pid, connection number and client details; name the upstream server."""
    line = re.sub(r"^\S+ \S+ (\[\w+\]) \d+#\d+: \*\d+ ", r"\1 ", line)
    line = re.sub(r", client: .*?(, upstream: \S+)?, host: .*$", r"\1", line)
    return re.sub(r'upstream: "http://([\d.:]+)/\w*"', lambda m: f"upstream: {names.get(m.group(1), m.group(1))}", line)


def main() -> int:
    try:
        version = nginx_version()
    except NginxMissing as missing:
        print(missing)
        return 1

    with contextlib.ExitStack() as stack:
        servers = {name: stack.enter_context(LocalServer(answering(name))) for name in ("a", "b", "c", "good")}
        closer = stack.enter_context(LocalServer(Closer))
        port = {name: server.server_address[1] for name, server in servers.items()} | {"closer": closer.server_address[1]}
        backend_name = {f"127.0.0.1:{number}": name for name, number in port.items()}
        options = f"max_fails={MAX_FAILS} fail_timeout={FAIL_TIMEOUT}s"
        http = (
            "    error_log error.log warn;  # relative to nginx's prefix: the helper's log, at warn level\n"
            f"    upstream pool {{ {' '.join(f'server 127.0.0.1:{port[n]} {options};' for n in 'abc')} }}\n"
            f"    upstream flaky {{ server 127.0.0.1:{port['closer']} max_fails=0; server 127.0.0.1:{port['good']} backup; }}\n"
        )
        server = (
            "        add_header X-Upstreams $upstream_addr always;  # every server nginx tried, in order\n"
            "        location /pool { proxy_pass http://pool; }\n"
            "        location /once { proxy_pass http://flaky; }\n"
            "        location /twice { proxy_pass http://flaky; proxy_next_upstream error timeout non_idempotent; }\n"
        )
        nginx = stack.enter_context(LocalNginx(http=http, server=server))
        client = stack.enter_context(httpx.Client(base_url=nginx.url, timeout=10))

        def ask(method: str, path: str) -> tuple[str, int, str, list[str], list[str]]:
            response = client.request(method, path, content=b"order=42" if method == "POST" else None)
            tried = [backend_name.get(a.strip(), a.strip()) for a in response.headers.get("X-Upstreams", "").split(",")]
            body = response.text if response.status_code == 200 else ""
            lines = [short(line, backend_name) for line in nginx.new_error_lines()]
            return f"{method} {path}", response.status_code, body, tried, lines

        part1 = []
        for number in range(1, REQUESTS + 1):
            if number == STOPS_BEFORE:
                servers["b"].__exit__(None, None, None)  # b stops: its port now refuses connections
            if number == PAUSE_BEFORE:
                time.sleep(FAIL_TIMEOUT + 1.2)  # nginx counts whole seconds: wait until b's fail_timeout has surely passed
            part1.append(ask("GET", "/pool"))
        part2 = [ask("GET", "/once"), ask("POST", "/once"), ask("POST", "/twice")]

    print(f"{version}; every line is one client request; 'tried' is $upstream_addr\n")
    print(f"Part 1: round robin over a, b, c ({options}); b stops before request 4,")
    print(f"        and the client pauses {FAIL_TIMEOUT + 1.2:g} s before request 10\n")
    for number, (request, status, body, tried, lines) in enumerate(part1, 1):
        print(f"{number:>2}  {request}  {status} from {body or '-':<4} tried {' -> '.join(tried)}")
        for line in lines:
            print(f"      error.log: {line}")
    predicted = predicted_part1()
    print(f"\nnginx tried:   {' '.join('->'.join(r[3]) for r in part1)}")
    print(f"Python model:  {' '.join('->'.join(p) for p in predicted)}")
    print("\nPart 2: primary 'closer' closes every connection unanswered; 'good' is a backup server\n")
    for request, status, body, tried, lines in part2:
        print(f"{request:<12} {status} from {body or '-':<4}  tried {' -> '.join(tried)}")
        for line in lines:
            print(f"      error.log: {line}")
    posts = [(name, path) for name, method, path in arrivals if method == "POST"]
    print(f"\nPOST requests the backends received: {posts}\n")

    def logged(lines: list[str], text: str) -> bool:
        return any(text in line for line in lines)

    refused = "connect() failed (111: Connection refused) while connecting to upstream"
    disabled = "[warn] upstream server temporarily disabled while connecting to upstream"
    before, first_hit, rest = part1[:4], part1[4], part1[5:9]
    late = part1[9:]
    checks = {
        "before b stopped, round robin went a b c a": [r[2] for r in before] == list("abca"),
        "request 5 went to b, was refused, and was retried on c: the client got 200 from c": first_hit[1:4]
        == (200, "c", ["b", "c"]),
        "that failure logged the refused connect() and b's disablement ([warn])": logged(first_hit[4], refused)
        and logged(first_hit[4], disabled),
        "requests 6-9 never tried b (max_fails=1 reached: skipped for fail_timeout)": all("b" not in r[3] for r in rest),
        "every request in part 1 got 200": all(r[1] == 200 for r in part1),
        "after fail_timeout, nginx tried b again with a real request, which was retried": any(
            r[3][:1] == ["b"] and r[1] == 200 and logged(r[4], refused) for r in late
        ),
        "the Python model with the failure rule predicts every server nginx tried in part 1": [r[3] for r in part1]
        == predicted,
        "GET /once: closer failed, the backup answered 200": part2[0][1:4] == (200, "good", ["closer", "good"]),
        "the failure was logged as 'upstream prematurely closed connection'": all(
            logged(r[4], "upstream prematurely closed connection while reading response header from upstream")
            for r in part2
        ),
        "POST /once: not retried (non-idempotent, already sent): 502": part2[1][1] == 502 and part2[1][3] == ["closer"],
        "POST /twice (non_idempotent listed): retried on the backup, 200": part2[2][1:4] == (200, "good", ["closer", "good"]),
        "so the /twice POST reached two backends: the order was sent twice": posts.count(("closer", "/twice")) == 1
        and posts.count(("good", "/twice")) == 1,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
