"""Shared set-up: one strict build of the real site per session, and what its pages published.

The demos' tests read their output from the built pages (`published`), so a test checks the very
run a reader sees; nothing here runs a demo a second time.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from html_outputs import demo_tabs
from site_pages import ROOT, built_path, nav_pages, page_demos

IN_CI = os.environ.get("CI") == "true"
MKDOCS = [sys.executable, "-m", "mkdocs"]
# A drawn diagram follows its caption, as SVG with its source in a <details> (diagrams.py), or as
# Mermaid source for the browser to draw where the build had no Chromium.
DIAGRAM = re.compile(
    r'<p class="demo-diagram-caption">Drawn from this run of (?P<name>[\w.]+):</p>'
    r'(?:<figure class="diagram"(?:(?!</figure>).)*?<pre><code>|<pre class="mermaid"><code>)(?P<source>.*?)</code></pre>',
    re.DOTALL)


def require(condition: bool, what: str) -> None:
    """Skip on a developer's machine when `what` is missing; in CI nothing may be skipped, so fail."""
    if not condition:
        message = f"needs {what}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def mkdocs_build(config: Path, site_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MKDOCS, "build", "--strict", "--config-file", str(config), "--site-dir", str(site_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        timeout=900,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with --strict (which runs every demo, fresh).

    BUILT_SITE=<folder> reuses a site built before (./scripts/build writes site/), to re-run the
    page and browser tests quickly while writing them; CI never sets it."""
    if os.environ.get("BUILT_SITE") and not IN_CI:
        return Path(os.environ["BUILT_SITE"]).resolve()
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, f"strict build failed:\n{result.stderr}"
    if find_chromium() is not None:  # as scripts/build does: the PDF and the offline zip the home page links
        downloads = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_downloads.py"), str(site)],
                                   capture_output=True, text=True, timeout=900)
        assert downloads.returncode == 0, f"make_downloads.py failed:\n{downloads.stderr[-4000:]}"
    not_run = re.findall(r"demo (\S+) needs .*", result.stderr)
    for line in not_run:
        print(f"not run on this machine: {line}")
    return site


def _page_of(demo: str) -> str:
    pages = [page for page in nav_pages() if f"snippets/{demo}" in page_demos(page)]
    assert pages, f"snippets/{demo} is on no page"
    return pages[0]


@pytest.fixture(scope="session")
def published(built_site: Path):
    """published("<topic>/<name>.py"): the text of that demo's Output tab in the built site."""

    def output(demo: str) -> str:
        html_text = (built_site / built_path(_page_of(demo))).read_text()
        tabs = demo_tabs(html_text)
        name = demo.rsplit("/", 1)[1]
        assert name in tabs, f"{_page_of(demo)}: no tabs for {demo}"
        text = tabs[name][1]
        require("Not run here:" not in text, f"what {demo} needs (its page says: {text.strip()})")
        return text.strip("\n") + "\n"

    return output


@pytest.fixture(scope="session")
def published_diagrams(built_site: Path):
    """published_diagrams("<topic>/<name>.py"): the Mermaid sources that demo drew, in order."""

    def diagrams(demo: str) -> list[str]:
        html_text = (built_site / built_path(_page_of(demo))).read_text()
        name = demo.rsplit("/", 1)[1]
        return [html.unescape(m["source"]) for m in DIAGRAM.finditer(html_text) if m["name"] == name]

    return diagrams


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


# Without these, Chromium calls Google's services at start-up; they are not the site's requests.
QUIET_CHROMIUM = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's) driven by Playwright, shared by the whole session."""
    chromium = find_chromium()
    require(chromium is not None, "Chromium (Debian package chromium; ./scripts/test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=QUIET_CHROMIUM)
        yield browser
        browser.close()
