"""The first process of a demo's sandbox: start the demo, wait for it, report what it left running.

    python3 sandbox_init.py namespace|subreaper REPORT_FILE COMMAND...

namespace: run by demo_runner.py under `unshare --user --net --pid --fork --kill-child --mount-proc`,
    so this is PID 1 of a new PID namespace with a network namespace of its own. It brings up the
    loopback interface (a new network namespace starts with `lo` down), runs the demo, and lists
    the processes still alive when the demo has exited. When this process ends, the kernel kills
    every other process in the namespace, daemons that called setsid() included.
subreaper: for Linux without unprivileged user namespaces. It marks itself a child subreaper
    (prctl PR_SET_CHILD_SUBREAPER), so processes that the demo orphans, even in a new session,
    become its children instead of init's; it finds them there, kills them and reports them.
    SIGTERM (sent by the runner on a timeout or Ctrl-C) kills the demo's whole tree the same way.

Standard library only: this file runs with the same Python as the demos.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1  # linux/sockios.h, linux/if.h


def bring_up_loopback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid and state != "Z":
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found, pending = [], children_of(pid)
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(children_of(child))
    return found


def describe(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = "?"
    return command[:120]


def reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_tree(me: int) -> list[str]:
    """Kill every descendant of this process; describe each one killed."""
    reap()
    left = descendants(me)
    described = [describe(pid) for pid in left]
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    reap()
    return described


def main() -> int:
    mode, report, command = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    me = os.getpid()
    if mode == "namespace":
        bring_up_loopback()
    else:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)

        def stop(signum: int, frame: object) -> None:
            kill_tree(me)
            sys.exit(128 + signum)

        signal.signal(signal.SIGTERM, stop)
    demo = subprocess.Popen(command)
    returncode = demo.wait()
    left = kill_tree(me)
    if left:
        report.write_text("; ".join(left))
    return returncode if returncode >= 0 else 128 - returncode


if __name__ == "__main__":
    sys.exit(main())
