"""Repeat POST, PUT and DELETE requests and count what the server stored: only POST piles up.

Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import json
import sys
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402


class OrdersHandler(QuietHandler):
    """POST /orders creates an order with a new id; PUT /orders/<id> creates or replaces that one."""

    def do_POST(self):
        orders = self.server.orders
        order_id = str(len(orders) + 1)
        while order_id in orders:
            order_id = str(int(order_id) + 1)
        orders[order_id] = json.loads(self.read_body())
        self.send_body(201, b"created", headers={"Location": f"/orders/{order_id}"})

    def do_PUT(self):
        order_id = self.path.removeprefix("/orders/")
        existed = order_id in self.server.orders
        self.server.orders[order_id] = json.loads(self.read_body())
        self.send_body(200 if existed else 201, b"replaced" if existed else b"created")

    def do_DELETE(self):
        order_id = self.path.removeprefix("/orders/")
        if self.server.orders.pop(order_id, None) is None:
            self.send_body(404, b"no such order")
        else:
            self.send_response(204)
            self.end_headers()


def main() -> int:
    print(versions(), "\n")
    order = {"item": "coffee", "qty": 1}
    steps = [
        ("POST", "/orders"),
        ("POST", "/orders"),
        ("PUT", "/orders/ab12"),
        ("PUT", "/orders/ab12"),
        ("DELETE", "/orders/ab12"),
        ("DELETE", "/orders/ab12"),
    ]
    rows = []
    with LocalServer(OrdersHandler) as server, httpx.Client(base_url=server.url) as client:
        server.orders = {}
        for method, path in steps:
            body = json.dumps(order) if method in ("POST", "PUT") else None
            response = client.request(method, path, content=body)
            rows.append((method, path, response.status_code, response.headers.get("Location", ""), sorted(server.orders)))

    print(f"{'request':<22} {'status':>6}  {'Location':<10} orders stored after it")
    for method, path, status, location, stored in rows:
        print(f"{method + ' ' + path:<22} {status:>6}  {location:<10} {len(stored)}: {', '.join(stored) or '-'}")

    statuses = [status for _, _, status, _, _ in rows]
    stored_after = [stored for *_, stored in rows]
    checks = {
        "two identical POSTs created two orders": statuses[:2] == [201, 201] and stored_after[1] == ["1", "2"],
        "two identical PUTs left one order ab12": stored_after[2] == stored_after[3] == ["1", "2", "ab12"],
        "the second PUT was answered 200, not 201 (same effect, different response)": statuses[2:4] == [201, 200],
        "two DELETEs: 204 then 404, and ab12 is gone either way": statuses[4:] == [204, 404]
        and stored_after[4] == stored_after[5] == ["1", "2"],
        "the server raised no errors": not server.errors,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    print("\n```mermaid")
    print("sequenceDiagram")
    print("    participant C as Client")
    print("    participant S as Server")
    for method, path, status, location, stored in rows:
        print(f"    C->>S: {method} {path}")
        print(f"    S-->>C: {status}" + (f", Location {location}" if location else ""))
        print(f"    Note over S: orders: {', '.join(stored) or 'none'}")
    print("```")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
