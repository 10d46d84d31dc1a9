"""The built site in a real browser (Playwright driving Debian's Chromium): each page loads only
from its own origin, and its diagrams render from the vendored Mermaid."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from site_pages import DOCS, built_path, nav_pages


def url_of(site_url: str, page: str) -> str:
    return site_url + built_path(page).removesuffix("index.html")


@pytest.mark.parametrize("page", nav_pages())
def test_a_page_requests_nothing_outside_its_own_origin(browser, site_url, page):
    tab = browser.new_page()
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    tab.goto(url_of(site_url, page), wait_until="networkidle")  # scripts that run after load included
    tab.close()
    origin = urlsplit(site_url).netloc
    outside = [u for u in requested if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != origin]
    assert url_of(site_url, page) in requested
    assert outside == []


@pytest.mark.parametrize("page", [page for page in nav_pages() if "```mermaid" in (DOCS / page).read_text()])
def test_every_diagram_renders_from_the_vendored_mermaid(browser, site_url, page):
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(url_of(site_url, page))
    # Material swaps each <pre class="mermaid"> for a <div class="mermaid"> holding the drawn SVG.
    tab.wait_for_function("document.querySelectorAll('pre.mermaid').length === 0")
    heights = tab.eval_on_selector_all("div.mermaid", "divs => divs.map(d => d.getBoundingClientRect().height)")
    tab.close()
    assert errors == []
    assert heights and min(heights) > 50, heights
