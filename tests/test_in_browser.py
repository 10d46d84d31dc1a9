"""The built site in a real browser (Playwright driving Debian's Chromium): each page loads only
from its own origin, and its diagrams render from the vendored Mermaid."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

from conftest import require
from site_pages import DOCS, built_path, nav_pages

# Without these, Chromium calls Google's services at start-up; they are not the site's requests.
QUIET_CHROMIUM = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="session")
def browser():
    chromium = find_chromium()
    require(chromium is not None, "Chromium (Debian package chromium; ./scripts/test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=QUIET_CHROMIUM)
        yield browser
        browser.close()


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
