"""MkDocs hook: build the glossary page from the abbreviations file, the one list of terms.

docs/includes/abbreviations.md has one line per term, `*[TERM]: Expansion: definition.`
pymdownx.snippets appends that file to every page (`auto_append` in mkdocs.yml), and Python-Markdown's
abbr extension then wraps each use of TERM in `<abbr title="Expansion: definition.">` (never inside
code). On glossary.md, this hook puts the same lines where the page says `<!-- glossary -->`, as a
definition list grouped by first letter, so the tooltips and the glossary cannot disagree. Each
entry links to the pages that use the term most (counted in their Markdown, outside code).

The file is in `exclude_docs`, so it is no page of its own. Besides the definitions it may hold blank
lines and `[//]: # (...)` comments, which Markdown drops; anything else would show on every page,
so it stops the build. Definitions are plain text (they are also tooltips): no Markdown or HTML.
Two spellings of one term (TIME_WAIT and RFC 9293's TIME-WAIT) take the same text and share an entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

MARKER = "<!-- glossary -->"
# As the abbr extension reads a definition (markdown/extensions/abbr.py, AbbrBlockprocessor).
DEFINITION = re.compile(r"^\*\[(?P<term>[^\\]*?)\][ ]?:[ ]*(?P<title>.*)$")
COMMENT = re.compile(r"^\[//\]: # \(.*\)$")
NOT_PLAIN = re.compile(r"[`*\[\]<>\\]|(?<!\w)_|_(?!\w)")  # what Markdown or HTML would read as markup
# Pages that sum up the others, so an entry does not send the reader there to learn a term.
SUMMARY_PAGES = {"index.md", "glossary.md", "cheat-sheet.md", "self-test.md"}

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
LINK_TARGET = re.compile(r"\]\([^)]*\)")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class Entry:
    terms: list[str]
    expansion: str
    definition: str
    title: str = field(repr=False)


def read_entries(path: Path) -> list[Entry]:
    """The file's definitions, in file order; spellings with the same text share one entry."""
    entries: dict[str, Entry] = {}
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{number}"
        if not line.strip() or COMMENT.match(line):
            continue
        match = DEFINITION.match(line)
        if match is None:
            raise PluginError(f"{where}: not a definition '*[TERM]: Expansion: definition.' (it would show on every page)")
        term, title = match["term"].strip(), match["title"].strip()
        if term in seen:
            raise PluginError(f"{where}: {term} is defined twice")
        if ": " not in title or not title.endswith("."):
            raise PluginError(f"{where}: {term}: write 'Expansion: definition.', ending with a full stop")
        if NOT_PLAIN.search(title):
            raise PluginError(f"{where}: {term}: plain text only, no Markdown or HTML: {NOT_PLAIN.search(title)[0]!r}")
        seen.add(term)
        if title in entries:
            entries[title].terms.append(term)
        else:
            expansion, definition = title.split(": ", 1)
            entries[title] = Entry([term], expansion, definition, title)
    return list(entries.values())


def abbreviations_file(config: Any) -> Path:
    """The file the pages get: the one abbreviations file in pymdownx.snippets' auto_append."""
    snippets = config.mdx_configs.get("pymdownx.snippets", {})
    files = [name for name in snippets.get("auto_append", []) if name.endswith("abbreviations.md")]
    if len(files) != 1:
        raise PluginError("glossary: mkdocs.yml must auto-append one abbreviations.md with pymdownx.snippets")
    base = snippets.get("base_path", ["."])
    base = base[0] if isinstance(base, list) else base
    return (Path(config.config_file_path).parent / base / files[0]).resolve()


def prose(markdown: str) -> str:
    """A page's Markdown without front matter, code, link targets and comments: where abbr works."""
    for pattern in (FRONT_MATTER, FENCE, HTML_COMMENT, CODE_SPAN, LINK_TARGET):
        markdown = pattern.sub(" ", markdown)
    return markdown


def uses(entries: list[Entry], pages: dict[str, str]) -> dict[str, dict[str, int]]:
    """{term: {page: how often abbr marks it there}}: one regex, longest term first, like abbr's."""
    terms = sorted((term for entry in entries for term in entry.terms), key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(term) for term in terms) + r")\b")
    counts: dict[str, dict[str, int]] = {term: {} for term in terms}
    for page, markdown in pages.items():
        for match in pattern.finditer(prose(markdown)):
            counts[match[0]][page] = counts[match[0]].get(page, 0) + 1
    return counts


def most_used_on(entry: Entry, counts: dict[str, dict[str, int]], order: list[str]) -> list[str]:
    """The page that uses the entry's terms most, and a second if it uses them at least half as often."""
    total: dict[str, int] = {}
    for term in entry.terms:
        for page, count in counts[term].items():
            total[page] = total.get(page, 0) + count
    ranked = sorted(total, key=lambda page: (-total[page], order.index(page)))
    return [page for page in ranked[:2] if total[page] * 2 >= total[ranked[0]]]


def render(entries: list[Entry], counts: dict[str, dict[str, int]], titles: dict[str, str]) -> str:
    """The definition list, with a heading for each first letter."""
    order = list(titles)
    lines: list[str] = []
    letter = ""
    for entry in sorted(entries, key=lambda entry: entry.terms[0].upper()):
        if entry.terms[0][0].upper() != letter:
            letter = entry.terms[0][0].upper()
            lines += [f"## {letter}", ""]
        links = [f"[{titles[page]}]({page})" for page in most_used_on(entry, counts, order)]
        used = "".join(f" {label} {link}." for label, link in zip(("Most used on", "Also on"), links))
        definition = entry.definition[0].upper() + entry.definition[1:]
        # A blank line before the definition wraps it in <p>, where extra.css underlines links.
        lines += [*entry.terms, "", f":   **{entry.expansion}.** {definition}{used}", ""]
    return "\n".join(lines)


class _State:
    entries: list[Entry] = []
    nav_order: list[str] = []


state = _State()


def on_config(config: Any) -> None:
    # Read at start-up, so a malformed line stops every build, not only one that reaches the glossary.
    state.entries = read_entries(abbreviations_file(config))


def on_nav(nav: Any, config: Any, files: Any) -> None:
    state.nav_order = [page.file.src_uri for page in nav.pages]


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri != "glossary.md":
        return markdown
    if MARKER not in markdown:
        raise PluginError(f"glossary.md: no '{MARKER}' line for the list of terms")
    titles, sources = {}, {}
    for src_uri in state.nav_order:  # in nav order, which breaks ties
        file = files.get_file_from_path(src_uri)
        if src_uri in SUMMARY_PAGES or file is None or file.page is None:
            continue
        titles[src_uri] = file.page.title or src_uri
        sources[src_uri] = file.content_string
    return markdown.replace(MARKER, render(state.entries, uses(state.entries, sources), titles))
