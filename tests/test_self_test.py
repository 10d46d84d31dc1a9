"""The self-test: every topic's follow-up questions, included from the topic pages with
pymdownx.snippets sections, answers hidden until opened, each linked to the section that explains
it, and the questions an interviewer asks next marked, on the topic page too."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from site_pages import DOCS, built_path, topic_pages
from snippet_sections import included_sections, section_lines

TOPICS = topic_pages()
SELF_TEST = "self-test.md"
ASKED_NEXT = "Asked next:"


def follow_up_section(page: str) -> str:
    """The Markdown under a topic page's "## Follow-up questions", up to the next heading."""
    return (DOCS / page).read_text().split("\n## Follow-up questions\n", 1)[1].split("\n## ", 1)[0]


class Questions(HTMLParser):
    """Every <details class="question ..."> of a built page, with the h2 it sits under: its summary,
    the hrefs of its links, and the text of its last paragraph."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict] = []
        self.heading = ""
        self.in_h2 = False
        self.details = 0  # nesting depth inside the current question
        self.in_summary = False
        self.in_p = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            self.in_h2, self.heading = True, ""
        elif tag == "details" and (self.details or "question" in (attrs.get("class") or "").split()):
            if not self.details:
                self.found.append({"topic": self.heading, "summary": "", "hrefs": [], "paragraphs": []})
            self.details += 1
        elif self.details and tag == "summary":
            self.in_summary = True
        elif self.details and tag == "p":
            self.in_p = True
            self.found[-1]["paragraphs"].append({"text": "", "hrefs": []})
        elif self.details and tag == "a" and attrs.get("href"):
            self.found[-1]["hrefs"].append(attrs["href"])
            if self.in_p:
                self.found[-1]["paragraphs"][-1]["hrefs"].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_h2 = False
        elif tag == "details" and self.details:
            self.details -= 1
        elif tag == "summary":
            self.in_summary = False
        elif tag == "p":
            self.in_p = False

    def handle_data(self, data):
        if self.in_h2:
            self.heading += data
        if self.in_summary:
            self.found[-1]["summary"] += data
        elif self.details and self.in_p:
            self.found[-1]["paragraphs"][-1]["text"] += data


def questions(built_site: Path, page: str) -> list[dict]:
    parser = Questions()
    parser.feed((built_site / built_path(page)).read_text())
    for question in parser.found:
        question["summary"] = " ".join(question["summary"].split())
        question["topic"] = " ".join(question["topic"].replace("\u00b6", "").split())
    return parser.found


@pytest.mark.parametrize("path, name", included_sections(SELF_TEST),
                         ids=[f"{path}:{name}" for path, name in included_sections(SELF_TEST)])
def test_every_section_the_self_test_includes_is_a_marker_pair_in_its_file(path, name):
    assert name, f"the self-test includes the whole of {path}, not a section"
    body = section_lines(path, name)
    assert any(line.strip() for line in body), f"{path}: section '{name}' is empty"


@pytest.mark.parametrize("page", TOPICS)
def test_every_topic_page_gives_the_self_test_all_its_follow_up_questions(page):
    assert (f"docs/{page}", "followups") in included_sections(SELF_TEST)
    in_section = "\n".join(section_lines(f"docs/{page}", "followups"))
    assert in_section.count("??? question") == follow_up_section(page).count("??? question") >= 5, \
        "the section holds every follow-up question of the page"


def test_the_self_test_asks_as_many_questions_as_the_topic_pages_have(built_site):
    asked = questions(built_site, SELF_TEST)
    on_topic_pages = sum(len(questions(built_site, page)) for page in TOPICS)
    assert len(asked) == on_topic_pages >= 5 * len(TOPICS)


def test_every_question_on_the_self_test_links_to_an_existing_section_of_a_topic_page(built_site):
    base = "http://site/" + built_path(SELF_TEST)
    topic_urls = {"/" + built_path(page).removesuffix("index.html") for page in TOPICS}
    for question in questions(built_site, SELF_TEST):
        last = question["paragraphs"][-1]
        assert last["text"].startswith("Explained in:") and last["hrefs"], \
            f"{question['summary']}: its answer ends with 'Explained in:' and a link"
        for href in question["hrefs"]:
            url = urlsplit(urljoin(base, href))
            if url.netloc != "site":
                continue  # a link out of the site
            target = built_site / (url.path.lstrip("/") + "index.html" if url.path.endswith("/") else url.path.lstrip("/"))
            assert target.is_file(), f"{question['summary']}: {href} names no page"
            if url.fragment:
                assert f'id="{url.fragment}"' in target.read_text(), f"{question['summary']}: no #{url.fragment} in {url.path}"
        explained = urlsplit(urljoin(base, last["hrefs"][-1]))
        assert explained.path in topic_urls and explained.fragment, \
            f"{question['summary']}: 'Explained in' names a section of a topic page"


def test_the_answers_are_hidden_until_opened(built_site):
    text = (built_site / built_path(SELF_TEST)).read_text()
    assert re.findall(r'<details class="question"', text), "collapsed blocks, not admonitions"
    assert not re.search(r'<details class="question"[^>]*\bopen\b', text), "none opened in advance"


def test_every_topic_marks_one_or_two_questions_as_asked_next(built_site):
    by_topic: dict[str, list[str]] = {}
    for question in questions(built_site, SELF_TEST):
        by_topic.setdefault(question["topic"], []).append(question["summary"])
    assert len(by_topic) == len(TOPICS), "one group of questions per topic"
    for topic, summaries in by_topic.items():
        marked = [s for s in summaries if s.startswith(ASKED_NEXT)]
        assert 1 <= len(marked) <= 2, f"{topic}: {len(marked)} questions marked '{ASKED_NEXT}'"
        assert not [s for s in summaries if ASKED_NEXT in s and not s.startswith(ASKED_NEXT)]


@pytest.mark.parametrize("page", TOPICS)
def test_the_topic_page_marks_the_same_questions_as_the_self_test(built_site, page):
    on_page = [q["summary"] for q in questions(built_site, page)]
    marked = [s for s in on_page if s.startswith(ASKED_NEXT)]
    assert 1 <= len(marked) <= 2, f"{page}: {len(marked)} questions marked '{ASKED_NEXT}'"
    on_self_test = [q["summary"] for q in questions(built_site, SELF_TEST)]
    assert all(s in on_self_test for s in on_page), f"{page}: every question, with its mark, on the self-test"
