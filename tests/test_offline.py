"""The built site loads nothing from another origin, as its files say (test_in_browser.py checks what a browser does)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest


# What makes a browser fetch something, in HTML and CSS. (Links a reader clicks, <a href>, are fine.)
HTML_LOADS = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed|track)\b[^>]*\bsrc=\"([^\"]+)\""
    r"|<link\b[^>]*\bhref=\"([^\"]+)\"[^>]*>"
    r"|<object\b[^>]*\bdata=\"([^\"]+)\""
)
CSS_LOADS = re.compile(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)")
# Every absolute URL in the site's own JavaScript, with why the page never requests it.
JS_URLS_NOT_REQUESTED = {
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js": "Material's fallback; the vendored copy defines mermaid",
    "https://unpkg.com/resize-observer-polyfill": "Material loads it only where ResizeObserver is missing",
    "https://api.github.com/repos/": "Material's repository stats: only with repo_url, which mkdocs.yml leaves unset",
    "https://api.github.com/users/": "the same, for a user or organisation URL",
    "https://clipboardjs.com/": "a licence comment",
    "https://": "a prefix Material tests URLs against",
    "https://bit.ly/2s3ChXG": "text of a console warning about an invalid search query",
    "http://lunrjs.com": "lunr's licence comment",
    "http://tartarus.org/": "lunr's licence comment (the Porter stemmer)",
}
JS_ABSOLUTE = re.compile(r"https?://[\w.-]*(?:/[\w./@%-]*)?")


def third_party(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or url.startswith("//")


def test_html_and_css_load_only_local_files(built_site):
    problems = []
    for html in built_site.rglob("*.html"):
        for match in HTML_LOADS.finditer(html.read_text()):
            tag, url = match.group(0), next(g for g in match.groups() if g)
            if tag.startswith("<link") and re.search(r'rel="(?:canonical|alternate|prev|next)"', tag):
                continue  # metadata for crawlers, never fetched by the page
            if third_party(url):
                problems.append(f"{html.relative_to(built_site)}: {tag}")
    for css in built_site.rglob("*.css"):
        for match in CSS_LOADS.finditer(css.read_text()):
            url = next(g for g in match.groups() if g)
            if third_party(url) and not url.startswith("data:"):
                problems.append(f"{css.relative_to(built_site)}: {url}")
    assert problems == []


def test_javascript_names_no_third_party_url_beyond_the_known_unused_ones(built_site):
    # The scripts pages run: Material's bundle and search worker. (lunr's language files load only for
    # other search languages; vendored Mermaid's URLs are links in its error messages. The browser
    # test below proves what pages really request.)
    scripts = [*built_site.glob("assets/javascripts/bundle.*.js"), *built_site.glob("assets/javascripts/workers/*.js")]
    assert scripts
    found = {}
    for js in scripts:
        for url in JS_ABSOLUTE.findall(js.read_text()):
            if not url.startswith("http://www.w3.org/"):  # XML namespace names, not fetched
                found[url] = js.relative_to(built_site).as_posix()
    assert set(found) <= set(JS_URLS_NOT_REQUESTED), {u: f for u, f in found.items() if u not in JS_URLS_NOT_REQUESTED}
