"""Search highlighting in real headless Chromium (issue 4), over ``file://`` and over
``http://127.0.0.1`` (python's http.server on an ephemeral port, started and stopped here).

A click on a search result opens the document that matched with ``?q=`` (and ``&at=``, the words
the snippet was cut around); static/highlight.js marks the query's words there (stemmed like the
index: "releases" marks "release"), scrolls to the passage and offers previous / next / clear.
Every page is watched: no dialog, no page error, no console error, no CSP violation.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from browser import browser_page
from conftest import run_build
from search_support import static_server

from generator.search import analysis

pytestmark = pytest.mark.browser
ORIGINS = ["file", "http"]
PLAIN_8K = "filings/0000939057-08-000221/1-8-k.html"  # plain text, lines #L<n>, "press release"
MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def site(demo_site: Path) -> Path:
    return demo_site


@contextlib.contextmanager
def opened(site: Path, origin: str):
    """(page, base URL, what went wrong): every dialog, page error, console error, CSP report."""
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(static_server(site)) if origin == "http" else site.as_uri() + "/"
        page = stack.enter_context(browser_page())
        seen: list[str] = []

        def on_dialog(dialog) -> None:
            seen.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: seen.append(f"pageerror: {exc}"))
        page.on(
            "console",
            lambda m: (
                seen.append(f"console {m.type}: {m.text}")
                if (m.type == "error" and "404" not in m.text) or "Content Security Policy" in m.text
                else None
            ),
        )
        # a 404 is a console error too: report which file, except the browser's own favicon probe
        page.on(
            "response",
            lambda r: (
                seen.append(f"{r.status}: {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        yield page, base, seen


def search_and_open_first(page, base: str, query: str) -> str:
    page.goto(base + "search/index.html")
    page.fill("#search-q", query)
    page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=query)
    page.wait_for_selector("#search-results li a")
    page.wait_for_timeout(300)  # the last keystroke's answer
    href = page.get_attribute("#search-results li a", "href")
    page.click("#search-results li a")
    page.wait_for_selector("mark.hl-current")
    return href


def marks(page) -> list[str]:
    return page.eval_on_selector_all("main .document mark.hl", "ms => ms.map(m => m.textContent)")


def current_in_view(page) -> bool:
    return page.evaluate(
        """() => { const r = document.querySelector('mark.hl-current').getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= innerHeight && r.height > 0; }"""
    )


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_result_opens_its_document_with_the_words_marked_and_the_first_in_view(site, origin):
    with opened(site, origin) as (page, base, seen):
        href = search_and_open_first(page, base, "releases")
        parts = urlsplit(href)
        assert not parts.scheme and not href.startswith("/"), "relative link"
        assert parts.path.startswith("../filings/") and parts.path.endswith(".html")
        assert parse_qs(parts.query)["q"] == ["releases"]
        assert "/filings/" in page.url and "q=releases" in page.url
        words = marks(page)
        assert words and {analysis.analyze(w)[0] for w in words} == {"releas"}, words
        assert any(w.lower() != "releases" for w in words), "stemmed: other forms are marked too"
        assert current_in_view(page)
        count = page.text_content(".hl-status")
        assert count.startswith(f"{len(words)} match") and "“releases”" in count
        # only the document text is marked, never the page's chrome
        assert page.eval_on_selector_all("mark.hl", "ms => ms.every(m => m.closest('main .document'))")
        assert seen == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_phrase_marks_the_consecutive_words_only(site, origin):
    with opened(site, origin) as (page, base, seen):
        search_and_open_first(page, base, '"press release"')
        words = " ".join(marks(page)).lower().split()
        assert words and words == ["press", "release"] * (len(words) // 2), words
        assert current_in_view(page)
        # the plain-text page also names the passage's line in the address bar
        if "/1-8-k.html" in page.url and page.url.split("?")[0].endswith(PLAIN_8K):
            line = urlsplit(page.url).fragment
            assert line.startswith("L") and page.locator(f"[id='{line}'] mark.hl-current").count() >= 1
        assert seen == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_the_passage_the_snippet_came_from_is_the_current_match(site, origin):
    """``&at=`` names the passage: the current match is its first occurrence, not the page's first
    match; a #L<n> anchor (no &at=) starts at the first match after that line."""
    with opened(site, origin) as (page, base, seen):
        page.goto(f"{base}{PLAIN_8K}?q=press&at={quote('Press Release dated')}")
        page.wait_for_selector("mark.hl-current")
        line = page.evaluate("document.querySelector('mark.hl-current').closest('[id^=L]').textContent")
        assert "Press Release dated" in line, line
        assert " · 1 of " not in page.text_content(".hl-status"), "not the page's first match"
        assert current_in_view(page)
        page.goto(f"{base}{PLAIN_8K}?q=press#L1")
        page.wait_for_selector("mark.hl-current")
        assert " · 1 of " in page.text_content(".hl-status")
        assert seen == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_next_previous_and_clear_work_from_the_keyboard(site, origin):
    with opened(site, origin) as (page, base, seen):
        url = f"{base}{PLAIN_8K}"
        page.goto(url)
        before = page.inner_text("main .document")
        page.goto(f"{url}?q=release")
        page.wait_for_selector("mark.hl-current")
        total = len(marks(page))
        assert total > 2
        page.focus(".hl-bar button[aria-label='Next match']")
        page.keyboard.press("Enter")
        assert page.text_content(".hl-status").endswith(f"2 of {total}")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        assert page.text_content(".hl-status").endswith(f"{total} of {total}"), "previous wraps around"
        assert current_in_view(page)
        page.keyboard.press("Escape")
        assert page.locator("mark.hl, .hl-bar").count() == 0
        assert page.inner_text("main .document") == before, "clear restores the text"
        assert "q=" not in page.url
        assert seen == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_markup_in_the_query_is_shown_as_text_and_runs_nothing(site, origin):
    with opened(site, origin) as (page, base, seen):
        page.goto(f"{base}{PLAIN_8K}?q={quote(MARKUP)}&at={quote(MARKUP)}")
        page.wait_for_selector(".hl-bar")
        assert f"“{MARKUP}”" in page.text_content(".hl-status")
        assert page.locator(".hl-bar img, main img[src=x]").count() == 0
        # the filing page too, and the search page's result links carry the query encoded
        page.goto(f"{base}filings/0000939057-08-000221/index.html?q={quote(MARKUP + ' press')}")
        page.wait_for_selector(".hl-bar")
        assert MARKUP in page.text_content(".hl-status")
        page.goto(base + "search/index.html")
        page.fill("#search-q", f'{MARKUP} "press release"')
        page.wait_for_timeout(800)
        for href in page.eval_on_selector_all(
            "#search-results li a", "as => as.map(a => a.getAttribute('href'))"
        ):
            assert "<" not in href and ">" not in href and " " not in href
        page.wait_for_timeout(500)
        assert seen == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_without_a_query_nothing_changes(site, origin):
    with opened(site, origin) as (page, base, seen):
        for rel in [PLAIN_8K, "filings/0000939057-08-000221/index.html"]:
            page.goto(base + rel)
            page.wait_for_timeout(300)
            assert page.locator("mark, .hl-bar").count() == 0
            assert page.evaluate("typeof FilingSearch") == "undefined", "the search client is not loaded"
            assert page.locator("script").count() == 1
        assert seen == []


def test_a_very_large_document_is_marked_fast_and_capped(tmp_path):
    """About 3 MB of plain text with the word on every line: at most 2,000 marks, well under a
    second or two of work, and the bar still counts every match."""
    body = "".join(f"Line {i}: the company released its quarterly report on time.\n" for i in range(50_000))
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.txt").write_text(
        "<SEC-DOCUMENT>0000000009-24-000009.txt : 20240101\n<SEC-HEADER>\n"
        "ACCESSION NUMBER:\t\t0000000009-24-000009\nCONFORMED SUBMISSION TYPE:\t8-K\n"
        "PUBLIC DOCUMENT COUNT:\t\t1\nFILED AS OF DATE:\t\t20240101\n</SEC-HEADER>\n"
        f"<DOCUMENT>\n<TYPE>8-K\n<SEQUENCE>1\n<FILENAME>big.txt\n<TEXT>\n{body}</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n"
    )
    out = tmp_path / "out"
    report, lines = run_build(src, out, jobs=1)
    assert report.failed == 0, lines
    with opened(out, "file") as (page, base, seen):
        page.goto(f"{base}filings/0000000009-24-000009/1-8-k.html?q=releases")
        page.wait_for_selector(".hl-bar", timeout=20_000)
        work_ms = page.evaluate(
            "performance.now() - performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
        )
        assert page.locator("mark.hl").count() == 2000
        assert page.text_content(".hl-status").startswith("50,000 matches")
        print(f"highlight after DOMContentLoaded: {work_ms:.0f} ms")
        assert work_ms < 3000, work_ms  # client load + analysis + marks after the page was ready
        assert seen == []
