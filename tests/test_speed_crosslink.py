"""The fast paths of the HTML cross-linker and of the exhibit-index reader give exactly what the
straightforward versions below give (a Python step per tag, a list of every line's offset)."""

from __future__ import annotations

import bisect
import html
import itertools
import re
from collections.abc import Iterator

from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import crosslink as C
from generator.parse import exhibits as X
from generator.parse.filing import parse_filing
from generator.sanitize import sanitize_html

# --- the reference versions ---------------------------------------------------------------------

_TAG_SPLIT_RE = re.compile(r"(<(/?[a-zA-Z][a-zA-Z0-9]*)[^>]*>)")
_ENTITY_RE = re.compile(r"&(?:nbsp|amp|lt|gt|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


def reference_text_view(fragment: str) -> tuple[str, list[tuple[int, int]]]:
    parts = _TAG_SPLIT_RE.split(fragment)  # text, tag, name, text, tag, name, ...
    view: list[str] = []
    anchors: list[tuple[int, int]] = []
    pos, opened = 0, -1
    for i in range(0, len(parts) - 1, 3):
        text, tag, name = parts[i], parts[i + 1], parts[i + 2].lower()
        pos += len(text)
        if name == "a":
            opened = pos
        elif name == "/a" and opened >= 0:
            anchors.append((opened, pos + len(tag)))
            opened = -1
        view += [text, ("\n" if name.lstrip("/") in C._BLOCK_TAGS else " ") + " " * (len(tag) - 1)]
        pos += len(tag)
    view.append(parts[-1])
    joined = "".join(view)
    return _ENTITY_RE.sub(lambda m: _entity_char(m.group(0)).ljust(len(m.group(0))), joined), anchors


def _entity_char(entity: str) -> str:
    char = html.unescape(entity)
    return " " if char in ("\xa0", "") or len(char) != 1 else char


def reference_link(fragment: str, links: Markup) -> str:
    view, anchors = reference_text_view(fragment)
    out: list[str] = []
    pos = 0
    for span in X.exhibit_reference_spans(view):
        start = C._linkable_start(fragment, span, anchors)
        if start is None or start < pos:
            continue
        out += [fragment[pos:start], links.markup(span.number, fragment[start : span.end])]
        pos = span.end
    return "".join([*out, fragment[pos:]]) if out else fragment


_REF_START_RE = re.compile(r"ex(?:h[i\u0131]bit|h\.|-)")


def reference_ref_matches(text: str) -> Iterator[re.Match[str]]:
    """The scan of the lower-cased text (so "Exhib\u0131t", which the pattern matches, is missed)."""
    low = text.lower()
    if len(low) != len(text):
        yield from X._REF_RE.finditer(text)
        return
    pos = 0
    for start in _REF_START_RE.finditer(low):
        if start.start() >= pos and (m := X._REF_RE.match(text, start.start())) is not None:
            yield m
            pos = m.end()


def reference_index_rows(text: str) -> list[tuple[int, str, str | None, int, int]]:
    lines = text.split("\n")
    starts = [0, *itertools.accumulate(len(line) + 1 for line in lines[:-1])]
    found = set()
    for needle in ("xhibit", "XHIBIT"):
        pos = text.find(needle)
        while pos != -1:
            i = bisect.bisect_right(starts, pos) - 1
            found.add(i)
            pos = text.find(needle, starts[i] + len(lines[i]))
    headings = sorted(i for i in found if len(lines[i]) < 200 and X._HEADING_RE.match(lines[i]))
    out = []
    budget, i = 0, 0
    while i < len(lines):
        if budget <= 0:
            k = bisect.bisect_left(headings, i)
            if k == len(headings):
                break
            i = headings[k]
        line, previous = lines[i], lines[i - 1] if i else ""
        m = X._ROW_RE.match(line) if budget > 0 and len(line) < 400 else None
        if m and X._is_row(m, line, previous):
            desc, last = X._row_description(lines, i, m)
            number = X.normalize_exhibit_number(m.group("num"))
            out.append((starts[i], number, desc, starts[i] + m.start("num"), starts[i] + m.end("num")))
            budget = X._AFTER_ROW if m.group("desc") else budget - 1
            i = last + 1
            continue
        if len(line) < 200 and X._HEADING_RE.match(line) and not X._PROSE_END_RE.search(previous):
            budget = X._AFTER_HEADING
        elif X._CLOSE_RE.match(line):
            budget = 0
        elif line.strip():
            budget -= 1
        i += 1
    return out


class Markup:
    """What :class:`generator.crosslink.ExhibitLinks` gives the linker: markup for a reference."""

    def markup(self, number: str, inner: str) -> str:
        return f"[{number}|{inner}]"


# --- generated inputs -----------------------------------------------------------------------------

_TAGS = st.sampled_from(
    ["<p>", "</P>", "<div class=\"x\">", "<br/>", "<TD>", "</td>", "<tr>", "<b>", "</b>", "<a1>", "<abbr>",
     "</abbr>", "<b title=\"<a>\">", "<b <a>", "< a>", "<//a>", "<", ">"]
)  # fmt: skip
_ANCHOR_TAGS = st.sampled_from(['<a href="#x">', "<A>", "<a>", "</a>", "</A >"])
_ENTITIES = st.sampled_from(
    ["&amp;", "&nbsp;", "&#45;", "&#46;", "&#116;", "&#x2014;", "&#304;", "&#0;", "&lt;", "&bogus;", "&"]
)
_WORDS = st.sampled_from(
    ["Exhibit", "EXHIBIT", "Exhibits", "Exhibi", "xhibit", "Ex", "-", ".", "99.1", "10.2(a)", "4", " and ",
     " through ", "\n", " ", "\t", "\r", "\xa0", "\u2014", "\u0130", "\u0131", "\u00e9", "No.", "(b)",
     "Exhibit Index", "Index", " to Form 8-K", "x", "Exhibit 99.1", "EXHIBIT 10.2(a)", "Exhibits 4.1 through 4.3",
     "Exhibit No. 99", "Exhibit&nbsp;99.2", "Exh", "ibit 99", "Exhibit <b>99.1</b>", "<a>Exhibit 99.1</a>",
     "<tr><td>99.1</td><td>Press release</td></tr>", "<p>Exhibit Index</p>", "\n99.3    Agreement\n"]
)  # fmt: skip
_HTML_PIECES = st.one_of(_TAGS, _ANCHOR_TAGS, _ENTITIES, _WORDS)

_TEXT_PIECES = st.sampled_from(
    ["EXHIBIT INDEX\n", "Exhibit No.  Description\n", "99.1   Press Release dated July 1\n", "99.2\n",
     "10.2(a)  Agreement\n", "        continued description\n", "\n", "\r\n", "   \n",
     "Item 9.01 Financial Statements and Exhibits.\n", "(c) Exhibits\n", "SIGNATURES\n",
     "1. Financial Statements\n", "10.A.15-\n", "Exhibit 4.1 to Form 8-K\n", "see exhibit\n",
     "Exhibits 99.1 through 99.3", "\u0130", "\u0131", "\xa0", "\u2013", "\t", "xhibit", "XHIBIT", "word "]
)  # fmt: skip
#: Where the reference scan reads non-ASCII text: the letters "i" folds to, and others.
_FOLDED_PIECES = st.sampled_from(
    ["Exh\u0131bit", "Exhib\u0131t", "EXH\u0130BIT", "Exhib\u0130t", "Exh\u00e9bit", "exh", "ibit", "\u212a",
     "\u0131", "\u0130", "\u017f", "Ex-", "exh.", "x", " ", "99", ".1", "\xa0", "\u2014", " Exhib\u0130t 99",
     " Exh\u0131bit 99", " Exhib\u0131t 99"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_HTML_PIECES, max_size=60).map("".join))
def test_text_view_and_links_equal_the_reference(fragment: str) -> None:
    assert C._text_view(fragment) == reference_text_view(fragment)
    assert C.link_exhibits_in_html(fragment, Markup()) == reference_link(fragment, Markup())  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_text_view_of_any_text(text: str) -> None:
    fragment = "<p>Exhibit 99.1</p><a>" + text + "</a>" + text
    assert C._text_view(fragment) == reference_text_view(fragment)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT_PIECES, max_size=30).map("".join))
def test_index_rows_and_spans_equal_the_reference(text: str) -> None:
    assert X._index_rows(text) == reference_index_rows(text)
    # the same-length stand-ins, made by str.translate: the spans are the same either way
    same = text.replace("\r", "\n").translate(str.maketrans(X._SAME_LENGTH))
    assert X.exhibit_reference_spans(text) == X.exhibit_reference_spans(same)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FOLDED_PIECES, max_size=12).map("".join))
def test_reference_scan_of_non_ascii_text_equals_the_reference(text: str) -> None:
    assert [m.span() for m in X._ref_matches(text)] == [m.span() for m in reference_ref_matches(text)]


def test_real_filings_link_as_the_reference_does() -> None:
    """Two 8-Ks with HTML primaries: one with exhibit references (and an ``<a>``), one without."""
    for name in ("0001213900-25-032135.txt", "0001104659-25-002604.txt"):
        path = ROOT / "site_src" / "filings" / "2020s" / name
        doc = parse_filing(path.read_bytes(), str(path)).documents[0]
        fragment = sanitize_html(doc.text, lambda src: None, lambda href: "x.html")
        assert C._text_view(fragment) == reference_text_view(fragment)
        assert C.link_exhibits_in_html(fragment, Markup()) == reference_link(fragment, Markup())  # type: ignore[arg-type]
        assert C._text_view(doc.text) == reference_text_view(doc.text)  # unsanitised: any tag at all
