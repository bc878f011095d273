"""Search stage, the build's entry points: Site -> the search page and the browser index.

- :func:`search_page` renders ``search/index.html``.
- :func:`search_outputs` (the page plus a full index build) is what build.py calls today.
- An incremental build uses :class:`generator.search.update.IndexUpdate` directly, with
  :func:`generator.search.update.analyse` run in the worker processes (that module's docstring
  shows the calls).
"""

from __future__ import annotations

from collections.abc import Container, Iterator

import jinja2

from generator.model import Output
from generator.render import render_template
from generator.search.index import build_index
from generator.site import Site

PAGE_URL = "search/index.html"


def search_page(site: Site, env: jinja2.Environment) -> Output:
    return render_template(env, "search.html", PAGE_URL, site)


def search_outputs(site: Site, env: jinja2.Environment, skip: Container[str] = ()) -> Iterator[Output]:
    """The search page and every file of a fresh index (filings whose render failed are left
    out), as a stream: the index's files are written as they are made, never all held."""
    yield search_page(site, env)
    yield from build_index(f for f in site.filings if f.id not in skip)
