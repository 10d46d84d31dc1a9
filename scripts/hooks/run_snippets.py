"""MkDocs hook: run every demo in snippets/ in its own subprocess at build time and embed its output.

A page asks for a demo with one block, the file included by pymdownx.snippets:

    ```python exec="1"
    --8<-- "snippets/tcp_handshake/connect_before_accept.py"
    ```

markdown-exec renders the block as two tabs, the file and what it printed. markdown-exec would run
Python with exec() inside the build, with no timeout; this hook gives it a runner that starts
`python <file>` in a fresh process and working directory instead, kills it after a timeout
(`timeout="60"` on the block overrides the default), and embeds its stdout as escaped text. A demo
that exits non-zero, hangs, or leaves files or processes behind logs a warning naming the page and
the snippet, which fails `mkdocs build --strict`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_exec import base_format, validator

DEFAULT_TIMEOUT_SECONDS = 30

log = logging.getLogger("mkdocs.hooks.run_snippets")

# An executed Python fence whose body is one --8<-- line naming a file.
SNIPPET_FENCE = re.compile(
    r'^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?:python|py)(?P<options>[ \t][^\n]*\bexec="[^"]*"[^\n]*)\n'
    r'(?P=indent)--8<--[ \t]+"(?P<path>[^"]+)"[ \t]*\n'
    r"(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE,
)
ANY_EXEC_FENCE = re.compile(r'^[ \t]*(?:`{3,}|~{3,})(?:python|py|pycon)[ \t][^\n]*\bexec="', re.MULTILINE)


@dataclass
class _State:
    project_dir: Path = Path.cwd()
    page: str = "?"  # the page being rendered, for messages
    snippets_digest: str = ""


_state = _State()
_cache: dict[tuple[str, str], str] = {}  # (snippet, digest of snippets/) -> output, for `mkdocs serve`


def on_config(config: Any) -> None:
    _state.project_dir = Path(config.config_file_path).resolve().parent
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    for language in ("python", "py"):
        fences.append({"name": language, "class": language, "validator": validator, "format": _format})


def on_pre_build(config: Any) -> None:
    digest = hashlib.sha256()
    for path in sorted((_state.project_dir / "snippets").rglob("*.py")):
        digest.update(path.relative_to(_state.project_dir).as_posix().encode() + b"\0" + path.read_bytes())
    _state.snippets_digest = digest.hexdigest()


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    _state.page = page.file.src_uri
    if len(ANY_EXEC_FENCE.findall(markdown)) != len(SNIPPET_FENCE.findall(markdown)):
        log.warning(
            f"page {_state.page}: an executed Python block must hold only one line, "
            f'--8<-- "snippets/<topic>/<name>.py"; write the demo in a file under snippets/'
        )
    return SNIPPET_FENCE.sub(_with_defaults, markdown)


def _with_defaults(match: re.Match[str]) -> str:
    """Add the options every demo block shares, unless the author set them."""
    path, options = match["path"], match["options"]
    defaults = {
        "source": "tabbed-left",
        "result": "text",
        "title": path,
        "tabs": f"{Path(path).name}|Output",
    }
    for name, value in defaults.items():
        if f"{name}=" not in options:
            options += f' {name}="{value}"'
    options += f' snippet="{path}"'
    indent, fence = match["indent"], match["fence"]
    return f'{indent}{fence}python{options}\n{indent}--8<-- "{path}"\n{indent}{fence}'


def _format(code: str, language: str, css_class: str, options: dict[str, Any], md: Any, **kwargs: Any) -> str:
    """The superfences formatter for executed Python blocks."""
    options = dict(options)
    extra = options["extra"] = dict(options["extra"])
    snippet = extra.pop("snippet", None)
    timeout = float(extra.pop("timeout", DEFAULT_TIMEOUT_SECONDS))

    def run(code: str, **_: Any) -> str:
        if snippet is None:  # on_page_markdown has warned already
            return "This block must include a file from snippets/ instead of inline code."
        try:
            return _run_snippet(snippet, code, timeout)
        except SnippetFailed as failure:
            log.warning(f"page {_state.page}: {failure}")
            return str(failure)  # shown on the page, where `mkdocs serve` goes on after a warning

    return base_format(language="python", run=run, code=code, md=md, **options)


class SnippetFailed(Exception):
    def __init__(self, snippet: str, problem: str, output: str = "") -> None:
        super().__init__(f"snippet {snippet} {problem}" + (f"\n{output.rstrip()}" if output.strip() else ""))


def _run_snippet(snippet: str, code: str, timeout: float) -> str:
    path = _state.project_dir / snippet
    if not snippet.startswith("snippets/") or not path.is_file():
        raise SnippetFailed(snippet, "is not a file under snippets/", "")
    if path.read_text(encoding="utf-8").strip() != code.strip():
        raise SnippetFailed(snippet, "differs from the code on the page", "")
    key = (snippet, _state.snippets_digest)
    if key in _cache:
        return _cache[key]

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    # Output goes to files, not pipes: a child process left running would hold a pipe open.
    with tempfile.TemporaryDirectory(prefix="snippet-") as workdir, \
            tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [sys.executable, str(path)],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,  # its own process group, so a timeout kills its children too
        )
        try:
            process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        left_running = _kill_process_group(process.pid)
        process.wait()
        stdout, stderr = _read(out), _read(err)
        if timed_out:
            raise SnippetFailed(snippet, f"did not finish within {timeout:g} s and was killed", stdout + stderr)
        if process.returncode != 0:
            raise SnippetFailed(snippet, f"exited with code {process.returncode}", stdout + stderr)
        if left_running:
            raise SnippetFailed(snippet, "left processes running (now killed)", stdout)
        left = sorted(os.listdir(workdir))
        if left:
            raise SnippetFailed(snippet, f"left files in its working directory: {', '.join(left)}", stdout)

    _cache[key] = stdout
    return stdout


def _read(file: Any) -> str:
    file.seek(0)
    return file.read()


def _kill_process_group(group: int) -> bool:
    """Kill whatever is left in the demo's process group; tell whether anything was."""
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True
