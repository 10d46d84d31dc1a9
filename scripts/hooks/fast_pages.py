"""MkDocs hook: make the built pages cheap for a phone's main thread to lay out.

Measured with Lighthouse's mobile preset on the nginx page (9,000 elements, most of them the spans
of highlighted demo sources): Material's bundle restyled the whole document five times after
parsing, and one of those is needed. Three changes, made to the built HTML:

- Material's palette component switches attributes on <body> while the page loads. The form stays
  as it is, but is no longer mounted as that component: palette_toggle.js, inlined after it, picks
  the palette (the one saved, else the one matching prefers-color-scheme) before the content below
  the header is parsed, and handles the toggle.
- Material's JS wraps every table without a class in a scroll wrapper after load, and moving a
  table restyles the whole article. Tables are wrapped here instead, in the same markup, and carry
  the class `plain-table`, which Material's JS leaves alone; extra.css gives `.plain-table` the
  rules Material gives `table:not([class])` (a test checks that none is missing).
- Highlighted code has fewer elements: the spans that change no colour go (whitespace, and names,
  which Material colours as plain code text), punctuation takes the text colour, and neighbouring
  spans of one class become one. The text is unchanged, so copy buttons copy the same code.

With these, every page scores 95 or more on Lighthouse's mobile performance (scripts/lighthouse).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

PALETTE_FORM = '<form class="md-header__option" data-md-component="palette">'
PALETTE_SCRIPT = (Path(__file__).parent / "palette_toggle.js").read_text(encoding="utf-8")
PLAIN_TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
WRAPPED_TABLE = (
    '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
    r'<table class="plain-table">\1</table></div></div>'
)

CODE = re.compile(r"<code>.*?</code>", re.DOTALL)
PLAIN_SPAN = re.compile(r'<span class="(?:w|n|p)">([^<]*)</span>')
NEIGHBOUR_SPANS = re.compile(r'<span class="([a-z0-9]+)">([^<]*)</span>(\s*)<span class="\1">([^<]*)</span>')


def lean_code(code: str) -> str:
    code = PLAIN_SPAN.sub(r"\1", code)
    merged = None
    while merged != code:
        merged, code = code, NEIGHBOUR_SPANS.sub(r'<span class="\1">\2\3\4</span>', code)
    return code


def on_post_page(output: str, page: Any, config: Any) -> str:
    start = output.find(PALETTE_FORM)
    if start != -1:
        end = output.index("</form>", start) + len("</form>")
        form = output[start:end].replace(' data-md-component="palette"', " data-palette-toggle", 1)
        output = output[:start] + form + f"<script>{PALETTE_SCRIPT}</script>" + output[end:]
    output = CODE.sub(lambda code: lean_code(code[0]), output)
    return PLAIN_TABLE.sub(WRAPPED_TABLE, output)


def on_post_template(output: str, template_name: str, config: Any) -> str:
    """The theme's own pages (404.html) get the same palette toggle."""
    return on_post_page(output, None, config) if template_name.endswith(".html") else output
