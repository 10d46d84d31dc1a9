"""The pages of the site, read from mkdocs.yml's nav, and the demos each one includes."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))
from demo_runner import DemoSpec  # noqa: E402  (the build's own reading of a block's options)
DEMO_BLOCK = re.compile(r"^[ \t]*`{3,}demo\b([^\n]*)\n[ \t]*(snippets/\S+\.py)[ \t]*$", re.MULTILINE)


@functools.cache
def nav_pages() -> list[str]:
    """Markdown files named in mkdocs.yml's nav, in order, sections included."""
    nav = load_config(str(ROOT / "mkdocs.yml"))["nav"]

    def walk(items: object) -> list[str]:
        if isinstance(items, str):
            return [items] if items.endswith(".md") else []
        if isinstance(items, dict):
            return [page for value in items.values() for page in walk(value)]
        return [page for item in items for page in walk(item)]

    return walk(nav)


def _section(title: str) -> list[str]:
    nav = load_config(str(ROOT / "mkdocs.yml"))["nav"]
    section = next(item[title] for item in nav if isinstance(item, dict) and title in item)
    return [page for item in section for page in item.values()]


@functools.cache
def topic_pages() -> list[str]:
    """The ten topic pages: mkdocs.yml's "Topics" section."""
    return _section("Topics")


@functools.cache
def toolkit_pages() -> list[str]:
    """The interview toolkit: the capstone, cheat sheet, self-test and glossary."""
    return _section("Interview toolkit")


def built_path(page: str) -> str:
    """docs/x.md is built to x/index.html (MkDocs' directory URLs)."""
    return "index.html" if page == "index.md" else f"{page.removesuffix('.md')}/index.html"


def page_demos(page: str) -> list[str]:
    """The demos a page names in its ```demo blocks, as snippets/<topic>/<name>.py."""
    return [path for _, path in DEMO_BLOCK.findall((DOCS / page).read_text())]


def demo_specs(page: str) -> list[DemoSpec]:
    """The demos a page names, with their options read as the build reads them."""
    return [DemoSpec.parse(path, {name: value for name, value in re.findall(r'(\w+)="([^"]*)"', options)})
            for options, path in DEMO_BLOCK.findall((DOCS / page).read_text())]


def declared_needs(page: str) -> dict[str, set[str]]:
    """{demo: the needs its block declares} for the demos on a page."""
    return {spec.path: set(spec.needs) for spec in demo_specs(page)}


def demo_files() -> list[str]:
    """Every demo: snippets/<topic>/<name>.py (modules directly in snippets/ are shared helpers)."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "snippets").glob("*/*.py"))
