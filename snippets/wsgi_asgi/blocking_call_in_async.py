"""What one blocking call inside an async handler does to every other request, and the fix.

One Uvicorn process serves an ASGI app with four endpoints: /ping answers at once; /blocking
calls time.sleep(0.3) inside the async handler; /to_thread awaits asyncio.to_thread(time.sleep, 0.3);
/executor awaits loop.run_in_executor(None, time.sleep, 0.3). time.sleep stands for any blocking
call: a synchronous database driver, requests.get(), a big json.loads().

For each slow endpoint the demo sends 4 requests at once, then 50 ms later 3 pings, and times both;
it does so 3 times and shows the quickest run (slow requests and slowest ping together).

Needs Linux (or another Unix), uvicorn (pip install uvicorn httpx).
Copy local_servers.py next to this file. Run: python3 blocking_call_in_async.py
"""

import asyncio
import math
import os
import platform
import sys
import time
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_servers.py
from local_servers import ServerFailed, server_versions, uvicorn  # noqa: E402

CALL = 0.3  # seconds the blocking call takes
SLOW, PINGS = 4, 3
REPEATS = 3  # each row is the quickest of 3 runs: a moment of machine load then counts against neither side


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/blocking":
        time.sleep(CALL)  # the whole event loop stops here: no other request moves
    elif scope["path"] == "/to_thread":
        await asyncio.to_thread(time.sleep, CALL)  # runs in the loop's default thread pool
    elif scope["path"] == "/executor":
        await asyncio.get_running_loop().run_in_executor(None, time.sleep, CALL)  # the same pool
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"3")]})
    await send({"type": "http.response.body", "body": b"ok\n"})


def default_pool_size() -> int:
    """max_workers of a ThreadPoolExecutor() with no argument (CPython concurrent/futures/thread.py)."""
    cpus = os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()  # 3.13+
    return min(32, (cpus or 1) + 4)


async def timed_get(client: httpx.AsyncClient, url: str) -> float:
    started = time.perf_counter()
    response = await client.get(url)
    response.raise_for_status()
    return time.perf_counter() - started


async def slow_and_pings(base: str, path: str, slow: int) -> tuple[float, list[float]]:
    """`slow` requests to `path` at once, and PINGS pings 50 ms later; (seconds for all slow ones, ping times)."""
    limits = httpx.Limits(max_connections=slow + PINGS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        slow_tasks = [asyncio.create_task(timed_get(client, path)) for _ in range(slow)]
        await asyncio.sleep(0.05)
        pings = await asyncio.gather(*(timed_get(client, "/ping") for _ in range(PINGS)))
        await asyncio.gather(*slow_tasks)
        return time.perf_counter() - started, pings


def main() -> int:
    pool = default_pool_size()
    many = 2 * pool  # enough to fill the default thread pool twice
    print(f"Measured on this machine (the build machine, when the site is built): {platform.system()} "
          f"{platform.release()}, {os.cpu_count()} CPUs; {server_versions()}")
    print(f"One uvicorn process. The blocking call: time.sleep({CALL}). "
          f"Default thread pool here: min(32, CPUs + 4) = {pool} threads.")
    print()
    runs = [("/blocking", SLOW), ("/to_thread", SLOW), ("/executor", SLOW), ("/to_thread", many)]
    results = {}
    try:
        with uvicorn("blocking_call_in_async:asgi_app", ready_path="/ping") as server:
            for path, slow in runs:
                tries = [asyncio.run(slow_and_pings(server.url, path, slow)) for _ in range(REPEATS)]
                # The quickest overall: least favourable to /blocking, least hit by load for the fixes.
                results[(path, slow)] = min(tries, key=lambda result: result[0] + max(result[1]))
    except ServerFailed as failure:
        print(f"NO   {failure}")
        return 1

    print(f"Each row: the quickest of {REPEATS} runs (least time for the slow requests and the slowest ping together).")
    print(f"{'requests sent at once':<28}{'all answered after':>20}   pings sent 50 ms later took")
    for (path, slow), (total, pings) in results.items():
        ping_text = ", ".join(f"{p * 1000:.0f} ms" for p in pings)
        print(f"{f'{slow} x GET {path}':<28}{total:>19.2f}s   {ping_text}")

    blocking_total, blocking_pings = results[("/blocking", SLOW)]
    fixes = [results[("/to_thread", SLOW)], results[("/executor", SLOW)]]
    many_total, _ = results[("/to_thread", many)]
    rounds = math.ceil(many / pool)
    print()
    checks = {
        f"/blocking: the {SLOW} calls ran one after another (all answered after at least {SLOW - 1}x one call)":
            blocking_total >= (SLOW - 1) * CALL,
        # The pings left 50 ms after the slow requests; behind at least SLOW - 1 calls they wait this long.
        f"/blocking: every ping waited behind the blocking calls (at least {SLOW - 1}x one call, less the 50 ms head start)":
            min(blocking_pings) >= (SLOW - 1) * CALL - 0.05,
        f"to_thread and run_in_executor: the {SLOW} calls overlapped (all answered in under 2x one call)":
            all(total < 2 * CALL for total, _ in fixes),
        f"to_thread and run_in_executor: every ping came back in under a third of one call ({CALL / 3 * 1000:.0f} ms)":
            all(max(pings) < CALL / 3 for _, pings in fixes),
        "to_thread and run_in_executor: every ping came back at least 10x sooner than the fastest under /blocking":
            all(max(pings) * 10 <= min(blocking_pings) for _, pings in fixes),
        f"{many} x to_thread with a {pool}-thread default pool took at least {rounds} rounds of one call, not 1":
            many_total >= rounds * CALL * 0.9,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
