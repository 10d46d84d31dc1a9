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


C0_AND_SPACE = "".join(map(chr, range(0x21)))  # what browsers strip from both ends of a URL


def safe_url(value: str) -> str:
    """Allow an absolute http(s) URL with a host, or a path on this site; anything else becomes '#'.

    Strips leading and trailing C0 controls and spaces itself and refuses any control character left
    inside (browsers drop tab and newline there), instead of trusting urlsplit() to do it: before the
    fix for CVE-2023-24329 (Python 3.11.4, 3.10.12, 3.9.17, 3.8.17, 3.7.17) urlsplit(" javascript:...")
    found no scheme at all, so a check for an empty (relative) scheme let it through.
    """
    url = value.strip(C0_AND_SPACE)
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return "#"
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    if not parts.scheme and url.startswith("/") and not url.startswith(("//", "/\\")):
        return url
    return "#"


TRICKY_URLS = {  # value: what safe_url() must return
    "javascript:alert(1)": "#",
    " javascript:alert(1)": "#",
    "\x01javascript:alert(1)": "#",
    "java\tscript:alert(1)": "#",
    "JavaScript:alert(1)": "#",
    "https://example.com/docs": "https://example.com/docs",
    "/comments?page=2": "/comments?page=2",
}


def code_outside_strings(js: str) -> str:
    """The JavaScript source with every "..." string literal removed (a backslash escapes the next character)."""
    code, in_string, escaped = [], False, False
    for c in js:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        else:
            code.append(c)
    return "".join(code)


SCRIPT_CASES = [  # html.escape() inside <script>: template, untrusted values (html.escape leaves both unchanged)
    ("unquoted", "<script>const q = {};</script>", ["1;alert(document.domain)"]),
    ("quoted, trailing backslash", '<script>const a = "{}", b = "{}";</script>', ["\\", ";alert(document.domain)//"]),
]


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

    print("html.escape() inside <script> is no defence: it does not touch the characters JavaScript needs")
    in_script = {}
    for name, template, values in SCRIPT_CASES:
        escaped = [html.escape(v) for v in values]
        js = "".join(Found(template.format(*escaped)).script_text)
        in_script[name] = (escaped == values, code_outside_strings(js))
        print(f"  [{name}] values {values} -> {js}")
        print(f"    code outside string literals: {code_outside_strings(js)}")
    escaped_in_script = Found("<script>const q = \"{}\";</script>".format(html.escape("Tom & Jerry")))
    print(f"  [quoted, harmless value] {''.join(escaped_in_script.script_text)}   (the string holds '&amp;', not '&')\n")

    print("safe_url() on tricky URLs (it strips and checks itself; urlsplit's own stripping depends on the Python version):")
    url_results = {value: safe_url(value) for value in TRICKY_URLS}
    for value, result in url_results.items():
        print(f"  {value!r:<30} -> {result!r}")
    print()

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
        "inside <script>, unquoted: html.escape() changes nothing and alert() is code":
        in_script["unquoted"][0] and "alert(document.domain)" in in_script["unquoted"][1],
        "inside <script>, quoted: a trailing backslash eats the quote and alert() is code":
        in_script["quoted, trailing backslash"][0] and "alert(document.domain)" in in_script["quoted, trailing backslash"][1],
        "inside <script>: html.escape() changes the data the script sees": "&amp;" in "".join(escaped_in_script.script_text),
        "safe_url(): javascript: with a leading space, a control character or a tab becomes '#'":
        all(url_results[v] == "#" for v in TRICKY_URLS if TRICKY_URLS[v] == "#"),
        "safe_url(): an https URL and a site path pass unchanged":
        all(url_results[v] == v for v in TRICKY_URLS if TRICKY_URLS[v] != "#"),
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
