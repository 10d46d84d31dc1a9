"""How much a Linux pipe holds before a writer waits, and which writes are atomic (PIPE_BUF).

Needs Linux (F_GETPIPE_SZ, F_SETPIPE_SZ): python3 pipe_capacity.py
Writes are non-blocking, so a full pipe answers at once with EAGAIN (BlockingIOError) instead of waiting.
"""

import fcntl
import os
import platform
import select
import sys
from pathlib import Path


def fill(write_end: int) -> int:
    """Write 1 KiB at a time until the pipe is full; return how many bytes it took."""
    total = 0
    while True:
        try:
            total += os.write(write_end, b"x" * 1024)
        except BlockingIOError:
            return total


def main() -> int:
    max_size = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    soft_pages = int(Path("/proc/sys/fs/pipe-user-pages-soft").read_text())
    print(f"Linux {platform.release()}, Python {platform.python_version()}")
    print(f"PIPE_BUF (select.PIPE_BUF) = {select.PIPE_BUF}; fs.pipe-max-size = {max_size}; "
          f"fs.pipe-user-pages-soft = {soft_pages} pages\n")

    read_end, write_end = os.pipe2(os.O_NONBLOCK)
    try:
        default = fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ)
        held = fill(write_end)
        print(f"new pipe: F_GETPIPE_SZ = {default}; it held {held} bytes before a write got EAGAIN")

        os.read(read_end, held)  # empty it, then leave exactly 1000 bytes of room
        os.write(write_end, b"x" * (held - 1000))
        try:
            small = os.write(write_end, b"y" * 2000)
        except BlockingIOError:
            small = "EAGAIN"
        try:
            split = os.write(write_end, b"w" * 5000)  # same 1000 bytes of room, but over PIPE_BUF
        except BlockingIOError:
            split = "EAGAIN"
        os.read(read_end, held)

        os.write(write_end, b"x" * (held - 4096))  # 15 full pages: room for one more page
        try:
            large = os.write(write_end, b"z" * 8192)
        except BlockingIOError:
            large = "EAGAIN"
        print(f"with 1000 bytes of room, a 2000-byte write (<= PIPE_BUF) -> {small}")
        print(f"with 1000 bytes of room, a 5000-byte write (> PIPE_BUF) -> {split}")
        print(f"with 4096 bytes of room, an 8192-byte write (> PIPE_BUF) -> {large}")
        os.read(read_end, held)

        bigger = fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 1024 * 1024)
        held_after = fill(write_end)
        print(f"after F_SETPIPE_SZ(1 MiB): F_GETPIPE_SZ = {bigger}; it held {held_after} bytes")
    finally:
        os.close(read_end)
        os.close(write_end)

    checks = {
        "a new pipe holds 65536 bytes (64 KiB) by default": default == held == 65536,
        "PIPE_BUF is 4096 on Linux": select.PIPE_BUF == 4096,
        "a write of up to PIPE_BUF bytes is all or nothing: EAGAIN, not a part": small == "EAGAIN",
        "a write over PIPE_BUF may be partial: part of the 5000 bytes, and 4096 of 8192, went in": (
            isinstance(split, int) and 0 < split < 5000 and large == 4096),
        "F_SETPIPE_SZ raised the capacity to 1 MiB (fs.pipe-max-size allows it)": bigger == held_after == 1024 * 1024,
    }
    print()
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
