"""Make the site's two downloads, from a built site, into <site>/downloads/:

- network-essentials.pdf: every page of the nav in one PDF (a cover, a table of contents, each page
  with its diagrams and demo outputs, page numbers), printed by headless Chromium from one HTML
  document made of the built pages' articles, with the site's print stylesheet;
- network-essentials-offline.zip: the site built again with Material's offline plugin (OFFLINE=true),
  which works opened from disk (file://), search included; the PDF is in it too.

    .venv/bin/python scripts/make_downloads.py site/     # after mkdocs build; scripts/build runs it

Demo results come from the build just made (.cache/demos/), so nothing runs twice.
"""

from __future__ import annotations

import argparse
import datetime
import html
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PDF_NAME = "network-essentials.pdf"
ZIP_NAME = "network-essentials-offline.zip"
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.DOTALL)
SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
EDIT_BUTTON = re.compile(r'<a href="[^"]*" title="[^"]*" class="md-content__button md-icon"[^>]*>.*?</a>', re.DOTALL)
FOOTER = ('<div style="width:100%;font-size:8px;color:#555;text-align:center;font-family:sans-serif">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def nav_pages(config) -> list[tuple[str, str, str]]:
    """(section, title, src) for every page of the nav, in order."""
    pages = []

    def walk(items, section):
        for item in items:
            if isinstance(item, str):
                pages.append((section, item, item))
            else:
                for title, value in item.items():
                    if isinstance(value, str):
                        pages.append((section, title, value))
                    else:
                        walk(value, title)

    walk(config["nav"], "")
    return pages


def page_url(src: str) -> str:
    """docs/x.md is at x/ (directory URLs); index.md at the root."""
    return "" if src == "index.md" else src.removesuffix(".md") + "/"


def one_document(site: Path, config) -> str:
    """Every page's article in one HTML document (written at the site's root, so assets resolve)."""
    pages = nav_pages(config)
    number = {page_url(src): n for n, (_, _, src) in enumerate(pages)}
    site_url = config["site_url"] or "/"
    head = (site / "index.html").read_text(encoding="utf-8")
    head = head[head.index("<head>") + 6: head.index("</head>")]
    head = re.sub(r"<script\b.*?</script>", "", head, flags=re.DOTALL)  # no JavaScript: print layout only
    sections, contents = [], []
    for n, (section, title, src) in enumerate(pages):
        url = page_url(src)
        built = (site / url / "index.html").read_text(encoding="utf-8")
        article = EDIT_BUTTON.sub("", ARTICLE.search(built).group(1))
        article = _localise(article, n, url, number, site_url)
        headings = re.findall(r'<h2 id="(p\d+-[^"]+)">(.*?)<a class="headerlink"', article)
        contents.append(f'<li><a href="#p{n}">{html.escape(title)}</a>'
                        + ("<ul>" + "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in headings)
                           + "</ul>" if section and headings else "") + "</li>")
        sections.append(f'<section class="print-page" id="p{n}">{article}</section>')
    today = datetime.date.today().isoformat()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    cover = (f'<section class="print-cover"><h1>{html.escape(config["site_name"])}</h1>'
             f'<p class="print-lead">{html.escape(config["site_description"] or "")}</p>'
             f'<p>Printed from {html.escape(site_url)} on {today}'
             + (f" (commit {html.escape(commit)})" if commit else "") + ". Every demo output in it is the run "
             "made when this copy was built.</p></section>"
             f'<section class="print-contents"><h2>Contents</h2><ol>{"".join(contents)}</ol></section>')
    style = ("<style>.print-page,.print-contents{break-before:page}"
             ".print-cover{padding-top:30vh}.print-cover h1{font-size:2.2em}.print-lead{font-size:1.2em}"
             ".print-contents ol{columns:1}.print-contents ul{margin-top:.2em}</style>")
    return (f'<!doctype html><html lang="en" class="no-js"><head>{head}{style}</head>'
            '<body dir="ltr" data-md-color-scheme="default" data-md-color-primary="indigo" data-md-color-accent="indigo">'
            '<div class="md-container"><main class="md-main"><div class="md-main__inner md-grid"><div class="md-content">'
            f'<article class="md-content__inner md-typeset">{cover}{"".join(sections)}</article>'
            "</div></div></main></div></body></html>")


def _localise(article: str, n: int, url: str, number: dict[str, int], site_url: str) -> str:
    """Make a page's ids unique in the one document and point its links inside it (or at the site)."""
    def link(match: re.Match) -> str:
        attribute, target = match.group(1), html.unescape(match.group(2))
        if target.startswith("#"):
            return f'{attribute}="#p{n}-{target[1:]}"'
        if urlsplit(target).scheme:
            return match.group(0)
        absolute = urljoin("/" + url, target)
        path, _, fragment = absolute.lstrip("/").partition("#")
        path = posixpath.normpath(path) + "/" if path else ""
        path = "" if path in ("./", "/") else path
        if path in number and attribute == "href":
            return f'href="#p{number[path]}' + (f"-{fragment}" if fragment else "") + '"'
        return f'{attribute}="{html.escape(urljoin(site_url, absolute.lstrip("/")))}"'

    def rewrite(chunk: str) -> str:
        chunk = re.sub(r'\b(id|for)="([^"]+)"', lambda m: f'{m.group(1)}="p{n}-{m.group(2)}"', chunk)
        chunk = re.sub(r'\bname="(__tabbed[^"]*|[^"]*--__tabbed[^"]*)"', lambda m: f'name="p{n}-{m.group(1)}"', chunk)
        return re.sub(r'\b(href|src)="([^"]*)"', link, chunk)

    parts, last = [], 0
    for svg in SVG.finditer(article):  # an SVG's ids are its own (its <style> refers to them): leave them
        parts += [rewrite(article[last:svg.start()]), svg.group(0)]
        last = svg.end()
    return "".join(parts) + rewrite(article[last:])


def print_pdf(site: Path, config, target: Path) -> None:
    from playwright.sync_api import sync_playwright

    from demo_runner import chromium_path

    chromium = os.environ.get("CHROME_PATH") or chromium_path()
    if not chromium:
        sys.exit("No Chromium for the PDF: apt-get install chromium, or set CHROME_PATH")
    document = site / "print-all.html"
    document.write_text(one_document(site, config), encoding="utf-8")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--disable-gpu", "--no-sandbox"])
            try:
                page = browser.new_page()
                page.goto(document.as_uri(), wait_until="load")
                page.pdf(path=str(target), format="A4", print_background=False, display_header_footer=True,
                         header_template="<span></span>", footer_template=FOOTER, outline=True, tagged=True,
                         margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
            finally:
                browser.close()
    finally:
        document.unlink()


def offline_zip(site: Path, target: Path, pdf: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="offline-") as tmp:
        copy = Path(tmp) / "network-essentials"
        env = {**os.environ, "OFFLINE": "true", "DEMO_CACHE": "use", "NO_MKDOCS_2_WARNING": "1"}
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(copy)],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"the offline build failed:\n{result.stderr[-4000:]}")
        (copy / "downloads").mkdir(exist_ok=True)
        shutil.copy2(pdf, copy / "downloads" / PDF_NAME)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(copy.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(copy.parent).as_posix())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a site built with mkdocs build (directory URLs)")
    args = parser.parse_args()
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    args.site = args.site.resolve()  # scripts/build passes "site"; Chromium needs a file:// URI
    downloads = args.site / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    print_pdf(args.site, config, downloads / PDF_NAME)
    offline_zip(args.site, downloads / ZIP_NAME, downloads / PDF_NAME)
    for name in (PDF_NAME, ZIP_NAME):
        print(f"{downloads / name}: {(downloads / name).stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
