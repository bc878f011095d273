"""Render stage: Site -> Output[] (HTML pages, decoded files, JSON records).

One Jinja environment: autoescape on, StrictUndefined (a typo in a template fails loudly), and a
loader that looks in the user's templates folder before the theme shipped in the package. The
environment records which templates each render loaded, so the incremental build can tell which pages a
template change touches. Templates get model objects and a ``url()`` helper that turns a
site-root URL into a link relative to the page being rendered.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from generator import export
from generator import site as urls
from generator.crosslink import ExhibitLinks, link_exhibits_in_html
from generator.model import Document, Filing, Output, Page
from generator.render_helpers import install_helpers
from generator.render_text import render_plain, render_plain_pair
from generator.render_xml import render_xml
from generator.sanitize import image_resolver, link_resolver, sanitize_html
from generator.site import FilingContext, Site

THEME_DIR = Path(__file__).resolve().parent.parent / "templates"


def theme_dir() -> Path:
    """The shipped theme: ``templates/`` in a source checkout, ``generator/templates`` when installed."""
    if (THEME_DIR / "base.html").is_file():
        return THEME_DIR
    import importlib.resources

    return Path(str(importlib.resources.files("generator.templates")))


class RecordingEnvironment(jinja2.Environment):
    """An Environment that remembers every template a render asked for (the page's template and
    everything it extends, includes or imports), since the last reset of :attr:`loaded`.

    Recorded here, not in the loader: compiled templates are cached, so a loader sees only the
    first page that uses a template, and the incremental build needs the list for every page."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.loaded: set[str] = set()

    def get_template(self, name, parent=None, globals=None):  # type: ignore[override]  # noqa: A002
        if isinstance(name, str):
            self.loaded.add(self.join_path(name, parent) if parent is not None else name)
        return super().get_template(name, parent, globals)

    def select_template(self, names, parent=None, globals=None):  # type: ignore[override]  # noqa: A002
        template = super().select_template(names, parent, globals)
        if template.name:
            self.loaded.add(template.name)
        return template


_ENV_CACHE: dict[tuple, jinja2.Environment] = {}


def make_env(user_templates: Path | None = None) -> jinja2.Environment:
    """The environment for a templates folder (over the theme). The same one is handed out again
    while no file of either folder changed (a watcher builds many times in one process, and
    compiling the templates is a tenth of a small rebuild); any change gives a fresh one."""
    paths = ([user_templates] if user_templates else []) + [theme_dir()]
    key = tuple(_folder_state(p) for p in paths)
    if key not in _ENV_CACHE:
        _ENV_CACHE.clear()
        _ENV_CACHE[key] = _new_env(paths)
    return _ENV_CACHE[key]


def _folder_state(folder: Path) -> tuple:
    try:
        return (str(folder), tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size)
                                          for e in os.scandir(folder) if e.is_file())))  # fmt: skip
    except OSError:
        return (str(folder), None)


def _new_env(paths: list[Path]) -> jinja2.Environment:
    env = RecordingEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in paths]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["url"] = _url
    for name in (
        "filing_url",
        "filing_json_url",
        "document_url",
        "document_file_url",
        "original_url",
        "page_url",
    ):
        env.globals[name] = getattr(urls, name)
    install_helpers(env)
    from generator.render_browse import register  # imports this module: bound late

    register(env)  # form_name and the browse helpers, before any page renders
    return env


@jinja2.pass_context
def _url(ctx: Any, target: str) -> str:
    return urls.relative(ctx["here"], target)


def render_template(
    env: jinja2.Environment, template: str, here: str, site: Site | FilingContext, **values: Any
) -> Output:
    assert isinstance(env, RecordingEnvironment)
    env.loaded = set()
    text = env.get_template(template).render(here=here, site=site, **values)
    return Output(here, text.encode("utf-8"), tuple(sorted(env.loaded)))


def render_filing(
    filing: Filing, site: Site | FilingContext, env: jinja2.Environment, original: bytes
) -> list[Output]:
    """Every output of one filing: its page, one page per document, decoded files, JSON, original.

    The filing page and the document pages live in one folder, so the primary document's HTML
    (links and images included) serves both; only a plain-text primary differs on the filing page:
    it lacks the line anchors a link to a passage uses (those point at its own page), and both
    versions come from one reading of its text."""
    here = urls.filing_url(filing.id)
    bodies, lean = _bodies(filing, lean_primary=True)
    docs = filing.documents
    primary = lean if lean is not None else bodies[0] if docs else ""
    outputs = [
        render_template(env, "filing.html", here, site, filing=filing, primary=primary),
        Output(urls.filing_json_url(filing.id), export.dumps(export.filing_record(filing))),
        Output(urls.original_url(filing), original),
    ]
    for i, doc in enumerate(docs):
        page = urls.document_url(filing.id, doc)
        neighbours = (docs[i - 1] if i else None, docs[i + 1] if i + 1 < len(docs) else None)
        values = dict(filing=filing, document=doc, body=bodies[i], previous=neighbours[0], next=neighbours[1])
        outputs.append(render_template(env, "document.html", page, site, **values))
        file_url = urls.document_file_url(filing, doc)
        if file_url and doc.data is not None:
            outputs.append(Output(file_url, doc.data))
    return outputs


def document_bodies(filing: Filing) -> list[str]:
    """Safe HTML for each document, in order; exhibit references linked in the primary one."""
    return _bodies(filing)[0]


def _bodies(filing: Filing, lean_primary: bool = False) -> tuple[list[str], str | None]:
    """:func:`document_bodies`, and with ``lean_primary`` a plain-text primary document also
    rendered without line anchors (None for any other), from the same reading of its text."""
    here = urls.filing_url(filing.id)
    files = {
        d.data_filename or d.filename or "": url
        for d in filing.documents
        if (url := urls.document_file_url(filing, d)) is not None
    }
    pages = {d.filename or "": urls.document_url(filing.id, d) for d in filing.documents}
    resolvers = (image_resolver(files, here), link_resolver(pages, here))
    links = ExhibitLinks(filing, here)
    docs = filing.documents
    if lean_primary and docs and docs[0].format == "plain" and docs[0].data is None:
        first, lean = render_plain_pair(docs[0].text, links)  # no line anchors: lean bytes
        return [first, *(_document_body(doc, resolvers, None) for doc in docs[1:])], lean
    return [_document_body(doc, resolvers, links if i == 0 else None) for i, doc in enumerate(docs)], None


Resolver = Callable[[str], str | None]


def _document_body(doc: Document, resolvers: tuple[Resolver, Resolver], links: ExhibitLinks | None) -> str:
    """One document as safe HTML: sanitised HTML, XML as data, text in its own layout; "" for a
    decoded binary (its page shows or offers the file instead)."""
    if doc.data is not None:
        return ""
    if doc.format == "html":
        body = sanitize_html(doc.text, *resolvers)
        return link_exhibits_in_html(body, links) if links else body
    if doc.format == "xml":
        return render_xml(doc.text)
    return render_plain(doc.text, links)


def render_page(page: Page, site: Site, env: jinja2.Environment) -> Output:
    return render_template(env, "page.html", urls.page_url(page), site, page=page)


def render_static(env: jinja2.Environment) -> list[Output]:
    """The theme's static files (style sheets, scripts) under ``static/``, looked up through the
    same override chain as the templates, so a user's file of the same name wins."""
    outputs = []
    for name in sorted(env.list_templates(filter_func=lambda n: n.endswith((".css", ".js")))):
        loader = env.loader
        assert loader is not None
        source, _, _ = loader.get_source(env, name)
        outputs.append(Output(f"static/{name}", source.encode("utf-8"), (name,)))
    return outputs
