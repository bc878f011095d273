"""The search page and search.js in real headless Chromium, over http and from file://."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from browser import browser_page
from conftest import run_build
from search_support import SITE_SRC, demo_filings, naive_all_words, naive_phrase, static_server

from generator.search import analysis
from generator.search.fields import search_doc

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    run_build(SITE_SRC, out, jobs=1)
    return out


@pytest.fixture(scope="module")
def docs():
    return [search_doc(f) for f in demo_filings()]


@pytest.fixture(scope="module")
def server(site):
    with static_server(site) as base:
        yield base


def _api(page, query, **options):
    return page.evaluate(
        "([q, o]) => FilingSearch.search(q, o)", [query, {"limit": 1000, "facets": False} | options]
    )


def _known_items(docs, count=6):
    """(id, words): four consecutive body terms found in that filing only, from its middle."""
    found = []
    for d in sorted(docs, key=lambda d: d.id):
        body = [w for p in d.body for w in analysis.analyze(p.text)]
        for i in range(len(body) // 2, len(body) - 4, 37):
            words = body[i : i + 4]
            if naive_phrase(docs, words) == {d.id} and len(set(words)) == 4:
                text = next(p.text for p in d.body if words[0] in analysis.analyze(p.text))
                found.append((d.id, _surface(d, words) or text))
                break
        if len(found) == count:
            break
    return found


def _surface(d, words):
    """The words as written in the filing (what a user would type)."""
    for p in d.body:
        toks = list(analysis.tokens(p.text))
        for i in range(len(toks) - 3):
            if [t.term for t in toks[i : i + 4]] == words:
                return p.text[toks[i].start : toks[i + 3].end]
    return None


def test_typed_distinctive_words_find_their_filing_in_the_top_3(server, docs):
    items = _known_items(docs)
    assert len(items) >= 5
    with browser_page() as page:
        page.goto(server + "search/index.html")
        for doc_id, text in items:
            page.fill("#search-q", " ".join(text.split()))
            page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0")
            page.wait_for_function(
                "t => new URLSearchParams(location.search).get('q') === t", arg=" ".join(text.split())
            )
            page.wait_for_timeout(400)
            hrefs = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.dataset.filing)")
            assert f"filings/{doc_id}/index.html" in hrefs[:3], (text, hrefs[:3])


def test_phrases_words_and_filters_equal_a_naive_scan(server, docs):
    with browser_page() as page:
        page.goto(server + "search/index.html")
        for phrase in ["securities and exchange commission", "press release", "exhibit 99.1"]:
            got = {r["id"] for r in _api(page, f'"{phrase}"')["results"]}
            assert got == naive_phrase(docs, analysis.analyze(phrase)) != set(), phrase
        got = {r["id"] for r in _api(page, "pericom semiconductor")["results"]}
        assert got == naive_all_words(docs, ["pericom", "semiconductor"])
        res = _api(page, "form:13F-HR")
        assert {r["id"] for r in res["results"]} == {d.id for d in docs if d.form.lower() == "13f-hr"}
        assert res["total"] == 3
        got = {r["id"] for r in _api(page, "year:1999..2005 -form:8-K")["results"]}
        assert got == {d.id for d in docs if d.filed and "1999" <= d.filed[:4] <= "2005" and d.form != "8-K"}


def test_url_holds_the_search_and_the_back_button_restores_it(server):
    with browser_page() as page:
        page.goto(server + "search/index.html?q=pericom&form=8-K")
        page.wait_for_selector("#search-results li")
        assert page.input_value("#search-q") == "pericom"
        assert page.is_checked("[data-facet=form] input[value='8-K']")
        assert page.locator("#search-results li").count() == 3
        page.fill("#search-q", "berkshire")
        page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'berkshire'")
        page.wait_for_function("() => document.querySelector('#search-status').textContent.startsWith('0 ')")
        # The facet columns load after the results and are replaced on every answer: once 8-K is
        # unticked it has no berkshire filing and its box leaves the page. So click (and then
        # read the URL), rather than uncheck, which re-reads the box and can find it gone.
        page.wait_for_selector("#search-facets:not([aria-busy]) [data-facet=form] input[value='8-K']:checked")
        page.click("[data-facet=form] input[value='8-K']")
        page.wait_for_function("() => !new URLSearchParams(location.search).has('form')")
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 2")
        page.go_back()
        page.wait_for_function("() => new URLSearchParams(location.search).get('form') === '8-K'")
        page.wait_for_function("() => document.querySelector('#search-q').value === 'berkshire'")
        page.wait_for_function("() => document.querySelector('#search-status').textContent.startsWith('0 ')")


def test_keyboard_moves_through_results_and_opens_one(server):
    with browser_page() as page:
        page.goto(server + "search/index.html?q=pericom")
        page.wait_for_selector("#search-results li")
        page.focus("#search-q")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        assert page.get_attribute("#search-results li:nth-child(2)", "aria-selected") == "true"
        page.keyboard.press("Enter")
        page.wait_for_url("**/filings/**")
        assert "PERICOM" in page.content().upper()


def test_works_from_file_url(site):
    with browser_page() as page:
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "search" / "index.html").as_uri() + "?q=hathaway")
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 2")
        assert "<mark>" in page.inner_html("#search-results")
        assert errors == []


def test_search_js_is_an_importable_es_module(server):
    with browser_page() as page:
        page.goto(server + "search/index.html")
        res = page.evaluate("import('./search.js').then(m => m.search('berkshire', {limit: 1}))")
        assert res["total"] == 2 and set(res["results"][0]) >= {"id", "url", "title", "snippet", "score"}
        assert set(res["facets"]) == {"form", "year", "company", "state", "exhibit"}


def test_browser_analysis_equals_python_analysis(server, docs):
    texts = [p.text[:20000] for d in docs for p in d.body[:2]] + [d.company_text for d in docs]
    with browser_page() as page:
        page.goto(server + "search/index.html")
        got = page.evaluate("ts => ts.map(t => FilingSearch.analyze(t))", texts)
    assert got == [analysis.analyze(t) for t in texts]


QUERIES = ["securities", "press release", '"exhibit 99.1"', "berkshire OR loews", "comp*", "form:8-K",
           "year:1999..2008 report", "the", "annual report -apple", "company:pericom"]  # fmt: skip


def test_command_line_agrees_with_the_browser(site, server):
    overlaps = []
    with browser_page() as page:
        page.goto(server + "search/index.html")
        for q in QUERIES:
            browser = [r["id"] for r in _api(page, q, limit=10)["results"]]
            cli = subprocess.run(
                [sys.executable, "-m", "generator", "search", q, "--json", "--output", str(site)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            terminal = [r["id"] for r in json.loads(cli.stdout)["results"]]
            assert browser, q
            overlaps.append(len(set(browser) & set(terminal)) / max(len(browser), len(terminal)))
    assert sum(overlaps) / len(overlaps) >= 0.9, list(zip(QUERIES, overlaps, strict=True))


def test_a_phrase_no_filing_holds_shows_no_facets(server):
    """The facet columns come from a second search; it verified no phrase candidate (limit 0), so
    a phrase whose words are in some filings, never in that order, showed "0 filings matching"
    beside facets counting those filings. Now its facets are those of the verified results."""
    with browser_page() as page:
        page.goto(server + "search/index.html?q=" + '"agreement definitive material"')
        page.wait_for_function("() => document.querySelector('#search-status').textContent.startsWith('0 ')")
        page.wait_for_selector("#search-facets:not([aria-busy])", state="attached")
        assert page.locator("#search-facets input").count() == 0
        page.fill("#search-q", "agreement definitive material")
        page.wait_for_function("() => !document.querySelector('#search-status').textContent.startsWith('0 ')")
        page.wait_for_selector("#search-facets:not([aria-busy]) [data-facet=form] input", state="attached")
        assert page.locator("#search-facets input").count() > 0


def test_the_state_facet_names_edgars_codes_for_places_abroad(tmp_path):
    """A filer in Hong Kong is "K3" in EDGAR's header and in the State facet's value (the filter
    ``state:K3``); its label names the place."""
    import shutil

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SITE_SRC / "filings" / "1990s" / "0000914760-99-000124.txt", src)
    shutil.copy(SITE_SRC.parent / "tests" / "fixtures" / "foreign-6-k.txt", src / "0000000009-24-000001.txt")
    run_build(src, tmp_path / "out", jobs=1)
    with static_server(tmp_path / "out") as base, browser_page() as page:
        page.goto(base + "search/index.html?q=form:6-K")
        page.wait_for_selector("#search-facets:not([aria-busy]) [data-facet=state] input[value='K3']")
        label = page.locator("[data-facet=state] label").first.inner_text()
        assert "K3 Hong Kong" in label
