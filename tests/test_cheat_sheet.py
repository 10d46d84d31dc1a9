"""The cheat sheet: every topic's 30-second answer and key numbers, included from the topic pages
with pymdownx.snippets sections (never copied), and printed by Chromium on at most two A4 sheets.

The helpers here (`included_sections`, `section_lines`, `page_text`) are shared with
test_self_test.py, which checks the same kind of inclusion for the follow-up questions."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import require
from site_pages import DOCS, built_path, topic_pages
from snippet_sections import included_sections, section_lines

TOPICS = topic_pages()
CHEAT_SHEET = "cheat-sheet.md"
class _Text(HTMLParser):
    """The text of an HTML fragment, without the headerlink pilcrows."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if self.skip or (tag == "a" and "headerlink" in (dict(attrs).get("class") or "")):
            self.skip += 1

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    parser = _Text()
    parser.feed(fragment)
    return " ".join("".join(parser.parts).split())


def answer_html(built_site: Path, page: str) -> str:
    """The 30-second answer admonition of a built topic page."""
    text = (built_site / built_path(page)).read_text()
    after = text.split('id="the-30-second-answer"', 1)[1]
    match = re.search(r'<div class="admonition abstract">(.*?)</div>', after, re.DOTALL)
    assert match, f"{page}: no 30-second answer admonition"
    return re.sub(r'<p class="admonition-title">.*?</p>', "", match.group(1), flags=re.DOTALL)


def squeezed(text: str) -> str:
    """Text with every space, line break and sheet break removed, for comparing with a PDF's text."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", html.unescape(text)))


@pytest.mark.parametrize("path, name", included_sections(CHEAT_SHEET),
                         ids=[f"{path}:{name}" for path, name in included_sections(CHEAT_SHEET)])
def test_every_section_the_cheat_sheet_includes_is_a_marker_pair_in_its_file(path, name):
    assert name, f"the cheat sheet includes the whole of {path}, not a section"
    body = section_lines(path, name)
    assert any(line.strip() for line in body), f"{path}: section '{name}' is empty"


@pytest.mark.parametrize("page", TOPICS)
def test_every_topic_page_gives_the_cheat_sheet_its_answer_and_its_numbers(page):
    included = included_sections(CHEAT_SHEET)
    assert (f"docs/{page}", "answer") in included
    assert (f"docs/{page}", "numbers") in included


@pytest.mark.parametrize("page", TOPICS)
def test_the_answer_section_is_the_whole_body_of_the_say_this_first_box(page):
    lines = (DOCS / page).read_text().splitlines()
    start = next(n for n, line in enumerate(lines) if re.fullmatch(r"\s*-+8<-+\s+\[start:answer\]", line))
    end = next(n for n, line in enumerate(lines) if re.fullmatch(r"\s*-+8<-+\s+\[end:answer\]", line))
    assert lines[start - 1] == '!!! abstract "Say this first"', "the start marker opens the box's body"
    assert not lines[end + 1].startswith("    "), "the end marker closes the box's body"
    body = section_lines(f"docs/{page}", "answer")
    assert all(line.startswith("    ") or not line.strip() for line in body), "inside the box, indented"


@pytest.mark.parametrize("page", TOPICS)
def test_the_numbers_section_is_a_table_of_3_to_8_rows_each_with_a_version_and_a_source(page):
    rows = [line for line in section_lines(f"docs/{page}", "numbers") if line.startswith("|")]
    header, rule, *body = rows
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    assert columns == ["Number", "Value", "Holds for", "Source"]
    assert set(rule) <= set("|-: ")
    assert 3 <= len(body) <= 8, f"{page}: {len(body)} rows"
    for row in body:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), f"{page}: a row with an empty cell: {row}"


@pytest.mark.parametrize("page", TOPICS)
def test_included_sections_link_to_a_page_file_never_to_a_bare_anchor(page):
    """An included `[...](#x)` would point at the including page, where #x does not exist."""
    for name in ("answer", "numbers", "followups"):
        text = "\n".join(section_lines(f"docs/{page}", name))
        assert not re.search(r"\]\(#", text), f"{page}, section {name}: write [...]({page}#anchor)"


@pytest.mark.parametrize("page", [*TOPICS, CHEAT_SHEET, "self-test.md"])
def test_section_markers_do_not_show_on_the_built_pages(built_site, page):
    text = (built_site / built_path(page)).read_text()
    assert not re.search(r"-+8(&lt;|<)-+", text)
    assert not re.search(r"\[(start|end):(answer|numbers|followups)\]", text)


def test_the_cheat_sheet_shows_every_topics_answer_and_numbers(built_site):
    sheet = (built_site / built_path(CHEAT_SHEET)).read_text()
    assert '<div class="cheat-sheet">' in sheet, "the content sits in the container the print rules style"
    shown = page_text(sheet)
    for page in TOPICS:
        assert page_text(answer_html(built_site, page)) in shown, f"{page}: its 30-second answer"
        topic = (built_site / built_path(page)).read_text()
        numbers = topic.split('id="key-numbers"', 1)[1].split("</table>", 1)[0]
        assert page_text("<table" + numbers.split("<table", 1)[1]) in shown, f"{page}: its key numbers"
        assert f'href="../{page.removesuffix(".md")}/"' in sheet, f"a link back to {page}"


@pytest.fixture(scope="module")
def printed_cheat_sheet(browser, site_url, tmp_path_factory) -> Path:
    """The cheat sheet printed as a reader's browser prints it: A4, no backgrounds, dark palette chosen."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    tab = context.new_page()
    tab.goto(site_url + "cheat-sheet/", wait_until="networkidle")
    tab.emulate_media(media="print")
    pdf = tmp_path_factory.mktemp("cheat-sheet") / "cheat-sheet.pdf"
    tab.pdf(path=str(pdf), format="A4", print_background=False, prefer_css_page_size=True)
    context.close()
    return pdf


def test_the_printed_cheat_sheet_fits_on_two_a4_sheets(printed_cheat_sheet):
    require(shutil.which("pdfinfo") is not None, "pdfinfo (Debian package poppler-utils)")
    info = subprocess.run(["pdfinfo", str(printed_cheat_sheet)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert pages <= 2, f"the cheat sheet prints on {pages} sheets"
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE).groups())
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1, f"A4 sheets, not {width} x {height} pt"


def test_the_printed_cheat_sheet_holds_every_topics_answer(printed_cheat_sheet, built_site):
    require(shutil.which("pdftotext") is not None, "pdftotext (Debian package poppler-utils)")
    # -raw: in the order Chromium wrote it, and without joining "four-" and "tuple" at a line's end.
    text = subprocess.run(["pdftotext", "-raw", str(printed_cheat_sheet), "-"], capture_output=True, text=True,
                          check=True).stdout
    printed = squeezed(text)
    for page in TOPICS:
        assert squeezed(page_text(answer_html(built_site, page))) in printed, f"{page}: its answer, whole"
