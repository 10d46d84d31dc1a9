"""The strict build: every page is there, with its demos' real output embedded."""

from __future__ import annotations

import re
from html import escape, unescape

import pytest

from conftest import find_chromium, require
from html_outputs import demo_tabs
from site_pages import DOCS, ROOT, built_path, nav_pages, page_demos, topic_pages


def html_of(built_site, page):
    return (built_site / built_path(page)).read_text()


@pytest.mark.parametrize("demo", [demo for page in nav_pages() for demo in page_demos(page)])
def test_every_demo_shows_its_file_and_what_it_printed(built_site, demo):
    page = next(page for page in nav_pages() if demo in page_demos(page))
    html = html_of(built_site, page)
    tabs = demo_tabs(html)
    name = demo.rsplit("/", 1)[1]
    assert name in tabs, f"{page}: no file/output tabs for {demo}"
    source, output = tabs[name]
    assert (ROOT / demo).read_text().strip() in source, f"{page}: the {name} tab is not the file"
    assert output.strip(), f"{page}: {name} printed nothing"
    assert 'class="admonition failure"' not in html


@pytest.mark.parametrize("page", topic_pages())
def test_topic_page_has_the_sections_every_topic_has(page):
    text = (DOCS / page).read_text()
    for heading in ("## The 30-second answer", "## See it run", "## Myths and pitfalls",
                    "## Follow-up questions", "## References"):
        assert heading in text, f"{page} lacks '{heading}'"
    assert "```mermaid" in text
    assert re.search(r"^\|.*\|$", text, re.MULTILINE), "a table"
    follow_ups = text.split("## Follow-up questions", 1)[1].split("\n## ", 1)[0]
    assert follow_ups.count("\n??? question") >= 5, "at least five collapsed follow-up questions"


@pytest.mark.parametrize("page", nav_pages())
def test_every_page_has_its_own_meta_description(built_site, page):
    html = html_of(built_site, page)
    descriptions = re.findall(r'<meta name="description" content="([^"]+)">', html)
    assert len(descriptions) == 1 and len(descriptions[0]) > 50
    front_matter = " ".join((DOCS / page).read_text().split("---")[1].split())
    # The whole text, so a straight double quote (which Material does not escape here) cannot cut it short.
    assert front_matter.endswith(unescape(descriptions[0])), "the page's own description, whole"


@pytest.mark.parametrize("page", [page for page in nav_pages() if "```mermaid" in (DOCS / page).read_text()])
def test_diagrams_are_drawn_at_build_time_and_pages_load_no_mermaid(built_site, page):
    require(find_chromium() is not None, "Chromium, which draws the diagrams at build time")
    html = html_of(built_site, page)
    figures = html.count('<figure class="diagram"')
    assert figures >= (DOCS / page).read_text().count("```mermaid")
    assert html.count("<svg") >= 2 * figures, "a light and a dark drawing of each"
    assert '<pre class="mermaid">' not in html and "mermaid.min.js" not in html


def test_search_dialog_has_an_accessible_name(built_site):
    assert 'role="dialog" aria-label="Search"' in html_of(built_site, "index.md")


def test_edit_link_points_at_the_page_source(built_site):
    html = html_of(built_site, "tcp-handshake.md")
    assert re.search(r'href="https://github\.com/[^"]+/edit/main/docs/tcp-handshake\.md"', html)


CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


@pytest.mark.parametrize("page", nav_pages())
def test_every_code_span_of_the_prose_is_rendered_as_code(built_site, page):
    """Python-Markdown can scramble a paragraph that holds something like a script tag, even in a
    code span: text moves to the wrong place. Every code span must come out whole."""
    html = html_of(built_site, page)
    paragraphs, lines, inside_fence = [], [], False
    for line in (DOCS / page).read_text().split("---", 2)[2].splitlines() + [""]:
        if re.match(r"^\s*(```|~~~)", line):
            inside_fence = not inside_fence
            continue
        if inside_fence:
            continue
        if line.strip() and not line.lstrip().startswith("|"):
            lines.append(line.strip())
            continue
        paragraphs += [" ".join(lines)] + ([line] if line.strip() else [])  # a table row stands alone
        lines = []
    rendered = {" ".join(code.split()) for code in re.findall(r"<code>([^<]*)</code>", html)}
    broken = [span.strip() for paragraph in paragraphs for _, span in CODE_SPAN.findall(paragraph)
              if " ".join(escape(span, quote=False).split()) not in rendered]
    assert broken == []
