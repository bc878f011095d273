"""Parse stage, text helpers: bytes -> str, HTML -> plain text, and which of html/xml/plain a body is.

Decoding is strict UTF-8, else cp1252 (with the five bytes cp1252 leaves undefined mapped as
latin-1), which is exact on the real old filings in our corpus; charset guessers did worse.
"""

from __future__ import annotations

import codecs
import html as _html
import re


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
# One pass of regular expressions over the markup, no DOM: a tree walk in Python cost twice as much
# on large filings, and this text feeds the cover-page readers and the search index of every HTML
# document. Block tags are first written as private-use sentinels so that the source's own
# whitespace (which HTML collapses) can be told apart from the breaks the markup implies; then each
# run of sentinels becomes one newline, a blank line or a tab.
_LINE, _PARA, _CELL, _CELL_OPEN, _CELL_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
_SENTINELS = re.compile("[\ue000-\ue004]")
_SENTINEL_RUN = re.compile("[ \ue000-\ue004]*[\ue000-\ue004][ \ue000-\ue004]*")  # spaces are single
_DROP = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|template|head|title|ix:header)\b[^>]*>.*?(?:</\1\s*>|\Z)",
    re.I | re.S,
)
_PRE = re.compile(
    r"(<(?:pre|plaintext|xmp|listing)\b[^>]*>)(.*?)(</(?:pre|plaintext|xmp|listing)\s*>|\Z)", re.I | re.S
)
_PRE_BLANK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_ANY_TAG = re.compile(r"<(/?[A-Za-z][A-Za-z0-9:._-]*)[^>]*>|<[!?/][^>]*>|<[A-Za-z/!?][^>]*\Z")
_BREAKS = dict.fromkeys("p h1 h2 h3 h4 h5 h6 table pre blockquote ul ol dl hr center".split(), _PARA)
_BREAKS.update(
    dict.fromkeys(
        "div br tr li dt dd caption address section article header footer main nav aside form fieldset "
        "figure figcaption thead tbody tfoot body html details summary page".split(),
        _LINE,
    )
)
#: A table cell with at most this much text is joined onto one line, so that a cover-page row
#: (``Maryland | 001-40609 | 61-1993378``) reads as one line; a longer cell is a layout container
#: and keeps its breaks. Applied innermost first, a few levels deep.
#: Opening and closing tag name (as written in lower or upper case) -> what it leaves in the text.
_TAG_BREAKS = {
    variant: brk
    for name, brk in [*_BREAKS.items(), ("td", _CELL_OPEN), ("th", _CELL_OPEN)]
    for variant in (name, name.upper(), "/" + name, "/" + name.upper())
}
for _name in ("td", "th"):
    _TAG_BREAKS["/" + _name] = _TAG_BREAKS["/" + _name.upper()] = _CELL_CLOSE
_SHORT_CELL = re.compile(f"{_CELL_OPEN}([^{_CELL_OPEN}{_CELL_CLOSE}]{{0,400}}){_CELL_CLOSE}")
_CELL_LEVELS = 3


def _tag(match: re.Match[str]) -> str:
    name = match[1]
    if name is None:
        return ""
    found = _TAG_BREAKS.get(name)
    return found if found is not None else _TAG_BREAKS.get(name.lower(), "")


def _pre(match: re.Match[str]) -> str:
    """Inside <pre> the source's newlines are real: they (and blank lines) become breaks."""
    return match.group(1) + _PRE_BLANK.sub(_PARA, match.group(2)).replace("\n", _LINE) + match.group(3)


def _short_cell(match: re.Match[str]) -> str:
    return _CELL + " ".join(_SENTINELS.sub(" ", match.group(1)).split()) + _CELL


def _sentinel_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if _PARA in run:
        return "\n\n"
    return "\n" if _LINE in run else "\t"


def unescape(text: str) -> str:
    """``html.unescape``, with the no-break spaces that fill filings' tables replaced first by
    ``str.replace`` (``html.unescape`` calls a Python function per entity; an entity never holds
    a "&" past its first character, so nothing else can read differently)."""
    return _html.unescape(text.replace("&nbsp;", "\xa0").replace("&#160;", "\xa0"))


def html_to_text(html: str) -> str:
    """Render HTML as plain text in which a cover page stays readable line by line.

    Block elements become line breaks (paragraph-like ones a blank line), table cells are separated
    by a tab and rows by a newline, script/style/head and the hidden inline-XBRL header are dropped,
    entities are decoded, and runs of whitespace collapse to one space, except the newlines of
    ``<pre>`` blocks (older filings wrap a whole plain-text document in ``<pre>``). Linear time:
    unclosed comments, tags and elements run to the end of the input instead of backtracking.
    """
    if not html:
        return ""
    text = html if html.isascii() else _SENTINELS.sub(" ", html)  # sentinels are not ASCII
    text = _DROP.sub(" ", text)
    text = _PRE.sub(_pre, text)
    text = _ANY_TAG.sub(_tag, text)
    text = unescape(text).replace("\u200b", " ").replace("\ufeff", " ")
    text = " ".join(text.split())
    for _ in range(_CELL_LEVELS):
        text, found = _SHORT_CELL.subn(_short_cell, text)
        if not found:
            break
    text = text.replace(_CELL_OPEN, _CELL).replace(_CELL_CLOSE, _CELL)
    return _SENTINEL_RUN.sub(_sentinel_run, text).strip()


# --- XML -> plain text --------------------------------------------------------------------------
# A tag ends at the next ">" or before the next "<": with ``<[^>]*>`` a run of unclosed "<" made
# every one scan to the end of the text (2 MB of "<" took minutes, found by tests/test_fuzz.py).
_XML_SKIP = re.compile(r"<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)|<!\[CDATA\[|\]\]>|<[^<>]*>", re.S)


def xml_to_text(xml: str) -> str:
    """Element values of an XML document (Form 3/4/5, Form D, 13F), one per line in document order.

    Structured filings have no captions to read, only values in the order their schema fixes;
    ``cover_xml`` reads them from exactly this shape.
    """
    text = _html.unescape(_XML_SKIP.sub("\n", xml))
    return "\n".join(line for raw in text.split("\n") if (line := raw.strip()))


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
