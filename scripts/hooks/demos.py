"""MkDocs hook: run every demo a page names and show the file beside what it printed.

A page names a demo with a `demo` fence whose body is the file's path:

    ```demo needs="linux" timeout="60"
    snippets/tcp_handshake/connect_before_accept.py
    ```

The page gets two tabs, the file and its output. The demos run in scripts/demo_runner.py (one
sandboxed process each); all of them start when the build starts, a pool sized to the cores, and a
page waits only for its own. Under `mkdocs serve` results are also kept on disk (.cache/demos/), so
editing prose re-runs nothing and editing a demo re-runs that demo only; `mkdocs build` always
runs every demo afresh.

Every failure is a warning that names the page and the demo (so `--strict` fails) and a red box on
the page (so `serve` shows it). Output is inserted as escaped text: nothing a demo prints can become
markup. Under the tabs, a link to a zip of the demo and the helpers it imports, with the command
that runs it (scripts/demo_bundle.py); the zips are written into the site after the pages. Blocks
that markdown-exec would execute (`exec="1"` on python, sh, bash...) are refused:
the only way to run code at build time is a demo file through this runner.
"""

from __future__ import annotations

import atexit
import html
import logging
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # scripts/, for the runner modules
from demo_bundle import bundle_path, command_of, make_zip, needs_text  # noqa: E402
from demo_pool import DemoPool  # noqa: E402
from demo_runner import ROOT, DemoError, DemoResult, DemoSpec, containment, containment_note, helpers_of, kill_all  # noqa: E402

from markdown_exec import base_format  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402

log = logging.getLogger("mkdocs.hooks.demos")

DEMO_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})demo\b(?P<options>[^\n]*)\n[ \t]*(?P<path>\S+)[ \t]*\n[ \t]*\1", re.MULTILINE)
OPTION = re.compile(r'(\w+)="([^"]*)"')
DIAGRAM = re.compile(r"^```mermaid\n(?P<source>.*?)^```[ \t]*$\n?", re.MULTILINE | re.DOTALL)
# Languages markdown-exec knows how to execute, and shells: with exec="..." they are refused.
EXECUTABLE_LANGUAGES = ["python", "py", "pycon", "pyodide", "sh", "bash", "shell", "console", "zsh", "md", "markdown", "tree"]


class _State:
    command = "build"  # or "serve", from on_startup
    pool: DemoPool | None = None
    page = "?"
    page_url = ""  # the page's URL in the site, for links relative to it
    page_title = ""
    bundles: dict[str, tuple[DemoSpec, str, str]] = {}  # zip path in the site: (demo, page title, page URL)
    site_url = ""
    root = ROOT  # the folder of mkdocs.yml: demo paths are relative to it
    in_ci = os.environ.get("CI") == "true"
    build_started = 0.0


state = _State()
atexit.register(kill_all)


def on_startup(command: str, dirty: bool) -> None:
    state.command = command


def on_config(config: Any) -> None:
    state.site_url = config.site_url or ""
    state.root = Path(config.config_file_path).resolve().parent
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    fences.append({"name": "demo", "class": "demo", "validator": _keep_options, "format": _format_demo})
    for language in EXECUTABLE_LANGUAGES:
        fences.append({"name": language, "class": language, "validator": _asks_to_execute, "format": _refuse})


def on_pre_build(config: Any) -> None:
    state.build_started = time.monotonic()


def on_files(files: Any, config: Any) -> None:
    """Start every demo the pages name, in page order, before any page is rendered."""
    log.info(f"Demos: {containment_note()}")
    if state.pool is not None:
        state.pool.close()
    # DEMO_CACHE=use makes `mkdocs build` use the cache too: scripts/bench measures the build without demos so.
    state.pool = DemoPool(use_cache=state.command == "serve" or os.environ.get("DEMO_CACHE") == "use")
    for file in files.documentation_pages():
        for match in DEMO_FENCE.finditer(Path(file.abs_src_path).read_text(encoding="utf-8")):
            try:
                state.pool.submit(DemoSpec.parse(match["path"], dict(OPTION.findall(match["options"])), state.root))
            except DemoError:
                pass  # the page's own rendering reports it


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    state.page = page.file.src_uri
    state.page_url = page.url
    state.page_title = page.title or page.file.src_uri
    return markdown


def on_post_build(config: Any) -> None:
    for path, (spec, title, url) in state.bundles.items():
        target = Path(config.site_dir) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(make_zip(spec, title, url))
    if state.pool is not None:
        # scripts/bench reads this line (MkDocs drops a repeated "Documentation built in" line in serve).
        log.info(f"Demos: {state.pool.summary()}; pages built in {time.monotonic() - state.build_started:.2f} s")


def on_shutdown() -> None:
    kill_all()


# ---- the fences ---------------------------------------------------------------------------------


def _keep_options(language: str, inputs: dict[str, str], options: dict[str, Any], attrs: dict[str, Any], md: Any) -> bool:
    # Never raise here: superfences would swallow the error and show the block as plain text.
    options["demo"] = dict(inputs)
    inputs.clear()
    return True


def _asks_to_execute(language: str, inputs: dict[str, str], options: dict[str, Any], attrs: dict[str, Any], md: Any) -> bool:
    return "exec" in inputs


def _refuse(source: str, language: str, css_class: str, options: dict[str, Any], md: Any, **kwargs: Any) -> str:
    message = (f'an executed {language} block (exec="...") is not allowed: write the code in a file under '
               "snippets/ and name it in a ```demo block")
    log.warning(f"page {state.page}: {message}")
    return _failure_box(f"Not run: {message}", "")


def _format_demo(source: str, language: str, css_class: str, options: dict[str, Any], md: Any, **kwargs: Any) -> str:
    """Superfences formatter for ```demo: never raises (superfences would hide the error)."""
    path = source.strip()
    try:
        spec = DemoSpec.parse(path, options.get("demo", {}), state.root)
        if state.pool is None:
            state.pool = DemoPool(use_cache=False)
        result = state.pool.result(spec)
        return _render(spec, result, md)
    except DemoError as error:
        log.warning(f"page {state.page}: demo {path}: {error}")
        return _failure_box(f"Demo {path}: {error}", "")
    except Exception as error:  # a bug here must fail the build too, not vanish
        log.warning(f"page {state.page}: demo {path}: the build could not show it: {type(error).__name__}: {error}")
        return _failure_box(f"Demo {path}: the build could not show it: {type(error).__name__}: {error}", "")


def _render(spec: DemoSpec, result: DemoResult, md: Any) -> str:
    name = Path(spec.path).name
    diagrams: list[str] = []
    if result.missing:
        needs = " and ".join(result.missing)
        message = f"page {state.page}: demo {spec.path} needs {needs}, which this machine lacks"
        (log.warning if state.in_ci else log.info)(message + ("; in CI every demo must run" if state.in_ci else ""))
        published = state.site_url + _page_url(state.page)
        body = (f'<p class="demo-not-run">Not run here: this demo needs {html.escape(needs)}. '
                f'Its output as published: <a href="{html.escape(published)}">{html.escape(published)}</a>.</p>')
    else:
        for problem in result.problems:
            log.warning(f"page {state.page}: demo {spec.path} {problem}")
        failed_claims = [line for line in result.output.splitlines() if line.startswith("NO ")]
        if result.problems and failed_claims:  # the claims that did not hold, for CI's log
            log.warning(f"page {state.page}: demo {spec.path} found false:\n" + "\n".join(failed_claims))
        if result.problems and result.stderr.strip():  # the end of a traceback, for CI's log
            log.warning(f"page {state.page}: demo {spec.path} stderr ends:\n" + "\n".join(result.stderr.splitlines()[-8:]))
        output, diagrams = _split_diagrams(result.output)
        body = f'<pre class="demo-output"><code>{html.escape(output)}</code></pre>'
        if result.problems:
            details = "\n".join(result.problems) + ("\n\nstderr:\n" + result.stderr if result.stderr.strip() else "")
            body = _failure_box(f"Demo {spec.path} failed", details) + body
    file_text = spec.file.read_text(encoding="utf-8")
    tabs = base_format(
        language="python", run=lambda *args, **kwargs: body, code=spec.path, md=md, html=True,
        source="tabbed-left", tabs=(name, "Output"), transform_source=lambda code: (code, file_text),
        id="", id_prefix=None, returncode=0, session=None, update_toc=False, workdir=None, width=None,
        extra={"title": spec.path},
    )
    # Markdown wraps the tab's placeholder in <p>, and a <p> cannot hold a <pre>: unwrap it.
    tabs = str(tabs).replace(f"<p>{body}</p>", body)
    # Outside the tabs, so that a diagram is visible (and drawn) whichever tab is open.
    drawn = "".join(
        f'<p class="demo-diagram-caption">Drawn from this run of {html.escape(name)}:</p>'
        f'<pre class="mermaid"><code>{html.escape(diagram)}</code></pre>'
        for diagram in diagrams
    )
    # Out of the search index: the page's prose says what matters, and code and output made the
    # index most of every page's weight. A <section>, because Material's search parser matches the
    # excluded element by tag name, so an excluded <div> would end at the first nested </div>.
    return f'<section class="demo" data-search-exclude>{tabs}{drawn}{_download(spec)}</section>'


def _download(spec: DemoSpec) -> str:
    """A link to the demo's zip (written by on_post_build), with the command and what it needs."""
    path = bundle_path(spec)
    state.bundles[path] = (spec, state.page_title, state.site_url + state.page_url)
    helpers = [helper.name for helper in helpers_of(spec.file)]
    what = "the demo" + (f" and {', '.join(helpers)}" if helpers else "")
    needs = needs_text(spec)
    return (f'<p class="demo-download"><a href="{html.escape(get_relative_url(path, state.page_url))}" download>'
            f'Download {html.escape(Path(path).name)}</a> ({html.escape(what)}), unzip, run '
            f'<code>{html.escape(command_of(spec))}</code>'
            + (f"; needs {html.escape(needs)}" if needs else "") + ".</p>")


def _split_diagrams(output: str) -> tuple[str, list[str]]:
    """Take the ```mermaid blocks a demo printed out of its text output."""
    diagrams = [match["source"] for match in DIAGRAM.finditer(output)]
    return DIAGRAM.sub("", output).rstrip() + "\n", diagrams


def _page_url(page: str) -> str:
    return "" if page == "index.md" else page.removesuffix(".md") + "/"


def _failure_box(title: str, details: str) -> str:
    pre = f"<pre><code>{html.escape(details)}</code></pre>" if details else ""
    return f'<div class="admonition failure"><p class="admonition-title">{html.escape(title)}</p>{pre}</div>'
