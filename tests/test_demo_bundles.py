"""Every demo's download, used as a reader uses it: unzipped into an empty folder and run there by
an ordinary user (uid 65534 when the tests run as root), in the build's sandbox. It must exit 0 and
print the same claims, all "yes", as the page does."""

from __future__ import annotations

import ast
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from conftest import require
from site_pages import ROOT, built_path, demo_specs, nav_pages

DEMOS = {spec.path: (page, spec) for page in nav_pages() for spec in demo_specs(page)}
NOBODY = 65534
RUNNER = ("run_demo.py", "demo_runner.py", "sandbox_init.py")


def zip_of(built_site: Path, demo: str) -> Path:
    topic, name = Path(demo).parts[-2:]
    return built_site / "downloads" / "demos" / topic / f"{Path(name).stem}.zip"


def claims(output: str) -> list[str]:
    """The yes/NO lines, with numbers blanked (they are measured, so they differ run to run)."""
    return sorted(re.sub(r"\d+(\.\d+)?", "#", line.strip()) for line in output.splitlines()
                  if line.startswith(("yes ", "NO ")))


def _become_nobody() -> None:
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)


def _reader_kit(folder: Path) -> tuple[str, Path]:
    """(python, folder of the runner) that an ordinary user can use.

    As that user already: this Python and scripts/. As root: the checkout and its .venv may be
    private (/root), so the runner and the packages the demos import (with what they need) are
    copied to `folder`, world-readable, and run by the system's python3."""
    if os.geteuid() != 0:
        return sys.executable, ROOT / "scripts"
    python = "/usr/bin/python3"
    require(os.access(python, os.X_OK), "/usr/bin/python3, to run the downloads as an ordinary user")
    from importlib import metadata

    from packaging.requirements import Requirement

    from demo_bundle import packages_of  # scripts/ is on sys.path (site_pages)

    wanted = {package for _, spec in DEMOS.values() for package in packages_of(spec)}
    by_module = metadata.packages_distributions()
    pending = [distribution for module in wanted for distribution in by_module.get(module, [])]
    copied: set[str] = set()
    while pending:
        name = pending.pop()
        if name.lower() in copied:
            continue
        copied.add(name.lower())
        distribution = metadata.distribution(name)
        for file in distribution.files or []:
            source = Path(distribution.locate_file(file))
            if source.is_file() and ".." not in file.parts:
                (folder / "lib" / file).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, folder / "lib" / file)
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    for name in RUNNER:
        shutil.copy2(ROOT / "scripts" / name, folder / name)
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | (0o555 if path.is_dir() or mode & 0o100 else 0o444))
    return python, folder


@pytest.fixture(scope="session")
def bundle_runs(built_site):
    """{demo: (exit status, stdout, stderr, files unzipped)} for every demo, each run from its zip alone."""
    folder = Path(tempfile.mkdtemp(prefix="bundles-"))
    folder.chmod(0o755)
    python, runner = _reader_kit(folder / "kit")
    as_nobody = os.geteuid() == 0

    def run(demo: str) -> tuple[int, str, str, list[str]]:
        place = folder / Path(demo).parts[-2]
        place.mkdir(mode=0o755, exist_ok=True)
        with zipfile.ZipFile(zip_of(built_site, demo)) as archive:
            names = archive.namelist()
            archive.extractall(place)
        script = place / Path(demo).stem / Path(demo).name
        for path in script.parent.iterdir():
            path.chmod(0o644)
        script.parent.chmod(0o755)
        spec = DEMOS[demo][1]
        options = ([f'needs={" ".join(spec.needs)}'] if spec.needs else []) + [f"timeout={spec.timeout:g}"]
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(folder),
               "LANG": "C.UTF-8", **{name: os.environ[name] for name in ("NGINX",) if name in os.environ}}
        if as_nobody:
            env["PYTHONPATH"] = str(runner / "lib")
        result = subprocess.run([python, str(runner / "run_demo.py"), str(script), *options],
                                capture_output=True, text=True, cwd="/", timeout=spec.timeout + 60, env=env,
                                preexec_fn=_become_nobody if as_nobody else None)
        return result.returncode, result.stdout, result.stderr, names

    try:
        together = [demo for demo, (_, spec) in DEMOS.items() if not spec.alone]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            results = dict(zip(together, pool.map(run, together)))
        results.update({demo: run(demo) for demo, (_, spec) in DEMOS.items() if spec.alone})
        yield results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_every_demo_block_links_its_zip(built_site):
    for demo, (page, _) in DEMOS.items():
        html = (built_site / built_path(page)).read_text()
        link = f'downloads/demos/{Path(demo).parts[-2]}/{Path(demo).stem}.zip" download>'
        assert link in html, f"{page}: no download link for {demo}"
        assert zip_of(built_site, demo).is_file()


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_a_zip_holds_the_demo_exactly_the_helpers_it_imports_and_how_to_run_it(built_site, demo):
    with zipfile.ZipFile(zip_of(built_site, demo)) as archive:
        files = {Path(name).name: archive.read(name) for name in archive.namelist()}
    name = Path(demo).name
    assert files.pop(name) == (ROOT / demo).read_bytes()
    readme = files.pop("README.txt").decode()
    assert f"python3 {name}" in readme
    if "packet-capture" in DEMOS[demo][1].needs:
        assert f"sudo python3 {name}" in readme, "a raw socket needs root outside the build's sandbox"
    if "linux" in DEMOS[demo][1].needs:
        assert "Linux" in readme
    imported = set()
    for source in [(ROOT / demo).read_bytes(), *(data for name, data in files.items() if name.endswith(".py"))]:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    helpers = {f"{module}.py" for module in imported if (ROOT / "snippets" / f"{module}.py").is_file()}
    data = {name for name in files if not name.endswith(".py")}
    assert set(files) - data == helpers, "every helper it imports, and no other module"
    for helper in helpers:
        assert files[helper] == (ROOT / "snippets" / helper).read_bytes()
    for name in data:  # a file beside the demo that it reads, such as an nginx config
        assert f'"{name}"' in (ROOT / demo).read_text() and files[name] == (ROOT / demo).with_name(name).read_bytes()


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_a_demo_unzipped_alone_runs_and_prints_the_pages_claims(bundle_runs, published, demo):
    status, output, errors, _ = bundle_runs[demo]
    assert "ModuleNotFoundError" not in errors + output
    assert status == 0, f"{demo} from its zip failed:\n{errors[-2000:]}\n" + "\n".join(line for line in output.splitlines() if line.startswith("NO"))
    page_claims = claims(published(demo.removeprefix("snippets/")))
    assert page_claims, f"{demo} prints no yes/NO lines on the page"
    assert not [line for line in claims(output) if line.startswith("NO")]
    assert claims(output) == page_claims
