"""Browse pages of the built demo: home, forms, dates, companies. Structure (one h1, heading
order, table headers, accessible SVG, landmarks), links that resolve from any folder, pagination
of long listings, identical bytes on every build, and a look in a real Chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import browser_page
from conftest import ROOT, run_build

from generator import render_browse

SITE_SRC = ROOT / "site_src"
COTELLIGENT = SITE_SRC / "filings" / "1990s" / "0001004963-96-000004.txt"  # a 5 KB 8-K


@pytest.fixture(scope="module")
def demo(demo_site: Path) -> Path:
    return demo_site


def browse_pages(out: Path) -> list[Path]:
    pages = [out / "index.html"]
    for folder in ("forms", "dates", "companies"):
        pages += sorted((out / folder).rglob("*.html"))
    return pages


class Outline(HTMLParser):
    """What the structural checks need from one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[int] = []
        self.tags: list[tuple[str, dict]] = []
        self.tables: list[dict] = []
        self.svgs: list[dict] = []
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self.tables.append({"th": 0, "th_without_scope": 0})
        elif tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
            self.tables[-1]["th_without_scope"] += "scope" not in a
        elif tag == "svg":
            self.svgs.append({"role": a.get("role"), "title": False, "desc": False})
        elif tag in ("title", "desc") and self.svgs:
            self.svgs[-1][tag] = True
        if tag in ("a", "link") and "href" in a:
            self.links.append(a["href"])


def outline(path: Path) -> Outline:
    parser = Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# --- structure and accessibility ----------------------------------------------------------------


def test_every_browse_page_has_one_h1_ordered_headings_headed_tables_and_landmarks(demo):
    pages = browse_pages(demo)
    assert len(pages) > 40
    for page in pages:
        o = outline(page)
        name = page.relative_to(demo).as_posix()
        assert o.headings.count(1) == 1 and o.headings[0] == 1, (name, o.headings)
        for before, after in zip(o.headings, o.headings[1:], strict=False):
            assert after <= before + 1, (name, o.headings)
        for table in o.tables:
            assert table["th"] > 0 and table["th_without_scope"] == 0, (name, table)
        for svg in o.svgs:
            assert svg == {"role": "img", "title": True, "desc": True}, (name, svg)
        tags = {t for t, _ in o.tags}
        assert {"header", "nav", "main", "footer"} <= tags, name
        assert "script" not in tags and "iframe" not in tags, name


def test_every_link_is_relative_and_resolves_to_a_file_and_anchor(demo):
    for page in browse_pages(demo):
        for href in outline(page).links:
            assert not re.match(r"^(?:[a-z]+:|/)", href), (page, href)
            target, _, anchor = href.partition("#")
            path = (page.parent / target).resolve() if target else page
            assert path.is_file() and str(path).startswith(str(demo.resolve())), (page, href)
            if anchor:
                assert anchor in outline(path).ids, (page, href)


def test_home_page_shows_chart_counts_latest_filings_and_links(demo):
    html = (demo / "index.html").read_text()
    o = outline(demo / "index.html")
    assert len(o.svgs) == 1
    for href in ("companies/index.html", "forms/index.html", "dates/index.html", "about/index.html"):
        assert f'href="{href}"' in html
    assert 'href="dates/undated/index.html"' in html
    assert "Current report" in html and 'href="forms/8-k/index.html"' in html
    latest = re.findall(r'href="filings/([^/]+)/index.html"', html)
    assert latest[:2] == ["0001213900-25-032135", "0001127602-25-004598"]
    assert len(latest) == 20, "every dated filing of the demo (the latest 25 at most)"
    assert 'href="companies/0001173313/index.html">ABVC BIOPHARMA, INC.</a>' in html


def test_company_page_shows_names_identifiers_chart_and_every_filing(demo):
    page = demo / "companies" / "0001067983" / "index.html"
    html = page.read_text()
    assert "<h1>BERKSHIRE HATHAWAY INC</h1>" in html and "NBH INC" in html and "1998-08-10" in html
    assert "6331 FIRE, MARINE &amp; CASUALTY INSURANCE" in html and "December 31" in html
    assert len(outline(page).svgs) == 1
    rows = re.findall(r'href="\.\./\.\./filings/([^/]+)/index.html"', html)
    assert rows == ["0000950123-24-002518", "0000950148-99-001187"]
    avid = (demo / "companies" / "0000704562" / "index.html").read_text()
    assert "PHARMACEUTICAL PREPARATIONS" in avid and "subject company" in avid
    headerless = demo / "companies" / "name-apartment-investment-and-management-company" / "index.html"
    assert "No CIK stated" in headerless.read_text()


def test_listing_pages_by_form_date_and_letter(demo):
    forms = (demo / "forms" / "index.html").read_text()
    assert 'href="s-3-a/index.html">S-3/A</a>' in forms and "Amendment to registration statement" in forms
    form_page = (demo / "forms" / "8-k" / "index.html").read_text()
    assert form_page.count('href="../../filings/') == 11
    year = demo / "dates" / "2025" / "index.html"
    assert {"m01", "m02", "m04"} <= outline(year).ids and "m03" not in outline(year).ids
    assert 'href="index.html#m04"' in year.read_text()
    undated = (demo / "dates" / "undated" / "index.html").read_text()
    assert "000-fafeb7603bdfca6a" in undated and "0000899681-95-000096" in undated
    companies = demo / "companies" / "index.html"
    assert {"letter-a", "letter-b", "letter-w"} <= outline(companies).ids


def test_pages_have_identical_bytes_on_a_second_build(demo, tmp_path):
    again = tmp_path / "again"
    run_build(SITE_SRC, again, jobs=2)
    for page in browse_pages(demo):
        rel = page.relative_to(demo)
        assert (again / rel).read_bytes() == page.read_bytes(), rel
    assert (again / "static" / "browse.css").read_bytes() == (demo / "static" / "browse.css").read_bytes()


# --- long listings -------------------------------------------------------------------------------


def copies(folder: Path, count: int) -> None:
    """``count`` copies of one 8-K, each its own filing (accession), filed on different days."""
    folder.mkdir(parents=True)
    text = COTELLIGENT.read_text(encoding="latin-1")
    for i in range(count):
        acc = f"0001004963-96-{i + 100:06d}"
        filed = f"1996{1 + i % 12:02d}{1 + i % 28:02d}"
        copy = text.replace("0001004963-96-000004", acc).replace("DATE:\t\t19960826", f"DATE:\t\t{filed}")
        (folder / f"{acc}.txt").write_text(copy, encoding="latin-1")


def check_pagination(out: Path, total: int, per_page: int) -> None:
    count = -(-total // per_page)
    for listing in ("forms/8-k", "companies/0001004963", "dates/1996"):
        names = ["index.html"] + [f"page-{n}.html" for n in range(2, count + 1)]
        assert sorted(p.name for p in (out / listing).glob("*.html")) == sorted(names), listing
        rows = []
        for n, name in enumerate(names, start=1):
            html = (out / listing / name).read_text()
            rows += re.findall(r'href="\.\./\.\./filings/([^/]+)/index.html"', html)
            assert ('rel="prev"' in html) == (n > 1) and ('rel="next"' in html) == (n < count), name
            if n > 1:
                assert f'rel="prev" href="{names[n - 2]}"' in html, (listing, name)
            if n < count:
                assert f'rel="next" href="{names[n]}"' in html, (listing, name)
        assert len(rows) == len(set(rows)) == total, listing


def test_long_listings_are_split_into_numbered_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(render_browse, "PER_PAGE", 15)
    copies(tmp_path / "src", 40)
    run_build(tmp_path / "src", tmp_path / "out", jobs=1)
    check_pagination(tmp_path / "out", 40, 15)
    year = outline(tmp_path / "out" / "dates" / "1996" / "page-2.html")
    assert year.headings.count(1) == 1


@pytest.mark.slow
def test_twelve_hundred_filings_make_three_pages_of_500(tmp_path):
    copies(tmp_path / "src", 1200)
    run_build(tmp_path / "src", tmp_path / "out", jobs=2)
    check_pagination(tmp_path / "out", 1200, 500)


def test_month_index_links_to_the_page_where_each_month_starts(tmp_path, monkeypatch):
    monkeypatch.setattr(render_browse, "PER_PAGE", 15)
    copies(tmp_path / "src", 40)
    out = tmp_path / "out"
    run_build(tmp_path / "src", out, jobs=1)
    year = out / "dates" / "1996"
    links = re.findall(r'href="([^"#]+)#(m\d\d)"', (year / "page-3.html").read_text())
    assert len(links) == 12
    for target, anchor in links:
        assert anchor in outline(year / target).ids, (target, anchor)


# --- a real browser --------------------------------------------------------------------------------


@pytest.mark.browser
def test_home_and_company_pages_fit_a_phone_and_draw_the_chart(demo):
    with browser_page(width=390, height=844) as page:
        for rel in ("index.html", "companies/0001001426/index.html", "dates/2025/index.html"):
            page.goto((demo / rel).as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (rel, width)
            if rel != "dates/2025/index.html":
                box = page.locator("svg[role=img]").bounding_box()
                assert box and 300 <= box["width"] <= 390 and box["height"] > 40, (rel, box)
