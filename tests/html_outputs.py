"""Read the demos back out of a built page: for each source/output tab pair, the text of both tabs."""

from __future__ import annotations

from html.parser import HTMLParser


class _TabbedSets(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sets: list[dict[str, list[str]]] = []  # each: {"labels": [...], "blocks": [...]}
        self._div_depth = 0
        self._set_depth: int | None = None
        self._block_depth: int | None = None
        self._in_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div":
            self._div_depth += 1
            if "tabbed-set" in classes and self._set_depth is None:
                self._set_depth = self._div_depth
                self.sets.append({"labels": [], "blocks": []})
            elif "tabbed-block" in classes and self._set_depth is not None and self._block_depth is None:
                self._block_depth = self._div_depth
                self.sets[-1]["blocks"].append("")
        elif tag == "label" and self._set_depth is not None and self._block_depth is None:
            self._in_label = True
            self.sets[-1]["labels"].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            if self._div_depth == self._block_depth:
                self._block_depth = None
            if self._div_depth == self._set_depth:
                self._set_depth = None
            self._div_depth -= 1
        elif tag == "label":
            self._in_label = False

    def handle_data(self, data: str) -> None:
        if self._in_label:
            self.sets[-1]["labels"][-1] += data
        elif self._block_depth is not None:
            self.sets[-1]["blocks"][-1] += data


def demo_tabs(html: str) -> dict[str, tuple[str, str]]:
    """{file name: (source tab text, output tab text)} for every "<name>.py | Output" tab pair."""
    parser = _TabbedSets()
    parser.feed(html)
    demos = {}
    for tabbed in parser.sets:
        labels = [label.strip() for label in tabbed["labels"]]
        if len(labels) == 2 and labels[0].endswith(".py") and labels[1] == "Output":
            source, output = tabbed["blocks"]
            demos[labels[0]] = (source, output)
    return demos
