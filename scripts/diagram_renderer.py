"""Draw Mermaid diagrams to SVG at build time, with the vendored Mermaid in headless Chromium.

No MkDocs here: the `diagrams` hook calls `DiagramRenderer.render()`. Each diagram is drawn twice,
with Mermaid's "default" theme for the light palette and its "dark" theme for the dark one. SVGs
are kept in .cache/diagrams/, keyed by the source, the theme, the Mermaid file and this file, so a
prose edit re-draws nothing.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MERMAID = ROOT / "docs" / "assets" / "vendor" / "mermaid" / "mermaid.min.js"
CACHE_DIR = ROOT / ".cache" / "diagrams"
THEMES = ("default", "dark")
QUIET_CHROMIUM = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]
EMPTY_RECT = re.compile(r'<rect(?![^>]*\bwidth=)(?![^>]*\bheight=)([^>]*>)')
NAME_ATTRIBUTE = re.compile(r'(<(?:rect|line)\b[^>]*?)\sname="[^"]*"')
SMALL_FONT = re.compile(r'font-size="(?:[0-9]|1[01])(?:px)?"')
VIEWBOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')
RENDER = """async ([id, source, theme]) => {
    // SVG text labels, not HTML in foreignObject: valid markup, selectable text, and print-safe.
    // Gantt text defaults to 11 px, below the 12 px a phone needs: raise it.
    mermaid.initialize({startOnLoad: false, theme, securityLevel: "strict", fontSize: 16,
                        htmlLabels: false, flowchart: {htmlLabels: false},
                        gantt: {fontSize: 14, sectionFontSize: 14}});
    const {svg} = await mermaid.render(id, source);
    return svg;
}"""


class DiagramError(Exception):
    pass


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def natural_size(svg: str) -> str:
    """Give the SVG its drawn size instead of Mermaid's width="100%", which shrinks it on a phone."""
    match = VIEWBOX.search(svg)
    if match is None:
        return svg
    width, height = (round(float(number)) for number in match.groups())
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(?:width|height)="[^"]*"', "", head)
    head = re.sub(r'\sstyle="max-width:[^"]*"', "", head)
    rest = EMPTY_RECT.sub(r'<rect width="0" height="0"\1', rest)  # Mermaid leaves some unsized; SVG requires both
    rest = NAME_ATTRIBUTE.sub(r"\1", rest)  # sequence diagrams name their actors' shapes; SVG has no such attribute
    rest = SMALL_FONT.sub('font-size="12"', rest)  # d3's axis ticks (gantt, charts) come at 10 px
    return f'{head} width="{width}" height="{height}">{rest}'


def unique_ids(svg: str, prefix: str) -> str:
    """Prefix the ids Mermaid leaves unprefixed (a sequence diagram's "actor1"...), and what refers to
    them, so that two diagrams on one page never share an id."""
    loose = [name for name in re.findall(r'\sid="([^"]+)"', svg) if not name.startswith(prefix)]
    for name in sorted(set(loose), key=len, reverse=True):
        pattern = r'(\sid="|#)' + re.escape(name) + r'(?=["\)\s.,:>{;\[])'
        svg = re.sub(pattern, rf"\g<1>{prefix}-{name}", svg)
    return svg


class DiagramRenderer:
    """Start Chromium on first use; close() ends it."""

    def __init__(self, cache_dir: Path = CACHE_DIR) -> None:
        self.cache_dir = cache_dir
        # The key covers Mermaid and this file, so a change to either draws everything again.
        self._mermaid_digest = hashlib.sha256(MERMAID.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
        self._playwright = None
        self._browser = None
        self._page = None

    @staticmethod
    def available() -> bool:
        if chromium_path() is None:
            return False
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return False
        return True

    def render(self, source: str, theme: str) -> str:
        """The SVG of `source` in `theme`; its ids are unique to this source and theme."""
        key = hashlib.sha256(f"{self._mermaid_digest}\0{theme}\0{source}".encode()).hexdigest()[:20]
        cached = self.cache_dir / f"{key}.svg"
        if cached.exists():
            return cached.read_text(encoding="utf-8")
        page = self._ready_page()
        try:
            svg = unique_ids(natural_size(page.evaluate(RENDER, [f"d{key}", source, theme])), f"d{key}")
        except Exception as error:  # Mermaid's syntax errors arrive as Playwright errors
            raise DiagramError(str(error).splitlines()[0]) from None
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            cached.write_text(svg, encoding="utf-8")
        except OSError:
            pass  # a cache that cannot be written only costs time
        return svg

    def _ready_page(self):
        if self._page is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=chromium_path(), args=QUIET_CHROMIUM)
            self._page = self._browser.new_page()
            self._page.set_content("<!doctype html><html><body></body></html>")
            self._page.add_script_tag(path=str(MERMAID))
        return self._page

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._page = self._browser = self._playwright = None
