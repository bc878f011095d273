"""Search highlighting, without a browser: every filing page and document page loads
static/highlight.js with a relative ``<script src>`` (never an inline script), the script is
copied to static/, and it never turns the query into markup (tests/test_highlight_browser.py
runs it in Chromium)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPT = ROOT / "templates" / "highlight.js"


class Scripts(HTMLParser):
    """Every <script>: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = {k: v or "" for k, v in attrs}
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def scripts_of(path: Path) -> list[tuple[dict[str, str], str]]:
    parser = Scripts()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.scripts


@pytest.fixture(scope="module")
def site(demo_site: Path) -> Path:
    return demo_site


def test_filing_and_document_pages_load_the_highlighter_by_relative_src_only(site):
    pages = sorted((site / "filings").glob("*/*.html"))
    assert len(pages) > 40 and any(p.name == "index.html" for p in pages)
    for page in pages:
        scripts = scripts_of(page)
        assert len(scripts) == 1, page
        attrs, text = scripts[0]
        assert text.strip() == "", f"inline script in {page}"
        assert attrs["src"] == "../../static/highlight.js", page
        assert attrs["data-search"] == "../../search/search.classic.js"
        assert "defer" in attrs
        for target in (attrs["src"], attrs["data-search"]):
            assert (page.parent / target).resolve().is_file(), target
    assert (site / "static" / "highlight.js").read_bytes() == SCRIPT.read_bytes()


def test_other_pages_do_not_load_it(site):
    for page in [site / "index.html", site / "companies" / "index.html", site / "search" / "index.html"]:
        assert all("highlight.js" not in a.get("src", "") for a, _ in scripts_of(page)), page


def test_the_query_only_ever_becomes_text():
    source = SCRIPT.read_text(encoding="utf-8")
    code = re.sub(r"//[^\n]*", "", source)  # comments may name what the code must not do
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
        "setTimeout('",
    ):
        assert sink not in code, sink
    assert "textContent" in code


def test_result_links_carry_the_query_to_the_matched_document():
    page_js = (ROOT / "generator" / "search" / "client" / "page.js").read_text(encoding="utf-8")
    assert "href: resultHref(r)" in page_js
    assert "p.set('q'" in page_js and "p.set('at'" in page_js
