"""What html.escape() protects, and what it does not: one untrusted value in five places of a page.

For each place, the value goes through html.escape() and into the template; Python's HTML parser
then reports what a browser would build from it: new elements, event-handler attributes, a
javascript: URL. The right tool for the place follows. No server: pure standard library.
"""

import html
import json
import platform
import sys
from html.parser import HTMLParser
from urllib.parse import urlsplit


class Found(HTMLParser):
    """Script an HTML parser would hand to a browser: <script> elements, on* attributes, javascript: URLs."""

    def __init__(self, text: str):
        super().__init__()
        self.scripts, self.handlers, self.js_urls, self.script_text = 0, [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(name)
            if name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.js_urls.append(value)

    def handle_data(self, data):
        if self.lasttag == "script":
            self.script_text.append(data)

    def danger(self, expected_scripts: int = 0) -> str:
        found = []
        if self.scripts > expected_scripts:
            found.append(f"{self.scripts - expected_scripts} new <script>")
        found += [f"{name}= handler" for name in self.handlers]
        found += ["javascript: URL" for _ in self.js_urls]
        return ", ".join(found) or "none"


def safe_url(value: str) -> str:
    """Allow only http and https URLs (and relative ones); anything else becomes a harmless '#'."""
    return value if urlsplit(value).scheme in ("http", "https", "") else "#"


def json_for_script(value) -> str:
    """JSON that cannot end a <script> element or open a comment: < > & as \\u escapes (as Django's json_script)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


CASES = [  # place, template, untrusted value, the right fix (a function of the value)
    ("HTML text", "<p>{}</p>", "<script>alert(1)</script>", None),
    ("quoted attribute", '<input value="{}">', '" autofocus onfocus="alert(1)', None),
    ("unquoted attribute", "<input value={}>", "x autofocus onfocus=alert(1)",
     lambda v: '<input value="{}">'.format(html.escape(v))),
    ("URL attribute", '<a href="{}">home page</a>', "javascript:alert(1)",
     lambda v: '<a href="{}">home page</a>'.format(html.escape(safe_url(v)))),
    ("inside <script>", "<script>const q = {};</script>", "</script><script>alert(1)</script>",
     lambda v: "<script>const q = {};</script>".format(json_for_script(v))),
]


def main() -> int:
    print(f"Python {platform.python_version()}: html.escape(s, quote=True)\n")
    results = {}
    for place, template, value, fix in CASES:
        if place == "inside <script>":  # the usual mistake here is json.dumps alone, so show that
            page = template.format(json.dumps(value))
            how = "json.dumps()"
        else:
            page = template.format(html.escape(value))
            how = "html.escape()"
        found = Found(page)
        results[place] = found
        print(f"[{place}] untrusted value: {value}")
        print(f"  with {how}: {page}")
        print(f"  script the parser finds: {found.danger(expected_scripts=1 if 'script' in template else 0)}")
        if fix:
            fixed = fix(value)
            results[place + " fixed"] = Found(fixed)
            print(f"  fixed:  {fixed}")
            print(f"  script the parser finds: {Found(fixed).danger(expected_scripts=1 if 'script' in template else 0)}")
        print()

    escaped_in_script = Found("<script>const q = \"{}\";</script>".format(html.escape("Tom & Jerry")))
    print("html.escape() inside <script> is no fix either: the script reads entities literally:")
    print(f"  {''.join(escaped_in_script.script_text)}   (the string holds '&amp;', not '&')\n")

    checks = {
        "HTML text: html.escape() leaves no element or handler": results["HTML text"].danger() == "none",
        "quoted attribute: html.escape() leaves no handler": results["quoted attribute"].danger() == "none",
        "unquoted attribute: html.escape() lets onfocus= in": results["unquoted attribute"].handlers == ["onfocus"],
        "unquoted attribute: quoting the attribute fixes it": results["unquoted attribute fixed"].danger() == "none",
        "URL attribute: html.escape() lets javascript: through": results["URL attribute"].js_urls == ["javascript:alert(1)"],
        "URL attribute: a scheme allow-list fixes it": results["URL attribute fixed"].danger() == "none",
        "inside <script>: json.dumps() lets the value close the element and open a new one":
        results["inside <script>"].scripts == 2,
        "inside <script>: \\u003c-escaped JSON keeps one <script>": results["inside <script> fixed"].scripts == 1,
        "inside <script>: html.escape() changes the data the script sees": "&amp;" in "".join(escaped_in_script.script_text),
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
