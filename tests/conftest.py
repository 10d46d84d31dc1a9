"""Shared set-up: where the project is, how to run a demo, and one strict build for the whole session."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from site_pages import ROOT

IN_CI = os.environ.get("CI") == "true"
MKDOCS = [sys.executable, "-m", "mkdocs"]


def require(condition: bool, what: str) -> None:
    """Skip on a developer's machine when `what` is missing; in CI nothing may be skipped, so fail."""
    if not condition:
        message = f"needs {what}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def require_root() -> None:
    require(os.geteuid() == 0, "root: the packet-capture demos open an AF_PACKET socket (run the tests as CI does)")


def run_snippet(snippet: str, tmp_path: Path, timeout: float = 30) -> str:
    """Run snippets/<snippet> as a reader would, in an empty directory; return what it printed."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "snippets" / snippet)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{snippet} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
    assert list(tmp_path.iterdir()) == [], f"{snippet} left files behind"
    return result.stdout


def mkdocs_build(config: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [*MKDOCS, "build", "--strict", "--config-file", str(config), "--site-dir", str(site_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with --strict (which runs every demo)."""
    require_root()
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, f"strict build failed:\n{result.stderr}"
    return site


@pytest.fixture(scope="session")
def site_url(built_site: Path):
    """The built site served over HTTP on 127.0.0.1, on a port the OS picks."""
    handler = functools.partial(QuietHandler, directory=str(built_site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
