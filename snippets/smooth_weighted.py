"""nginx's smooth weighted round robin, in a few lines of Python.

    from smooth_weighted import smooth_weighted_order

    smooth_weighted_order({"a": 5, "b": 1, "c": 1}, 7)   # ['a', 'a', 'b', 'a', 'c', 'a', 'a']

The same steps as ngx_http_upstream_get_peer() in nginx's src/http/ngx_http_upstream_round_robin.c,
for servers that never fail (so each one's effective weight stays equal to its weight):

1. add each server's weight to its current weight (all start at 0);
2. pick the server with the largest current weight; on a tie, the one listed first;
3. subtract the sum of all weights from the chosen server's current weight.

Shared by the two demos that print and check the order. Copy it next to them.
"""

from __future__ import annotations


def smooth_weighted_steps(weights: dict[str, int], count: int) -> list[tuple[dict[str, int], str, dict[str, int]]]:
    """For each pick: (current weights after step 1, the server picked, current weights after step 3)."""
    current = {name: 0 for name in weights}
    total = sum(weights.values())
    steps = []
    for _ in range(count):
        for name, weight in weights.items():
            current[name] += weight
        before = dict(current)
        best = max(current, key=lambda name: current[name])  # max() keeps the first of equal values
        current[best] -= total
        steps.append((before, best, dict(current)))
    return steps


def smooth_weighted_order(weights: dict[str, int], count: int) -> list[str]:
    """The servers nginx picks, in order, for `count` requests."""
    return [picked for _, picked, _ in smooth_weighted_steps(weights, count)]
