"""The two downloads the home page links, as a reader uses them: the whole site as one PDF, and the
site as a zip that works opened from disk (scripts/make_downloads.py makes both)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import require
from site_pages import DOCS, nav_pages

PDF = Path("downloads") / "network-essentials.pdf"
ZIP = Path("downloads") / "network-essentials-offline.zip"


def _title(page: str) -> str:
    return re.search(r"^# (.+)$", (DOCS / page).read_text(), re.MULTILINE).group(1).strip()


@pytest.fixture(scope="module")
def pdf_text(built_site) -> list[str]:
    """The PDF's text, sheet by sheet."""
    require(shutil.which("pdftotext") is not None, "pdftotext (Debian package poppler-utils)")
    assert (built_site / PDF).is_file(), "scripts/make_downloads.py made no PDF"
    text = subprocess.run(["pdftotext", "-layout", str(built_site / PDF), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def test_the_home_page_links_the_pdf_and_the_offline_copy(built_site):
    home = (built_site / "index.html").read_text()
    assert f'href="{PDF.as_posix()}"' in home and f'href="{ZIP.as_posix()}"' in home


def test_the_pdf_has_a_cover_contents_and_every_pages_heading(pdf_text):
    assert "Network Essentials" in pdf_text[0] and "Contents" in pdf_text[1]
    whole = " ".join(" ".join(pdf_text).split())
    for page in nav_pages():
        assert " ".join(_title(page).split()) in whole, f"{page}: its heading is not in the PDF"


def test_every_sheet_of_the_pdf_has_text_and_a_page_number(pdf_text):
    total = len(pdf_text)
    assert total > 50
    for number, sheet in enumerate(pdf_text, start=1):
        assert sheet.strip(), f"sheet {number} is blank"
        assert f"{number} / {total}" in sheet, f"sheet {number} has no page number"


def test_nothing_on_a_pdf_sheet_is_cut_off_at_its_edges(built_site):
    """Drawn at 10 dpi, the outer 3 mm of every sheet stay white: nothing runs past the margin."""
    require(shutil.which("pdftoppm") is not None, "pdftoppm (Debian package poppler-utils)")
    pages = subprocess.run(["pdftoppm", "-r", "10", "-gray", str(built_site / PDF)], capture_output=True, check=True).stdout
    cut = []
    number = 0
    while pages:
        magic, width, height, maxval, rest = pages.split(maxsplit=4)
        width, height = int(width), int(height)
        pixels, pages = rest[: width * height], rest[width * height:]
        number += 1
        edge = 1  # 1 pixel at 10 dpi is 2.5 mm
        columns = [pixels[row * width + column] for row in range(height) for column in (*range(edge), *range(width - edge, width))]
        if min(columns) < 200:
            cut.append(number)
    assert number > 50 and cut == [], f"sheets with ink at the edge: {cut}"


def test_the_offline_copy_works_from_disk_with_search(built_site, browser, tmp_path):
    with zipfile.ZipFile(built_site / ZIP) as archive:
        archive.extractall(tmp_path)
    home = tmp_path / "network-essentials" / "index.html"
    assert home.is_file() and (tmp_path / "network-essentials" / "search" / "search_index.js").is_file()
    context = browser.new_context()
    tab = context.new_page()
    requests = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(home.as_uri(), wait_until="load")
    tab.get_by_role("link", name="TCP four-way close").first.click()
    tab.wait_for_load_state("load")
    assert tab.url.endswith("/tcp-close.html")
    assert "TIME_WAIT" in tab.locator("article").inner_text()
    tab.keyboard.press("/")
    tab.keyboard.type("CLOSE_WAIT")
    tab.locator(".md-search-result__item").first.wait_for()
    assert "four-way close" in tab.locator(".md-search-result").inner_text()
    context.close()
    outside = [url for url in requests if not url.startswith("file://")]
    assert outside == [], "the offline copy loads nothing from a network"
