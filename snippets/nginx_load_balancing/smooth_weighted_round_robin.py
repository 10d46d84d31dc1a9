"""nginx's smooth weighted round robin in pure Python, step by step, for weights a=5, b=1, c=1.

No nginx needed. Copy smooth_weighted.py (the algorithm, from nginx's ngx_http_upstream_get_peer())
next to this file. Run: python3 smooth_weighted_round_robin.py
"""

import itertools
import platform
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/smooth_weighted.py
from smooth_weighted import smooth_weighted_steps  # noqa: E402

WEIGHTS = {"a": 5, "b": 1, "c": 1}


def longest_run(order: list[str], name: str) -> int:
    """The longest stretch of `name` in a row, counting across the end of one cycle into the next."""
    twice = order + order
    return max((len(list(group)) for key, group in itertools.groupby(twice) if key == name), default=0)


def show(weights: dict[str, int]) -> str:
    return " ".join(f"{name}={value:>3}" for name, value in weights.items())


def main() -> int:
    total = sum(WEIGHTS.values())
    steps = smooth_weighted_steps(WEIGHTS, total)
    order = [picked for _, picked, _ in steps]
    plain = [name for name, weight in WEIGHTS.items() for _ in range(weight)]  # "a" five times, then b, then c

    print(f"Python {platform.python_version()}; weights {WEIGHTS}, sum {total}\n")
    print("pick  current weight + weight   picked  after subtracting the sum")
    for number, (before, picked, after) in enumerate(steps, 1):
        print(f"{number:>4}  {show(before)}      {picked}      {show(after)}")

    print(f"\nsmooth weighted order:  {' '.join(order)}")
    print(f"plain weighted order:   {' '.join(plain)}\n")

    non_a = [i for i, name in enumerate(order) if name != "a"]
    checks = {
        f"in {total} picks each server is picked as often as its weight": all(
            order.count(name) == weight for name, weight in WEIGHTS.items()
        ),
        f"after {total} picks every current weight is back to 0, so the cycle repeats": all(
            value == 0 for value in steps[-1][2].values()
        ),
        "the current weights always add up to 0 after a pick": all(sum(after.values()) == 0 for _, _, after in steps),
        "b and c are never picked back to back": all(j - i > 1 for i, j in zip(non_a, non_a[1:])),
        f"a runs at most {longest_run(order, 'a')} in a row (across cycles), "
        f"against {longest_run(plain, 'a')} in the plain order": longest_run(order, "a") < longest_run(plain, "a"),
        "the order is a a b a c a a": order == "a a b a c a a".split(),
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
