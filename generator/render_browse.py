"""Render stage, browse pages: Site -> the home page and the listings (by form, by date, companies).

Everything here reads the assembled Site only, never raw filing bytes.
"""

from __future__ import annotations

import jinja2

from generator.model import Output
from generator.render import render_template
from generator.site import Site


def render_browse(site: Site, env: jinja2.Environment) -> list[Output]:
    """The home page and every listing page."""
    return [render_template(env, "index.html", "index.html", site)]
