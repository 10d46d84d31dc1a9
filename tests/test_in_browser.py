"""The built site in a real browser (Playwright driving Debian's Chromium): each page loads only
from its own origin, and its diagrams render from the vendored Mermaid."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from site_pages import DOCS, built_path, nav_pages


def url_of(site_url: str, page: str) -> str:
    return site_url + built_path(page).removesuffix("index.html")


def visit(browser, url: str) -> dict[str, list[str]]:
    """Load `url` and record what a script smuggled into it would betray: dialogs, console messages,
    requests to other origins and requests that fail (an <img src=x onerror=...> asks for "x")."""
    seen: dict[str, list[str]] = {"dialogs": [], "console": [], "requests": [], "failed": []}
    tab = browser.new_page()
    tab.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    tab.on("console", lambda message: seen["console"].append(f"{message.type}: {message.text}"))
    tab.on("pageerror", lambda error: seen["console"].append(f"pageerror: {error}"))
    tab.on("request", lambda request: seen["requests"].append(request.url))
    tab.on("requestfailed", lambda request: seen["failed"].append(request.url))
    tab.on("response", lambda response: response.status >= 400 and seen["failed"].append(f"{response.status} {response.url}"))
    tab.goto(url, wait_until="networkidle")  # scripts that run after load included
    tab.close()
    return seen


@pytest.mark.parametrize("page", nav_pages())
def test_a_page_requests_nothing_outside_its_own_origin(browser, site_url, page):
    seen = visit(browser, url_of(site_url, page))
    origin = urlsplit(site_url).netloc
    outside = [u for u in seen["requests"] if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != origin]
    assert url_of(site_url, page) in seen["requests"]
    assert outside == []


@pytest.mark.parametrize("page", nav_pages())
def test_nothing_a_demo_printed_runs_in_the_page(browser, site_url, page):
    seen = visit(browser, url_of(site_url, page))
    assert seen["dialogs"] == [] and seen["console"] == [] and seen["failed"] == []


def test_the_page_visit_catches_a_script_that_runs(browser, tmp_path):
    (tmp_path / "live.html").write_text(
        "<p>x</p><img src=missing onerror=\"alert(1)\"><script>console.log('ran')</script>")
    seen = visit(browser, (tmp_path / "live.html").as_uri())
    assert seen["dialogs"] == ["1"] and "log: ran" in seen["console"] and seen["failed"]


DIAGRAM_PAGES = [page for page in nav_pages() if "```mermaid" in (DOCS / page).read_text()]
LABELS = "svg text, svg foreignObject span, svg foreignObject p"


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript on", "javascript off"])
@pytest.mark.parametrize("page", DIAGRAM_PAGES)
def test_every_diagram_shows_as_svg_with_its_labels(browser, site_url, page, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    tab = context.new_page()
    tab.goto(url_of(site_url, page), wait_until="networkidle")
    shown = tab.eval_on_selector_all(
        "figure.diagram svg",
        f"svgs => svgs.filter(s => s.getBoundingClientRect().height > 0)"
        f".map(s => [...s.querySelectorAll('{LABELS}')].filter(e => e.textContent.trim()).length)")
    figures = tab.locator("figure.diagram").count()
    context.close()
    assert figures and len(shown) == figures, "one drawing of each diagram is visible"
    assert min(shown) > 0, "every diagram has text labels"


@pytest.mark.parametrize("page", DIAGRAM_PAGES)
def test_diagram_labels_are_at_least_12_px_on_a_phone(browser, site_url, page):
    context = browser.new_context(viewport={"width": 375, "height": 800}, color_scheme="dark")
    tab = context.new_page()
    tab.goto(url_of(site_url, page), wait_until="networkidle")
    heights = tab.eval_on_selector_all(
        "figure.diagram svg",
        f"svgs => svgs.filter(s => s.getBoundingClientRect().height > 0).flatMap(s => [...s.querySelectorAll('{LABELS}')]"
        ".filter(e => e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize) * "
        "s.getBoundingClientRect().width / s.viewBox.baseVal.width))")
    context.close()
    assert heights and min(heights) >= 12, f"smallest label {min(heights):.1f} px"
