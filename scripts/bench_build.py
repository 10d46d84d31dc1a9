"""Medians of the build's timings, on a copy of the project (called by scripts/bench).

cold build     `mkdocs build --strict`, every demo run afresh, wall-clock of the whole command
demos          the demos' own run times in that build, added up (the hook logs them)
cached build   `mkdocs build` with every demo's output from .cache/demos/: the cost without demos
prose edit     `mkdocs serve`'s rebuild after a page's text changes (as the demos hook reports it)
demo edit      `mkdocs serve`'s rebuild after one demo file changes
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]
BUILT = re.compile(r"pages built in ([\d.]+) s")  # logged by the demos hook after every build
DEMO_TIME = re.compile(r"(\d+) demos ran, ([\d.]+) s of their own time")
PROSE_PAGE = "docs/index.md"
DEMO = "snippets/tcp_handshake/connect_before_accept.py"


def copy_project(into: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", ".venv", "site", ".cache", "__pycache__", ".pytest_cache")
    shutil.copytree(ROOT, into / "project", ignore=ignore)
    return into / "project"


def build(project: Path, **env: str) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run([*MKDOCS, "build", "--strict", "-d", str(project / "site")], cwd=project,
                            capture_output=True, text=True, env={**os.environ, **env})
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stderr}")
    return seconds, result.stderr


def serve_rebuilds(project: Path) -> tuple[float, float]:
    """Start serve, edit prose, then a demo; the rebuild time MkDocs reports for each."""
    log = project / "serve.log"
    with open(log, "w") as out:
        serve = subprocess.Popen([*MKDOCS, "serve", "--dev-addr", "127.0.0.1:0"], cwd=project, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_builds(log, 1)
        with open(project / PROSE_PAGE, "a") as page:
            page.write("\nOne more sentence.\n")
        prose = wait_for_builds(log, 2)
        with open(project / DEMO, "a") as demo:
            demo.write("\n# edited\n")
        demo_edit = wait_for_builds(log, 3)
    finally:
        serve.terminate()
        serve.wait()
    return prose, demo_edit


def wait_for_builds(log: Path, count: int, timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        times = BUILT.findall(log.read_text())
        if len(times) >= count:
            return float(times[count - 1])
        time.sleep(0.1)
    sys.exit(f"serve did not rebuild:\n{log.read_text()}")


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rows: dict[str, list[float]] = {name: [] for name in ("cold build", "demos", "cached build", "prose edit", "demo edit")}
    demo_count = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            project = copy_project(Path(folder))
            seconds, log = build(project)
            demo_count, demo_seconds = DEMO_TIME.search(log).groups()
            rows["cold build"].append(seconds)
            rows["demos"].append(float(demo_seconds))
            build(project, DEMO_CACHE="use")  # fills the cache
            _, log = build(project, DEMO_CACHE="use")
            rows["cached build"].append(float(BUILT.search(log).group(1)))
            prose, demo_edit = serve_rebuilds(project)
            rows["prose edit"].append(prose)
            rows["demo edit"].append(demo_edit)
    median = {name: statistics.median(values) for name, values in rows.items()}
    print(f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, Linux {platform.release()}, "
          f"Python {platform.python_version()}; {demo_count} demos; median of {runs} runs\n")
    print("| what | seconds |\n|---|---|")
    for name, value in median.items():
        print(f"| {name} | {value:.2f} |")
    cold_target = 0.75 * median["demos"] + 3
    prose_target = 1.5 * median["cached build"]
    print(f"\ncold build {median['cold build']:.2f} s against 0.75 x demos + 3 s = {cold_target:.2f} s: "
          f"{'met' if median['cold build'] <= cold_target else 'NOT met'}")
    print(f"prose edit {median['prose edit']:.2f} s against 1.5 x cached build = {prose_target:.2f} s: "
          f"{'met' if median['prose edit'] <= prose_target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
