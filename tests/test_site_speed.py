"""What keeps the pages fast on a phone (scripts/hooks/fast_pages.py), checked as counts, never as
times: one full restyle per page load, tables Material's script does not move, and a palette chosen
before the page is drawn. scripts/lighthouse measures the scores themselves, by hand."""

from __future__ import annotations

import json
import re

import pytest

from site_pages import ROOT, built_path, nav_pages, topic_pages

MATERIAL_CSS = next((ROOT / ".venv").glob("lib/python3*/site-packages/material/templates/assets/stylesheets/main.*.min.css"), None)
EXTRA_CSS = ROOT / "docs" / "assets" / "stylesheets" / "extra.css"


def _rules(css: str, selector_part: str) -> set[tuple[str, str]]:
    """{(selector, declarations)} of the top-level rules whose selector holds selector_part, spaces removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^}]*\})*[^{}]*\}", "", css)  # leave out @media blocks
    found = set()
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if selector_part in selector:
            declarations = ";".join(sorted(d.strip().replace(" ", "") for d in body.split(";") if d.strip()))
            found.add((re.sub(r"\s+", "", selector), declarations))
    return found


def test_each_of_materials_table_rules_has_its_twin_for_plain_tables():
    assert MATERIAL_CSS is not None, "Material's stylesheet in .venv"
    material = {(selector.replace("table:not([class])", "table.plain-table"), body)
                for selector, body in _rules(MATERIAL_CSS.read_text(), "table:not([class])")}
    ours = _rules(EXTRA_CSS.read_text(), "table.plain-table")
    assert len(material) >= 10
    assert material - ours == set(), "extra.css lacks these (or has them changed)"


@pytest.mark.parametrize("page", nav_pages())
def test_every_table_is_wrapped_at_build_time_so_materials_script_leaves_it(built_site, page):
    html = (built_site / built_path(page)).read_text()
    assert "<table>" not in html
    tables = html.count('<table class="plain-table">')
    wrapped = html.count('<div class="md-typeset__table"><table class="plain-table">')
    assert tables == wrapped


@pytest.mark.parametrize("page", topic_pages())
def test_a_topic_page_load_restyles_the_whole_document_once(browser, site_url, page):
    """Material's palette component and its table wrapping restyled it four times more."""
    tab = browser.new_page()
    browser.start_tracing(page=tab, categories=["devtools.timeline"])
    tab.goto(site_url + page.removesuffix(".md") + "/", wait_until="load")
    tab.locator(".md-code__nav").first.wait_for(state="attached")  # Material's script has run
    tab.wait_for_timeout(500)  # let Material's after-load work finish: this counts, it does not time
    elements = tab.evaluate("document.getElementsByTagName('*').length")
    trace = json.loads(browser.stop_tracing())
    tab.close()
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    full = [e for e in events if e.get("name") == "UpdateLayoutTree" and e.get("ph") == "X"
            and (e.get("args", {}).get("elementCount") or 0) >= 0.8 * elements]
    assert len(full) <= 1, f"{len(full)} restyles of {elements} elements"
    assert tab.is_closed()


def test_a_first_visit_follows_the_systems_dark_preference_without_materials_palette_script(browser, site_url):
    context = browser.new_context(color_scheme="dark")
    tab = context.new_page()
    tab.goto(site_url, wait_until="networkidle")
    assert tab.locator("[data-md-component='palette']").count() == 0
    assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    assert tab.locator("label[for='__palette_0']").is_visible(), "the button offers light mode"
    assert not tab.locator("label[for='__palette_1']").is_visible()
    context.close()
