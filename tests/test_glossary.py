"""The glossary: docs/includes/abbreviations.md gives every page its tooltips (Python-Markdown's abbr
extension, the file appended by pymdownx.snippets) and the glossary page its entries
(scripts/hooks/glossary.py), so the two cannot disagree. These tests read the built pages."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import defaultdict
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify
from mkdocs.exceptions import PluginError

from site_pages import DOCS, ROOT, built_path, nav_pages

# The hook itself, loaded from its file (scripts/hooks/ is no package, and its names stay off sys.path).
_spec = importlib.util.spec_from_file_location("glossary_hook", ROOT / "scripts" / "hooks" / "glossary.py")
glossary = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = glossary  # dataclasses looks its module up there
_spec.loader.exec_module(glossary)

ABBREVIATIONS = DOCS / "includes" / "abbreviations.md"
ENTRIES = glossary.read_entries(ABBREVIATIONS)
TITLES = {term: entry.title for entry in ENTRIES for term in entry.terms}

# All-caps words the pages use that are no abbreviation, each with the reason. Anything else in
# capitals, outside code, must be a term of the abbreviations file.
NOT_ABBREVIATIONS = {
    "GET": "an HTTP method's name (RFC 9110 §9)",
    "HEAD": "an HTTP method's name (RFC 9110 §9)",
    "POST": "an HTTP method's name (RFC 9110 §9)",
    "PUT": "an HTTP method's name (RFC 9110 §9)",
    "PATCH": "an HTTP method's name (RFC 5789)",
    "DELETE": "an HTTP method's name (RFC 9110 §9)",
    "OPTIONS": "an HTTP method's name (RFC 9110 §9)",
    "QUERY": "an HTTP method's name (RFC 10008)",
    "LOCK": "a WebDAV method's name (RFC 4918), one of those nginx does not retry",
    "OK": "the reason phrase of status 200",
    "MUST": "a requirement keyword of RFC 2119, quoted, or RFC 9293's label of a requirement (MUST-13)",
    "NOT": "part of the RFC 2119 keyword MUST NOT, quoted",
    "SHOULD": "a requirement keyword of RFC 2119, quoted",
    "RECOMMENDED": "a requirement keyword of RFC 2119, quoted",
    "RECOMMENDS": "RFC 2119's RECOMMENDED, in running text",
    "MAY": "RFC 9293's label of an optional requirement (MAY-1, MAY-2)",
    "SHLD": "RFC 9293's label of a SHOULD requirement (SHLD-3)",
    "NGINX": "the company's spelling, in the product name NGINX Plus",
    "README": "a file's name (Hypercorn's and Granian's README)",
    "CHANGES": "a file's name: nginx's change log",
    "HTML5": "in the title of OWASP's HTML5 Security Cheat Sheet",
    "WWW": "part of the header name WWW-Authenticate",
    "WTF": "part of the package name Flask-WTF",
    "AF_UNIX": "a constant's name: the address family of Unix sockets",
    "EADDRNOTAVAIL": "an errno's name",
    "SHUT_WR": "a constant's name: the argument of shutdown() that closes the sending side",
    "SIGABRT": "a signal's name",
    "SIGTERM": "a signal's name",
    "SOMAXCONN": "a constant's name: the kernel's cap on a listen() backlog",
    "SO_REUSEADDR": "a socket option's name",
    "SO_REUSEPORT": "a socket option's name",
    "HZ": "the kernel's timer frequency setting, in HZ=250",
    "FIN_WAIT": "shorthand for FIN_WAIT1 and FIN_WAIT2, which are defined",
    "A4": "a paper size (ISO 216)",
}

# A word in capitals (digits and underscores allowed, two characters or more), and its plural or
# past tense ("ACKs", "ACKed"), whose stem is what must be known.
CAPS_WORD = re.compile(r"\b([A-Z][A-Z0-9_]*[A-Z0-9])(?:s|es|ed)?\b")
SKIPPED = {"code", "pre", "svg", "script", "style", "kbd"}


class _Prose(HTMLParser):
    """The text of a page's article outside code, diagrams and scripts, split into what the abbr
    extension marked (`marked`, with each title) and the rest (`plain`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.plain: list[str] = []
        self.marked: list[tuple[str, str]] = []
        self.abbr_outside_article: list[str] = []
        self.abbr_in_code: list[str] = []
        self._article = 0
        self._skipped = 0
        self._abbr: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self._article += 1
        elif tag in SKIPPED:
            self._skipped += 1
        elif tag == "abbr":
            self._abbr = dict(attrs).get("title") or ""
            self.marked.append(("", self._abbr))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article -= 1
        elif tag in SKIPPED:
            self._skipped -= 1
        elif tag == "abbr":
            self._abbr = None
            self.plain.append(" ")  # the marked word is not part of the text around it

    def handle_data(self, data: str) -> None:
        if self._abbr is not None:
            text, title = self.marked[-1]
            self.marked[-1] = (text + data, title)
            if self._skipped:
                self.abbr_in_code.append(data)
            elif not self._article:
                self.abbr_outside_article.append(data)
        elif self._article and not self._skipped:
            self.plain.append(data)


def prose(html: str) -> _Prose:
    parser = _Prose()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def pages(built_site: Path) -> dict[str, _Prose]:
    return {page: prose((built_site / built_path(page)).read_text(encoding="utf-8")) for page in nav_pages()}


# ---- the file ---------------------------------------------------------------------------------


def test_the_abbreviations_file_is_included_on_every_page_and_is_no_page_itself(built_site):
    config = (ROOT / "mkdocs.yml").read_text()
    assert "auto_append: [docs/includes/abbreviations.md]" in config
    assert re.search(r"^exclude_docs: \|\n  /includes/$", config, re.MULTILINE)
    assert not (built_site / "includes").exists()


def test_each_definition_is_an_expansion_and_one_or_two_sentences():
    assert len(TITLES) >= 50
    for entry in ENTRIES:
        sentences = re.findall(r"[.!?](?:\s+[A-Z]|$)", entry.definition)
        assert entry.expansion and 1 <= len(sentences) <= 2, f"{entry.terms}: {entry.definition}"


def test_spellings_that_differ_only_in_hyphens_and_underscores_share_one_definition():
    spellings = defaultdict(set)
    for term, title in TITLES.items():
        spellings[re.sub(r"[-_]", "", term)].add(title)
    assert {key: titles for key, titles in spellings.items() if len(titles) > 1} == {}


def test_the_hook_refuses_a_line_that_would_show_on_every_page(tmp_path):
    good = "*[SYN]: Synchronize: the TCP flag that opens a connection."
    for bad, error in [("RST means reset.", "not a definition"),
                       ("*[RST]: the TCP flag that aborts a connection.", "Expansion: definition"),
                       ("*[RST]: Reset: the TCP flag that aborts a connection", "Expansion: definition"),
                       ("*[RST]: Reset: the `RST` flag.", "plain text only"),
                       ("*[RST]: Reset: the <b>RST</b> flag.", "plain text only"),
                       (good, "defined twice")]:
        path = tmp_path / "abbreviations.md"
        path.write_text(f"[//]: # (a comment)\n\n{good}\n\n{bad}\n")
        with pytest.raises(PluginError, match=re.escape(error)):
            glossary.read_entries(path)


def test_an_entry_links_the_page_that_uses_it_most_and_a_second_only_if_close():
    entries = [glossary.Entry(["SYN"], "Synchronize", "the flag.", "Synchronize: the flag."),
               glossary.Entry(["RST"], "Reset", "the flag.", "Reset: the flag.")]
    pages = {"a.md": "SYN SYN SYN RST `SYN SYN SYN SYN` [x](SYN)", "b.md": "SYN RST", "c.md": "SYN-ACK RST"}
    counts = glossary.uses(entries, pages)
    assert counts["SYN"] == {"a.md": 3, "b.md": 1, "c.md": 1}, "code spans and link targets do not count"
    order = list(pages)
    assert glossary.most_used_on(entries[0], counts, order) == ["a.md"]
    assert glossary.most_used_on(entries[1], counts, order) == ["a.md", "b.md"], "a tie keeps nav order"


# ---- the pages ----------------------------------------------------------------------------------


def test_every_term_is_used_on_some_page_besides_the_glossary(pages):
    """Each entry, that is: a second spelling (RFC 9293's TIME-WAIT beside Linux's TIME_WAIT) may
    appear only in the glossary's own definitions. A plural ("MACs") counts as a use, though abbr
    marks only the word itself."""
    used = set()
    for page, words in pages.items():
        if page != "glossary.md":
            used |= {title for _, title in words.marked}
            used |= {TITLES[match[1]] for match in CAPS_WORD.finditer(" ".join(words.plain)) if match[1] in TITLES}
    assert sorted(entry.terms[0] for entry in ENTRIES if entry.title not in used) == [], "no page uses them: drop them"


@pytest.mark.parametrize("page", nav_pages())
def test_every_capitalised_word_outside_code_is_a_term_or_listed_as_not_one(pages, page):
    unknown = {match[1] for match in CAPS_WORD.finditer(" ".join(pages[page].plain))} - set(TITLES) - set(NOT_ABBREVIATIONS)
    assert sorted(unknown) == [], "define them in docs/includes/abbreviations.md, or list them in NOT_ABBREVIATIONS"


def test_each_word_listed_as_not_an_abbreviation_is_still_used_and_is_no_term(pages):
    used = {match[1] for words in pages.values() for match in CAPS_WORD.finditer(" ".join(words.plain))}
    assert sorted(set(NOT_ABBREVIATIONS) - used) == [], "no longer on any page: drop them from NOT_ABBREVIATIONS"
    assert sorted(set(NOT_ABBREVIATIONS) & set(TITLES)) == []


@pytest.mark.parametrize("page", nav_pages())
def test_each_tooltip_is_the_definition_of_its_word(pages, page):
    wrong = {(text, title) for text, title in pages[page].marked if TITLES.get(text) != title}
    assert wrong == set()


def test_a_topic_page_marks_syn_with_its_definition(built_site):
    html = (built_site / built_path("tcp-handshake.md")).read_text(encoding="utf-8")
    assert f'<abbr title="{escape(TITLES["SYN"])}">SYN</abbr>' in html


def test_headings_are_marked_and_keep_their_anchors(built_site):
    headings = [heading for page in nav_pages() for heading in re.findall(
        r'<h([1-6]) id="([^"]+)">(.*?)</h\1>', (built_site / built_path(page)).read_text(encoding="utf-8"))]
    marked = [(anchor, text) for _, anchor, text in headings if "<abbr" in text]
    assert len(marked) >= 10
    for anchor, text in marked:  # the anchor is still made from the heading's words alone
        slug = slugify(unescape(re.sub(r"<[^>]+>", "", text.split('<a class="headerlink"')[0])), "-")
        assert re.fullmatch(re.escape(slug) + r"(_\d+)?", anchor), (anchor, slug)


@pytest.mark.parametrize("page", nav_pages())
def test_no_tooltip_in_code_diagrams_demo_output_or_outside_the_article(pages, page):
    assert pages[page].abbr_in_code == [] and pages[page].abbr_outside_article == []


def test_the_search_index_and_page_titles_have_no_tooltip_markup(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [doc["location"] for doc in index["docs"] if "<abbr" in doc["title"] + doc["text"]]
    for page in nav_pages():
        head = (built_site / built_path(page)).read_text(encoding="utf-8").split("</head>", 1)[0]
        assert "<abbr" not in head


def test_code_that_names_a_term_is_left_as_code(built_site):
    """With the test above (no <abbr> inside code), this shows that code naming a term stays plain."""
    term = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(TITLES, key=len, reverse=True))) + r")\b")
    codes = [code for page in nav_pages() for code in re.findall(
        r"<code>([^<]*)</code>", (built_site / built_path(page)).read_text(encoding="utf-8"))]
    assert sum(1 for code in codes if term.search(code)) >= 10


# ---- the glossary page ----------------------------------------------------------------------------


class _Definitions(HTMLParser):
    """{term: the text of its definition} from the page's <dl> lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: dict[str, str] = {}
        self.links: dict[str, list[str]] = {}
        self._terms: list[str] = []
        self._in: str | None = None
        self._last_was_dd = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "dt":
            if self._last_was_dd:
                self._terms = []
            self._terms.append("")
            self._in, self._last_was_dd = "dt", False
        elif tag == "dd":
            self._in, self._last_was_dd = "dd", True
            for term in self._terms:
                self.entries[term], self.links[term] = "", []
        elif tag == "a" and self._in == "dd":
            for term in self._terms:
                self.links[term].append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("dt", "dd"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "dt":
            self._terms[-1] += data
        elif self._in == "dd":
            for term in self._terms:
                self.entries[term] += data


@pytest.fixture(scope="module")
def glossary_page(built_site: Path) -> _Definitions:
    parser = _Definitions()
    parser.feed((built_site / built_path("glossary.md")).read_text(encoding="utf-8"))
    return parser


def test_the_glossary_page_lists_every_term_with_its_expansion_and_definition(glossary_page):
    assert sorted(glossary_page.entries) == sorted(TITLES)
    for entry in ENTRIES:
        for term in entry.terms:
            text = " ".join(unescape(glossary_page.entries[term]).split())
            assert text.startswith(f"{entry.expansion}. {entry.definition[0].upper()}{entry.definition[1:]}"), term


def test_the_glossary_links_each_term_to_a_page_that_uses_it(glossary_page, pages):
    linked = {term for term, links in glossary_page.links.items() if links}
    assert len(linked) >= len(TITLES) * 3 // 4
    for term, links in glossary_page.links.items():
        for href in links:
            page = href.strip("./").removesuffix("/") + ".md"
            assert any(text in TITLES and TITLES[text] == TITLES[term] for text, _ in pages[page].marked), (term, href)


def test_the_glossary_page_has_its_own_description():
    front_matter = (DOCS / "glossary.md").read_text().split("---")[1]
    assert "description:" in front_matter and "PLACEHOLDER" not in front_matter
