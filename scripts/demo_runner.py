"""Run one demo the way the site publishes it: contained, time-limited, checked. No MkDocs here.

The build hook (scripts/hooks/demos.py), the tests and scripts/run_demo.py all call `run_demo()`,
so what a test checks is what a page shows.

A demo runs as `python3 -W default::ResourceWarning <file>` in an empty working directory, with
stdin closed. Where Linux lets an ordinary user create namespaces, it runs in its own user,
network and PID namespace (`unshare`), as root inside it: it gets its own loopback and its own
/proc/net counters, it may open raw sockets there (packet capture without root), and every process
it starts dies with it. Elsewhere on Linux it runs in its own process group under a subreaper, which
still finds and kills processes that left the group. On other systems only the process group is
killed (there is no os.killpg on Windows: there, only the demo's own process).

A run fails, with a message that names the demo, when the demo exits non-zero, runs past its
timeout, writes to stderr, prints more than OUTPUT_LIMIT bytes, or leaves files or processes
behind. Output is decoded as UTF-8, with replacement characters for bytes that are not.
"""

from __future__ import annotations

import ast
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_INIT = Path(__file__).resolve().parent / "sandbox_init.py"
DEFAULT_TIMEOUT = 30.0
OUTPUT_LIMIT = 64 * 1024
KNOWN_NEEDS = ("linux", "nginx", "packet-capture", "chromium", "openssl")


class DemoError(Exception):
    """A block that cannot be run at all: a bad path or a bad option."""


@dataclass(frozen=True)
class DemoSpec:
    """What a page asks for: one demo file and its options."""

    path: str  # relative to the project, "snippets/<topic>/<name>.py"
    timeout: float = DEFAULT_TIMEOUT
    alone: bool = False  # measures performance: no other demo may run beside it
    needs: tuple[str, ...] = ()
    root: Path = ROOT  # the project the path is relative to

    @property
    def file(self) -> Path:
        return self.root / self.path

    @classmethod
    def parse(cls, path: str, options: dict[str, str], root: Path = ROOT) -> DemoSpec:
        """Check a block's path and options; raise DemoError saying what is wrong."""
        options = dict(options)
        path = path.strip()
        if "\n" in path or not path:
            raise DemoError("the block's body must be one line: the demo's path, snippets/<topic>/<name>.py")
        if not (path.startswith("snippets/") and path.endswith(".py") and path.count("/") == 2):
            raise DemoError(f"{path!r} is not a demo path of the form snippets/<topic>/<name>.py")
        if not (root / path).is_file():
            raise DemoError(f"{path} does not exist")
        return cls(path, *_parse_options(options), root)

    @classmethod
    def copied(cls, file: Path, options: dict[str, str]) -> DemoSpec:
        """A demo copied out of the project, as a reader runs it: its folder is all it has."""
        file = file.resolve()
        if not file.is_file():
            raise DemoError(f"{file} does not exist")
        return cls(file.name, *_parse_options(dict(options)), file.parent)


def _parse_options(options: dict[str, str]) -> tuple[float, bool, tuple[str, ...]]:
    """A block's options as (timeout, alone, needs); raise DemoError saying what is wrong."""
    timeout_text = options.pop("timeout", str(DEFAULT_TIMEOUT))
    try:
        timeout = float(timeout_text)
    except ValueError:
        raise DemoError(f'timeout="{timeout_text}" is not a number of seconds') from None
    if not 0 < timeout <= 600:
        raise DemoError(f'timeout="{timeout_text}" must be between 0 and 600 seconds')
    alone_text = options.pop("alone", "no")
    if alone_text not in ("yes", "no"):
        raise DemoError(f'alone="{alone_text}" must be "yes" or "no"')
    needs = tuple(options.pop("needs", "").split())
    unknown_needs = [need for need in needs if need not in KNOWN_NEEDS]
    if unknown_needs:
        raise DemoError(f"needs={' '.join(unknown_needs)!r} is not one of: {', '.join(KNOWN_NEEDS)}")
    if options:
        raise DemoError(f"unknown option(s): {', '.join(sorted(options))}; known: timeout, alone, needs")
    return timeout, alone_text == "yes", needs


@dataclass
class DemoResult:
    spec: DemoSpec
    output: str = ""  # what the page shows: stdout, decoded, capped
    problems: list[str] = field(default_factory=list)  # each one fails the build
    missing: list[str] = field(default_factory=list)  # needs this machine lacks: the demo did not run
    seconds: float = 0.0
    stderr: str = ""
    cached: bool = False  # from .cache/demos/ (mkdocs serve), not run this time

    @property
    def ok(self) -> bool:
        return not self.problems and not self.missing


# ---- what this machine offers ---------------------------------------------------------------


_unshare_failure = ""  # why the namespace probe failed, for the build log


@functools.cache
def containment() -> str:
    """"namespaces", "subreaper" (Linux without unprivileged namespaces) or "process group".

    DEMO_CONTAINMENT=subreaper (or "process group") chooses a weaker kind, for tests and for readers
    who want the demos to see the host's network.
    """
    global _unshare_failure
    chosen = os.environ.get("DEMO_CONTAINMENT")
    if chosen in ("subreaper", "process group") and sys.platform.startswith("linux"):
        return chosen
    if not sys.platform.startswith("linux"):
        return "process group"
    unshare = shutil.which("unshare")
    if unshare:
        try:
            probe = subprocess.run(
                [*_unshare_prefix(unshare), sys.executable, "-c", "pass"],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=10,
            )
            if probe.returncode == 0:
                return "namespaces"
            said = probe.stderr.decode(errors="replace").strip().splitlines()
            _unshare_failure = said[-1] if said else f"exit code {probe.returncode}"
        except (OSError, subprocess.TimeoutExpired) as error:
            _unshare_failure = str(error)
    return "subreaper"


def containment_note() -> str:
    kind = containment()
    if kind == "namespaces":
        return "demos run in their own user, network and PID namespaces (unshare)"
    if kind == "subreaper":
        return (f"demos cannot run in their own namespaces here ({_unshare_failure or 'no unshare command'}), so they run in a process group "
                "under a subreaper, share the host's loopback and /proc/net counters, and cannot capture "
                "packets unless the build runs as root (on Ubuntu 24.04: sudo sysctl -w "
                "kernel.apparmor_restrict_unprivileged_userns=0)")
    return "demos run in a process group (no Linux namespaces on this system)"


def _unshare_prefix(unshare: str) -> list[str]:
    return [unshare, "--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]


def nginx_path() -> str | None:
    """The nginx binary: $NGINX when set (even to a path that does not exist), else PATH or sbin."""
    if "NGINX" in os.environ:
        return os.environ["NGINX"] if os.access(os.environ["NGINX"], os.X_OK) else None
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def missing_needs(spec: DemoSpec) -> list[str]:
    """The needs of `spec` this machine cannot meet, each as a short phrase for the page."""
    missing = []
    linux = sys.platform.startswith("linux")
    if "linux" in spec.needs and not linux:
        missing.append("Linux")
    if "packet-capture" in spec.needs and not (linux and (containment() == "namespaces" or os.geteuid() == 0)):
        missing.append("a raw socket (Linux, with user namespaces or root)")
    if "nginx" in spec.needs and nginx_path() is None:
        missing.append("nginx (Debian package nginx)")
    if "chromium" in spec.needs and chromium_path() is None:
        missing.append("Chromium (Debian package chromium)")
    if "openssl" in spec.needs and shutil.which("openssl") is None:
        missing.append("the openssl command (Debian package openssl)")
    return missing


# ---- what a demo depends on -------------------------------------------------------------------


def helpers_of(demo: Path) -> list[Path]:
    """The modules in snippets/ that `demo` (snippets/<topic>/<name>.py) imports, directly or not."""
    snippets = demo.parent.parent
    found: list[Path] = []
    pending = [demo]
    while pending:
        tree = ast.parse(pending.pop().read_bytes())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module.split(".")[0]]
            for name in names:
                helper = snippets / f"{name}.py"
                if helper.is_file() and helper not in found:
                    found.append(helper)
                    pending.append(helper)
    return found


# ---- running ------------------------------------------------------------------------------------

_running: set[subprocess.Popen] = set()  # killed by kill_all() on Ctrl-C or exit


def run_demo(spec: DemoSpec, python: str = sys.executable) -> DemoResult:
    result = DemoResult(spec)
    result.missing = missing_needs(spec)
    if result.missing:
        return result
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="demo-") as run_dir:
        workdir = Path(run_dir, "work")
        workdir.mkdir()
        report = Path(run_dir, "left-processes")
        stdout_path, stderr_path = Path(run_dir, "stdout"), Path(run_dir, "stderr")
        command = [python, "-W", "default::ResourceWarning", str(spec.file)]
        kind = containment()
        if kind == "namespaces":
            command = [*_unshare_prefix(shutil.which("unshare") or "unshare"), python, str(SANDBOX_INIT),
                       "namespace", str(report), *command]
        elif kind == "subreaper":
            command = [python, str(SANDBOX_INIT), "subreaper", str(report), *command]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"}
        env.pop("PYTHONWARNINGS", None)
        # Output goes to files, not pipes: a process left running would hold a pipe open.
        with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            process = subprocess.Popen(
                command, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                start_new_session=hasattr(os, "killpg"),
            )
        _running.add(process)
        try:
            try:
                process.wait(timeout=spec.timeout)
            except subprocess.TimeoutExpired:
                result.problems.append(f"did not finish within {spec.timeout:g} s and was killed")
                _stop(process, kind)
        finally:
            _stop(process, kind)  # also on KeyboardInterrupt
            _running.discard(process)
        result.seconds = time.monotonic() - started
        result.output, over = _read_capped(stdout_path)
        result.stderr, _ = _read_capped(stderr_path)
        if over:
            result.problems.append(f"printed {over} bytes; a page shows at most {OUTPUT_LIMIT} (output cut there)")
        if process.returncode not in (0, None) and not result.problems:
            result.problems.append(_exit_message(process.returncode))
        if result.stderr.strip() and not result.problems:
            result.problems.append("wrote to stderr (a demo that means to show an error prints it to stdout)")
        if report.exists() and report.read_text().strip():
            result.problems.append(f"left processes running (now killed): {report.read_text().strip()}")
        left = sorted(os.listdir(workdir))
        if left:
            result.problems.append(f"left files in its working directory: {', '.join(left)}")
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _exit_message(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


def _read_capped(path: Path) -> tuple[str, int]:
    """The file's text, cut at OUTPUT_LIMIT bytes; and its size when that was over the limit, else 0."""
    size = path.stat().st_size
    with open(path, "rb") as file:
        data = file.read(OUTPUT_LIMIT)
    return data.decode("utf-8", errors="replace"), (size if size > OUTPUT_LIMIT else 0)


def _stop(process: subprocess.Popen, kind: str) -> None:
    """End the demo and everything it started. Safe to call twice."""
    if process.poll() is None and kind == "subreaper":
        process.send_signal(signal.SIGTERM)  # sandbox_init kills the demo's whole tree, then exits
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    if hasattr(os, "killpg"):
        try:
            os.killpg(process.pid, signal.SIGKILL)  # for namespaces: unshare --kill-child ends the rest
        except (ProcessLookupError, PermissionError):
            pass
    elif process.poll() is None:
        process.kill()
    process.wait()


def kill_all() -> None:
    """Stop every demo still running (called on Ctrl-C and at exit)."""
    for process in list(_running):
        _stop(process, containment())
