"""N concurrent requests to an endpoint that waits 100 ms on I/O, served three ways, measured.

The WSGI app waits with time.sleep(0.1) (a blocking wait, as a database driver would do); the ASGI
app waits with await asyncio.sleep(0.1) (a wait that hands the event loop back). Servers, each one
process: Gunicorn's sync worker (one request at a time), Gunicorn's gthread worker with 10 threads,
and Uvicorn (one event loop). For N = 1, 10 and 100, the demo sends N requests at once through httpx
and times how long it takes until all N have their answer.

Needs Linux (or another Unix), gunicorn and uvicorn (pip install gunicorn uvicorn httpx).
Copy local_servers.py next to this file. Run: python3 concurrent_waits.py  (about 20 s)
"""

import asyncio
import contextlib
import datetime
import math
import os
import platform
import sys
import time
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_servers.py
from local_servers import ServerFailed, gunicorn, server_versions, uvicorn  # noqa: E402

WAIT = 0.1  # seconds each request waits on "I/O"
THREADS = 10  # gthread worker's --threads
COUNTS = (1, 10, 100)
REPEATS_OF_ONE = 3  # N=1 is timed 3 times and the best kept: one request is too short to time once


def wsgi_app(environ, start_response):
    if environ["PATH_INFO"] == "/wait":
        time.sleep(WAIT)  # blocks this worker (sync) or this thread (gthread)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
    return [b"ok\n"]


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return  # no lifespan handling needed: Uvicorn then carries on without it
    if scope["path"] == "/wait":
        await asyncio.sleep(WAIT)  # gives the event loop back to the other requests
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"3")]})
    await send({"type": "http.response.body", "body": b"ok\n"})


async def all_at_once(url: str, count: int) -> float:
    """Send `count` GET /wait at once, each on its own connection; seconds until the last answer."""
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        started = time.perf_counter()
        responses = await asyncio.gather(*(client.get(url + "/wait") for _ in range(count)))
        took = time.perf_counter() - started
    if any(response.status_code != 200 for response in responses):
        raise RuntimeError("a request failed")
    return took


def main() -> int:
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Measured on this machine (the build machine, when the site is built), {when}:")
    print(f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs; {server_versions()}")
    print(f"Each request waits {WAIT * 1000:.0f} ms: time.sleep() in the WSGI app, await asyncio.sleep() in the ASGI app.")
    print()
    servers = {
        "gunicorn sync, 1 worker": gunicorn("concurrent_waits:wsgi_app", worker_class="sync"),
        f"gunicorn gthread, 1 worker x {THREADS} threads": gunicorn(
            "concurrent_waits:wsgi_app", worker_class="gthread", threads=THREADS),
        "uvicorn, 1 worker": uvicorn("concurrent_waits:asgi_app"),
    }
    seconds: dict[str, dict[int, float]] = {}
    try:
        with contextlib.ExitStack() as stack:
            for server in servers.values():
                stack.enter_context(server)  # all three up before any measurement; stopped on exit
            for name, server in servers.items():
                asyncio.run(all_at_once(server.url, 1))  # warm-up, not timed
                seconds[name] = {count: asyncio.run(all_at_once(server.url, count)) for count in COUNTS}
                seconds[name][1] = min([seconds[name][1]] + [asyncio.run(all_at_once(server.url, 1))
                                                             for _ in range(REPEATS_OF_ONE - 1)])
    except ServerFailed as failure:
        print(f"NO   {failure}")
        return 1

    print(f"Seconds until all N concurrent requests were answered (N=1: best of {REPEATS_OF_ONE} runs):")
    print(f"{'server':<40}" + "".join(f"{'N=' + str(n):>9}" for n in COUNTS))
    for name, row in seconds.items():
        print(f"{name:<40}" + "".join(f"{row[n]:>8.2f}s" for n in COUNTS))
    print(f"{'(ideal: one at a time, N x 100 ms)':<40}" + "".join(f"{n * WAIT:>8.2f}s" for n in COUNTS))
    print(f"{'(ideal: ceil(N / threads) x 100 ms)':<40}" + "".join(f"{math.ceil(n / THREADS) * WAIT:>8.2f}s" for n in COUNTS))

    sync, gthread, uvi = (seconds[name] for name in servers)
    top = COUNTS[-1]
    print()
    print(f"At N={top}: sync / uvicorn = {sync[top] / uvi[top]:.0f}x, sync / gthread = {sync[top] / gthread[top]:.0f}x,"
          f" gthread / uvicorn = {gthread[top] / uvi[top]:.0f}x")
    checks = {
        f"the sync worker served one request at a time: N={top} took at least 90% of N x 100 ms":
            sync[top] >= 0.9 * top * WAIT,
        f"at N={top} the gthread worker ({THREADS} threads) finished at least 5x sooner than the sync worker":
            sync[top] >= 5 * gthread[top],
        f"at N={top} uvicorn finished at least 10x sooner than the sync worker": sync[top] >= 10 * uvi[top],
        f"at N={top} uvicorn finished sooner than the gthread worker": uvi[top] < gthread[top],
        f"uvicorn overlapped the waits: N={top} took less than 10x as long as N=1": uvi[top] < 10 * uvi[1],
        "with one request, the three servers were within 2x of each other": max(r[1] for r in seconds.values())
        < 2 * min(r[1] for r in seconds.values()),
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    print("\n```mermaid")
    print("xychart-beta")
    print('    title "Seconds until N concurrent 100 ms requests were answered (measured)"')
    print("    x-axis [" + ", ".join(f'"N={n}"' for n in COUNTS) + "]")
    print(f'    y-axis "seconds" 0 --> {math.ceil(max(sync.values()))}')
    for name, row in seconds.items():
        print(f'    line "{name}" [' + ", ".join(f"{row[n]:.2f}" for n in COUNTS) + "]")
    print("```")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
