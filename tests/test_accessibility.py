"""Accessibility and layout of the filing, document and markdown pages.

Static checks (html.parser) over every such page of the demo site: a language, landmarks, one h1,
headings that never skip a level, header cells with a scope in every table of ours, an alt on every
image, a skip link to ``#main``. Browser checks (real Chromium): the skip link moves focus, a 390px
phone never scrolls the page sideways (wide filings scroll inside their own box), and print hides
the site's chrome.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import browser_page

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
PHONE_PAGES = (
    "filings/000-fafeb7603bdfca6a/index.html",  # the seed filing
    "filings/0000320193-97-000014/index.html",  # a 10-Q with wide text tables
    "filings/0000320193-97-000014/1-10-q.html",
    "filings/0001213900-25-032135/2-ex-99-1.html",  # an HTML exhibit with tables and an image
    "filings/0000950123-24-002518/2-information-table.html",  # a 13F table of 11 columns
)


class Outline(HTMLParser):
    """What the checks need from one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.tags: list[str] = []
        self.headings: list[int] = []
        self.ids: set[str] = set()
        self.first_link: str | None = None
        self.images_without_alt = 0
        self.tables: list[list[str]] = []  # per table of ours: the scope of each th
        self._stack: list[tuple[str, bool, int | None]] = []  # tag, inside filing content, table

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        in_filing = bool(self._stack and self._stack[-1][1])
        in_filing = in_filing or ("document" in a.get("class", "").split() and tag == "div")
        self.tags.append(tag)
        if tag == "html":
            self.lang = a.get("lang", "")
        if "id" in a:
            self.ids.add(a["id"])
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag == "a" and self.first_link is None:
            self.first_link = a.get("href")
        if tag == "img" and "alt" not in a:
            self.images_without_alt += 1
        table = None
        if tag == "table" and (not in_filing or "data" in a.get("class", "").split()):
            self.tables.append([])
            table = len(self.tables) - 1
        if tag == "th":
            ours = next((t for name, _, t in reversed(self._stack) if name == "table"), None)
            if ours is not None:
                self.tables[ours].append(a.get("scope", ""))
        if tag not in VOID:
            self._stack.append((tag, in_filing, table))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                return


def outline(path: Path) -> Outline:
    o = Outline()
    o.feed(path.read_text(encoding="utf-8"))
    o.close()
    return o


@pytest.fixture(scope="module")
def demo(demo_site: Path) -> Path:
    return demo_site


def pages_to_check(demo: Path) -> list[Path]:
    return sorted(demo.glob("filings/*/*.html")) + sorted(demo.glob("*/index.html"))


def problems(path: Path) -> list[str]:
    o = outline(path)
    found = []
    if o.lang != "en":
        found.append("no lang on <html>")
    found += [f"no <{t}> landmark" for t in ("header", "nav", "main", "footer") if t not in o.tags]
    if o.headings.count(1) != 1:
        found.append(f"{o.headings.count(1)} h1")
    found += [f"h{b} after h{a}" for a, b in zip(o.headings, o.headings[1:], strict=False) if b > a + 1]
    if o.headings and o.headings[0] != 1:
        found.append("first heading is not h1")
    for scopes in o.tables:
        if not scopes or "" in scopes:
            found.append(f"a table without header cells or with a th without scope: {scopes}")
    if o.images_without_alt:
        found.append(f"{o.images_without_alt} images without alt")
    if o.first_link != "#main" or "main" not in o.ids:
        found.append(f"first link is {o.first_link!r}, not a skip link to #main")
    return found


def test_every_filing_document_and_markdown_page_passes(demo: Path) -> None:
    pages = pages_to_check(demo)
    assert len(pages) > 60 and (demo / "about" / "index.html") in pages
    found = {p.relative_to(demo).as_posix(): problems(p) for p in pages}
    assert {k: v for k, v in found.items() if v} == {}


def test_the_checks_catch_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<html><body><main><h1>a</h1><h3>b</h3><h1>c</h1><img src=x>"
        "<table><tr><th>x</th></tr></table></main></body></html>"
    )
    found = problems(bad)
    assert len(found) == 9, found  # lang, header, nav, footer, two h1, h3 after h1, table, img, skip
    filing_table = tmp_path / "ok.html"
    filing_table.write_text('<div class="document"><table><tr><td>a filer\'s table</td></tr></table></div>')
    assert outline(filing_table).tables == []


@pytest.mark.browser
def test_phone_width_never_scrolls_the_page_sideways(demo: Path) -> None:
    with browser_page(width=390, height=844) as page:
        for rel in PHONE_PAGES:
            page.goto((demo / rel).as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (rel, width)
            # ... the wide content is still all there, scrolling inside its own box
            inner = page.evaluate(
                "Math.max(0, ...[...document.querySelectorAll('.document, .table-scroll')].map(e => e.scrollWidth))"
            )
            assert inner > 0, rel


@pytest.mark.browser
def test_skip_link_moves_focus_to_main(demo: Path) -> None:
    with browser_page() as page:
        page.goto((demo / PHONE_PAGES[1]).as_uri())
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
        assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"  # visible
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
        page.keyboard.press("Tab")  # the next stop is inside main, not the site navigation
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.browser
def test_print_hides_chrome_and_wraps_text(demo: Path) -> None:
    with browser_page(width=800) as page:
        page.goto((demo / PHONE_PAGES[2]).as_uri())
        page.emulate_media(media="print")
        hidden = page.evaluate(
            "['.site-header', '.site-footer', '.crumbs', '.doc-pager']"
            ".map(s => document.querySelector(s)).filter(Boolean).map(e => getComputedStyle(e).display)"
        )
        assert hidden and set(hidden) == {"none"}
        assert page.evaluate("getComputedStyle(document.querySelector('pre')).whiteSpace") == "pre-wrap"
        assert page.evaluate("document.documentElement.scrollWidth") <= 800
