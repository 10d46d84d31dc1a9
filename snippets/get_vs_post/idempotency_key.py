"""Retry a POST whose response was lost, without and with an Idempotency-Key header.

The server charges the payment, then drops the connection before answering (as a crash or a
network cut would). The client cannot tell whether the charge happened, so it retries.
Copy local_http.py next to this file. Runs anywhere Python and httpx run.
"""

import hashlib
import json
import sys
import uuid
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler, versions  # noqa: E402


class PaymentsHandler(QuietHandler):
    def do_POST(self):
        body = self.read_body()
        key = self.headers.get("Idempotency-Key")
        fingerprint = hashlib.sha256(body).hexdigest()
        if key is not None and key in self.server.responses:
            stored_fingerprint, status, stored_body = self.server.responses[key]
            if stored_fingerprint != fingerprint:  # same key, different request (the draft asks for 422)
                self.send_body(422, b"Idempotency-Key reused with a different request")
            else:  # a retry: answer what the first attempt would have answered, charge nothing
                self.send_body(status, stored_body, "application/json")
            return
        payment_id = f"pay_{len(self.server.payments) + 1}"
        self.server.payments.append((payment_id, json.loads(body)))
        response = json.dumps({"id": payment_id}).encode()
        if key is not None:
            self.server.responses[key] = (fingerprint, 201, response)
        if self.server.drop_next_response:
            self.server.drop_next_response = False
            self.close_connection = True  # the charge is made, but the client never hears about it
            return
        self.send_body(201, response, "application/json")


def post_with_one_retry(client: httpx.Client, server: LocalServer, body: dict, headers: dict) -> list[str]:
    """POST; when the connection dies before a response, retry once. Return what each attempt got."""
    server.drop_next_response = True
    outcomes = []
    for _ in range(2):
        try:
            response = client.post("/payments", json=body, headers=headers)
        except httpx.RemoteProtocolError as error:
            outcomes.append(f"no response ({type(error).__name__}: {error})")
            continue
        outcomes.append(f"{response.status_code} {response.text}")
        break
    return outcomes


def main() -> int:
    print(versions(), "\n")
    payment = {"amount": 100, "currency": "EUR"}
    key = f'"{uuid.uuid4()}"'  # the draft makes the value a Structured Field String: quoted
    results = {}
    with LocalServer(PaymentsHandler) as server, httpx.Client(base_url=server.url) as client:
        server.responses = {}
        for case, headers in (("without a key", {}), ("with Idempotency-Key", {"Idempotency-Key": key})):
            server.payments = []
            outcomes = post_with_one_retry(client, server, payment, headers)
            results[case] = (outcomes, [payment_id for payment_id, _ in server.payments])
        changed = client.post("/payments", json={"amount": 999, "currency": "EUR"}, headers={"Idempotency-Key": key})

    for case, (outcomes, charged) in results.items():
        print(f"POST /payments {case}:")
        for attempt, outcome in enumerate(outcomes, start=1):
            print(f"  attempt {attempt}: {outcome}")
        print(f"  payments the server made: {len(charged)} ({', '.join(charged)})\n")
    print(f"Same key, different amount: {changed.status_code} {changed.text}")

    (plain_outcomes, plain_charged) = results["without a key"]
    (keyed_outcomes, keyed_charged) = results["with Idempotency-Key"]
    checks = {
        "the first attempt got no response in both cases": plain_outcomes[0].startswith("no response")
        and keyed_outcomes[0].startswith("no response"),
        "without a key, the retry charged a second time": len(plain_charged) == 2,
        "with a key, the retry was answered 201 with the first payment's id": keyed_outcomes[1]
        == f'201 {{"id": "{keyed_charged[0]}"}}',
        "with a key, the server charged once": len(keyed_charged) == 1,
        "reusing the key for a different request was refused with 422": changed.status_code == 422,
        "the server raised no errors": not server.errors,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
