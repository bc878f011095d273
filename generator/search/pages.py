"""Search stage, the build's entry point: Site -> the search page and the browser index.

build.py calls :func:`search_outputs` once per build; everything search adds to the site comes
from here, so the orchestrator needs one line.
"""

from __future__ import annotations

from collections.abc import Container, Iterator

import jinja2

from generator.model import Output
from generator.render import render_template
from generator.search.index import build_index
from generator.site import Site

PAGE_URL = "search/index.html"


def search_outputs(site: Site, env: jinja2.Environment, skip: Container[str] = ()) -> Iterator[Output]:
    """The search page and every file of the index (filings whose render failed are left out),
    as a stream: the index's files are written as they are made, never all held."""
    yield render_template(env, "search.html", PAGE_URL, site)
    yield from build_index(f for f in site.filings if f.id not in skip)
