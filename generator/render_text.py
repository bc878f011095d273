"""Render stage, plain-text documents -> lean HTML that keeps their layout.

A plain-text filing is read the way it was typed: one ``<pre>``, tabs and column alignment intact.
What the markup adds, and only that:

- every non-blank line is ``<span id=L12>...</span>`` (its 1-based line number in the document), so
  a link can point at a passage and ``:target`` can highlight it; blank lines carry nothing;
- each ``<PAGE>`` marker becomes a visible separator ``<span class=pb id=page-2>``;
- the other SGML tags of 1990s filings are never shown raw: a line holding only ``<TABLE>``,
  ``<CAPTION>``, ``<S>``/``<C>`` column markers or ``<FN>`` is hidden; such a tag inside a line
  becomes spaces of its own width (so columns stay aligned) and a footnote mark ``<F1>`` reads ``(1)``;
- exhibit references link to the exhibit's page (see :mod:`generator.crosslink`).

Output bytes matter (archives reach 100,000 filings): ids are unquoted and trailing blanks dropped.
"""

from __future__ import annotations

import bisect
import re

from generator.crosslink import ExhibitLinks
from generator.parse.exhibits import ExhibitSpan, exhibit_reference_spans

_SGML = r"</?(?:PAGE|TABLE|CAPTION|S|C|FN|F\d{1,2}|R\d{1,2})>"
_TAG_ONLY_RE = re.compile(rf"^[ \t]*(?:{_SGML}[ \t]*)+$", re.I)
_PAGE_RE = re.compile(r"^[ \t]*<PAGE>", re.I)
_INLINE_RE = re.compile(_SGML, re.I)
_FOOTNOTE_RE = re.compile(r"<F(\d{1,2})>", re.I)


def render_plain(text: str, links: ExhibitLinks | None = None, line_ids: bool = True) -> str:
    """``text`` as ``<pre class="filing-text">``; with ``links``, exhibit references are linked;
    without ``line_ids`` (the copy on the filing page) lines carry no anchors, saving bytes."""
    if line_ids:
        return _render(text, links, False)[0]
    return _render(text, links, True)[1]


def render_plain_pair(text: str, links: ExhibitLinks | None = None) -> tuple[str, str]:
    """:func:`render_plain` with and without line ids, from one reading of the text (the filing
    page shows a plain-text primary document that its document page shows with anchors)."""
    return _render(text, links, True)


def _render(text: str, links: ExhibitLinks | None, lean: bool) -> tuple[str, str]:
    """The text rendered with line ids and, when ``lean``, also without ("" if not)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    spans = exhibit_reference_spans(text) if links is not None else []
    keys = [s.number_start for s in spans]
    out = ['<pre class="filing-text">\n']  # the parser drops one newline after <pre>
    bare = ['<pre class="filing-text">\n'] if lean else out  # with line ids, bare is out: unused
    add, add_bare = out.append, bare.append
    page = 1
    start = 0  # offset of the next line; the loop is inlined: it runs once per line of every text
    for number, line in enumerate(text.removesuffix("\n").split("\n"), 1):
        at, start = start, start + len(line) + 1
        if "<" in line:
            if page_mark := _PAGE_RE.match(line):
                page += 1
                add(mark := f"<span class=pb id=page-{page}>page {page}</span>\n")
                if lean:
                    add_bare(mark)
                at, line = at + page_mark.end(), line[page_mark.end() :]
                if not line.strip():
                    continue
            elif _TAG_ONLY_RE.match(line):
                continue
            line = _untag(line)  # same width: the span offsets still hold
        line = line.rstrip()
        if not line:
            add("\n")
            if lean:
                add_bare("\n")
            continue
        if keys and (lo := bisect.bisect_left(keys, at)) < (hi := bisect.bisect_left(keys, at + len(line))):
            body = _line_html(line, at, spans[lo:hi], links)
        else:
            body = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        add(f"<span id=L{number}>{body}</span>\n")
        if lean:
            add_bare(f"{body}\n")
    out.append("</pre>")
    if not lean:
        return "".join(out), ""
    bare.append("</pre>")
    return "".join(out), "".join(bare)


def _line_html(line: str, start: int, spans: list[ExhibitSpan], links: ExhibitLinks | None) -> str:
    """One escaped line with its exhibit links (``spans``: those whose number is on this line)."""
    if links is None or not spans:
        return _escape(line)
    pieces: list[str] = []
    pos = 0
    for span in spans:
        s = (span.start if span.start >= start else span.number_start) - start  # wrapped: number only
        e = span.end - start
        if s < pos or e > len(line):
            continue
        pieces += [_escape(line[pos:s]), links.markup(span.number, _escape(line[s:e]))]
        pos = e
    pieces.append(_escape(line[pos:]))
    return "".join(pieces)


def _untag(s: str) -> str:
    """Inline SGML tags as blanks of the same width; footnote marks as "(1)"."""
    if "<" not in s:
        return s
    s = _FOOTNOTE_RE.sub(lambda m: f"({m.group(1)})".ljust(len(m.group(0))), s)
    return _INLINE_RE.sub(lambda m: " " * len(m.group(0)), s)


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
