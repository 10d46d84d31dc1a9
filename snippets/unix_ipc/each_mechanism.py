"""Move one message between two real processes through each IPC mechanism, and say what the kernel saw.

Needs Linux (abstract Unix sockets, SO_PEERCRED, sigtimedwait): python3 each_mechanism.py
Files, the FIFO and the socket path live in a temporary folder that is removed at the end.
"""

import mmap
import multiprocessing
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
from multiprocessing import shared_memory
from pathlib import Path

fork = multiprocessing.get_context("fork")
MESSAGE = b"hello from pid "


def kind_of(fd_or_path) -> str:
    mode = os.stat(fd_or_path).st_mode
    return "FIFO (pipe)" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "regular file"


def run_unrelated(code: str, *args: str) -> subprocess.Popen:
    """A fresh interpreter that inherits no descriptors (close_fds): it knows only what argv tells it."""
    return subprocess.Popen([sys.executable, "-c", code, *args], close_fds=True)


def via_os_pipe(rows, checks) -> None:
    read_end, write_end = os.pipe()
    kind = kind_of(read_end)
    child = fork.Process(target=lambda: os.write(write_end, MESSAGE + str(os.getpid()).encode()))
    child.start()
    os.close(write_end)  # keep no write end here, so read() sees end-of-file once the child is done
    with os.fdopen(read_end, "rb") as reader:
        got = reader.read()
    child.join()
    rows.append(("os.pipe()", "inherited fd (fork)", kind, got))
    checks["os.pipe(): the child's message arrived, then end-of-file"] = (
        got == MESSAGE + str(child.pid).encode() and kind == "FIFO (pipe)")


def via_multiprocessing_pipe(rows, checks) -> None:
    here, there = fork.Pipe()  # duplex=True by default: a socketpair
    one_way_reader, one_way_writer = fork.Pipe(duplex=False)  # an os.pipe()

    def echo():
        there.send(b"pong to " + there.recv())

    child = fork.Process(target=echo)
    child.start()
    here.send(b"ping")
    got = here.recv()
    child.join()
    rows.append(("multiprocessing.Pipe()", "inherited fd (fork)", kind_of(here.fileno()), got))
    rows.append(("multiprocessing.Pipe(duplex=False)", "inherited fd (fork)", kind_of(one_way_reader.fileno()), b"-"))
    try:
        one_way_reader.send(b"x")
        refused = False
    except OSError:
        refused = True
    checks["Pipe() is two-way: ping went down, pong came back, over a socketpair"] = (
        got == b"pong to ping" and kind_of(here.fileno()) == "socket")
    checks["Pipe(duplex=False) is an os.pipe(); send() on its reading end raises OSError"] = (
        kind_of(one_way_reader.fileno()) == "FIFO (pipe)" and refused)
    for conn in (here, there, one_way_reader, one_way_writer):
        conn.close()


def via_fifo(folder: Path, rows, checks) -> None:
    path = folder / "demo.fifo"
    os.mkfifo(path)
    writer = run_unrelated(
        "import os, sys\n"
        "with open(sys.argv[1], 'wb') as f: f.write(b'hello from pid ' + str(os.getpid()).encode())",
        str(path))
    with open(path, "rb") as fifo:  # blocks until the writer opens its end (fifo(7))
        got = fifo.read()
    writer.wait(5)
    rows.append(("FIFO, os.mkfifo()", "path in the file system", kind_of(path), got))
    path.unlink()
    checks["FIFO: an unrelated process found it by path and wrote"] = got == MESSAGE + str(writer.pid).encode()


SOCKET_CLIENT = (
    "import os, socket, sys\n"
    "family = socket.AF_INET if sys.argv[1] == 'tcp' else socket.AF_UNIX\n"
    "address = ('127.0.0.1', int(sys.argv[2])) if sys.argv[1] == 'tcp' else sys.argv[2].replace('@', chr(0), 1)\n"
    "with socket.socket(family) as s:\n"
    "    s.connect(address)\n"
    "    s.sendall(b'hello from pid ' + str(os.getpid()).encode())\n"
)


def receive_one(server: socket.socket, client: subprocess.Popen) -> tuple[bytes, int | None]:
    connection, _ = server.accept()
    with connection:
        peer_pid = None
        if connection.family == socket.AF_UNIX:  # unix(7): the kernel vouches for the peer's pid, uid, gid
            creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            peer_pid = struct.unpack("3i", creds)[0]
        chunks = []
        while chunk := connection.recv(4096):
            chunks.append(chunk)
    client.wait(5)
    return b"".join(chunks), peer_pid


def via_sockets(folder: Path, rows, checks) -> None:
    path = folder / "demo.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen()
        client = run_unrelated(SOCKET_CLIENT, "unix", str(path))
        got, peer = receive_one(server, client)
    rows.append(("Unix socket, path", "path in the file system", kind_of(path), got))
    file_stays = path.exists()
    path.unlink()
    checks["Unix socket (path): the message arrived; SO_PEERCRED named the sender's pid"] = (
        got == MESSAGE + str(client.pid).encode() and peer == client.pid)
    checks["the socket file stays after close(): the server must unlink it"] = file_stays

    name = f"@network-essentials-{os.getpid()}"  # '@' stands for the leading NUL byte
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(name.replace("@", "\0", 1))
        server.listen()
        # proc(5): /proc/net/unix lists an abstract address with '@' in place of the NUL byte
        listed = name in Path("/proc/net/unix").read_text().split()
        client = run_unrelated(SOCKET_CLIENT, "unix", name)
        got, peer = receive_one(server, client)
    rows.append(("Unix socket, abstract name", "name (no file)", "-", got))
    checks["Unix socket (abstract): the message arrived; /proc/net/unix listed the name with '@'"] = (
        got == MESSAGE + str(client.pid).encode() and peer == client.pid and listed)

    with socket.create_server(("127.0.0.1", 0)) as server:
        client = run_unrelated(SOCKET_CLIENT, "tcp", str(server.getsockname()[1]))
        got, _ = receive_one(server, client)
    rows.append(("TCP, 127.0.0.1", "address and port", "socket", got))
    checks["TCP loopback: the message arrived"] = got == MESSAGE + str(client.pid).encode()


def via_shared_memory(rows, checks) -> None:
    block = shared_memory.SharedMemory(create=True, size=64)
    try:
        lock = fork.Lock()

        def write(name: str) -> None:
            other = shared_memory.SharedMemory(name=name)  # attach by name, as any process could
            data = MESSAGE + str(os.getpid()).encode()
            with lock:
                other.buf[:len(data)] = data
            other.close()

        child = fork.Process(target=write, args=(block.name,))
        child.start()
        child.join()
        with lock:
            got = bytes(block.buf).rstrip(b"\0")
        rows.append(("shared_memory.SharedMemory", f"name /dev/shm/{block.name}", "shared pages", got))
        checks["SharedMemory: the bytes the child wrote by name were in this block"] = (
            got == MESSAGE + str(child.pid).encode())
    finally:
        block.close()
        block.unlink()


def via_value_and_array(rows, checks) -> None:
    text = fork.Array("c", 64)  # shared memory with a lock of its own

    def write():
        text.value = MESSAGE + str(os.getpid()).encode()

    child = fork.Process(target=write)
    child.start()
    child.join()
    rows.append(("multiprocessing.Array", "inherited (fork)", "shared pages", text.value))
    checks["Array: the child's bytes were there"] = text.value == MESSAGE + str(child.pid).encode()


def via_queue(rows, checks) -> None:
    queue = fork.Queue()

    def put():
        queue.put(MESSAGE + str(os.getpid()).encode())
        queue.put([t.name for t in threading.enumerate()])  # put() handed both to a thread

    child = fork.Process(target=put)
    child.start()
    got, threads = queue.get(timeout=5), queue.get(timeout=5)
    child.join()
    rows.append(("multiprocessing.Queue", "inherited (fork)", kind_of(queue._reader.fileno()), got))
    checks["Queue: the message arrived through an os.pipe()"] = (
        got == MESSAGE + str(child.pid).encode() and kind_of(queue._reader.fileno()) == "FIFO (pipe)")
    checks["Queue: the putting process ran a QueueFeederThread"] = "QueueFeederThread" in threads
    queue.close()
    queue.join_thread()


def via_mmap(folder: Path, rows, checks) -> None:
    path = folder / "demo.map"
    path.write_bytes(b"\0" * mmap.PAGESIZE)
    with open(path, "r+b") as file, mmap.mmap(file.fileno(), 0) as mapped:  # MAP_SHARED is the default
        writer = run_unrelated(
            "import mmap, os, sys\n"
            "with open(sys.argv[1], 'r+b') as f, mmap.mmap(f.fileno(), 0) as m:\n"
            "    data = b'hello from pid ' + str(os.getpid()).encode()\n"
            "    m[:len(data)] = data\n",
            str(path))
        writer.wait(5)
        got = mapped[:64].rstrip(b"\0")  # read from this process's own mapping, no read() call
    path.unlink()
    rows.append(("mmap of a file", "path in the file system", "regular file", got))
    checks["mmap: an unrelated process's write showed up in this process's mapping"] = (
        got == MESSAGE + str(writer.pid).encode())


def via_signal(rows, checks) -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # keep it pending until sigtimedwait
    try:
        sender = run_unrelated("import os, signal, sys\nos.kill(int(sys.argv[1]), signal.SIGUSR1)", str(os.getpid()))
        info = signal.sigtimedwait({signal.SIGUSR1}, 5)
        sender.wait(5)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
    got = f"SIGUSR1 from pid {info.si_pid}".encode() if info else b"(none)"
    rows.append(("signal (os.kill)", "the target's pid", "-", got))
    checks["signal: SIGUSR1 arrived, and sigtimedwait() named the sender's pid"] = (
        info is not None and info.si_signo == signal.SIGUSR1 and info.si_pid == sender.pid)


def main() -> int:
    rows: list[tuple[str, str, str, bytes]] = []
    checks: dict[str, bool] = {}
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        try:
            via_os_pipe(rows, checks)
            via_multiprocessing_pipe(rows, checks)
            via_fifo(folder, rows, checks)
            via_sockets(folder, rows, checks)
            via_shared_memory(rows, checks)
            via_value_and_array(rows, checks)
            via_queue(rows, checks)
            via_mmap(folder, rows, checks)
            via_signal(rows, checks)
        finally:
            stop_resource_tracker()
    print(f"This process: pid {os.getpid()}. Each message names the process that sent it.\n")
    print(f"{'mechanism':<36} {'how the other process found it':<34} {'kernel object':<14} received")
    for mechanism, found_by, kernel_object, got in rows:
        print(f"{mechanism:<36} {found_by:<34} {kernel_object:<14} {got.decode()}")
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


def stop_resource_tracker() -> None:
    """End the helper process multiprocessing started for the SharedMemory block (it would end at exit)."""
    from multiprocessing import resource_tracker

    getattr(resource_tracker._resource_tracker, "_stop", lambda: None)()


if __name__ == "__main__":
    sys.exit(main())
