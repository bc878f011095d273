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
import functools
import html
import itertools
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
# A tag is "<" or "</", a letter and anything up to the first ">"; its name is the letters and digits.
_TAG_SPLIT_RE = re.compile(r"(</?[a-zA-Z][^>]*>)")
_TAG_NAME_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
_ENTITY_SPLIT_RE = re.compile(r"(&(?:nbsp|amp|lt|gt|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});)")


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
    view, tags = _view_and_tags(fragment)
    spans = exhibit_reference_spans(view)
    if not spans:
        return fragment
    anchors = tags.anchor_ranges()
    out: list[str] = []
    pos = 0
    for span in spans:
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
    view, tags = _view_and_tags(fragment)
    return view, tags.anchor_ranges()


def _view_and_tags(fragment: str) -> tuple[str, _Tags]:
    """The text view, and the fragment's tags to find its ``<a>`` elements in when a reference
    needs them (most fragments have none).

    Built without a Python step per tag or entity (a long filing has a million tags but a few
    hundred distinct ones): the tags map through a per-fragment table of blanks, the entities
    through a cached function.
    """
    tags = _Tags(fragment)
    view = tags.blanked()
    if "&" in view:
        pieces = _ENTITY_SPLIT_RE.split(view)  # text, entity, text, ...
        pieces[1::2] = map(_entity_blank, pieces[1::2])
        view = "".join(pieces)
    return view, tags


class _Tags(dict[str, str]):
    """A fragment split at its tags, and a table of each distinct tag -> its blank (a line break
    for a block tag, then spaces), filled as tags are met; the ``<a>`` and ``</a>`` tags are
    noted on the way."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.parts = _TAG_SPLIT_RE.split(fragment)  # text, tag, text, tag, ..., text
        self.tags = self.parts[1::2]
        self.anchor_tags: set[str] = set()

    def __missing__(self, tag: str) -> str:
        name = _TAG_NAME_RE.match(tag)[1].lower()  # type: ignore[index]  # every tag has a name
        if name == "a":
            self.anchor_tags.add(tag)
        blank = self[tag] = ("\n" if name in _BLOCK_TAGS else " ") + " " * (len(tag) - 1)
        return blank

    def blanked(self) -> str:
        """The fragment with every tag blanked (``parts`` keep the blanks: the lengths are the same)."""
        self.parts[1::2] = map(self.__getitem__, self.tags)
        return "".join(self.parts)

    def anchor_ranges(self) -> list[tuple[int, int]]:
        """(start, end) of each ``<a>`` element: from an ``<a>`` (the last, if several open) to the
        next ``</a>``. Only those tags are visited; a tag's offset is the length of the parts before it."""
        anchors: list[tuple[int, int]] = []
        if not self.anchor_tags:
            return anchors
        pos, done, opened = 0, 0, -1
        is_anchor = map(self.anchor_tags.__contains__, self.tags)
        for k in itertools.compress(itertools.count(), is_anchor):
            pos += sum(map(len, self.parts[done : 2 * k + 1]))
            done = 2 * k + 1
            if not self.tags[k].startswith("</"):
                opened = pos
            elif opened >= 0:
                anchors.append((opened, pos + len(self.tags[k])))
                opened = -1
        return anchors


@functools.lru_cache(maxsize=1024)
def _entity_blank(entity: str) -> str:
    """An entity's character padded with spaces to the entity's length."""
    char = html.unescape(entity)
    return (" " if char in ("\xa0", "") or len(char) != 1 else char).ljust(len(entity))
