"""Parse stage, text helpers: bytes -> str, HTML -> plain text, and which of html/xml/plain a body is.

Decoding is strict UTF-8, else cp1252 (with the five bytes cp1252 leaves undefined mapped as
latin-1), which is exact on the real old filings in our corpus; charset guessers did worse.
"""

from __future__ import annotations

import codecs
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: keep them as latin-1 code points."""
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start : err.end]
    return bytes(bad).decode("latin-1"), err.end


codecs.register_error("filing_archive_latin1", _latin1_fallback)


def decode(data: bytes) -> str:
    """Decode filing bytes: strict UTF-8 first, then cp1252; never raises."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="filing_archive_latin1")


# --- HTML -> plain text -------------------------------------------------------------------------
# Breaks are first written as private-use sentinels so that the source's own whitespace (which HTML
# collapses) can be told apart from the breaks the markup implies; then each run of sentinels
# becomes one newline, a blank line or a tab.
_LINE, _PARA, _CELL = "\ue000", "\ue001", "\ue002"
_SENTINELS = re.compile("[\ue000-\ue002]")
_SENTINEL_RUN = re.compile("[ \ue000-\ue002]*[\ue000-\ue002][ \ue000-\ue002]*")  # spaces are single
_SPACE = re.compile(r"[\s\u200b\ufeff]+")
_PRE_BLANK = re.compile(r"\n[ \t\r\f\v]*\n\s*")

_PARA_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 table pre blockquote ul ol dl hr center".split())
_LINE_TAGS = frozenset(
    "div br tr li dt dd caption address section article header footer main nav aside form "
    "fieldset figure figcaption title thead tbody tfoot body html details summary page".split()
)
_CELL_TAGS = frozenset(("td", "th"))
_PRE_TAGS = frozenset(("pre", "plaintext", "xmp", "listing"))
_CELL_INLINE = 400
_DROP_TAGS = frozenset(("script", "style", "template", "head", "ix:header", "-comment"))


def _break_for(tag: str) -> str:
    if tag in _PARA_TAGS:
        return _PARA
    if tag in _LINE_TAGS:
        return _LINE
    return _CELL if tag in _CELL_TAGS else ""


def _inline_cell(out: list[str], start: int) -> None:
    """Join a short table cell onto one line, so that a row (``Maryland | 001-40609 | 61-1993378``)
    reads as one line; a cell holding more text than that is a layout container and keeps its
    breaks. The length check stops early, so a huge layout cell costs little."""
    total, end = 0, min(len(out), start + _CELL_INLINE)  # pieces are never empty: bounded loop
    for i in range(start, end):
        total += len(out[i])
        if total > _CELL_INLINE:
            return
    if end < len(out):
        return
    out[start:] = [_SENTINELS.sub(" ", "".join(out[start:]))]


def _walk(root: LexborNode) -> list[str]:
    """Depth-first walk with an explicit stack (deeply nested markup must not hit the recursion
    limit); emits text, and a break sentinel on entering and on leaving each block element.

    Inside ``<pre>`` the source's newlines are real, so they (and blank lines) become breaks.
    """
    out: list[str] = []
    # (node, or None for the marker that closes an element: its break, is-pre, cell start or -1)
    stack: list[tuple[LexborNode | None, str, bool, int]] = [(root, "", False, -1)]
    pre = 0
    while stack:
        node, brk, is_pre, cell = stack.pop()
        if node is None:
            if cell >= 0:
                _inline_cell(out, cell)
            if brk:
                out.append(brk)
            pre -= is_pre
            continue
        if node.is_text_node:
            if text := node.text_content:
                out.append(_PRE_BLANK.sub(_PARA, text).replace("\n", _LINE) if pre else text)
            continue
        tag = node.tag or ""
        if tag in _DROP_TAGS:
            continue
        brk = _break_for(tag)
        is_pre = tag in _PRE_TAGS
        pre += is_pre
        if brk:
            out.append(brk)
        stack.append((None, brk, is_pre, len(out) if tag in _CELL_TAGS else -1))
        stack.extend((child, "", False, -1) for child in reversed(list(node.iter(include_text=True))))
    return out


def _sentinel_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if _PARA in run:
        return "\n\n"
    return "\n" if _LINE in run else "\t"


def html_to_text(html: str) -> str:
    """Render HTML as plain text in which a cover page stays readable line by line.

    Block elements become line breaks (paragraph-like ones a blank line), table cells are separated
    by a tab and rows by a newline, script/style/head and the hidden inline-XBRL header are dropped,
    and runs of whitespace collapse to one space, except the newlines of ``<pre>`` blocks (older
    filings wrap a whole plain-text document in ``<pre>``).
    """
    if not html:
        return ""
    root = LexborHTMLParser(_SENTINELS.sub(" ", html)).root
    if root is None:
        return ""
    text = _SPACE.sub(" ", "".join(_walk(root)))
    return _SENTINEL_RUN.sub(_sentinel_run, text).strip()


# --- format detection ---------------------------------------------------------------------------
_HEAD_BYTES = 8192
# Wrappers EDGAR puts around a body, and XML/SGML preliminaries, skipped to reach the first element.
_PRELIM = re.compile(
    r"\s*(?:<(?:XBRL|XML|PDF)>|<\?[^>]{0,500}\?>|<!--.{0,2000}?-->|<!DOCTYPE[^>]{0,2000}>)", re.I | re.S
)
_FIRST_TAG = re.compile(r"\s*<([A-Za-z][\w.:-]*)")
# Old plain-text filings use SGML <TABLE>, <PAGE>, <CAPTION>, <S>, <C>: those never mean HTML.
_HTML_ROOTS = frozenset(
    "html head body div p font title center br b i u span h1 h2 h3 h4 h5 h6 a img".split()
)
_HTML_SIGNS = re.compile(r"<(?:html|body|div|p|font|td|tr|br|b|i|center|span|a\s+href)[\s>/]", re.I)
_XML_ROOTS = frozenset(
    "edgarsubmission informationtable ownershipdocument xbrl filingsummary schema linkbase".split()
)


def detect_format(body: str) -> str:
    """Say whether a document body is "html", "xml" or "plain", from its first few KB.

    Inline XBRL is XML-declared HTML: the first element decides, so it counts as html. Plain-text
    filings carry SGML tags such as ``<TABLE>`` and ``<PAGE>``, so those alone do not make HTML.
    """
    head = body[:_HEAD_BYTES]
    pos, saw_xml = 0, False
    while (m := _PRELIM.match(head, pos)) and m.end() > pos:
        saw_xml = saw_xml or m.group(0).lstrip()[:2] in ("<?", "<X", "<x")
        pos = m.end()
    first = _FIRST_TAG.match(head, pos)
    name = first.group(1).lower() if first else ""
    if name in _HTML_ROOTS:
        return "html"
    if saw_xml or name in _XML_ROOTS or ":" in name:
        return "xml"
    return "html" if _HTML_SIGNS.search(head) else "plain"
