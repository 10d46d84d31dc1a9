"""MkDocs hook: spare a phone's main thread the two full-page restyles Material causes on load.

Measured with Lighthouse's mobile preset on the nginx page (9,000 elements): Material's bundle
restyled the whole document five times after parsing, and only one of those is needed. Two causes,
two changes, made to the built HTML:

- Material's palette component switches attributes on <body> while the page loads. The form stays
  as it is, but is no longer mounted as that component: palette_toggle.js, inlined after it, picks
  the palette (the one saved, else the one matching prefers-color-scheme) before the content below
  the header is parsed, and handles the toggle.
- Material's JS wraps every table without a class in a scroll wrapper after load, and moving a
  table restyles the whole article. Tables are wrapped here instead, in the same markup, and carry
  the class `plain-table`, which Material's JS leaves alone; extra.css gives `.plain-table` the
  rules Material gives `table:not([class])` (a test checks that none is missing).
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


def on_post_page(output: str, page: Any, config: Any) -> str:
    start = output.find(PALETTE_FORM)
    if start != -1:
        end = output.index("</form>", start) + len("</form>")
        form = output[start:end].replace(' data-md-component="palette"', " data-palette-toggle", 1)
        output = output[:start] + form + f"<script>{PALETTE_SCRIPT}</script>" + output[end:]
    return PLAIN_TABLE.sub(WRAPPED_TABLE, output)
