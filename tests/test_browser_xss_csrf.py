"""Topic 7 in a real Chromium: the vulnerable pages of the XSS demos run their payloads, the fixed
ones do not, and the CSP demo's policy blocks the injected inline script."""

from __future__ import annotations

import html
import importlib
import sys
from urllib.parse import quote

from site_pages import ROOT

sys.path[:0] = [str(ROOT / "snippets"), str(ROOT / "snippets" / "xss_csrf")]
reflected_xss = importlib.import_module("reflected_xss")
stored_xss = importlib.import_module("stored_xss")
csp_header = importlib.import_module("csp_header")
escape_by_context = importlib.import_module("escape_by_context")
from local_http import LocalServer  # noqa: E402


def dialogs_on(browser, url: str, wait_for: str) -> list[str]:
    """Load url, wait until the page shows wait_for, and return the messages of the dialogs it opened."""
    page = browser.new_page()
    messages: list[str] = []
    page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.get_by_text(wait_for).first.wait_for()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")  # let onerror fire
    page.close()
    return messages


def test_reflected_payload_runs_on_the_vulnerable_page_only(browser):
    with LocalServer(reflected_xss.SearchHandler) as server:
        query = quote(reflected_xss.PAYLOAD)
        vulnerable = dialogs_on(browser, f"{server.url}/vulnerable?q={query}", "Results for")
        fixed = dialogs_on(browser, f"{server.url}/fixed?q={query}", "Results for")
    assert vulnerable == ["reflected", "reflected"]  # one from the attribute, one from the paragraph
    assert fixed == []


def test_fixed_page_shows_the_payload_as_text(browser):
    with LocalServer(reflected_xss.SearchHandler) as server:
        page = browser.new_page()
        page.goto(f"{server.url}/fixed?q={quote(reflected_xss.PAYLOAD)}")
        shown = page.locator("p").inner_text()
        value = page.locator("input").input_value()
        page.close()
    assert shown == f"Results for {reflected_xss.PAYLOAD}"
    assert value == reflected_xss.PAYLOAD


def test_stored_payload_runs_unescaped_and_not_escaped(browser):
    with stored_xss.new_server() as server:
        page = browser.new_page()
        page.goto(server.url + "/comments")
        page.evaluate("""t => fetch("/comments", {method: "POST", body: new URLSearchParams({text: t})})""",
                      stored_xss.PAYLOAD)
        page.close()
        unsafe = dialogs_on(browser, server.url + "/comments/unsafe", "First!")
        escaped = dialogs_on(browser, server.url + "/comments", "onerror")
    assert unsafe == ["stored"]
    assert escaped == []


def test_html_escape_inside_script_lets_both_script_cases_run(browser):
    for name, template, values in escape_by_context.SCRIPT_CASES:
        page = browser.new_page()
        messages: list[str] = []
        page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
        html_page = template.format(*(html.escape(v) for v in values))
        page.set_content(f"<!doctype html><title>{name}</title>{html_page}<p>done</p>")
        page.get_by_text("done").wait_for()
        page.close()
        assert len(messages) == 1, (name, html_page, messages)


def test_csp_runs_the_nonced_script_and_blocks_the_injected_one(browser):
    with LocalServer(csp_header.CspHandler) as server:
        page = browser.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.add_init_script("""
            window.violations = [];
            document.addEventListener("securitypolicyviolation",
                e => window.violations.push([e.effectiveDirective, e.blockedURI, e.disposition]));
        """)
        page.goto(server.url + "/")
        page.wait_for_function("window.violations.length > 0")
        title = page.title()
        injected = page.evaluate("window.injected")
        violations = page.evaluate("window.violations")
        page.close()
    assert title == "nonced script ran"
    assert injected is None
    assert violations == [["script-src-elem", "inline", "enforce"]]
    assert any("Content Security Policy" in line for line in console)
