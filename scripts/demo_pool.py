"""Run many demos at once, a pool sized to the cores, and remember results on disk for `mkdocs serve`.

A demo declared `alone` waits until no other demo runs, and none starts beside it. The disk cache
(.cache/demos/) is keyed by everything that can change a demo's output: its bytes, the helpers it
imports, its options, the Python version, the runner's own code and the kind of sandbox. Only
successful runs are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sys
import threading
from pathlib import Path

from demo_runner import ROOT, DemoResult, DemoSpec, containment, helpers_of, run_demo

CACHE_DIR = ROOT / ".cache" / "demos"
RUNNER_FILES = [Path(__file__), *(Path(__file__).parent / name for name in ("demo_runner.py", "sandbox_init.py"))]


def cache_key(spec: DemoSpec) -> str:
    digest = hashlib.sha256()
    demo = spec.file
    for path in [demo, *helpers_of(demo), *RUNNER_FILES]:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(repr((spec, sys.version, sys.executable, containment())).encode())
    return digest.hexdigest()


class DemoPool:
    def __init__(self, workers: int | None = None, use_cache: bool = False, cache_dir: Path = CACHE_DIR) -> None:
        self.use_cache = use_cache
        self.cache_dir = cache_dir
        self._jobs: queue.Queue[DemoSpec | None] = queue.Queue()  # None tells a worker to stop
        self._done: dict[DemoSpec, threading.Event] = {}
        self._results: dict[DemoSpec, DemoResult] = {}
        self._lock = threading.Lock()
        self._gate = threading.Condition()
        self._running = 0
        self._alone_waiting = False
        self._workers = workers or os.cpu_count() or 2
        for _ in range(self._workers):
            threading.Thread(target=self._work, daemon=True).start()

    def close(self) -> None:
        """Let the workers end once the queued demos are done (serve makes a new pool each rebuild)."""
        for _ in range(self._workers):
            self._jobs.put(None)

    def submit(self, spec: DemoSpec) -> None:
        """Start `spec` soon, unless it was submitted already."""
        with self._lock:
            if spec in self._done:
                return
            self._done[spec] = threading.Event()
        cached = self._from_cache(spec)
        if cached is not None:
            self._finish(spec, cached)
        else:
            self._jobs.put(spec)

    def result(self, spec: DemoSpec) -> DemoResult:
        self.submit(spec)
        self._done[spec].wait()
        return self._results[spec]

    def summary(self) -> str:
        """For the build log (scripts/bench reads it): how many demos ran, and their own time."""
        ran = [r for r in self._results.values() if not r.cached and not r.missing]
        cached = sum(1 for r in self._results.values() if r.cached)
        return (f"{len(ran)} demos ran, {sum(r.seconds for r in ran):.2f} s of their own time; "
                f"{cached} came from the cache")

    def _work(self) -> None:
        while (spec := self._jobs.get()) is not None:
            try:
                with self._slot(spec.alone):
                    result = run_demo(spec)
            except BaseException as error:  # reported on the page, never lost in a thread
                result = DemoResult(spec, problems=[f"could not be run: {type(error).__name__}: {error}"])
            self._to_cache(result)
            self._finish(spec, result)

    def _slot(self, alone: bool):
        pool = self

        class Slot:
            def __enter__(self) -> None:
                with pool._gate:
                    if alone:
                        pool._alone_waiting = True
                        pool._gate.wait_for(lambda: pool._running == 0)
                        pool._alone_waiting = False
                    else:
                        pool._gate.wait_for(lambda: not pool._alone_waiting and pool._running >= 0)
                    pool._running = -1 if alone else pool._running + 1

            def __exit__(self, *exc_info: object) -> None:
                with pool._gate:
                    pool._running = 0 if alone else pool._running - 1
                    pool._gate.notify_all()

        return Slot()

    def _finish(self, spec: DemoSpec, result: DemoResult) -> None:
        self._results[spec] = result
        self._done[spec].set()

    def _cache_file(self, spec: DemoSpec) -> Path:
        return self.cache_dir / f"{cache_key(spec)}.json"

    def _from_cache(self, spec: DemoSpec) -> DemoResult | None:
        if not self.use_cache:
            return None
        try:
            saved = json.loads(self._cache_file(spec).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return DemoResult(spec, output=saved["output"], seconds=saved["seconds"], cached=True)

    def _to_cache(self, result: DemoResult) -> None:
        # Written by every build, read only when use_cache: the offline copy (scripts/make_downloads.py)
        # then shows the very runs the site it is made with shows.
        if not result.ok or result.cached:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            path = self._cache_file(result.spec)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"output": result.output, "seconds": result.seconds}), encoding="utf-8")
            temporary.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs time
