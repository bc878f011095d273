"""Render stage: Site -> Output[] (HTML pages, decoded files, JSON records).

One Jinja environment: autoescape on, StrictUndefined (a typo in a template fails loudly), and a
loader that looks in the user's templates folder before the theme shipped in the package. The
loader records which templates each render loaded, so the incremental build can tell which pages a
template change touches. Templates get model objects and a ``url()`` helper that turns a
site-root URL into a link relative to the page being rendered.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import jinja2

from generator import export
from generator import site as urls
from generator.model import Document, Filing, Output, Page
from generator.parse.filing import primary_text
from generator.sanitize import image_resolver, sanitize_html
from generator.site import Site

THEME_DIR = Path(__file__).resolve().parent.parent / "templates"


def theme_dir() -> Path:
    """The shipped theme: ``templates/`` in a source checkout, ``generator/templates`` when installed."""
    if (THEME_DIR / "base.html").is_file():
        return THEME_DIR
    import importlib.resources

    return Path(str(importlib.resources.files("generator.templates")))


class RecordingLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that remembers every template it was asked for since the last reset."""

    def __init__(self, searchpath: list[Path]) -> None:
        super().__init__([str(p) for p in searchpath])
        self.loaded: set[str] = set()

    def get_source(self, environment: jinja2.Environment, template: str):  # type: ignore[override]
        self.loaded.add(template)
        return super().get_source(environment, template)


def make_env(user_templates: Path | None = None) -> jinja2.Environment:
    paths = ([user_templates] if user_templates else []) + [theme_dir()]
    env = jinja2.Environment(
        loader=RecordingLoader(paths),
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
    env.filters["or_not_stated"] = lambda v: (
        v if v not in (None, "") else jinja2.filters.Markup('<span class="not-stated">not stated</span>')
    )
    return env


@jinja2.pass_context
def _url(ctx: Any, target: str) -> str:
    return urls.relative(ctx["here"], target)


def render_template(env: jinja2.Environment, template: str, here: str, site: Site, **values: Any) -> Output:
    loader = env.loader
    assert isinstance(loader, RecordingLoader)
    loader.loaded = set()
    text = env.get_template(template).render(here=here, site=site, **values)
    return Output(here, text.encode("utf-8"), tuple(sorted(loader.loaded)))


def render_filing(filing: Filing, site: Site, env: jinja2.Environment, original: bytes) -> list[Output]:
    """Every output of one filing: its page, one page per document, decoded files, JSON, original."""
    here = urls.filing_url(filing.id)
    files = {
        d.data_filename or d.filename or "": url
        for d in filing.documents
        if (url := urls.document_file_url(filing, d)) is not None
    }
    outputs = [
        render_template(
            env,
            "filing.html",
            here,
            site,
            filing=filing,
            primary=_document_body(filing.primary, here, files) if filing.primary else "",
        ),
        Output(urls.filing_json_url(filing.id), export.dumps(export.filing_record(filing))),
        Output(urls.original_url(filing), original),
    ]
    for doc in filing.documents:
        page = urls.document_url(filing.id, doc)
        body = _document_body(doc, page, files)
        outputs.append(
            render_template(env, "document.html", page, site, filing=filing, document=doc, body=body)
        )
        file_url = urls.document_file_url(filing, doc)
        if file_url and doc.data is not None:
            outputs.append(Output(file_url, doc.data))
    return outputs


def _document_body(doc: Document, page: str, files: dict[str, str]) -> str:
    """Safe HTML for one document: sanitised HTML, or escaped monospace text."""
    if doc.data is not None:
        return ""
    if doc.format == "html":
        return sanitize_html(doc.text, image_resolver(files, page))
    text = primary_text(doc) if doc.format == "xml" else doc.text
    return f'<pre class="filing-text">{html.escape(text)}</pre>'


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
