"""Render stage, cross-links: every exhibit the primary document names links to that exhibit's page.

A reference to an exhibit the archive holds becomes ``<a class="xr">``; one it does not hold
becomes ``<span class="xr-missing" title=...>``, never a broken link. The numbers come from
:func:`generator.parse.exhibits.exhibit_reference_spans`, the same readers the parse stage used
to fill ``Filing.exhibit_references``, so the page and ``filing.json`` agree.

In sanitised HTML only text is linked: the spans are found in a same-length *view* of the HTML in
which every tag is blanked (a block tag leaves a line break, so table rows read as lines) and every
entity is its character padded with spaces. Offsets in the view are offsets in the HTML, a span
that would cover a tag shrinks to its number, and text inside an existing ``<a>`` is left alone.
"""

from __future__ import annotations

import bisect
import html
import re

from generator import site as urls
from generator.model import Document, Filing
from generator.parse.exhibits import (
    ExhibitSpan,
    exhibit_number_of_type,
    exhibit_reference_spans,
    matches_document_type,
)

_BLOCK_TAGS = frozenset(
    "p div br tr td th li ul ol table tbody thead tfoot caption h1 h2 h3 h4 h5 h6 pre hr dd dt dl "
    "blockquote center".split()
)
_TAG_SPLIT_RE = re.compile(r"(<(/?[a-zA-Z][a-zA-Z0-9]*)[^>]*>)")
_ENTITY_RE = re.compile(r"&(?:nbsp|amp|lt|gt|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


class ExhibitLinks:
    """Which document carries an exhibit number, and the markup for one reference to it."""

    def __init__(self, filing: Filing, here: str) -> None:
        self._by_number = {
            r.number: r.document_sequence for r in filing.exhibit_references if r.document_sequence
        }
        self._docs = {d.sequence: d for d in filing.documents if d.sequence is not None}
        self._filing = filing
        self._here = here
        self._cache: dict[str, str | None] = {}

    def target(self, number: str) -> Document | None:
        """The document carrying exhibit ``number``: as the parse stage linked it, else by type
        (an exact number first, then a bare "EX-10" carrying "10.2")."""
        seq = self._by_number.get(number)
        if seq in self._docs:
            return self._docs[seq]
        typed = [d for d in self._filing.documents[1:] if d.type]
        exact = [d for d in typed if exhibit_number_of_type(d.type) == number]
        loose = [d for d in typed if matches_document_type(number, d.type)]
        found = exact or loose
        return found[0] if found else None

    def href(self, number: str) -> str | None:
        if number not in self._cache:
            doc = self.target(number)
            page = urls.document_url(self._filing.id, doc) if doc else None
            self._cache[number] = urls.relative(self._here, page) if page else None
        return self._cache[number]

    def markup(self, number: str, inner: str) -> str:
        """``inner`` (already-escaped HTML) wrapped as a link, or as a marked "not in this archive"."""
        href = self.href(number)
        if href is None:
            title = f"Exhibit {number} is not in this archive"
            return f'<span class="xr-missing" title="{html.escape(title)}">{inner}</span>'
        return f'<a class="xr" href="{html.escape(href)}">{inner}</a>'


def link_exhibits_in_html(fragment: str, links: ExhibitLinks) -> str:
    """Link the exhibit references in the text of sanitised HTML (never in a tag or an ``<a>``)."""
    view, anchors = _text_view(fragment)
    out: list[str] = []
    pos = 0
    for span in exhibit_reference_spans(view):
        start = _linkable_start(fragment, span, anchors)
        if start is None or start < pos:
            continue
        out += [fragment[pos:start], links.markup(span.number, fragment[start : span.end])]
        pos = span.end
    if not out:
        return fragment
    out.append(fragment[pos:])
    return "".join(out)


def _linkable_start(fragment: str, span: ExhibitSpan, anchors: list[tuple[int, int]]) -> int | None:
    """Where the link starts: the whole words, else the number alone if the words cross a tag."""
    if "<" in fragment[span.number_start : span.end]:
        return None
    start = span.start if "<" not in fragment[span.start : span.number_start] else span.number_start
    i = bisect.bisect_right(anchors, (start, float("inf"))) - 1
    if i >= 0 and anchors[i][0] <= start < anchors[i][1]:
        return None
    return start


def _text_view(fragment: str) -> tuple[str, list[tuple[int, int]]]:
    """The same-length text view of ``fragment`` and the (start, end) ranges of its ``<a>`` elements."""
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
        view += [text, ("\n" if name.lstrip("/") in _BLOCK_TAGS else " ") + " " * (len(tag) - 1)]
        pos += len(tag)
    view.append(parts[-1])
    joined = "".join(view)
    if "&" in joined:
        joined = _ENTITY_RE.sub(lambda m: _entity_char(m.group(0)).ljust(len(m.group(0))), joined)
    return joined, anchors


def _entity_char(entity: str) -> str:
    char = html.unescape(entity)
    return " " if char in ("\xa0", "") or len(char) != 1 else char
