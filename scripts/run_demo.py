"""Run demos exactly as the build does and print what their pages would show.

    python3 scripts/run_demo.py snippets/<topic>/<name>.py [timeout=60] [needs="linux nginx"] [alone=yes]
    python3 scripts/run_demo.py /elsewhere/<name>.py [options]   # a copy, e.g. an unzipped download

A path outside the project is run as a reader's copy: its own folder is all it can import from.
Exits non-zero when the demo fails the build's checks; the reason goes to stderr.
"""

from __future__ import annotations

import sys

from pathlib import Path

from demo_runner import ROOT, DemoError, DemoSpec, containment_note, run_demo


def main(arguments: list[str]) -> int:
    if not arguments:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, options = arguments[0], dict(argument.split("=", 1) for argument in arguments[1:])
    options = {name: value.strip('"') for name, value in options.items()}
    inside = Path(path).resolve().is_relative_to(ROOT / "snippets")
    if inside:  # accept any spelling of a path inside the project
        path = Path(path).resolve().relative_to(ROOT).as_posix()
    try:
        spec = DemoSpec.parse(path, options) if inside else DemoSpec.copied(Path(path), options)
    except DemoError as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 2
    result = run_demo(spec)
    sys.stdout.write(result.output)
    print(f"[{containment_note()}; {result.seconds:.1f} s]", file=sys.stderr)
    if result.missing:
        print(f"{path}: not run, this machine lacks {', '.join(result.missing)}", file=sys.stderr)
        return 1
    for problem in result.problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if result.stderr.strip():
        print(f"--- its stderr ---\n{result.stderr.rstrip()}", file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
