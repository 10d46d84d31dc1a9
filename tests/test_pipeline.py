"""The demo pipeline: every way a demo can misbehave gives a clear error naming page and demo,
leaves nothing running, and nothing a demo prints can become markup in the page."""

from __future__ import annotations

import logging
import os
import signal
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from conftest import MKDOCS, mkdocs_build
from site_pages import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import demo_runner  # noqa: E402
from demo_runner import DemoError, DemoSpec, run_demo  # noqa: E402

LINUX = sys.platform.startswith("linux")
CONTAINMENTS = ["namespaces", "subreaper"] if LINUX and demo_runner.containment() == "namespaces" else ["default"]


def alive_with(token: str) -> list[int]:
    """Processes whose command line holds `token`, seen from the host (any namespace)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def wait_until_gone(token: str, seconds: float = 5) -> list[int]:
    deadline = time.monotonic() + seconds
    while alive_with(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive_with(token)


@pytest.fixture
def trial_demo(tmp_path):
    """Write a demo into tmp_path/snippets/trial/; returns its spec."""

    def write(code: str, name: str = "trial.py") -> DemoSpec:
        path = tmp_path / "snippets" / "trial" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
        return DemoSpec(f"snippets/trial/{name}", timeout=5, root=tmp_path)

    return write


@pytest.fixture(params=CONTAINMENTS)
def containment(request, monkeypatch):
    if request.param == "subreaper":
        monkeypatch.setenv("DEMO_CONTAINMENT", "subreaper")
    demo_runner.containment.cache_clear()
    yield request.param
    demo_runner.containment.cache_clear()


def daemon_code(token: str) -> str:
    """A demo that leaves a daemon behind in its own session, as nginx does when it daemonizes."""
    return f"""
        import subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "{token}"], start_new_session=True)
        print("started a daemon")
    """


@pytest.mark.skipif(not LINUX, reason="finds processes through /proc")
def test_a_daemon_in_its_own_session_is_reported_and_killed(trial_demo, containment):
    token = f"daemon-{uuid.uuid4()}"
    result = run_demo(trial_demo(daemon_code(token)))
    assert any(problem.startswith("left processes running (now killed)") for problem in result.problems)
    assert token in " ".join(result.problems)
    assert wait_until_gone(token) == []


@pytest.mark.skipif(not LINUX, reason="finds processes through /proc")
def test_a_hanging_demo_is_killed_with_its_children_at_its_timeout(trial_demo, containment):
    token = f"hang-{uuid.uuid4()}"
    spec = trial_demo(f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "{token}"], start_new_session=True)
        print("started", flush=True)
        time.sleep(60)
    """)
    spec = DemoSpec(spec.path, timeout=1.5, root=spec.root)
    result = run_demo(spec)
    assert result.problems[0] == "did not finish within 1.5 s and was killed"
    assert result.output == "started\n"
    assert wait_until_gone(token) == []


@pytest.mark.parametrize(
    "code, problem",
    [
        ("print('half way')\nraise SystemExit(3)\n", "exited with code 3"),
        ("open('left.txt', 'w').close()\n", "left files in its working directory: left.txt"),
        ("import sys\nprint('fine')\nprint('careful', file=sys.stderr)\n",
         "wrote to stderr (a demo that means to show an error prints it to stdout)"),
        ("import socket\ns = socket.socket()\ndel s\n",  # an unclosed socket: its ResourceWarning goes to stderr
         "wrote to stderr (a demo that means to show an error prints it to stdout)"),
        ("import sys\nsys.stdout.write('x' * 200_000)\n", "printed 200000 bytes; a page shows at most 65536 (output cut there)"),
    ],
    ids=["exits non-zero", "leaves a file", "writes to stderr", "leaks a socket", "prints too much"],
)
def test_a_demo_that_misbehaves_gets_a_problem_that_says_how(trial_demo, code, problem):
    result = run_demo(trial_demo(code))
    assert problem in result.problems
    assert len(result.output.encode()) <= demo_runner.OUTPUT_LIMIT


def test_invalid_utf8_output_is_shown_with_replacement_characters(trial_demo):
    result = run_demo(trial_demo("import sys\nsys.stdout.buffer.write(b'caf\\xe9\\n')\n"))
    assert result.ok and result.output == "caf\ufffd\n"


def test_a_demo_runs_as_a_script_in_a_fresh_process_and_empty_directory(trial_demo):
    code = "import os, sys\nprint(__name__, sys.argv[0].endswith('trial.py'), os.listdir('.'), os.getppid() != PARENT)\n"
    result = run_demo(trial_demo(code.replace("PARENT", str(os.getpid()))))
    assert result.ok, result.problems
    assert result.output == "__main__ True [] True\n"


@pytest.mark.skipif(not LINUX or demo_runner.containment() != "namespaces", reason="needs user namespaces")
def test_in_the_sandbox_a_demo_has_its_own_loopback_and_raw_sockets(trial_demo):
    result = run_demo(trial_demo("""
        import socket
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as raw:
            pass
        with socket.create_server(("127.0.0.1", 0)) as server:
            print("raw socket and loopback:", server.getsockname()[0])
    """))
    assert result.ok, result.problems
    assert result.output == "raw socket and loopback: 127.0.0.1\n"


@pytest.mark.parametrize(
    "path, options, message",
    [
        ("snippets/trial/trial.py", {"timeout": "abc"}, 'timeout="abc" is not a number of seconds'),
        ("snippets/trial/trial.py", {"colour": "red"}, "unknown option(s): colour; known: timeout, alone, needs"),
        ("snippets/trial/trial.py", {"needs": "windows"}, "needs='windows' is not one of: linux, nginx, packet-capture, chromium, openssl"),
        ("snippets/trial/missing.py", {}, "snippets/trial/missing.py does not exist"),
        ("print('inline')", {}, "\"print('inline')\" is not a demo path of the form snippets/<topic>/<name>.py"),
    ],
    ids=["bad timeout", "unknown option", "unknown need", "missing file", "inline code"],
)
def test_a_bad_block_is_refused_with_what_is_wrong(trial_demo, path, options, message):
    spec = trial_demo("print('hello')\n")
    with pytest.raises(DemoError) as error:
        DemoSpec.parse(path, options, spec.root)
    assert str(error.value) == message


# ---- through the build ------------------------------------------------------------------------


def make_project(tmp_path: Path, page: str) -> Path:
    """A site in tmp_path that inherits the real mkdocs.yml and hooks, with one page."""
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "trial.md").write_text(textwrap.dedent(page))
    shutil.copytree(ROOT / "docs" / "includes", tmp_path / "docs" / "includes", dirs_exist_ok=True)  # auto-appended
    config = tmp_path / "mkdocs.yml"
    hooks = "\n".join(f"  - {path}" for path in sorted((ROOT / "scripts" / "hooks").glob("*.py")))
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\nnav:\n  - Trial: trial.md\nwatch: []\nhooks:\n{hooks}\n")
    return config


@pytest.fixture
def trial_topic(tmp_path):
    """Add a demo to the trial site's snippets/trial/; returns the path a page names."""

    def add(name: str, code: str) -> str:
        path = tmp_path / "snippets" / "trial" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
        return f"snippets/trial/{name}"

    return add


def build_page(tmp_path: Path, page: str, **env: str):
    result = mkdocs_build(make_project(tmp_path, page), tmp_path / "site", **env)
    html = (tmp_path / "site" / "trial" / "index.html")
    return result, (html.read_text() if html.exists() else "")


def test_a_failing_demo_fails_the_strict_build_naming_page_and_demo(tmp_path, trial_topic):
    demo = trial_topic("broken.py", "print('half way')\nprint('yes  one claim')\nprint('NO   another claim')\nraise SystemExit(3)\n")
    result, html = build_page(tmp_path, f"# Trial\n\n```demo\n{demo}\n```\n")
    assert result.returncode != 0
    assert f"page trial.md: demo {demo} exited with code 3" in result.stderr
    assert f"page trial.md: demo {demo} found false:\nNO   another claim" in result.stderr
    assert "half way" in html or result.returncode != 0


def test_a_bad_option_fails_the_build_instead_of_showing_the_raw_block(tmp_path, trial_topic):
    demo = trial_topic("fine.py", "print('fine')\n")
    result, _ = build_page(tmp_path, f'# Trial\n\n```demo timeout="abc"\n{demo}\n```\n')
    assert result.returncode != 0
    assert f'page trial.md: demo {demo}: timeout="abc" is not a number of seconds' in result.stderr


@pytest.mark.parametrize(
    "block",
    [
        '```python exec="1"\nprint("inline")\n```\n',
        '```{.python exec="1"}\nprint("inline")\n```\n',
        '!!! note\n    ```python exec="on"\n    print("nested")\n    ```\n',
        '```sh exec="1"\necho shell\n```\n',
        '```bash exec="true"\necho shell\n```\n',
    ],
    ids=["python", "attribute list", "nested in an admonition", "sh", "bash"],
)
def test_a_block_that_markdown_exec_would_execute_fails_the_build(tmp_path, block):
    result, html = build_page(tmp_path, "# Trial\n\n" + block)
    assert result.returncode != 0
    assert "page trial.md: an executed" in result.stderr and "block (exec=\"...\") is not allowed" in result.stderr
    assert "inline\n" not in html and "shell\n" not in html.replace("echo shell", "")


def test_nothing_a_demo_prints_becomes_markup(tmp_path, trial_topic):
    payload = "````````\\n<img src=x onerror=alert(1)>\\n</code></pre><script>alert(2)</script>\\n```mermaid"
    demo = trial_topic("payload.py", f"print('{payload}')\n")
    result, html = build_page(tmp_path, f"# Trial\n\n```demo\n{demo}\n```\n")
    assert result.returncode == 0, result.stderr
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_a_drawn_diagram_is_shown_under_the_demo(tmp_path, trial_topic):
    demo = trial_topic("draws.py", "print('two steps')\nprint('```mermaid')\nprint('graph LR; A-->B')\nprint('```')\n")
    result, html = build_page(tmp_path, f"# Trial\n\n```demo\n{demo}\n```\n")
    assert result.returncode == 0, result.stderr
    assert 'Drawn from this run of draws.py:</p><figure class="diagram" tabindex="0" role="group" aria-label="Diagram"><div class="diagram-light"><svg' in html
    assert '<summary>This diagram as text</summary><pre><code>graph LR; A--&gt;B\n</code></pre>' in html


def test_a_demo_whose_needs_are_missing_shows_a_note_locally_and_fails_in_ci(tmp_path, trial_topic):
    demo = trial_topic("needs.py", "print('ran')\n")
    page = f'# Trial\n\n```demo needs="nginx"\n{demo}\n```\n'
    local, html = build_page(tmp_path, page, CI="false", NGINX="/nonexistent/nginx")
    assert local.returncode == 0, local.stderr
    assert "Not run here: this demo needs nginx (Debian package nginx)." in html
    (tmp_path / "site").rename(tmp_path / "site-local")
    ci, _ = build_page(tmp_path, page, CI="true", NGINX="/nonexistent/nginx")
    assert ci.returncode != 0 and "in CI every demo must run" in ci.stderr


def test_an_unexpected_error_in_the_hook_is_a_warning_naming_page_and_demo(caplog):
    sys.path.insert(0, str(ROOT / "scripts" / "hooks"))
    import demos as hook

    class BrokenPool:
        def result(self, spec):
            raise RuntimeError("simulated bug")

    hook.state.pool, hook.state.page = BrokenPool(), "trial.md"
    try:
        with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.demos"):
            html = hook._format_demo("snippets/tcp_handshake/connect_before_accept.py\n", "demo", "demo",
                                     {"demo": {}}, md=None)
    finally:
        hook.state.pool = None
    message = "page trial.md: demo snippets/tcp_handshake/connect_before_accept.py: the build could not show it: RuntimeError: simulated bug"
    assert message in caplog.text
    assert 'class="admonition failure"' in html


@pytest.mark.skipif(not LINUX, reason="finds processes through /proc")
def test_ctrl_c_during_a_build_leaves_no_demo_running(tmp_path, trial_topic):
    token = f"ctrl-c-{uuid.uuid4()}"
    demo = trial_topic("slow.py", f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "{token}"], start_new_session=True)
        time.sleep(60)
    """)
    config = make_project(tmp_path, f'# Trial\n\n```demo timeout="120"\n{demo}\n```\n')
    build = subprocess.Popen([*MKDOCS, "build", "--config-file", str(config), "--site-dir", str(tmp_path / "site")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not alive_with(token) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert alive_with(token), "the demo never started"
        build.send_signal(signal.SIGINT)
        build.wait(timeout=20)
    finally:
        build.kill()
        build.wait()
    assert wait_until_gone(token) == []


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_off_linux_a_linux_demo_is_not_run_and_others_run_without_killpg(trial_demo, monkeypatch, platform):
    monkeypatch.setattr(sys, "platform", platform)
    if platform == "win32":
        monkeypatch.delattr(os, "killpg")  # Windows has no process groups to kill
    demo_runner.containment.cache_clear()
    try:
        spec = trial_demo("print('anywhere')\n")
        linux_only = DemoSpec(spec.path, needs=("linux", "packet-capture"), root=spec.root)
        assert demo_runner.missing_needs(linux_only) == ["Linux", "a raw socket (Linux, with user namespaces or root)"]
        assert run_demo(linux_only).output == ""
        result = run_demo(spec)
        assert result.ok, result.problems
        assert result.output == "anywhere\n"
    finally:
        demo_runner.containment.cache_clear()


def test_the_serve_cache_reruns_a_demo_only_when_it_or_a_helper_it_imports_changes(trial_demo, tmp_path):
    from demo_pool import DemoPool

    helper = tmp_path / "snippets" / "shared.py"
    helper.parent.mkdir(parents=True, exist_ok=True)
    helper.write_text("WORD = 'first'\n")
    spec = trial_demo("""
        import os, sys
        sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
        from shared import WORD
        print(WORD, os.urandom(4).hex())
    """)

    def output() -> str:
        return DemoPool(use_cache=True, cache_dir=tmp_path / "cache").result(spec).output

    first = output()
    assert output() == first, "an unchanged demo comes from the cache"
    helper.write_text("WORD = 'second'\n")
    assert output().startswith("second "), "a changed helper re-runs the demo"
    assert DemoPool(use_cache=False).result(spec).output != first, "without the cache it always runs"


def test_a_demo_marked_alone_runs_with_no_other_demo_beside_it(trial_demo, tmp_path):
    from demo_pool import DemoPool

    log = tmp_path / "intervals"
    code = f"""
        import time
        start = time.monotonic()
        time.sleep(0.3)
        with open({str(log)!r}, "a") as log:
            log.write(f"NAME {{start}} {{time.monotonic()}}\\n")
    """
    specs = [trial_demo(code.replace("NAME", name), f"{name}.py") for name in ("a", "b", "c", "d")]
    specs[1] = DemoSpec(specs[1].path, alone=True, root=specs[1].root)
    pool = DemoPool(workers=4)
    for spec in specs:
        pool.submit(spec)
    assert all(pool.result(spec).ok for spec in specs)
    pool.close()
    intervals = {name: (float(start), float(end)) for name, start, end in (line.split() for line in log.read_text().splitlines())}
    alone_start, alone_end = intervals.pop("b")
    overlapping = [name for name, (start, end) in intervals.items() if start < alone_end and alone_start < end]
    assert overlapping == []
    assert any(a[0] < b[1] and b[0] < a[1] for a, b in [(intervals["a"], intervals["c"]), (intervals["c"], intervals["d"]), (intervals["a"], intervals["d"])]), "the others did run side by side"
