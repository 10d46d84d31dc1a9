"""The build-time runner: a broken or hanging demo fails the strict build, naming page and snippet,
and whatever a demo prints is shown as text, never as live HTML."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from conftest import mkdocs_build
from site_pages import ROOT


def make_project(tmp_path: Path, demos: dict[str, str], page: str) -> Path:
    """A site that inherits the real mkdocs.yml, with one page and its own demos."""
    for name, code in demos.items():
        path = tmp_path / "snippets" / "trial" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "trial.md").write_text(textwrap.dedent(page))
    hooks = "\n".join(f"  - {path}" for path in sorted((ROOT / "scripts" / "hooks").glob("*.py")))
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\nnav:\n  - Trial: trial.md\nwatch: []\nhooks:\n{hooks}\n")
    return config


def block(name: str, options: str = "") -> str:
    return f'```python exec="1"{options}\n--8<-- "snippets/trial/{name}"\n```\n'


HANGS = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("started", flush=True)
time.sleep(60)
"""
ORPHAN = "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"

FAILURES = {
    "exits non-zero": (
        "broken.py", "print('half way')\nraise SystemExit(3)\n", "",
        "page trial.md: snippet snippets/trial/broken.py exited with code 3\nhalf way",
    ),
    "hangs (killed with its child)": (
        "hangs.py", HANGS, ' timeout="2"',
        "page trial.md: snippet snippets/trial/hangs.py did not finish within 2 s and was killed",
    ),
    "leaves a file": (
        "litter.py", "open('left.txt', 'w').close()\n", "",
        "page trial.md: snippet snippets/trial/litter.py left files in its working directory: left.txt",
    ),
    "leaves a process": (
        "orphan.py", ORPHAN, "", "page trial.md: snippet snippets/trial/orphan.py left processes running",
    ),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_demo_that_misbehaves_fails_the_build_naming_page_and_snippet(tmp_path, case):
    name, code, options, message = FAILURES[case]
    config = make_project(tmp_path, {name: code}, "# Trial\n\n" + block(name, options))
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode != 0
    assert message in result.stderr


def test_inline_code_in_an_executed_block_fails_the_build(tmp_path):
    config = make_project(tmp_path, {}, '# Trial\n\n```python exec="1"\nprint("inline")\n```\n')
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode != 0
    assert "page trial.md: an executed Python block must hold only one line" in result.stderr


def test_printed_html_is_shown_as_text(tmp_path):
    config = make_project(tmp_path, {"prints_html.py": "print('<script>alert(1)</script><b>bold</b>')\n"},
                          "# Trial\n\n" + block("prints_html.py"))
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "trial" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html and "<b>bold</b>" not in html


def test_a_demo_runs_as_a_script_in_a_fresh_process(tmp_path):
    code = "import os, sys\nprint(__name__, sys.argv[0].endswith('whoami.py'), os.getppid() != PARENT)\n"
    config = make_project(tmp_path, {"whoami.py": code.replace("PARENT", str(os.getpid()))},
                          "# Trial\n\n" + block("whoami.py"))
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "__main__ True True" in (tmp_path / "site" / "trial" / "index.html").read_text()
