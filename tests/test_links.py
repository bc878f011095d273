"""Link checker: every href and src of every built page resolves to a file of the site, every
#fragment to an id in its target, no link is absolute, and only filing content links out.

Run over the demo site (fast) and over the whole shared corpus (slow, skipped with a message when
the corpus is absent). The parser is the standard library's html.parser, not a browser: what it
reads is what any crawler or archive tool would.
"""

from __future__ import annotations

import functools
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT, run_build, shared_corpus

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
EXTERNAL_SCHEMES = ("http", "https", "mailto")
CSP = "default-src 'none'"


class Page(HTMLParser):
    """The ids of one page and its links: (attribute, value, inside filing content)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, bool]] = []
        self.meta_csp: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        inside = bool(self._stack and self._stack[-1][1]) or "document" in a.get("class", "").split()
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        for attr in ("href", "src"):
            if attr in a and not (tag == "link" and a.get("rel") == "canonical"):
                self.links.append((attr, a[attr], inside))
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.meta_csp.append(a.get("content", ""))
        if tag not in VOID:
            self._stack.append((tag, inside))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                return


@functools.lru_cache(maxsize=4096)
def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def problems(root: Path) -> list[str]:
    """Every broken, absolute or misplaced link of the site at ``root``, as readable lines."""
    root = root.resolve()
    found: list[str] = []
    for html in sorted(root.rglob("*.html")):
        page = parse(html)
        where = html.relative_to(root).as_posix()
        if not any(CSP in c for c in page.meta_csp):
            found.append(f"{where}: no Content-Security-Policy meta")
        for attr, value, inside in page.links:
            if (problem := check(root, html, value, inside)) is not None:
                found.append(f"{where}: {attr}={value!r}: {problem}")
    return found


def check(root: Path, html: Path, value: str, inside: bool) -> str | None:
    parts = urlsplit(value)
    if parts.scheme:
        if parts.scheme.lower() not in EXTERNAL_SCHEMES:
            return f"scheme {parts.scheme}: not allowed"
        return None if inside else "external link outside filing content"
    if parts.netloc or value.startswith("/"):
        return "absolute link"
    target = (html.parent / unquote(parts.path)).resolve() if parts.path else html
    if root not in target.parents and target != root:
        return "points outside the site"
    if not target.is_file():
        return "target does not exist"
    if parts.fragment:
        if target.suffix != ".html":
            return "fragment into a file that is not a page"
        if unquote(parts.fragment) not in parse(target).ids:
            return f"no id {parts.fragment!r} in {target.relative_to(root).as_posix()}"
    return None


def test_checker_catches_what_it_should(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><p id="x"></p><a name="n"></a>'
        '<a href="a.html#x">ok</a><a href="#n">ok</a><a href="b.html">missing</a><a href="#y">no id</a>'
        '<a href="/abs.html">abs</a><a href="file:///etc/passwd">file</a><a href="https://x.org/">out</a>'
        '<div class="document"><a href="https://x.org/">in content: fine</a><p><img src="c.png"></p></div>'
        '<a href="../outside.html">up</a>'
    )
    found = problems(tmp_path)
    assert len(found) == 7, found
    for needle in (
        "b.html",
        "'#y'",
        "/abs.html",
        "file:",
        "outside filing content",
        "c.png",
        "outside the site",
    ):
        assert any(needle in f for f in found), needle


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("links") / "output"
    run_build(ROOT / "site_src", out, jobs=1)
    return out


def test_demo_site_has_no_broken_or_absolute_links(demo: Path) -> None:
    assert len(list(demo.rglob("*.html"))) > 60
    assert problems(demo) == []


def test_demo_pages_link_every_document_and_exhibit(demo: Path) -> None:
    """The filing page reaches every document page; the document pages reach each other."""
    for filing in sorted((demo / "filings").iterdir()):
        docs = {p.name for p in filing.glob("*.html") if p.name != "index.html"}
        linked = {value.split("#")[0] for _, value, _ in parse(filing / "index.html").links}
        assert docs <= linked, (filing.name, docs - linked)


@pytest.mark.slow
def test_whole_corpus_has_no_broken_links(tmp_path: Path) -> None:
    corpus = shared_corpus()
    source = tmp_path / "source"
    for part in ("full", "headerless"):
        if (corpus / part).is_dir():
            shutil.copytree(corpus / part, source / part)
    out = tmp_path / "output"
    report, lines = run_build(source, out)
    assert report.filings >= 100, lines[-1]
    found = problems(out)
    assert found == [], f"{len(found)} link problems, first: {found[:20]}"
