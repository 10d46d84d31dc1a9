"""Every topic page printed as a reader's browser prints it (Chromium, A4, no background graphics),
with the dark palette chosen on screen: no navigation, a white sheet, every tab and every collapsed
answer shown, link targets written out, and the text all there in the PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import require
from site_pages import topic_pages

TOPICS = topic_pages()

# What the print layout must leave out, and what it must show, measured in the page under print media.
PRINT_FACTS = """() => {
  const shown = (el) => el.getClientRects().length > 0 && el.getBoundingClientRect().height > 0;
  const chrome = [...document.querySelectorAll(
      ".md-header, .md-sidebar, .md-footer, .md-top, .md-search, .md-content__button, .md-code__nav")];
  const answers = [...document.querySelectorAll(".md-typeset details:not(.diagram-source)")].map(
      (d) => [...d.children].filter((c) => c.tagName !== "SUMMARY"));
  const links = [...document.querySelectorAll(
      ".md-typeset p a[href^='http'], .md-typeset li a[href^='http'], .md-typeset td a[href^='http']")];
  return {
    chromeShown: chrome.filter(shown).map((el) => el.className),
    tabs: document.querySelectorAll(".tabbed-block").length,
    tabsHidden: [...document.querySelectorAll(".tabbed-block")].filter((b) => !shown(b)).length,
    answers: answers.length,
    answersHidden: answers.filter((parts) => parts.length === 0 || !parts.every(shown)).length,
    links: links.length,
    linksWithoutTarget: links.filter((a) => !getComputedStyle(a, "::after").content.includes(a.href.split("#")[0].slice(0, 20))).map((a) => a.href),
    background: getComputedStyle(document.body).backgroundColor,
    darkDiagramsShown: [...document.querySelectorAll(".diagram-dark")].filter(shown).length,
    lightDiagramsHidden: [...document.querySelectorAll(".diagram-light")].filter((d) => !shown(d)).length,
    heading: document.querySelector(".md-typeset h1").firstChild.textContent.trim(),
  };
}"""


@pytest.fixture(scope="module")
def printed(browser, site_url, tmp_path_factory):
    """Print a topic page once: (facts measured under print media, the PDF's path)."""
    folder = tmp_path_factory.mktemp("print")
    results: dict[str, tuple[dict, Path]] = {}

    def print_page(page: str) -> tuple[dict, Path]:
        if page not in results:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
            tab = context.new_page()
            tab.goto(site_url + page.removesuffix(".md") + "/", wait_until="networkidle")
            tab.emulate_media(media="print")
            facts = tab.evaluate(PRINT_FACTS)
            pdf = folder / page.replace(".md", ".pdf")
            tab.pdf(path=str(pdf), format="A4", print_background=False, prefer_css_page_size=True)
            context.close()
            results[page] = facts, pdf
        return results[page]

    return print_page


@pytest.mark.parametrize("page", TOPICS)
def test_a_printed_topic_page_has_no_navigation_and_a_white_sheet(printed, page):
    facts, _ = printed(page)
    assert facts["chromeShown"] == [], "header, sidebars, footer and buttons are left off paper"
    assert facts["background"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), "the dark palette does not print"
    assert facts["darkDiagramsShown"] == 0 and facts["lightDiagramsHidden"] == 0, "diagrams print in the light theme"


@pytest.mark.parametrize("page", TOPICS)
def test_a_printed_topic_page_shows_every_tab_and_every_collapsed_answer(printed, page):
    facts, _ = printed(page)
    assert facts["tabs"] > 0 and facts["tabsHidden"] == 0, "a demo's source and its output both print"
    assert facts["answers"] >= 5 and facts["answersHidden"] == 0, "the follow-up answers print open"


@pytest.mark.parametrize("page", TOPICS)
def test_a_printed_topic_page_writes_out_where_its_links_go(printed, page):
    facts, _ = printed(page)
    assert facts["links"] > 0 and facts["linksWithoutTarget"] == []


@pytest.mark.parametrize("page", TOPICS)
def test_the_pdf_holds_the_pages_text_on_white_a4_sheets(printed, page):
    facts, pdf = printed(page)
    require(shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None,
            "pdftotext and pdftoppm (Debian package poppler-utils)")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    sheets = text.count("\f")
    assert sheets >= 2, "a topic page fills more than one sheet"
    assert " ".join(facts["heading"].split()[:3]) in " ".join(text.split())
    assert "Skip to content" not in text and "Type to start searching" not in text
    assert "Tab: Output" in text, "each tab's label prints above its block"
    ppm = subprocess.run(["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-gray", str(pdf)],
                         capture_output=True, check=True).stdout
    assert _mean_grey(ppm) > 200, "the first sheet is mostly white"


def _mean_grey(pgm: bytes) -> float:
    """Mean of a binary PGM (P5) image's pixels, 0 black to 255 white."""
    magic, width, height, maxval, pixels = pgm.split(maxsplit=4)
    assert magic == b"P5" and maxval == b"255"
    pixels = pixels[: int(width) * int(height)]
    return sum(pixels) / len(pixels)
