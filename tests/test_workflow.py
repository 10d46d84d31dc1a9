"""The GitHub Pages workflow is valid, and builds the way the tests do."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from site_pages import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_workflows_match_the_github_workflow_schema():
    assert WORKFLOWS
    # check-jsonschema ships this schema, so the check works offline.
    result = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_workflow_builds_strict_and_deploys_site():
    text = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    assert "./scripts/build" in text  # which runs mkdocs build --strict
    assert "--strict" in (ROOT / "scripts" / "build").read_text()
    assert "actions/deploy-pages" in text and "path: site" in text


def test_nothing_asks_for_root_but_apt_get_and_the_namespace_sysctl():
    files = [*WORKFLOWS, ROOT / "README.md", ROOT / ".ci" / "run", *(p for p in (ROOT / "scripts").rglob("*") if p.is_file() and not {"__pycache__", "node_modules"} & set(p.parts))]
    for path in files:
        for command in re.findall(r"\bsudo\s+(?:-\S+\s+)*(\S+)", path.read_text()):
            if path.name == "demo_bundle.py" and command == "python3":
                continue  # what a downloaded packet-capture demo tells its reader: a raw socket needs root
            assert command in ("apt-get", "sysctl"), f"{path.relative_to(ROOT)}: sudo {command}"
