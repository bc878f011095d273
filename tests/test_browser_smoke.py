"""The built pages open in a real headless Chromium, and a hostile filing's script never runs."""

from __future__ import annotations

import shutil

import pytest
from browser import dump_dom
from conftest import ROOT, run_build

HOSTILE = """<SEC-DOCUMENT>0000000001-24-000001.txt : 20240101
<SEC-HEADER>0000000001-24-000001.hdr.sgml : 20240101
ACCESSION NUMBER:\t\t0000000001-24-000001
CONFORMED SUBMISSION TYPE:\t8-K
PUBLIC DOCUMENT COUNT:\t\t1
FILED AS OF DATE:\t\t20240101
</SEC-HEADER>
<DOCUMENT>
<TYPE>8-K
<SEQUENCE>1
<FILENAME>evil.htm
<TEXT>
<html><body><p>FORM 8-K</p>
<script>document.documentElement.setAttribute('data-pwned', 'script')</script>
<img src="x.gif" onerror="document.documentElement.setAttribute('data-pwned', 'onerror')">
<a id="js" href="javascript:document.documentElement.setAttribute('data-pwned','href')">click</a>
<iframe src="data:text/html,<script>parent.document.documentElement.setAttribute('data-pwned','iframe')</script>"></iframe>
<svg onload="document.documentElement.setAttribute('data-pwned','svg')"></svg>
</body></html>
</TEXT>
</DOCUMENT>
"""


@pytest.mark.browser
def test_hostile_filing_page_runs_no_script(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "evil.txt").write_text(HOSTILE)
    shutil.copy(ROOT / "site_src" / "filings" / "1990s" / "0000914760-99-000124.txt", src)
    out = tmp_path / "out"
    run_build(src, out, jobs=1)
    for page in ("filings/0000000001-24-000001/index.html", "filings/0000000001-24-000001/1-8-k.html"):
        dom = dump_dom((out / page).as_uri())
        assert "FORM 8-K" in dom
        assert "data-pwned" not in dom
        theme = '<script src="../../static/highlight.js" data-search="../../search/search.classic.js" defer=""></script>'
        assert "<script" not in dom.lower().replace(theme, ""), "no script but the theme's search highlighter"
    index = dump_dom((out / "index.html").as_uri())
    assert "0000914760-99-000124" in index


@pytest.fixture(scope="module")
def demo(demo_site):
    return demo_site


@pytest.mark.browser
def test_pages_open_clean_styled_and_passages_are_addressable(demo):
    """Filing, document and markdown pages load with no error; the theme applies; a link to a line
    or a page of a plain-text document lands on it and highlights it."""
    from browser import browser_page

    pages = [
        "filings/0000320193-97-000014/index.html",
        "filings/0001213900-25-032135/2-ex-99-1.html",
        "filings/0000950123-24-002518/2-information-table.html",
        "about/index.html",
    ]
    with browser_page() as page:
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        for rel in pages:
            page.goto((demo / rel).as_uri())
            assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none", rel
        page.goto((demo / "filings/0000320193-97-000014/1-10-q.html").as_uri() + "#L120")
        line = page.locator("#L120")
        assert (
            line.is_visible()
            and line.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
        )
        assert page.evaluate("window.scrollY") > 0
        assert page.locator("#page-2").inner_text() == "page 2"
        assert problems == []
