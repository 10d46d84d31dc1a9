"""Send a process five SIGUSR1 and five SIGRTMIN while it blocks them: one SIGUSR1 arrives, five SIGRTMIN.

Needs Linux (real-time signals, sigtimedwait): python3 signals_do_not_queue.py
The receiver takes the signals with signal.sigtimedwait(), one at a time, as the kernel hands them
over; a Python signal handler would not do for counting (see the page).
"""

import multiprocessing
import os
import platform
import signal
import sys

SENT = 5
WATCHED = {signal.SIGUSR1, signal.SIGRTMIN}


def receiver(ready, go, results) -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)  # blocked signals wait as "pending"
    ready.set()
    go.wait()
    pending = signal.sigpending()
    counts = {signal.SIGUSR1: 0, signal.SIGRTMIN: 0}
    while (info := signal.sigtimedwait(WATCHED, 0)) is not None:  # take one; None when none is left
        counts[info.si_signo] += 1
    results[0], results[1] = counts[signal.SIGUSR1], counts[signal.SIGRTMIN]
    results[2] = int(signal.SIGUSR1 in pending and signal.SIGRTMIN in pending)


def main() -> int:
    fork = multiprocessing.get_context("fork")
    ready, go, results = fork.Event(), fork.Event(), fork.Array("i", 3)
    child = fork.Process(target=receiver, args=(ready, go, results))
    child.start()
    ready.wait(5)
    for _ in range(SENT):
        os.kill(child.pid, signal.SIGUSR1)
        os.kill(child.pid, signal.SIGRTMIN)
    go.set()
    child.join(5)
    usr1, rtmin, both_pending = results[:]

    print(f"Linux {platform.release()}, Python {platform.python_version()}; SIGRTMIN = {int(signal.SIGRTMIN)}")
    print(f"sent {SENT} x SIGUSR1 and {SENT} x SIGRTMIN to pid {child.pid} while it blocked both\n")
    print(f"{'signal':<10} {'sent':>4} {'received':>8}")
    print(f"{'SIGUSR1':<10} {SENT:>4} {usr1:>8}")
    print(f"{'SIGRTMIN':<10} {SENT:>4} {rtmin:>8}")

    checks = {
        "both were pending while blocked": both_pending == 1,
        "SIGUSR1 (a standard signal) arrived once: the other four merged into it": usr1 == 1,
        f"SIGRTMIN (a real-time signal) arrived {SENT} times: each one was queued": rtmin == SENT,
        "the receiver exited normally": child.exitcode == 0,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
