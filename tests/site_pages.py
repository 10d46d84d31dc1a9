"""The pages of the site, read from mkdocs.yml's nav, and the demos each one includes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
INCLUDE = re.compile(r'^[ \t]*--8<--[ \t]+"(snippets/[^"]+\.py)"', re.MULTILINE)


def nav_pages() -> list[str]:
    """Markdown files named in nav, in order (the nav is a flat "Title: file.md" list)."""
    text = (ROOT / "mkdocs.yml").read_text()
    nav = text.split("\nnav:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r":\s*(\S+\.md)\s*$", nav, re.MULTILINE)


def topic_pages() -> list[str]:
    return [page for page in nav_pages() if page != "index.md"]


def built_path(page: str) -> str:
    """docs/x.md is built to x/index.html (MkDocs' directory URLs)."""
    return "index.html" if page == "index.md" else f"{page.removesuffix('.md')}/index.html"


def included_snippets(page: str) -> list[str]:
    return INCLUDE.findall((DOCS / page).read_text())


def demo_files() -> list[str]:
    """Every demo: snippets/<topic>/<name>.py (modules directly in snippets/ are shared helpers)."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "snippets").glob("*/*.py"))
