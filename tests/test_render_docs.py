"""The filing and document pages: plain text keeps its layout with page and line anchors, old SGML
tags never show raw, filing HTML is sanitised, XML reads as data, exhibit references link to their
documents (or say they are not in the archive), and the pages carry every fact of the filing."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import site as urls
from generator.crosslink import ExhibitLinks, link_exhibits_in_html
from generator.model import Document
from generator.parse.exhibits import exhibit_reference_spans, find_exhibit_references
from generator.parse.filing import parse_filing
from generator.render import make_env, render_filing
from generator.render_text import render_plain, render_plain_pair
from generator.render_xml import render_xml
from generator.sanitize import image_resolver, link_resolver, sanitize_html
from generator.site import assemble_site

SEED = ROOT / "site_src" / "filings" / "000_fafeb7603bdfca6a.txt"
EIGHT_K = ROOT / "site_src" / "filings" / "2020s" / "0001213900-25-032135.txt"
TEN_Q = ROOT / "site_src" / "filings" / "1990s" / "0000320193-97-000014.txt"
RAW_SGML = re.compile(r"<(?:PAGE|TABLE|CAPTION|S|C|FN|F\d)>", re.I)


def submission(*documents: tuple[str, str, str]) -> bytes:
    """A minimal SEC-HEADER submission of (type, filename, body) documents."""
    blocks = "".join(
        f"<DOCUMENT>\n<TYPE>{t}\n<SEQUENCE>{i}\n<FILENAME>{name}\n<TEXT>\n{body}\n</TEXT>\n</DOCUMENT>\n"
        for i, (t, name, body) in enumerate(documents, 1)
    )
    head = (
        "<SEC-DOCUMENT>0000000001-24-000009.txt : 20240102\n<SEC-HEADER>\n"
        "ACCESSION NUMBER:\t\t0000000001-24-000009\nCONFORMED SUBMISSION TYPE:\t8-K\n"
        f"PUBLIC DOCUMENT COUNT:\t\t{len(documents)}\nFILED AS OF DATE:\t\t20240102\n"
        "FILER:\n\tCOMPANY DATA:\n\t\tCOMPANY CONFORMED NAME:\tTEST CO\n"
        "\t\tCENTRAL INDEX KEY:\t\t0000000001\n</SEC-HEADER>\n"
    )
    return (head + blocks + "</SEC-DOCUMENT>\n").encode()


def render(data: bytes, path: str = "x.txt") -> dict[str, str]:
    filing = parse_filing(data, path)
    site = assemble_site("Test", [filing], [])
    outputs = render_filing(filing, site, make_env(), data)
    return {o.path: o.data.decode("utf-8", "replace") for o in outputs}


# --- plain text -------------------------------------------------------------------------------------

OLD_TEXT = """\
                          FORM 10-Q
<PAGE>   2
Net sales  <F1>        $1,000
<TABLE>
<CAPTION>
<S>                     <C>
Revenue                 <C>  12
</TABLE>

<PAGE>
<FN>
<F1> Unaudited.
</FN>
<script>alert(1)</script> & "quotes"
"""


def test_plain_text_keeps_layout_with_page_and_line_anchors() -> None:
    out = render_plain(OLD_TEXT)
    assert out.startswith('<pre class="filing-text">\n')
    assert "<span class=pb id=page-2>page 2</span>" in out and "id=page-3" in out
    assert "<span id=L1>                          FORM 10-Q</span>" in out
    assert "<span id=L3>Net sales  (1)         $1,000</span>" in out  # same width as "<F1>"
    assert "<span id=L7>Revenue                      12</span>" in out  # "<C>" blanked, columns kept
    assert "id=L4>" not in out and "id=L6>" not in out  # <TABLE>, <S>/<C> lines hidden
    assert not RAW_SGML.search(out)
    assert '&lt;script&gt;alert(1)&lt;/script&gt; &amp; "quotes"' in out
    assert "<script" not in out


def test_plain_text_without_line_ids_is_leaner_and_the_same_text() -> None:
    lean = render_plain(OLD_TEXT, line_ids=False)
    assert "id=L" not in lean and "id=page-2" in lean
    strip = re.compile(r"<span id=L\d+>|(?<!page \d)</span>(?=\n)")
    assert strip.sub("", render_plain(OLD_TEXT)) == lean


#: A line of :func:`render_plain` with its anchor (the line may hold spans of its own: a missing
#: exhibit; the greedy ``.*`` reaches the last).
_ANCHORED_LINE_RE = re.compile(r"^<span id=L\d+>(.*)</span>$", re.M)


def without_line_ids(rendered: str) -> str:
    """The oracle: ``render_plain``'s output with its line anchors stripped."""
    return _ANCHORED_LINE_RE.sub(r"\1", rendered)


def test_the_filing_pages_lean_copy_is_the_document_pages_text_without_its_anchors() -> None:
    """The filing page's copy of a plain-text primary document (``render_plain_pair``, one
    reading of the text) is the document page's text with its anchors stripped: the same bytes
    as ``line_ids=False``, exhibit links (found and missing) included."""
    for path in sorted((ROOT / "site_src").rglob("*.txt")):
        filing = parse_filing(path.read_bytes(), path.name)
        links = ExhibitLinks(filing, urls.filing_url(filing.id))
        for doc in filing.documents:
            if doc.format == "plain" and doc.data is None and doc.text:
                for with_links in (links, None):
                    full = render_plain(doc.text, with_links)
                    assert without_line_ids(full) == render_plain(doc.text, with_links, line_ids=False), path


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Exhibit 99.1", "Exhibit 10.2 and 4.1", "<PAGE>", "<S>", "<F1>", "</span>",
                                 "<span id=L3>", "a & b < c", "", "   ", "x\r", "line\u2028two", "(see Exhibit 7)",
                                 "\x0c", "Exhibits 3.1 through 3.2"]), max_size=30))
def test_stripping_anchors_equals_rendering_without_them_for_any_lines(lines) -> None:
    filing = parse_filing(submission(("8-K", "a.txt", "Exhibit 99.1 is attached."),
                                     ("EX-99.1", "b.txt", "press release")), "x.txt")  # fmt: skip
    links = ExhibitLinks(filing, urls.filing_url(filing.id))
    text = "\n".join(lines)
    for with_links in (links, None):
        assert without_line_ids(render_plain(text, with_links)) == render_plain(text, with_links, line_ids=False)
        full = render_plain(text, with_links)
        assert render_plain_pair(text, with_links) == (full, without_line_ids(full))


def test_blank_lines_carry_no_anchor_and_crlf_is_one_break() -> None:
    out = render_plain("a\r\n\r\n   \r\nb\r\n")
    assert out == '<pre class="filing-text">\n<span id=L1>a</span>\n\n\n<span id=L4>b</span>\n</pre>'


# --- exhibit references -----------------------------------------------------------------------------

PRIMARY = """\
ITEM 9.01 FINANCIAL STATEMENTS AND EXHIBITS.
The press release is attached as Exhibit 99.1 and the letter as Exhibit
99.2. See also Exhibits 99.1 and 10.1.

EXHIBIT INDEX

Exhibit No.      Description
99.1             Press release
99.2             Letter
"""


@pytest.fixture(scope="module")
def text_filing() -> dict[str, str]:
    return render(submission(("8-K", "d1.txt", PRIMARY), ("EX-99.1", "ex991.txt", "PRESS RELEASE")))


def test_references_link_to_exhibits_in_the_archive(text_filing) -> None:
    page = text_filing["filings/0000000001-24-000009/1-8-k.html"]
    assert '<a class="xr" href="2-ex-99-1.html">Exhibit 99.1</a>' in page
    assert '<a class="xr" href="2-ex-99-1.html">99.1</a>             Press release' in page
    assert "filings/0000000001-24-000009/2-ex-99-1.html" in text_filing


def test_references_to_missing_exhibits_are_marked_never_linked(text_filing) -> None:
    page = text_filing["filings/0000000001-24-000009/1-8-k.html"]
    missing = '<span class="xr-missing" title="Exhibit {0} is not in this archive">{1}</span>'
    assert missing.format("99.2", "99.2") in page  # wrapped after "Exhibit": the number alone
    assert missing.format("10.1", "10.1") in page  # the second of a list
    assert 'href="' not in "".join(re.findall(r'<span class="xr-missing".*?</span>', page))


def test_filing_page_lists_references_and_embeds_the_linked_primary(text_filing) -> None:
    page = text_filing["filings/0000000001-24-000009/index.html"]
    assert '<a class="xr" href="2-ex-99-1.html">Exhibit 99.1</a>' in page
    assert "not in this archive" in page
    assert "id=L2>" not in page  # the filing page's copy carries no line anchors


def test_spans_agree_with_the_parse_stage() -> None:
    text = SEED.read_text()
    numbers = {s.number for s in exhibit_reference_spans(text)}
    assert numbers == {r.number for r in find_exhibit_references(text)} == {"99.1"}
    for s in exhibit_reference_spans(text):
        assert text[s.number_start : s.end] == "99.1"
        assert text[s.start : s.end] in ("99.1", "Exhibit 99.1")


def test_seed_filing_says_exhibit_991_is_not_in_the_archive() -> None:
    pages = render(SEED.read_bytes(), "filings/000_fafeb7603bdfca6a.txt")
    for path, page in pages.items():
        if path.endswith(".html"):
            assert 'title="Exhibit 99.1 is not in this archive">Exhibit 99.1</span>' in page, path
            assert 'class="xr"' not in page


def test_html_references_only_in_text_never_in_tags_or_links() -> None:
    doc = Document(2, "EX-99.1", "ex.htm", None, 10, "html")
    filing = parse_filing(submission(("8-K", "a.htm", "<p>x</p>"), ("EX-99.1", "ex.htm", "<p>y</p>")), "x")
    links = ExhibitLinks(filing, urls.filing_url(filing.id))
    assert links.target("99.1") is not None and links.target("99.1").filename == doc.filename
    html = (
        '<p title="Exhibit 99.1">See Exhibit&nbsp;99.1 &amp; Exhibit <b>99.1</b></p>'
        '<a href="https://example.com/">Exhibit 99.1</a><table><tr><td>Exhibit No.</td></tr>'
        "<tr><td>99.1</td><td>Press release</td></tr><tr><td>99.7</td><td>Other</td></tr></table>"
    )
    out = link_exhibits_in_html(html, links)
    assert '<p title="Exhibit 99.1">' in out
    assert '<a class="xr" href="2-ex-99-1.html">Exhibit&nbsp;99.1</a>' in out
    assert '<b><a class="xr" href="2-ex-99-1.html">99.1</a></b>' in out  # words crossed a tag
    assert '<a href="https://example.com/">Exhibit 99.1</a>' in out  # never a link in a link
    assert '<td><a class="xr" href="2-ex-99-1.html">99.1</a></td>' in out  # index rows in cells
    assert '<td><span class="xr-missing" title="Exhibit 99.7 is not in this archive">99.7</span></td>' in out


def test_html_filing_links_its_exhibit_in_prose_and_index() -> None:
    pages = render(EIGHT_K.read_bytes(), "filings/2020s/0001213900-25-032135.txt")
    page = pages["filings/0001213900-25-032135/1-8-k.html"]
    assert page.count('<a class="xr" href="2-ex-99-1.html">') >= 3
    assert "xr-missing" not in page


# --- sanitised HTML ---------------------------------------------------------------------------------

HOSTILE_HTML = """<html><head><meta http-equiv="refresh" content="0;url=https://evil.example/">
<base href="https://evil.example/"><style>body{background:url(https://evil.example/x)}</style>
<link rel="stylesheet" href="https://evil.example/x.css"></head><body onload="alert(1)">
<h1 id="top">Title</h1><h3>Sub</h3><p style="width: expression(alert(1))">expr</p>
<p style="color: red; background-image: url(https://evil.example/t.gif)">red</p>
<script>alert(1)</script><img src="x.gif" onerror="alert(1)"><img src="https://evil.example/t.gif">
<img src="logo.jpg"><a href="javascript:alert(1)">js</a><a href="JaVaScRiPt:alert(1)">js2</a>
<a href="data:text/html,<script>alert(1)</script>">data</a><a href="#top">up</a><a href="#nowhere">gone</a>
<a href="ex99.htm">exhibit</a><a href="../other/ex99.htm">elsewhere</a><a href="https://www.sec.gov/">sec</a>
<iframe src="https://evil.example/"></iframe><svg onload="alert(1)"><circle/></svg>
<form action="https://evil.example/"><input name="q"><button>go</button></form>
<object data="x.swf"></object><embed src="x.swf"><table><tr><td style="text-align:right">1</td></tr></table>
</body></html>"""


@pytest.fixture(scope="module")
def clean() -> str:
    here = "filings/x/index.html"
    images = image_resolver({"logo.jpg": "filings/x/logo.jpg"}, here)
    pages = link_resolver({"ex99.htm": "filings/x/2-ex-99.html"}, here)
    return sanitize_html(HOSTILE_HTML, images, pages)


def test_sanitiser_removes_everything_active(clean: str) -> None:
    lowered = clean.lower()
    for needle in (
        "<script", "onload", "onerror", "javascript:", "<iframe", "<svg", "<form", "<input", "<object",
        "<embed", "<meta", "<base", "<link", "<style", "expression(", "url(", "evil.example", "data:",
    ):  # fmt: skip
        assert needle not in lowered, needle


def test_sanitiser_keeps_layout_and_rewrites_ids_links_and_images(clean: str) -> None:
    assert '<div class="fh1" id="f-top">Title</div>' in clean and '<div class="fh3">Sub</div>' in clean
    assert "<h1" not in clean and "<h3" not in clean  # one outline per page: ours
    assert '<a href="#f-top"' in clean
    assert '<a rel="noopener noreferrer nofollow">gone</a>' in clean  # dangling fragment dropped
    assert '<a href="2-ex-99.html"' in clean and ">elsewhere</a>" in clean
    assert 'href="../other' not in clean
    assert '<img alt="Image: logo.jpg" src="logo.jpg">' in clean
    assert clean.count("<img") == 1
    assert 'style="color:red"' in clean.replace("; ", ";").replace(": ", ":")
    assert 'style="text-align:right"' in clean.replace(": ", ":")
    assert '<a href="https://www.sec.gov/"' in clean


# --- XML --------------------------------------------------------------------------------------------

INFO_TABLE = """<XML>
<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY big "&big;&big;">]>
<informationTable xmlns="http://www.sec.gov/edgar/document/thirteenf/informationtable">
<infoTable><nameOfIssuer>A &amp; B &lt;script&gt;</nameOfIssuer><cusip>000000001</cusip><value>1234567</value>
<shrsOrPrnAmt><sshPrnamt>100</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt></infoTable>
<infoTable><nameOfIssuer>C</nameOfIssuer><cusip>000000002</cusip><value>7</value>
<shrsOrPrnAmt><sshPrnamt>5</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt></infoTable>
</informationTable>
</XML>"""


def test_information_table_is_a_table_with_headers_and_grouped_amounts() -> None:
    out = render_xml(INFO_TABLE)
    assert '<th scope="col">Name of issuer</th>' in out and '<th scope="col">CUSIP</th>' in out
    assert "<td>A &amp; B &lt;script&gt;</td>" in out
    assert '<td class="n">1,234,567</td>' in out and "<td>000000001</td>" in out  # CUSIP untouched
    assert "Info table: 2 rows" in out


def test_other_xml_is_data_or_source_text() -> None:
    owner = "<ownershipDocument><issuer><issuerName>X &lt;b&gt;</issuerName></issuer></ownershipDocument>"
    out = render_xml(owner)
    assert "<dt>Issuer name</dt><dd>X &lt;b&gt;</dd>" in out
    xbrl = '<xbrl xmlns="http://www.xbrl.org/2003/instance"><a>1</a></xbrl>'
    assert render_xml(xbrl).startswith('<pre class="filing-text">') and "&lt;xbrl" in render_xml(xbrl)
    assert render_xml("<informationTable><a></b></informationTable>").startswith("<pre")  # not a tree


# --- the pages --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ten_q() -> dict[str, str]:
    return render(TEN_Q.read_bytes(), "filings/1990s/0000320193-97-000014.txt")


def test_filing_page_shows_every_fact_and_every_document(ten_q) -> None:
    page = ten_q["filings/0000320193-97-000014/index.html"]
    for fact in ("0000320193", "942404110", "CA", "3571", "ELECTRONIC COMPUTERS", "September 30",
                 "000-10030", "1 INFINITE LOOP", "CUPERTINO", "1997-08-11", "1997-06-27"):  # fmt: skip
        assert fact in page, fact
    rows = re.findall(r"<tr><td>(\d+)</td><th scope=\"row\"><a href=\"([^\"]+)\">", page)
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]
    assert all(f"filings/0000320193-97-000014/{href}" in ten_q for _, href in rows)
    assert 'href="0000320193-97-000014.txt"' in page and 'href="filing.json"' in page
    assert "<h1>" in page and page.count("<h1") == 1


def test_document_pages_link_neighbours_and_the_filing(ten_q) -> None:
    page = ten_q["filings/0000320193-97-000014/3-ex-10.html"]
    assert '<a href="2-ex-10.html">2. EX-10</a>' in page and '<a href="4-ex-27.html">4. EX-27</a>' in page
    assert 'href="index.html"' in page
    first = ten_q["filings/0000320193-97-000014/1-10-q.html"]
    assert "id=page-2" in first and "<span id=L1" in first or "<span id=L2" in first
    assert not RAW_SGML.search(first.split("<main", 1)[1])


def test_marks_for_cover_page_facts_and_discrepancies() -> None:
    seed = render(SEED.read_bytes(), "filings/000_fafeb7603bdfca6a.txt")[
        "filings/000-fafeb7603bdfca6a/index.html"
    ]
    assert seed.count('class="mark mark-cover"') >= 5 and 'class="legend"' in seed
    assert seed.count("not stated") >= 4  # accession, filed, period, CIK ...
    loews = ROOT / "site_src" / "filings" / "2000s" / "0000060086-03-000046.txt"
    page = render(loews.read_bytes(), "a.txt")["filings/0000060086-03-000046/index.html"]
    assert 'class="mark mark-differs" href="#discrepancies" title="The cover page says: 2003-09-30"' in page
    assert 'id="discrepancies"' in page


def test_images_inline_with_alt_and_binaries_offered_for_download() -> None:
    pages = render(EIGHT_K.read_bytes(), "filings/2020s/0001213900-25-032135.txt")
    graphic = pages["filings/0001213900-25-032135/3-graphic.html"]
    assert re.search(r'<img src="ex99-1_001.jpg" alt="[^"]+">', graphic)
    assert "filings/0001213900-25-032135/ex99-1_001.jpg" in pages
    excel = pages["filings/0001213900-25-032135/9-excel.html"]
    assert '<a href="Financial_Report.xlsx" download>' in excel
    exhibit = pages["filings/0001213900-25-032135/2-ex-99-1.html"]
    assert re.search(r'<img[^>]* src="ex99-1_001.jpg"', exhibit)  # the HTML's own image, resolved


def test_hostile_file_names_stay_inside_the_filing_folder() -> None:
    data = submission(("8-K", "../../../etc/passwd", "text"), ("EX-99", "/abs/evil.html", "<p>x</p>"))
    for path in render(data):
        assert path.startswith("filings/0000000001-24-000009/") and ".." not in path, path


def test_rendering_is_deterministic(ten_q) -> None:
    assert render(TEN_Q.read_bytes(), "filings/1990s/0000320193-97-000014.txt") == ten_q


def test_form_is_named_in_plain_english_when_the_name_is_known() -> None:
    filing = parse_filing(SEED.read_bytes(), "filings/000_fafeb7603bdfca6a.txt")
    site = assemble_site("Test", [filing], [])
    env = make_env()
    page = render_filing(filing, site, env, b"")[0].data.decode()
    assert '<span class="form">8-K: Current report</span>' in page
    unknown = replace(filing, form="ZZ-99")  # a code with no known name: the code alone
    page = render_filing(unknown, assemble_site("Test", [unknown], []), env, b"")[0].data.decode()
    assert '<span class="form">ZZ-99</span>' in page
