"""Topic 8: each demo, as published, shows what the WSGI vs ASGI page says it shows."""

from __future__ import annotations

import re


def test_one_wsgi_callable_and_one_asgi_coroutine_run_under_four_servers_with_lifespan(published):
    out = published("wsgi_asgi/two_interfaces.py")
    assert re.search(r"^Python 3\.\S+, gunicorn \S+, uvicorn \S+, httpx \S+$", out, re.MULTILINE)
    sync, gthread, uvicorn, gunicorn_asgi = out.split("\n\n")[1:5]
    assert sync.startswith("gunicorn -k sync") and "wsgi.multithread=False" in sync
    assert gthread.startswith("gunicorn -k gthread --threads 4") and "wsgi.multithread=True" in gthread
    for block in (sync, gthread):
        assert "GET /hello?name=ada -> 200, Server: gunicorn" in block
        assert "body: WSGI GET /hello?name=ada wsgi.version=(1, 0)" in block
    assert "Server: uvicorn" in uvicorn and "Server: gunicorn/asgi" in gunicorn_asgi
    for block in (uvicorn, gunicorn_asgi):
        assert "type=http asgi={'version': '3.0'" in block
        logged = re.findall(r"^  log:  app got (.+)$", block, re.MULTILINE)
        assert logged == ["lifespan.startup", "http GET /ready", "http GET /hello", "lifespan.shutdown"]
    assert "NO " not in out
    assert out.count("\nyes  ") == 4


def test_at_100_concurrent_waits_uvicorn_beats_one_sync_worker_tenfold(published, published_diagrams):
    out = published("wsgi_asgi/concurrent_waits.py")
    assert re.search(r"^Linux \S+, \d+ CPUs; Python 3\.\S+, gunicorn \S+, uvicorn \S+, httpx \S+$", out, re.MULTILINE)
    rows = {
        name.strip(): [float(seconds) for seconds in times]
        for name, *times in re.findall(r"^(\S.{39})\s*([\d.]+)s\s+([\d.]+)s\s+([\d.]+)s$", out, re.MULTILINE)
    }
    sync = rows["gunicorn sync, 1 worker"]
    gthread = rows["gunicorn gthread, 1 worker x 10 threads"]
    uvicorn = rows["uvicorn, 1 worker"]
    # The ratios the page states, read off the published table (never absolute times).
    assert sync[2] >= 10 * uvicorn[2], "at N=100 Uvicorn finished at least 10x sooner than the sync worker"
    assert sync[2] >= 5 * gthread[2], "at N=100 gthread (10 threads) finished at least 5x sooner"
    assert uvicorn[2] < gthread[2]
    ideal_serial = rows["(ideal: one at a time, N x 100 ms)"]
    assert sync[2] >= 0.9 * ideal_serial[2], "the sync worker served the 100 requests one after another"
    assert uvicorn[2] < 10 * uvicorn[0], "the event loop overlapped the 100 waits"
    assert max(r[0] for r in (sync, gthread, uvicorn)) < 2 * min(r[0] for r in (sync, gthread, uvicorn))
    assert "\nyes  at N=100 uvicorn finished at least 10x sooner than the sync worker" in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 6
    (chart,) = published_diagrams("wsgi_asgi/concurrent_waits.py")
    assert chart.startswith("xychart-beta")
    assert chart.count("\n    line ") == 3 and 'x-axis ["N=1", "N=10", "N=100"]' in chart


def test_a_blocking_call_in_an_async_handler_stalls_pings_and_to_thread_fixes_it(published):
    out = published("wsgi_asgi/blocking_call_in_async.py")
    call = float(re.search(r"The blocking call: time\.sleep\(([\d.]+)\)", out).group(1))
    pool = int(re.search(r"Default thread pool here: min\(32, CPUs \+ 4\) = (\d+) threads", out).group(1))
    runs = {
        (int(count), path): (float(total), [int(ms) / 1000 for ms in re.findall(r"(\d+) ms", pings)])
        for count, path, total, pings in re.findall(r"^(\d+) x GET (/\w+)\s+([\d.]+)s\s+(.+)$", out, re.MULTILINE)
    }
    # The demo's own checks, recomputed from the printed figures as multiples of the one call it
    # makes (never absolute times); `rounding` allows for the 2-decimal seconds and whole milliseconds.
    rounding = 0.005
    blocking_total, blocking_pings = runs[(4, "/blocking")]
    assert len(blocking_pings) == 3
    assert blocking_total >= 3 * call - rounding, "the 4 blocking calls ran one after another"
    assert min(blocking_pings) >= 3 * call - 0.05 - rounding, "the pings waited behind the blocking calls"
    for fix in ("/to_thread", "/executor"):
        total, pings = runs[(4, fix)]
        assert total < 2 * call + rounding, "the 4 calls overlapped"
        assert max(pings) < call / 3 + rounding, "the pings came back in under a third of one call"
        assert max(pings) * 10 <= min(blocking_pings) + 10 * rounding, "pings waited behind the blocking calls only"
    many_total, _ = runs[(2 * pool, "/to_thread")]
    assert many_total >= 2 * call * 0.9 - rounding, "twice the pool's size took at least two rounds"
    assert "\nyes  /blocking: every ping waited behind the blocking calls" in out
    assert "NO " not in out
    assert out.count("\nyes  ") == 6
