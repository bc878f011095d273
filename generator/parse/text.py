"""Parse stage, text helpers: bytes -> str, HTML -> plain text, and which of html/xml/plain a body is.

Decoding is strict UTF-8, else cp1252 (with the five bytes cp1252 leaves undefined mapped as
latin-1), which is exact on the real old filings in our corpus; charset guessers did worse.
"""

from __future__ import annotations

import codecs
import html as _html
import re
from collections.abc import Callable, Iterator


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
#
# Each step that varies by match (a tag's name, a short cell, a run of sentinels) is a ``split``
# whose captured pieces are rewritten together by C code (a dict lookup under ``map``, or ``str``
# methods over all the pieces joined) and joined back, not a ``sub`` calling a Python function
# per match. Over the 144 HTML documents of a 1,000-filing corpus (44 MB, 1.4 million tags) the
# conversion took 1.37-1.41 s, now 0.91-0.97 s (three runs each); tests/test_speed_html_text.py
# keeps the former function as the oracle of the same output on every input.
_LINE, _PARA, _CELL, _CELL_OPEN, _CELL_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
_SENTINELS = re.compile("[\ue000-\ue004]")
_DROP = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|template|head|title|ix:header)\b[^>]*>.*?(?:</\1\s*>|\Z)",
    re.I | re.S,
)
_PRE_NAME = r"(?:pre|plaintext|xmp|listing)\b"
#: The closing tag takes the same names (its ``\b`` changes nothing before ``\s*>``).
_PRE = re.compile(rf"(<{_PRE_NAME}[^>]*>)(.*?)(</{_PRE_NAME}\s*>|\Z)", re.I | re.S)
#: ``_DROP`` for the lower-cased copy of an ASCII text (same offsets, same matches: on ASCII,
#: ignoring case is lower-casing both sides), plus where ``_PRE`` could start once those are
#: dropped (group 2; never where a dropped element starts, so it hides no match of ``_DROP``).
#: Ignoring case, each pattern was tried at every "<" of the corpus (207-212 ms for the two); on
#: the copy one pass does both, and most documents have no ``<pre>`` to look for again (99-103 ms
#: with making the copy).
_DROP_LOW = re.compile(f"{_DROP.pattern}|<({_PRE_NAME})", re.S)
_PRE_BLANK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
#: A tag runs from "<" to the next ">" (or to the end); group 1 is its name, None for a comment,
#: ``<!...>``, ``<?...>`` or an unclosed tag at the end.
_ANY_TAG = re.compile(r"<(/?[A-Za-z][A-Za-z0-9:._-]*)[^>]*>|<[!?/][^>]*>|<[A-Za-z/!?][^>]*\Z")
_BREAKS = dict.fromkeys("p h1 h2 h3 h4 h5 h6 table pre blockquote ul ol dl hr center".split(), _PARA)
_BREAKS.update(
    dict.fromkeys(
        "div br tr li dt dd caption address section article header footer main nav aside form fieldset "
        "figure figcaption thead tbody tfoot body html details summary page".split(),
        _LINE,
    )
)
#: Opening and closing tag name (as written in lower or upper case) -> what it leaves in the text.
_TAG_BREAKS = {
    variant: brk
    for name, brk in [*_BREAKS.items(), ("td", _CELL_OPEN), ("th", _CELL_OPEN)]
    for variant in (name, name.upper(), "/" + name, "/" + name.upper())
}
for _name in ("td", "th"):
    _TAG_BREAKS["/" + _name] = _TAG_BREAKS["/" + _name.upper()] = _CELL_CLOSE
#: Entries :class:`_TagNames` and :class:`_Runs` keep beyond their seeds: hostile markup can have
#: any number of distinct tag names, or of runs of sentinels, and a worker lives for a whole build.
_MEMO_MAX = 1024
_MEMO_KEY_MAX = 64


class _TagNames(dict[str | None, str]):
    """Tag name (None: no name) -> what the tag leaves in the text, for ``map`` over the names
    ``_ANY_TAG.split`` gives: a hit is a lookup in C, only a name not seen yet runs Python.

    A name leaves what ``_TAG_BREAKS`` has for it as written, else for it lower-cased ("Td"), else
    nothing. Seeded with every name of ``_TAG_BREAKS`` and the inline tags filings are made of, in
    both cases; a name found later is remembered while there is room (``_MEMO_MAX``).

    Over the corpus the tags took 421-433 ms with a Python call per tag, 318-329 ms so: most of
    it is the engine's, which no callback saves. A pattern naming the break tags, so that the
    others capture nothing, cost the engine more than it saved (its alternatives are tried in
    turn at every tag).
    """

    __slots__ = ()

    def __missing__(self, name: str | None) -> str:
        if name is None:
            return ""
        found = _TAG_BREAKS.get(name.lower(), "")
        if len(self) < _TAG_NAMES_MAX and len(name) <= _MEMO_KEY_MAX:
            self[name] = found
        return found


_INLINE = "font b i u a span strong em small big sup sub img strike s ix:nonnumeric ix:nonfraction"
_TAG_NAMES = _TagNames(_TAG_BREAKS)
_TAG_NAMES[None] = ""
for _name in (*_INLINE.split(), "ix:nonNumeric", "ix:nonFraction"):
    for _variant in (_name, _name.upper(), "/" + _name, "/" + _name.upper()):
        _TAG_NAMES.setdefault(_variant, "")
_TAG_NAMES_MAX = len(_TAG_NAMES) + _MEMO_MAX

#: A table cell with at most this much text is joined onto one line, so that a cover-page row
#: (``Maryland | 001-40609 | 61-1993378``) reads as one line; a longer cell is a layout container
#: and keeps its breaks. Applied innermost first, a few levels deep.
_SHORT_CELL = re.compile(f"{_CELL_OPEN}([^{_CELL_OPEN}{_CELL_CLOSE}]{{0,400}}){_CELL_CLOSE}")
_CELL_LEVELS = 3


def _short_cells(cells: list[str]) -> list[str]:
    """Each short cell's text on one line: its sentinels as spaces, its whitespace collapsed and
    stripped (``" ".join(cell.split())``), for all the cells at once.

    Joined by ``_CELL_OPEN`` (which no cell holds, and which is not whitespace): collapsing the
    whole leaves one space at most on either side of a separator, removed before the split back.
    Over the corpus, a Python call per cell took 207-213 ms, these str methods 129-138 ms.
    """
    text = _CELL_OPEN.join(cells).replace(_LINE, " ").replace(_PARA, " ").replace(_CELL, " ")
    text = " ".join(text.split()).replace(" " + _CELL_OPEN, _CELL_OPEN).replace(_CELL_OPEN + " ", _CELL_OPEN)
    return text.split(_CELL_OPEN)


#: A run of sentinels and the spaces among and after them. The space before a run, if any (one
#: at most: whitespace is collapsed by then), is left outside, and dropped afterwards in front of
#: the newline or tab the run became (the only ones in the text then): a pattern that may start at
#: a space is tried at each of the text's 1.8 million spaces. The former pattern, which began with
#: ``[ \ue000-\ue004]*``, and a Python call per run took 290-307 ms over the corpus; this one,
#: the dict and the two replaces 103-109 ms.
_SENTINEL_RUN = re.compile("([\ue000-\ue004][ \ue000-\ue004]*)")


class _Runs(dict[str, str]):
    """A run of sentinels -> a blank line if it holds a paragraph break, else a newline if it
    holds a line break, else a tab (table cells), for ``map`` over the runs; the short runs that
    make up nearly all of them are remembered while there is room."""

    __slots__ = ()

    def __missing__(self, run: str) -> str:
        found = "\n\n" if _PARA in run else "\n" if _LINE in run else "\t"
        if len(self) < _MEMO_MAX and len(run) <= _MEMO_KEY_MAX:
            self[run] = found
        return found


_RUNS = _Runs()


def _drop(text: str, ascii_: bool) -> tuple[str, bool]:
    """``_DROP.sub(" ", text)``, and whether ``_PRE`` may match what is left. A text that is not
    ASCII takes the former way: lower-casing may change its length, and ignoring case ``_DROP``
    reads "<ſcript>" as a script."""
    if not ascii_:
        return _DROP.sub(" ", text), True
    # The result is built as the matches come, keeping no list of them: a hostile document of
    # tiny comments (``<!---->`` over and over, up to the 1 GB a file may be) would otherwise
    # hold a span per comment, ~120 bytes each, ten times what ``_DROP.sub`` holds.
    pieces: list[str] = []
    pos, pre = 0, False
    for m in _DROP_LOW.finditer(text.lower()):
        if m.lastindex == 2:
            pre = True
            continue
        start, end = m.span()
        if start > pos:
            pieces.append(text[pos:start])
        pieces.append(" ")
        pos = end
    if not pieces:
        return text, pre
    pieces.append(text[pos:])
    return "".join(pieces), pre


#: The split-and-map steps of :func:`html_to_text` work on pieces of about this many characters.
#: ``pattern.split`` holds a list entry and often a new string per match until the piece is
#: joined: over a whole hostile document of tags (``<font>x</font>`` again and again, and a file
#: may be 1 GB) that was 13 times the input (+275 MB for 21 MB), where ``sub`` with a callback
#: had held ~1.5 times. A piece ends where no match can span the cut, so the result is the same.
PIECE = 1 << 20
_NOT_RUN = re.compile("[^ \ue000-\ue004]")


def _pieces(text: str, cut_after: Callable[[str, int], int]) -> Iterator[str]:
    """``text`` in consecutive pieces of at least :data:`PIECE` characters (the last one may be
    shorter): each ends at ``cut_after(text, at)``, the end of the first safe cut at or after
    ``at`` (or -1: none, the rest is one piece)."""
    pos = 0
    while len(text) - pos > PIECE:
        end = cut_after(text, pos + PIECE)
        if end < 0 or end >= len(text):
            break
        yield text[pos:end]
        pos = end
    yield text[pos:] if pos else text


def _after_tag_end(text: str, at: int) -> int:
    """Just after a ">": a tag match ends at its first ">", so none spans this cut."""
    found = text.find(">", at)
    return found + 1 if found >= 0 else -1


def _before_cell(text: str, at: int) -> int:
    """Just before a cell opening: a short cell holds none, so none spans this cut."""
    return text.find(_CELL_OPEN, at)


def _after_word(text: str, at: int) -> int:
    """Just after a character that is no sentinel and no space: a run holds none."""
    found = _NOT_RUN.search(text, at)
    return found.end() if found else -1


def _pre(match: re.Match[str]) -> str:
    """Inside <pre> the source's newlines are real: they (and blank lines) become breaks."""
    return match.group(1) + _PRE_BLANK.sub(_PARA, match.group(2)).replace("\n", _LINE) + match.group(3)


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
    ascii_ = html.isascii()
    text = html if ascii_ else _SENTINELS.sub(" ", html)  # sentinels are not ASCII
    text, pre = _drop(text, ascii_)
    if pre:
        text = _PRE.sub(_pre, text)
    text = "".join(map(_tags, _pieces(text, _after_tag_end)))
    text = unescape(text).replace("\u200b", " ").replace("\ufeff", " ")
    text = " ".join(text.split())
    for _ in range(_CELL_LEVELS):
        cells = [_cells(piece) for piece in _pieces(text, _before_cell)]
        if not any(found for _piece, found in cells):
            break
        text = "".join(piece for piece, _found in cells)
    # The cell sentinels left (long cells) are in runs too, and read as tabs.
    text = "".join(map(_runs, _pieces(text, _after_word)))
    return text.replace(" \n", "\n").replace(" \t", "\t").strip()


def _tags(text: str) -> str:
    """Each tag as what it leaves in the text (:data:`_TAG_NAMES`)."""
    parts = _ANY_TAG.split(text)
    parts[1::2] = map(_TAG_NAMES.__getitem__, parts[1::2])
    return "".join(parts)


def _cells(text: str) -> tuple[str, bool]:
    """Each short cell on one line between ``_CELL``s, and whether there was any."""
    parts = _SHORT_CELL.split(text)
    if len(parts) == 1:
        return text, False
    parts[1::2] = _short_cells(parts[1::2])
    return _CELL.join(parts), True  # [text, cell, text, ...]: a _CELL either side of each cell


def _runs(text: str) -> str:
    """Each run of sentinels as a blank line, a newline or a tab (:data:`_RUNS`)."""
    parts = _SENTINEL_RUN.split(text)
    parts[1::2] = map(_RUNS.__getitem__, parts[1::2])
    return "".join(parts)


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
