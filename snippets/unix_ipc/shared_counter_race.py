"""Two processes add 1 to a counter in shared memory: without a lock updates are lost, with one none are.

Runs on Linux and macOS: python3 shared_counter_race.py
Each increment is a read, a pause (os.sched_yield(), so the race shows every run), and a write:
exactly what `counter.value += 1` does, with the gap made wider.
"""

import multiprocessing
import os
import sys

PROCESSES = 2
INCREMENTS = 20_000  # per process
EXPECTED = PROCESSES * INCREMENTS


def add_unlocked(counter, start) -> None:
    start.wait()
    for _ in range(INCREMENTS):
        value = counter.value
        os.sched_yield()  # let the other process read the same value
        counter.value = value + 1


def add_locked(counter, start) -> None:
    start.wait()
    for _ in range(INCREMENTS):
        with counter.get_lock():  # the whole read-modify-write under one lock
            value = counter.value
            os.sched_yield()
            counter.value = value + 1


def run(target, counter) -> int:
    start = multiprocessing.Barrier(PROCESSES)  # no worker begins before all are ready: the loops overlap
    workers = [multiprocessing.Process(target=target, args=(counter, start)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if any(worker.exitcode != 0 for worker in workers):
        raise RuntimeError("a worker failed")
    return counter.value


def main() -> int:
    print(f"{PROCESSES} processes each add 1 to a shared int {INCREMENTS} times; the right total is {EXPECTED}.\n")
    cases = [
        ("Value('i', 0, lock=False), no lock", add_unlocked, multiprocessing.Value("i", 0, lock=False)),
        ("Value('i', 0) (has a lock), not taken", add_unlocked, multiprocessing.Value("i", 0)),
        ("Value('i', 0), with counter.get_lock()", add_locked, multiprocessing.Value("i", 0)),
    ]
    totals = {}
    print(f"{'counter':<42} {'total':>6} {'lost updates':>13}")
    for name, target, counter in cases:
        totals[name] = run(target, counter)
        print(f"{name:<42} {totals[name]:>6} {EXPECTED - totals[name]:>13}")

    unlocked, untaken, locked = totals.values()
    checks = {
        f"without a lock the total is wrong (below {EXPECTED})": unlocked < EXPECTED,
        "a Value's own lock does not make a read-then-write atomic: still wrong": untaken < EXPECTED,
        f"holding get_lock() around the read and the write gives exactly {EXPECTED}": locked == EXPECTED,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
