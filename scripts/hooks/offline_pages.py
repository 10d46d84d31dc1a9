"""MkDocs hook: finish each built page so that it works offline and reads well to assistive tech.

- Material fetches Mermaid from a CDN unless a global `mermaid` already exists. This hook loads the
  copy vendored in docs/assets/vendor/mermaid/, before Material's bundle, and only on pages that
  have a diagram (the file is 3.5 MB).
- Material's search dialog has no accessible name; this hook gives it one.
- Material writes `tabindex=""` on the labels of nav sections, which is not valid HTML (browsers
  ignore it, so dropping it changes nothing but the validator's verdict).
- The offline copy (OFFLINE=true, Material's offline plugin) needs a Web Worker shim for file://,
  which the plugin would load from unpkg.com; this hook loads the vendored copy instead.
"""

from __future__ import annotations

import re
from typing import Any

MERMAID = "assets/vendor/mermaid/mermaid.min.js"
WORKER_SHIM = "assets/vendor/iframe-worker/shim.js"
BUNDLE_SCRIPT = re.compile(r'<script src="(?P<root>[^"]*)assets/javascripts/bundle\.[0-9a-f]+\.min\.js"></script>')
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def on_config(config: Any) -> None:
    polyfills = config.extra.get("polyfills", [])
    config.extra["polyfills"] = [WORKER_SHIM if "iframe-worker" in str(url) else url for url in polyfills]


def on_post_page(output: str, page: Any, config: Any) -> str:
    if '<pre class="mermaid">' in output:
        bundle = BUNDLE_SCRIPT.search(output)
        if bundle is None:
            raise ValueError(f"{page.file.src_uri}: Material's bundle script tag was not found")
        tag = f'<script src="{bundle["root"]}{MERMAID}"></script>'
        output = output[: bundle.start()] + tag + output[bundle.start() :]
    output = output.replace(' tabindex=""', "")
    return output.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + ' aria-label="Search">')


def on_post_template(output: str, template_name: str, config: Any) -> str:
    """The theme's own pages (404.html) get the same markup fix."""
    return output.replace(' tabindex=""', "")
