"""A demo as a reader downloads it: one zip with the demo, exactly the helpers it imports (found
from its imports, as the build finds them) and a README.txt with the command that runs it.

Used by the demos hook, which links each demo's zip under its tabs and writes the zips into the
built site (downloads/demos/<topic>/<name>.zip). No MkDocs in here.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import zipfile
from pathlib import Path

from demo_runner import DemoSpec, helpers_of

# What each `needs` means to a reader running the demo on their own machine.
NEED_WORDS = {
    "linux": "Linux",
    "nginx": "nginx (Debian package nginx)",
    "chromium": "Chromium (Debian package chromium)",
    "openssl": "the openssl command",
    "packet-capture": "root, for the raw socket that captures packets",
}
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed, so the same files make the same zip
# The packages the site pins for its demos; a demo may run one without importing it (python -m gunicorn).
PINNED = [re.split(r"[<>=;#\s\[]", line.strip())[0] for line in
          (Path(__file__).parent / "pins" / "site.in").read_text().splitlines() if line.strip() and not line.startswith("#")]


def bundle_path(spec: DemoSpec) -> str:
    """Where the zip goes in the built site: downloads/demos/<topic>/<name>.zip."""
    topic, name = Path(spec.path).parts[-2:]
    return f"downloads/demos/{topic}/{Path(name).stem}.zip"


def files_of(spec: DemoSpec) -> list[Path]:
    """The demo, the helpers it imports, and files beside it that it names (an nginx config it reads)."""
    python = [spec.file, *helpers_of(spec.file)]
    named = {text for path in python for text in _strings(path)}
    data = sorted(path for path in spec.file.parent.iterdir() if path.suffix != ".py" and path.name in named)
    return [*python, *data]


def _strings(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_bytes()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def packages_of(spec: DemoSpec) -> list[str]:
    """The packages from PyPI its files import (neither the standard library nor a helper)."""
    python = [path for path in files_of(spec) if path.suffix == ".py"]
    helpers = {path.stem for path in python}
    found = {name for path in python for name in _strings(path) if name in PINNED}  # run, not imported
    for path in python:
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return sorted(name for name in found if name not in sys.stdlib_module_names and name not in helpers)


def command_of(spec: DemoSpec) -> str:
    name = Path(spec.path).name
    return f"sudo python3 {name}" if "packet-capture" in spec.needs else f"python3 {name}"


def needs_text(spec: DemoSpec) -> str:
    """What it needs beyond Python 3.10, in words: "Linux; nginx (...); pip install httpx"."""
    words = [NEED_WORDS[need] for need in spec.needs]
    packages = packages_of(spec)
    if packages:
        words.append("pip install " + " ".join(packages))
    return "; ".join(words)


def readme(spec: DemoSpec, page_title: str, page_url: str) -> str:
    name = Path(spec.path).name
    helpers = [path.name for path in files_of(spec)[1:]]
    lines = [
        f"{name}, a demo from Network Essentials: {page_title}",
        f"Page: {page_url}",
        "",
        f"Run:   {command_of(spec)}",
        f"Needs: Python 3.10 or later" + (f"; {needs_text(spec)}" if needs_text(spec) else ""),
        f"Files: {name}" + (f", and {', '.join(helpers)}, which it uses" if helpers else ""),
        "",
        "It prints what it saw and a yes/NO line for each claim the page makes, and exits 0 only",
        "when every claim held. It binds only to 127.0.0.1, on ports the OS picks, and removes",
        "what it made, even when it fails.",
    ]
    return "\n".join(lines) + "\n"


def make_zip(spec: DemoSpec, page_title: str, page_url: str) -> bytes:
    folder = Path(spec.path).stem
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [(path.name, path.read_bytes()) for path in files_of(spec)]
        entries.append(("README.txt", readme(spec, page_title, page_url).encode()))
        for name, data in entries:
            info = zipfile.ZipInfo(f"{folder}/{name}", ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
