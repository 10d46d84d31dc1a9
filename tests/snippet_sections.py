"""The sections pages include from one another with pymdownx.snippets (`--8<-- "docs/x.md:name"`),
read with pymdownx.snippets' own patterns, so the tests read the pages exactly as the build does."""

from __future__ import annotations

from pymdownx.snippets import SnippetPreprocessor

from site_pages import DOCS, ROOT

INCLUDE_LINE = SnippetPreprocessor.RE_ALL_SNIPPETS
INCLUDE_FILE = SnippetPreprocessor.RE_SNIPPET_FILE
SECTION_MARKER = SnippetPreprocessor.RE_SNIPPET_SECTION


def included_sections(page: str) -> list[tuple[str, str]]:
    """The (file, section) pairs a page includes with `--8<-- "docs/x.md:name"`."""
    found = []
    for line in (DOCS / page).read_text().splitlines():
        match = INCLUDE_LINE.match(line)
        if match and match.group("inline_marker"):
            path, _, section = INCLUDE_FILE.match(match.group("snippet")[1:-1]).groups()
            found.append((path, section[1:] if section else ""))
    return found


def section_lines(path: str, name: str) -> list[str]:
    """The lines between the one `[start:name]` and the one `[end:name]` marker of a file."""
    lines = (ROOT / path).read_text().splitlines()
    marks = [(n, m.group("type")) for n, line in enumerate(lines)
             if (m := SECTION_MARKER.match(line)) and m.group("name") == name]
    assert [kind for _, kind in marks] == ["start", "end"], f"{path}: one start and one end marker for '{name}'"
    (start, _), (end, _) = marks
    return lines[start + 1:end]
