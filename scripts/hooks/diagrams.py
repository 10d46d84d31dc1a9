"""MkDocs hook: replace every Mermaid diagram with SVG drawn at build time, so pages load no Mermaid.

Each diagram becomes a <figure> holding two SVGs (light and dark palette; CSS shows one) and its
source as text in a <details>, for screen readers and for anyone who wants to copy it. The SVGs
need no JavaScript, so diagrams show with scripts off, in print and in a PDF. At their natural size
their labels stay legible on a phone; a wide diagram scrolls sideways inside its figure.

Without Chromium (a reader's `./scripts/serve`), diagrams stay as they are and the vendored Mermaid
draws them in the browser (offline_pages.py adds it). In CI that is an error: every diagram must be
drawn at build time.
"""

from __future__ import annotations

import html
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # scripts/, for diagram_renderer
from diagram_renderer import THEMES, DiagramError, DiagramRenderer  # noqa: E402

log = logging.getLogger("mkdocs.hooks.diagrams")
MERMAID_BLOCK = re.compile(r'<pre class="mermaid"><code>(?P<source>.*?)</code></pre>', re.DOTALL)


class _State:
    renderer: DiagramRenderer | None = None
    unavailable_said = False


state = _State()


def on_pre_build(config: Any) -> None:
    state.unavailable_said = False


def on_post_page(output: str, page: Any, config: Any) -> str:
    if '<pre class="mermaid">' not in output:
        return output
    if not DiagramRenderer.available():
        if not state.unavailable_said:
            message = "diagrams: no Chromium (or Playwright), so Mermaid draws them in the browser"
            (log.warning if os.environ.get("CI") == "true" else log.info)(
                message + ("; in CI every diagram must be drawn at build time" if os.environ.get("CI") == "true" else ""))
            state.unavailable_said = True
        return output
    if state.renderer is None:
        state.renderer = DiagramRenderer()
    return MERMAID_BLOCK.sub(lambda match: _figure(match, page.file.src_uri), output)


def on_post_build(config: Any) -> None:
    if state.renderer is not None:
        state.renderer.close()
        state.renderer = None


def on_shutdown() -> None:
    on_post_build(None)


def _figure(match: re.Match[str], page: str) -> str:
    source = html.unescape(match["source"])
    try:
        light, dark = (state.renderer.render(source, theme) for theme in THEMES)
    except DiagramError as error:
        log.warning(f"page {page}: a Mermaid diagram could not be drawn: {error}")
        return match.group(0)
    return (
        # A figure that may scroll sideways must be reachable by keyboard (axe: scrollable-region-focusable).
        '<figure class="diagram" tabindex="0" role="group" aria-label="Diagram">'
        f'<div class="diagram-light">{light}</div>'
        f'<div class="diagram-dark">{dark}</div>'
        '<details class="diagram-source"><summary>This diagram as text</summary>'
        f"<pre><code>{html.escape(source)}</code></pre></details>"
        "</figure>"
    )
