"""The GitHub Pages workflow is valid, and builds the way the tests do."""

from __future__ import annotations

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
