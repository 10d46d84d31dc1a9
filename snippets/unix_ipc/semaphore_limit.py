"""Six processes share a multiprocessing.Semaphore(2): at most two are ever inside at once.

Runs on Linux and macOS: python3 semaphore_limit.py
Each worker notes when it got in and when it left (time.monotonic() is one clock for all processes
on Linux), and counts the processes inside under a lock, keeping the highest count seen.
"""

import multiprocessing
import sys
import time

LIMIT = 2
WORKERS = 6
HOLD = 0.25  # seconds each worker stays inside
WIDTH = 60  # characters of the ASCII timeline


def worker(number, semaphore, inside, highest, times) -> None:
    with semaphore:
        with inside.get_lock():
            inside.value += 1
            highest.value = max(highest.value, inside.value)
        times[2 * number] = time.monotonic()
        time.sleep(HOLD)
        times[2 * number + 1] = time.monotonic()
        with inside.get_lock():
            inside.value -= 1


def most_at_once(intervals) -> int:
    """The largest number of intervals that overlap, from their start and end times."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = best = 0
    for _, change in events:  # at equal times the end (-1) sorts first: touching is not overlapping
        running += change
        best = max(best, running)
    return best


def main() -> int:
    semaphore = multiprocessing.Semaphore(LIMIT)
    inside, highest = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    times = multiprocessing.Array("d", 2 * WORKERS)
    workers = [
        multiprocessing.Process(target=worker, args=(n, semaphore, inside, highest, times)) for n in range(WORKERS)
    ]
    began = time.monotonic()
    for process in workers:
        process.start()
    for process in workers:
        process.join()
    total = time.monotonic() - began

    intervals = [(times[2 * n] - began, times[2 * n + 1] - began) for n in range(WORKERS)]
    scale = WIDTH / max(end for _, end in intervals)
    print(f"Semaphore({LIMIT}), {WORKERS} workers, each inside for {HOLD} s (measured on the build machine):\n")
    for n, (start, end) in enumerate(intervals):
        bar = " " * round(start * scale) + "#" * max(1, round((end - start) * scale))
        print(f"worker {n}  {start:5.2f}-{end:5.2f} s  |{bar:<{WIDTH}}|")

    overlap = most_at_once(intervals)
    batches = -(-WORKERS // LIMIT)
    print(f"\nmost inside at once: {highest.value} (counted under a lock), {overlap} (from the times)")
    print(f"all done in {total:.2f} s; {batches} rounds of {HOLD} s is {batches * HOLD:.2f} s")

    checks = {
        f"never more than {LIMIT} workers inside at once (the counter)": highest.value <= LIMIT,
        f"never more than {LIMIT} workers inside at once (the timeline)": overlap <= LIMIT,
        f"{LIMIT} workers did run at the same time": overlap == LIMIT and highest.value == LIMIT,
        f"the run took at least {batches} rounds of {HOLD} s": total >= batches * HOLD,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    print("\n```mermaid")
    print("gantt")
    print(f"    title Semaphore({LIMIT}): who was inside when (ms)")
    print("    dateFormat x")
    print("    axisFormat %S.%L s")
    for n, (start, end) in enumerate(intervals):
        print(f"    worker {n} : {round(start * 1000)}, {round(end * 1000)}")
    print("```")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
