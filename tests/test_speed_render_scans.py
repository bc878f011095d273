"""The faster scans of the parse and render stages find exactly what the former ones found (kept
below as the oracles): the event-handler check of ``active_content`` (a leading character class
made the engine try every blank of the text), the ids of the sanitiser's tidy pass (a lazy
pattern step per character of every tag), the SIGNATURES heading (a line start ignoring case: every
position tried), the inline SGML tags of the text fingerprint, the entities of ``html_to_text``,
the (now cached) exhibit numbers, and the sanitiser's attribute filter (style first)."""

from __future__ import annotations

import html
import re

import nh3
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import sanitize as Z
from generator.parse import active as A
from generator.parse import exhibits as X
from generator.parse import filing as P
from generator.parse import signatures as S
from generator.parse import text as T

# --- the reference versions ---------------------------------------------------------------------

_REFERENCE_HANDLER = re.compile(r"[\s/\"']on[a-z]{3,30}\s*=")
_REFERENCE_ID = re.compile(r'<[a-z][^>]*?\sid="([^"]*)"')


def reference_active_content(markup: str) -> list[str]:
    low = markup.lower()
    found: set[str] = set()
    checks = [(p, label) for p, label in A._CHECKS if label != "event handler"]
    for pattern, label in [*checks, (_REFERENCE_HANDLER, "event handler")]:
        for m in pattern.finditer(low):
            if label is None:
                found.add(f"<{m.group(1)}>")
                continue
            if reference_confirmed(low, m.start(), label):
                found.add(label)
                break
    return sorted(found)


def reference_confirmed(low: str, at: int, label: str) -> bool:
    if label == "javascript: URL":
        return A._SCHEME_BEFORE.search(low, max(0, at - 4), at) is not None
    if label == "data: URL" and not A._ATTRIBUTE_BEFORE.search(low, max(0, at - 40), at):
        return False
    if label in A._IN_TAG:
        return low.rfind("<", max(0, at - 4000), at) > low.rfind(">", max(0, at - 4000), at)
    return True


# --- the properties -----------------------------------------------------------------------------

_MARKUP_PIECES = st.sampled_from(
    ["<", ">", "<p", "<a ", " ", "\n", "\t", "/", '"', "'", "on", "onclick", "onload", "ononload",
     "=", " =", "x", "only", "con", "<div ", "<b>", "</b>", "script:", "java", "data:", "href=",
     "\u2028", "\xa0", "ON", "One", "click", "é", "<p onclick =", " onload=", " onfoo=", "'onerror\t=", "/onfocus="]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_MARKUP_PIECES, max_size=40).map("".join))
def test_active_content_equals_the_reference(markup: str) -> None:
    assert A.active_content(markup) == reference_active_content(markup)


def test_a_handler_far_into_a_long_tag_is_found_as_before() -> None:
    """The in-tag check looks 4,000 characters back from the character before "on", as it did."""
    for pad in (3990, 3998, 3999, 4000, 4001, 4010):
        markup = "<div" + " " * pad + "onclick=x>"
        assert A.active_content(markup) == reference_active_content(markup)
    assert A.active_content("<p onclick=x>") == ["event handler"]
    assert A.active_content("onclick=x") == []  # no character before: not a handler


_TAG_PIECES = st.sampled_from(
    ["<", ">", "<a", "<p", "<z9", " ", "\n", "\t", " id=", 'id="', ' id="', '"', "x", "f-1", "=",
     "<span ", ' title="', "\u3000", "<A", "idd", ' class="q"', "<a name=", '">', "</b>", "<b>", "\xa0"]
)  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(_TAG_PIECES, max_size=40).map("".join))
def test_tidy_ids_equal_the_reference_pattern(html: str) -> None:
    assert Z._first_ids(html) == _REFERENCE_ID.findall(html)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TAG_PIECES, max_size=40).map("".join))
def test_sanitised_markup_ids_equal_the_reference(markup: str) -> None:
    clean = Z.sanitize_html(markup, lambda src: None)
    assert Z._first_ids(clean) == _REFERENCE_ID.findall(clean)


def test_ids_far_apart_and_unclosed_read_as_the_pattern_reads_them() -> None:
    for markup in ('<a x id="1"><b id="2" id="3">', '<p title=" id=">t "x" <i id="4">', '<a id="5',
                 'id="6" <a\tid="7">', '<a <b id="8">', "<a>" + ' id="x"' * 500 + '<b id="9">'):  # fmt: skip
        assert Z._first_ids(markup) == _REFERENCE_ID.findall(markup), markup


_SIGNATURE_PIECES = st.sampled_from(
    ["SIGNATURES", "Signature", "signatures", "SIGNATURE:", " ", "\t", "\n", ":", "s", "x", "By:",
     "\u017figNATURE", "é", "\r", "  \n", "SIGNATURESS"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_SIGNATURE_PIECES, max_size=30).map("".join))
def test_signature_headings_equal_the_reference(text: str) -> None:
    assert S._section_ends(text) == [m.end() for m in S._SECTION_RE.finditer(text)]


_SGML_PIECES = st.sampled_from(
    ["<PAGE>", "<page>", "</TABLE>", "<table>", "<S>", "</s>", "<C>", "<FN>", "<F1>", "<f12>", "<R3>",
     "<F123>", "<", ">", "/", "x", " ", "\n", "<\u017f>", "é", "<Caption>", "<p>"]
)  # fmt: skip


#: The pattern parse/filing.py used before its Label (the oracle).
_REFERENCE_INLINE_SGML = re.compile(r"</?(?:PAGE|TABLE|CAPTION|S|C|FN|F\d{1,2}|R\d{1,2})>", re.I)


@settings(max_examples=600, deadline=None)
@given(st.lists(_SGML_PIECES, max_size=30).map("".join))
def test_inline_sgml_removal_equals_the_reference(text: str) -> None:
    for repl in (" ", ""):
        assert P._inline_sgml_as(repl, text) == _REFERENCE_INLINE_SGML.sub(repl, text)


_ENTITY_PIECES = st.sampled_from(
    ["&nbsp;", "&nbsp", "&#160;", "&#1605;", "&#160", "&amp;", "&amp;nbsp;", "&", "#", ";", "nbsp", "160",
     "x", " ", "&#x20;", "&NBSP;", "\n", "&lt;", "&#16", "0;"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_ENTITY_PIECES, max_size=30).map("".join))
def test_unescape_equals_the_reference(text: str) -> None:
    assert T.unescape(text) == html.unescape(text)


def reference_normalize_exhibit_number(s: str) -> str:
    s = s.strip().upper()
    s = re.sub(r"^(?:EX(?:HIBIT)?S?\b[-\s.]*|EX-)", "", s)
    s = re.sub(r"^(?:NO|NUMBER)\b\.?\s*", "", s)
    s = re.sub(r"\s+", "", s).rstrip(".")
    s = s.replace("-", ".")
    s = re.sub(r"([A-Z])(\d)", r"\1.\2", s)
    s = re.sub(r"\.+(?=\()", "", s)
    s = re.sub(r"\.{2,}", ".", s)
    return re.sub(r"(?<![\dA-Z])0+(?=\d)", "", s)


_NUMBER_PIECES = st.sampled_from(
    ["EX-", "Exhibit", "exhibits", "No.", "Number", " ", "99", ".", "01", "0", "-", "A", "a49", "(a)", "..", "\t"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_NUMBER_PIECES, max_size=12).map("".join))
def test_cached_exhibit_numbers_equal_the_reference(text: str) -> None:
    for _ in range(2):  # computed, then from the cache
        assert X.normalize_exhibit_number(text) == reference_normalize_exhibit_number(text)
        m = re.match(r"^\s*EX-?\s*(\S+)", text.upper())
        expected = reference_normalize_exhibit_number(m.group(1)) if m and m.group(1)[:1].isdigit() else None
        assert X.exhibit_number_of_type(text) == (expected if text else None)


def reference_sanitize(markup: str, resolve_image, resolve_link) -> str:
    """The sanitiser as it was: its attribute filter (checks in another order, every style value
    lower-cased) and its tidy pass's lazy id pattern."""

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            return resolve_image(value)
        if attr == "href":
            return Z._href(value, resolve_link)
        if attr in ("id", "name"):
            return Z.ID_PREFIX + value
        if attr == "style" and "expression(" in value.lower():
            return None
        return value

    cleaned = nh3.clean(
        A.flatten_deep(markup)[0],
        tags=Z._TAGS,
        clean_content_tags=Z._CLEAN_CONTENT,
        attributes=Z._ATTRS,
        attribute_filter=keep,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto"},
        filter_style_properties=Z._STYLE_PROPERTIES,
    )
    saved = Z._first_ids
    try:
        Z._first_ids = _REFERENCE_ID.findall  # type: ignore[assignment]
        return Z.tidy(cleaned)
    finally:
        Z._first_ids = saved  # type: ignore[assignment]


_ATTRIBUTE_PIECES = st.sampled_from(
    ['<p style="color:red">', '<p style="width:EXPRESSION(1)">', '<p style="width: expression (1)">',
     '<span style="color:rgb(1,2,3)">', '<img src="a.jpg">', '<img src="b.png" alt="x">', "<img>",
     '<a href="#x">', '<a href="#f-x">', '<a href="d2.htm">', '<a href="http://e.com">', '<a name="x">',
     '<div id="x">', '<div id="y" title=" id=">', '<td src="q.jpg">', "</a>", "</p>", "</div>", "text",
     '<h2 id="z">', "</h2>", '<font size="2" face="x">', '<a href=" javascript:x">']
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_ATTRIBUTE_PIECES, max_size=25).map("".join))
def test_sanitiser_equals_the_reference(markup: str) -> None:
    def image(src: str) -> str | None:
        return "files/" + src if src.endswith(".jpg") else None

    def link(href: str) -> str | None:
        return "d2.html" if href.startswith("d2") else None

    assert Z.sanitize_html(markup, image, link) == reference_sanitize(markup, image, link)
