"""Topic 9: each Unix IPC demo, as published, shows what the page says it shows."""

from __future__ import annotations

import re


def rows_of(out: str) -> dict[str, list[str]]:
    """The benchmark's table: {mechanism: [six numbers as text]}."""
    rows = {}
    for line in out.splitlines():
        match = re.match(r"^(pipe|Unix socket|TCP loopback|shared memory|multiprocessing\.Queue)\s+([\d,.\s]+)$", line)
        if match:
            rows[match.group(1)] = match.group(2).split()
    return rows


def test_each_mechanism_moves_a_message_between_two_processes(published):
    out = published("unix_ipc/each_mechanism.py")
    assert re.search(r"multiprocessing\.Pipe\(\)\s+inherited fd \(fork\)\s+socket\s+pong to ping", out)
    assert re.search(r"multiprocessing\.Pipe\(duplex=False\)\s+inherited fd \(fork\)\s+FIFO \(pipe\)", out)
    assert re.search(r"os\.pipe\(\)\s+inherited fd \(fork\)\s+FIFO \(pipe\)\s+hello from pid \d+", out)
    assert re.search(r"multiprocessing\.Queue\s+inherited \(fork\)\s+FIFO \(pipe\)\s+hello from pid \d+", out)
    assert re.search(r"signal \(os\.kill\)\s+the target's pid\s+-\s+SIGUSR1 from pid \d+", out)
    senders = re.findall(r"hello from pid (\d+)", out)
    assert len(senders) == 9 and len(set(senders)) == 9, "nine messages, each from a different process"
    parent = re.search(r"This process: pid (\d+)", out).group(1)
    assert parent not in senders
    assert re.search(r"FIFO, os\.mkfifo\(\)\s+path in the file system\s+FIFO \(pipe\)", out)
    assert re.search(r"Unix socket, abstract name\s+name \(no file\)", out)
    assert "yes  Unix socket (abstract): the message arrived; /proc/net/unix listed the name with '@'" in out
    assert "NO " not in out and out.count("\nyes  ") == 14


def test_a_new_pipe_holds_64_kib_and_only_writes_up_to_pipe_buf_are_all_or_nothing(published):
    out = published("unix_ipc/pipe_capacity.py")
    assert "PIPE_BUF (select.PIPE_BUF) = 4096" in out
    assert "new pipe: F_GETPIPE_SZ = 65536; it held 65536 bytes" in out
    assert "a 2000-byte write (<= PIPE_BUF) -> EAGAIN" in out
    assert "an 8192-byte write (> PIPE_BUF) -> 4096" in out
    partial = int(re.search(r"a 5000-byte write \(> PIPE_BUF\) -> (\d+)", out).group(1))
    assert 0 < partial < 5000, "a write over PIPE_BUF went in partly"
    assert "F_GETPIPE_SZ = 1048576; it held 1048576 bytes" in out
    assert "NO " not in out and out.count("\nyes  ") == 5


def test_lock_free_total_is_wrong_and_locked_total_is_right(published):
    out = published("unix_ipc/shared_counter_race.py")
    expected = int(re.search(r"the right total is (\d+)", out).group(1))
    totals = dict(re.findall(r"^(.+?)\s+(\d+)\s+\d+$", out, re.MULTILINE))
    unlocked = int(totals["Value('i', 0, lock=False), no lock"])
    untaken = int(totals["Value('i', 0) (has a lock), not taken"])
    locked = int(totals["Value('i', 0), with counter.get_lock()"])
    assert unlocked < expected, "without a lock, updates are lost"
    assert untaken < expected, "a Value's own lock does not cover a read-then-write"
    assert locked == expected
    assert "NO " not in out and out.count("\nyes  ") == 3


def test_semaphore_lets_at_most_two_workers_in_at_once(published, published_diagrams):
    out = published("unix_ipc/semaphore_limit.py")
    intervals = [(float(a), float(b)) for a, b in re.findall(r"^worker \d\s+([\d.]+)-\s*([\d.]+) s", out, re.MULTILINE)]
    assert len(intervals) == 6
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = most = 0
    for _, change in events:
        running += change
        most = max(most, running)
    assert most == 2, "the printed timeline never shows more than two inside"
    assert "most inside at once: 2 (counted under a lock), 2 (from the times)" in out
    assert "NO " not in out and out.count("\nyes  ") == 4
    (gantt,) = published_diagrams("unix_ipc/semaphore_limit.py")
    assert gantt.startswith("gantt") and gantt.count("worker ") == 6


def test_standard_signals_merge_and_real_time_signals_queue(published):
    out = published("unix_ipc/signals_do_not_queue.py")
    assert re.search(r"^SIGUSR1\s+5\s+1$", out, re.MULTILINE)
    assert re.search(r"^SIGRTMIN\s+5\s+5$", out, re.MULTILINE)
    assert "NO " not in out and out.count("\nyes  ") == 4


def test_benchmark_orders_the_page_states(published, published_diagrams):
    out = published("unix_ipc/ipc_benchmark.py")
    assert re.search(r"^Machine: \d+ CPUs \(.*\), Linux \S+, Python 3\.\d+\.\d+$", out, re.MULTILINE)
    assert "Measured on the build machine" in out
    rows = rows_of(out)
    assert set(rows) == {"pipe", "Unix socket", "TCP loopback", "shared memory", "multiprocessing.Queue"}
    rate = {k: [float(v.replace(",", "")) for v in values[:3]] for k, values in rows.items()}  # 64 B, 4 KiB, 64 KiB
    trip = {k: [float(v) for v in values[3:]] for k, values in rows.items()}
    assert all(r[2] > 4 * r[0] for r in rate.values())
    assert rate["Unix socket"][2] > rate["TCP loopback"][2]
    assert rate["pipe"][0] > 2 * rate["multiprocessing.Queue"][0]
    assert rate["pipe"][0] > rate["shared memory"][0]
    for size in range(3):
        assert rate["multiprocessing.Queue"][size] == min(r[size] for r in rate.values())
    assert trip["TCP loopback"][0] > trip["pipe"][0]
    assert trip["multiprocessing.Queue"][0] > 3 * trip["pipe"][0]
    assert rate["TCP loopback"][0] > rate["Unix socket"][0], "at 64 B, TCP moved more bytes per CPU-second"
    assert trip["TCP loopback"][0] > trip["Unix socket"][0], "yet its 64 B round trip was longer"
    assert "both on that one CPU" in out and "CONFIG_IRQ_TIME_ACCOUNTING" in out
    assert "NO " not in out and out.count("\nyes  ") == 9
    throughput, latency = published_diagrams("unix_ipc/ipc_benchmark.py")
    assert throughput.startswith("xychart-beta") and "MB per CPU-second, one shared CPU" in throughput
    assert latency.startswith("xychart-beta") and "microseconds" in latency and "one CPU" in latency
