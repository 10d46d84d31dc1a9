"""Measure CPU cost per byte (MB per CPU-second) and round-trip latency (µs) of five IPC mechanisms.

Needs Linux (it forks, and uses POSIX shared memory in /dev/shm): python3 ipc_benchmark.py
Mechanisms: os.pipe, a Unix stream socket, TCP on 127.0.0.1, multiprocessing.shared_memory with
two semaphores, and multiprocessing.Queue. Message sizes: 64 B, 4 KiB and 64 KiB. Both processes
run on one shared CPU; throughput is bytes per second of CPU time both used (a cost per byte, not
two-core throughput); latency is a wall-clock median of round trips on that one CPU.
Every figure is the best of a few runs; absolute numbers depend on the machine, only orders are checked.
"""

import gzip
import multiprocessing
import os
import platform
import socket
import statistics
import sys
import time
from multiprocessing import shared_memory

SIZES = (64, 4096, 65536)
MESSAGES = {64: 12_000, 4096: 5_000, 65536: 1_000}  # per throughput run: about 0.8 MB, 20 MB, 66 MB
ROUND_TRIPS = 400  # per latency run
RUNS = 5  # each figure is the best of this many runs
SLOTS = 8  # shared-memory ring: how many messages may be in flight
MB = 1_000_000

fork = multiprocessing.get_context("fork")  # children inherit the channels directly
# Both processes run on one CPU, so the figures compare the mechanisms, not where the scheduler put
# each process: a wake-up on another CPU costs an inter-processor interrupt (dear in a VM), and
# runs without pinning swung by 10x on the build machine.
CPU = max(os.sched_getaffinity(0))


def size_name(size: int) -> str:
    return f"{size} B" if size < 1024 else f"{size // 1024} KiB"


class StreamEnd:
    """One end of a byte stream: a socket, or a pair of pipe fds (one to read, one to write)."""

    def __init__(self, read_fd: int, write_fd: int):
        self.read_fd, self.write_fd = read_fd, write_fd

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.write_fd, view):]

    def recv(self, size: int, buffer: bytearray) -> None:
        view, got = memoryview(buffer), 0
        while got < size:
            n = os.readv(self.read_fd, [view[got:size]])
            if n == 0:
                raise EOFError("the other process closed its end")
            got += n


class ShmRing:
    """A one-way ring of SLOTS messages in a shared-memory block; two semaphores count free and full slots."""

    def __init__(self, slot_size: int):
        self.block = shared_memory.SharedMemory(create=True, size=SLOTS * slot_size)
        self.slot_size = slot_size
        self.free, self.full = fork.Semaphore(SLOTS), fork.Semaphore(0)
        self.index = 0  # each process keeps its own position: one writer, one reader

    def send(self, data: bytes) -> None:
        self.free.acquire()
        start = (self.index % SLOTS) * self.slot_size
        self.block.buf[start:start + len(data)] = data
        self.index += 1
        self.full.release()

    def recv(self, size: int, buffer: bytearray) -> None:
        self.full.acquire()
        start = (self.index % SLOTS) * self.slot_size
        buffer[:size] = self.block.buf[start:start + size]  # copy out, as a pipe's read does
        self.index += 1
        self.free.release()


class QueueEnd:
    def __init__(self, inbox, outbox):
        self.inbox, self.outbox = inbox, outbox

    def send(self, data: bytes) -> None:
        self.outbox.put(data)

    def recv(self, size: int, buffer: bytearray) -> None:
        buffer[:size] = self.inbox.get()


def cpu_ns(pid: int) -> int:
    """Nanoseconds of CPU the process has used, all its threads together (/proc/<pid>/task/*/schedstat)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as schedstat:
                total += int(schedstat.read().split()[0])
        except FileNotFoundError:  # a thread that just ended
            pass
    return total


def irq_time_accounting() -> str:
    """Whether this kernel counts interrupt and softirq time apart from tasks (/proc/config.gz, if present)."""
    try:
        with gzip.open("/proc/config.gz", "rt") as config:
            for line in config:
                if line.startswith(("CONFIG_IRQ_TIME_ACCOUNTING=", "# CONFIG_IRQ_TIME_ACCOUNTING ")):
                    return "set" if line.endswith("=y\n") else "not set"
        return "not set"
    except OSError:
        return "unknown (no /proc/config.gz)"


def make_channel(kind: str):
    """Return (parent_end, child_end, cleanup) for one mechanism."""
    if kind == "pipe":
        down_r, down_w = os.pipe()  # parent -> child
        up_r, up_w = os.pipe()  # child -> parent
        fds = (down_r, down_w, up_r, up_w)
        return StreamEnd(up_r, down_w), StreamEnd(down_r, up_w), lambda: [os.close(fd) for fd in fds]
    if kind == "Unix socket":
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        return StreamEnd(a.fileno(), a.fileno()), StreamEnd(b.fileno(), b.fileno()), lambda: (a.close(), b.close())
    if kind == "TCP loopback":
        with socket.create_server(("127.0.0.1", 0)) as server:
            a = socket.create_connection(server.getsockname())
            b, _ = server.accept()
        for sock in (a, b):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delay on small messages
        return StreamEnd(a.fileno(), a.fileno()), StreamEnd(b.fileno(), b.fileno()), lambda: (a.close(), b.close())
    if kind == "shared memory":
        down, up = ShmRing(max(SIZES)), ShmRing(max(SIZES))

        class End:
            def __init__(self, inbox, outbox):
                self.recv, self.send = inbox.recv, outbox.send

        def cleanup():
            for ring in (down, up):
                ring.block.close()
                ring.block.unlink()

        return End(up, down), End(down, up), cleanup
    if kind == "multiprocessing.Queue":
        down, up = fork.Queue(), fork.Queue()

        def cleanup():
            for queue in (down, up):
                queue.close()
                queue.join_thread()  # the feeder thread has flushed and ended

        return QueueEnd(up, down), QueueEnd(down, up), cleanup
    raise ValueError(kind)


def child(end) -> None:
    """Run the child's half of every measurement, in the same order as the parent."""
    os.sched_setaffinity(0, {CPU})
    buffer = bytearray(max(SIZES))
    for size in SIZES:
        message = b"x" * size
        for _ in range(RUNS):
            end.recv(1, buffer)  # "go"
            for _ in range(MESSAGES[size]):
                end.send(message)
            for _ in range(ROUND_TRIPS):
                end.recv(size, buffer)
                end.send(message)
    if hasattr(end, "outbox"):
        end.outbox.close()
        end.outbox.join_thread()


def measure(kind: str) -> dict[int, tuple[float, float]]:
    """{size: (best MB/s, best median round trip in µs)} for one mechanism."""
    parent_end, child_end, cleanup = make_channel(kind)
    process = fork.Process(target=child, args=(child_end,))
    process.start()
    results = {}
    buffer = bytearray(max(SIZES))
    try:
        for size in SIZES:
            message = b"x" * size
            rates, medians = [], []
            for _ in range(RUNS):
                start = cpu_ns(os.getpid()) + cpu_ns(process.pid)
                parent_end.send(b"g")
                for _ in range(MESSAGES[size]):
                    parent_end.recv(size, buffer)
                used = cpu_ns(os.getpid()) + cpu_ns(process.pid) - start
                rates.append(MESSAGES[size] * size / (used / 1e9) / MB)
                trips = []
                for _ in range(ROUND_TRIPS):
                    sent = time.perf_counter_ns()
                    parent_end.send(message)
                    parent_end.recv(size, buffer)
                    trips.append(time.perf_counter_ns() - sent)
                medians.append(statistics.median(trips) / 1000)
            results[size] = (max(rates), min(medians))
        process.join(10)
    finally:
        if process.is_alive():
            process.kill()
            process.join()
        cleanup()
    if process.exitcode != 0:
        raise RuntimeError(f"{kind}: the child exited with {process.exitcode}")
    return results


def cpu_model() -> str:
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


def stop_resource_tracker() -> None:
    """End the helper process multiprocessing started when the first SharedMemory block was made.

    It would end by itself once this process exits; ending it here leaves nothing running.
    _stop() is private (CPython Lib/multiprocessing/resource_tracker.py), hence the getattr.
    """
    from multiprocessing import resource_tracker

    getattr(resource_tracker._resource_tracker, "_stop", lambda: None)()


def main() -> int:
    kinds = ("pipe", "Unix socket", "TCP loopback", "shared memory", "multiprocessing.Queue")
    print(f"Machine: {os.cpu_count()} CPUs ({cpu_model()}), Linux {platform.release()}, "
          f"Python {platform.python_version()}")
    print(f"Both processes pinned to CPU {CPU}. Measured on the build machine; best of {RUNS} runs.")
    print("Throughput: MB moved per second of CPU time the two processes used, both on that one CPU: a cost")
    print("per byte, not what two cores would move. CPU time as the scheduler counts it (schedstat); whether")
    print("interrupt and softirq time (TCP's receive path) is in it depends on CONFIG_IRQ_TIME_ACCOUNTING,")
    print(f"which on this kernel is {irq_time_accounting()}.")
    print(f"One process sends {', '.join(f'{MESSAGES[s]} x {size_name(s)}' for s in SIZES)};")
    print(f"latency: median of {ROUND_TRIPS} round trips by the clock (send a message, get one of the same size")
    print("back); on one CPU each round trip includes two switches between the processes.\n")
    started = time.monotonic()
    os.sched_setaffinity(0, {CPU})
    try:
        results = {kind: measure(kind) for kind in kinds}
    finally:
        stop_resource_tracker()

    header = f"{'mechanism':<22}" + "".join(f"{size_name(s) + ' MB/CPU-s':>17}" for s in SIZES)
    header += "".join(f"{size_name(s) + ' µs':>12}" for s in SIZES)
    print(header)
    for kind in kinds:
        row = f"{kind:<22}" + "".join(f"{results[kind][s][0]:>17,.0f}" for s in SIZES)
        print(row + "".join(f"{results[kind][s][1]:>12.1f}" for s in SIZES))
    print(f"\n(all measurements took {time.monotonic() - started:.1f} s)")

    rate = {kind: {s: results[kind][s][0] for s in SIZES} for kind in kinds}
    trip = {kind: {s: results[kind][s][1] for s in SIZES} for kind in kinds}
    big, small = max(SIZES), min(SIZES)
    checks = {
        "every mechanism moved over 4x more MB per CPU-second in 64 KiB messages than in 64 B ones": all(
            rate[k][big] > 4 * rate[k][small] for k in kinds),
        "a Unix socket moved 64 KiB messages with less CPU per byte than TCP loopback": rate["Unix socket"][big]
        > rate["TCP loopback"][big],
        "a pipe moved 64 B messages with under half the CPU per byte of multiprocessing.Queue": rate["pipe"][small]
        > 2 * rate["multiprocessing.Queue"][small],
        "a pipe moved 64 B messages with less CPU per byte than shared memory (four semaphore operations a message)": (
            rate["pipe"][small] > rate["shared memory"][small]),
        "multiprocessing.Queue moved the fewest MB per CPU-second in 64 B and 4 KiB messages": all(
            rate["multiprocessing.Queue"][s] < min(rate[k][s] for k in kinds if k != "multiprocessing.Queue")
            for s in SIZES if s != big),
        "a 64 B round trip took longer over TCP loopback than over a pipe": trip["TCP loopback"][small]
        > trip["pipe"][small],
        "TCP loopback moved 64 B messages with less CPU per byte than a Unix socket": rate["TCP loopback"][small]
        > rate["Unix socket"][small],
        "yet a 64 B round trip took longer over TCP loopback than over a Unix socket": trip["TCP loopback"][small]
        > trip["Unix socket"][small],
        "a 64 B round trip took over 3x longer through multiprocessing.Queue than through a pipe": trip[
            "multiprocessing.Queue"][small] > 3 * trip["pipe"][small],
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")

    def chart(title: str, axis: str, values: list[float]) -> None:
        print("\n```mermaid")
        print("xychart-beta")
        print(f'    title "{title}"')
        print("    x-axis [" + ", ".join(f'"{k.replace("multiprocessing.", "mp.")}"' for k in kinds) + "]")
        print(f'    y-axis "{axis}" 0 --> {max(values) * 1.1:.0f}')
        print("    bar [" + ", ".join(f"{v:.1f}" for v in values) + "]")
        print("```")

    chart("64 KiB messages: MB per CPU-second, one shared CPU (measured)", "MB per CPU-second", [rate[k][big] for k in kinds])
    chart("64 B round trip, both processes on one CPU (measured)", "microseconds", [trip[k][small] for k in kinds])
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
