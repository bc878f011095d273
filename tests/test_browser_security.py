"""Hostile filings in a real headless Chromium: nothing a filing carries ever runs.

Every payload below would, if it ran, mark the page (``data-pwned``), open a dialog or navigate
away. They are filed twice: as an HTML document (the sanitiser must remove them) and inside a
plain-text document (they must show as text). Each filing page and document page is opened over
``file://`` and over ``http://127.0.0.1`` (a throwaway http.server), with a dialog handler and
console/page-error collectors attached, the javascript: link clicked and a refresh waited for.

A second test proves the Content-Security-Policy holds by itself: a page rendered from the real
``base.html`` with an inline script injected on purpose (a sanitiser bug, simulated) runs nothing,
while the same page without the policy does run it (so the probe itself works).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from browser import browser_page, static_server
from conftest import run_build

from generator.render import make_env
from generator.site import assemble_site

MARK = "document.documentElement.dataset.pwned"
PAYLOAD = f"""<script>{MARK}='script';alert('script')</script>
<img src="x.gif" onerror="{MARK}='onerror';alert('onerror')">
<a id="js" href="javascript:{MARK}='href';alert('href')">click me</a>
<iframe src="data:text/html,<script>parent.{MARK}='iframe';parent.alert('iframe')</script>"></iframe>
<iframe srcdoc="<script>parent.{MARK}='srcdoc';parent.alert('srcdoc')</script>"></iframe>
<svg onload="{MARK}='svg';alert('svg')"><circle r="1"/></svg>
<p style="width: expression(alert('expression')); background: url(javascript:alert('cssurl'))">css</p>
<object data="javascript:alert('object')"></object>
<meta http-equiv="refresh" content="0;url=pwned.html">
"""
# A document whose first 8 KB hold HTML tags is read as HTML (and sanitised); padding keeps these
# plain text, so the payload reaches the plain-text renderer as the text of an old filing would.
PADDING = "".join(f"Line {i} of the narrative, long enough to look like a filing.\n" for i in range(200))


def submission(accession: str, body: str, exhibit: str) -> str:
    return (
        f"<SEC-DOCUMENT>{accession}.txt : 20240101\n<SEC-HEADER>\nACCESSION NUMBER:\t\t{accession}\n"
        "CONFORMED SUBMISSION TYPE:\t8-K\nPUBLIC DOCUMENT COUNT:\t\t2\nFILED AS OF DATE:\t\t20240101\n"
        "</SEC-HEADER>\n"
        f"<DOCUMENT>\n<TYPE>8-K\n<SEQUENCE>1\n<FILENAME>d1.htm\n<TEXT>\n{body}\n</TEXT>\n</DOCUMENT>\n"
        f"<DOCUMENT>\n<TYPE>EX-99.1\n<SEQUENCE>2\n<FILENAME>ex.txt\n<TEXT>\n{exhibit}\n</TEXT>\n</DOCUMENT>\n"
        "</SEC-DOCUMENT>\n"
    )


# (page, does the payload show as text?) for the HTML filing and the plain-text filing
PAGES = [
    ("filings/0000000001-24-000001/index.html", False),
    ("filings/0000000001-24-000001/1-8-k.html", False),
    ("filings/0000000001-24-000001/2-ex-99-1.html", True),
    ("filings/0000000002-24-000002/index.html", True),
    ("filings/0000000002-24-000002/1-8-k.html", True),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("hostile-src")
    html = f"<html><body><p>FORM 8-K</p>\n{PAYLOAD}</body></html>"
    text = f"FORM 8-K\n{PADDING}{PAYLOAD}"
    (src / "html.txt").write_text(
        submission("0000000001-24-000001", html, f"EXHIBIT 99.1\n{PADDING}{PAYLOAD}")
    )
    (src / "text.txt").write_text(submission("0000000002-24-000002", text, "EXHIBIT 99.1"))
    out = tmp_path_factory.mktemp("hostile") / "output"
    report, lines = run_build(src, out, jobs=1)
    assert report.failed == 0, lines
    return out


@contextlib.contextmanager
def watched_page():
    """A browser page with every dialog, page error and console message recorded."""
    with browser_page() as page:
        seen: dict[str, list[str]] = {"dialogs": [], "errors": [], "console": []}

        def on_dialog(dialog) -> None:
            seen["dialogs"].append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
        page.on("console", lambda msg: seen["console"].append(f"{msg.type}: {msg.text}"))
        yield page, seen


def assert_nothing_ran(page, seen, url: str, as_text: bool) -> None:
    assert "FORM 8-K" in page.content() or "EXHIBIT 99.1" in page.content(), url
    links = page.locator("a", has_text="click me")
    if as_text:
        assert links.count() == 0
        assert "<script>" in page.inner_text("main"), "the markup shows as text"
    else:
        assert links.count() == 1 and links.get_attribute("href") is None
        links.click()
    page.wait_for_timeout(1200)  # long enough for a refresh or a late handler
    assert page.url == url, "navigated away"
    assert page.evaluate(MARK) is None
    assert (
        page.evaluate(
            # every script but the theme's own search highlighter (static/highlight.js)
            'document.querySelectorAll(\'iframe, object, embed, svg, script:not([src$="static/highlight.js"]),'
            " meta[http-equiv=refresh]').length"
        )
        == 0
    )
    assert len(page.frames) == 1
    assert (
        page.evaluate(
            "[...document.querySelectorAll('[style]')].filter(e => /expression|url\\(/i.test(e.getAttribute('style'))).length"
        )
        == 0
    )
    assert seen["dialogs"] == [] and seen["errors"] == []
    blocked = [c for c in seen["console"] if "Content Security Policy" in c]
    assert blocked == [], "the sanitiser let something through that only CSP stopped"


@pytest.mark.browser
@pytest.mark.parametrize("origin", ["file", "http"])
def test_hostile_markup_never_runs(site: Path, origin: str) -> None:
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(static_server(site)) if origin == "http" else site.as_uri() + "/"
        page, seen = stack.enter_context(watched_page())
        for rel, as_text in PAGES:
            url = base + rel
            page.goto(url)
            assert_nothing_ran(page, seen, url, as_text)


def csp_probe(out: Path, with_policy: bool) -> str:
    """A page from the real base.html with an inline script injected, as a sanitiser bug would."""
    env = make_env()
    template = env.from_string(
        '{% extends "base.html" %}{% block main %}<h1>probe</h1>'
        f"<script>{MARK}='inline';alert('inline')</script>"
        f'<img src="x.gif" onerror="{MARK}=\'onerror\'">'
        f'<a id="js" href="javascript:{MARK}=\'href\'">click me</a>'
        "{% endblock %}"
    )
    html = template.render(here="probe/index.html", site=assemble_site("Probe", [], []))
    if not with_policy:
        html = html.replace('http-equiv="Content-Security-Policy"', 'data-removed="1"')
    page = out / ("probe" if with_policy else "control") / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(html, encoding="utf-8")
    return page.relative_to(out).as_posix()


@pytest.mark.browser
@pytest.mark.parametrize("origin", ["file", "http"])
def test_csp_alone_stops_an_injected_script(tmp_path: Path, origin: str) -> None:
    probe, control = csp_probe(tmp_path, True), csp_probe(tmp_path, False)
    assert "Content-Security-Policy" in (tmp_path / probe).read_text()
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(static_server(tmp_path)) if origin == "http" else tmp_path.as_uri() + "/"
        page, seen = stack.enter_context(watched_page())
        page.goto(base + probe)
        page.click("#js")
        page.wait_for_timeout(300)
        assert page.evaluate(MARK) is None and seen["dialogs"] == []
        assert any("Content Security Policy" in c for c in seen["console"]), seen["console"]
        page.goto(base + control)  # the same page without the policy: the probe does fire
        page.wait_for_timeout(300)
        assert page.evaluate(MARK) is not None and seen["dialogs"] == ["inline"]
