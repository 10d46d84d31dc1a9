"""A minimal WSGI app and a minimal ASGI app, each served by real servers and called through httpx.

The WSGI app runs under Gunicorn's sync and gthread workers; the ASGI app (which also speaks the
lifespan protocol) runs under Uvicorn and under Gunicorn's own asgi worker (Gunicorn 24.0+).
Each app reports what its server handed it: the WSGI environ, the ASGI scope.

Needs Linux (or another Unix), gunicorn and uvicorn (pip install gunicorn uvicorn httpx).
Copy local_servers.py next to this file. Run: python3 two_interfaces.py
"""

import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_servers.py
from local_servers import ServerFailed, gunicorn, server_versions, uvicorn  # noqa: E402


def wsgi_app(environ, start_response):
    """PEP 3333: called once per request with a dict and a function; returns an iterable of bytes."""
    body = (
        f"WSGI {environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ['QUERY_STRING']}"
        f" wsgi.version={environ['wsgi.version']}"
        f" wsgi.multithread={environ['wsgi.multithread']}"
        f" wsgi.multiprocess={environ['wsgi.multiprocess']}\n"
    ).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


async def asgi_app(scope, receive, send):
    """ASGI: called once per connection-scope with a dict and two coroutines, receive() and send()."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            print(f"app got {message['type']}", flush=True)  # goes to the server's log
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "http":
        print(f"app got http {scope['method']} {scope['path']}", flush=True)
        body = (
            f"ASGI {scope['method']} {scope['path']}?{scope['query_string'].decode()}"
            f" type={scope['type']} asgi={scope['asgi']} http_version={scope['http_version']}\n"
        ).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
    else:
        raise ValueError(f"this app does not speak {scope['type']!r}")


def app_lines(log: str) -> list[str]:
    """The lines the app printed, in order, out of everything the server logged."""
    return [line for line in log.splitlines() if line.startswith("app got ")]


def main() -> int:
    print(server_versions())
    print()
    servers = [
        (gunicorn, "two_interfaces:wsgi_app", {"worker_class": "sync"}),
        (gunicorn, "two_interfaces:wsgi_app", {"worker_class": "gthread", "threads": 4}),
        (uvicorn, "two_interfaces:asgi_app", {}),
        (gunicorn, "two_interfaces:asgi_app", {"worker_class": "asgi"}),
    ]
    seen = {}
    try:
        for start, app, options in servers:
            server = start(app, ready_path="/ready", **options)
            with server:
                response = httpx.get(server.url + "/hello", params={"name": "ada"})
                log = server.stop()
            seen[server.label] = response, app_lines(log)
            print(f"{server.label}  serving {app}")
            print(f"  GET /hello?name=ada -> {response.status_code}, Server: {response.headers.get('server')}")
            print(f"  body: {response.text.strip()}")
            for line in app_lines(log):
                print(f"  log:  {line}")
            print()
    except ServerFailed as failure:
        print(f"NO   {failure}")
        return 1

    sync, gthread = seen["gunicorn -k sync"][0], seen["gunicorn -k gthread --threads 4"][0]
    asgi_servers = ["uvicorn", "gunicorn -k asgi"]
    expected_order = ["app got lifespan.startup", "app got http GET /ready", "app got http GET /hello",
                      "app got lifespan.shutdown"]
    checks = {
        "both WSGI servers called the same callable, with the query string in environ": all(
            r.status_code == 200 and r.text.startswith("WSGI GET /hello?name=ada wsgi.version=(1, 0)")
            for r in (sync, gthread)
        ),
        "the sync worker said wsgi.multithread=False, the gthread worker said True": (
            "wsgi.multithread=False" in sync.text and "wsgi.multithread=True" in gthread.text
        ),
        "both ASGI servers called the same coroutine with an http scope, asgi version 3.0": all(
            seen[name][0].status_code == 200
            and seen[name][0].text.startswith("ASGI GET /hello?name=ada type=http asgi={'version': '3.0'")
            for name in asgi_servers
        ),
        "both ASGI servers sent lifespan.startup before any request and lifespan.shutdown on SIGTERM": all(
            seen[name][1] == expected_order for name in asgi_servers
        ),
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
