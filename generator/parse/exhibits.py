"""Parse stage, exhibits: "Exhibit 99.1" references and exhibit-index rows in the primary text.

Two passes over the whole text, each one compiled regex:

- references in prose: "Exhibit 99.1", "Exhibits 99.1 and 99.2", "EXHIBIT 10.2(a)", "Exhibit No. 99",
  "Exhibits 99.4(a)-(c)", "Exhibits 4.1 through 4.3";
- exhibit-index rows ("99.1   Press Release of ..., dated July 29, 2002.", the description possibly
  wrapped onto indented lines) in the lines after a heading such as "EXHIBIT INDEX", "(c) Exhibits",
  "Exhibit Number  Description" or an item heading that names exhibits.

Numbers are normalised by :func:`normalize_exhibit_number`, the same function that
:func:`exhibit_number_of_type` applies to a document type ("EX-99.1"), so that a reference and the
document carrying it compare equal.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from generator.model import ExhibitReference
from generator.parse.cover_lines import normalize_text, squeeze

# 99 | 99.1 | 10.2(a) | 10.16a | 10.A.8 | 10.A-8 | 10.A.3-2 | 101.SCH | 99.(a)(5)(C)
_SEG = r"(?:\d{1,3}(?!\d)[A-Za-z]?(?![A-Za-z])|(?-i:[A-Z]{1,4}|[a-z])\d{0,3}(?![A-Za-z\d]))"
NUMBER = (
    rf"[1-9]\d{{0,2}}(?!\d)(?:\.{_SEG}(?:-\d{{1,3}}(?!\d))?)*(?:\.?(?:\((?-i:[a-z]|[A-Z]|\d){{1,3}}\))+)?"
)
# Spelled "[Ee](?<!\w[Ee])" rather than "\b(?i:E)": a pattern that opens with a character set
# lets the regex engine skip to the next "e" instead of trying every position (2x faster; only
# "e" and "E" fold to each other, so the matches are the same).
_REF_RE = re.compile(
    rf"[Ee](?<!\w[Ee])(?i:(?:xhibits?|xh\.|X-)[ \t]*(?:No\.?s?|Numbers?|#)?[ \t]*(?:(?P<num>{NUMBER})"
    rf"|\n[ \t]*(?P<wrapped>\d{{1,3}}\.\d{{1,3}}[A-Za-z]?(?![\d.]))))"
)
#: Where a reference can start, in the text as lower-cased ASCII bytes (any other character a "?"):
#: a literal prefix, found by a fast scan. The "?" lets dotless i (U+0131) through, a letter that
#: ``_REF_RE`` folds to "i"; any other character there ``_REF_RE`` then refuses.
_REF_START_RE = re.compile(rb"ex(?:h[i?]bit|h\.|-)")
_MORE_RE = re.compile(
    rf"[ \t]*(?:,[ \t]*(?:and|&)?|and|&|or|(?P<range>through|-))[ \t\n]*(?:Exhibits?[ \t]*)?"
    rf"(?:(?P<num>{NUMBER})|(?P<letter>\((?-i:[a-z]|[A-Z])\)))",
    re.IGNORECASE,
)
_HEADING_RE = re.compile(
    r"^[ \t]*(?:\(?[a-z0-9]\)[ \t]*)?(?:Item[ \t]+[\d.]+[^\n]*Exhibits[^\n]{0,80}|(?:Exhibit[ \t]+Index|Index[ \t]+"
    r"(?:to|of)[ \t]+Exhibits|List[ \t]+of[ \t]+Exhibits|Exhibits?)(?:[ \t]+(?:No\.?|Numbers?|Index|Description"
    r"|Page(?:[ \t]+No\.?)?|Sequential|Title|Document|Notes\*?|\(continued\)))*[ \t]*[.:]?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_ROW_RE = re.compile(
    rf"^(?P<indent>[ \t]*)\**(?:(?i:Exhibit)[ \t]+(?:(?i:No)\.?[ \t]*)?)?(?P<num>{NUMBER})\.?"
    r"(?:(?P<gap>[ \t]{2,}|[ \t]+(?=[A-Z\"(]))(?P<desc>\S[^\n]*)|[ \t]*)$"
)
# "Exhibit 10.22 to the Company's 1988 Form 10-K": another filing's exhibit, not one of this one's.
_EXTERNAL_RE = re.compile(
    r"[ \t\n]+to[ \t\n]+(?!this\b|these\b)[^.;]{0,80}?\b(?:Form|Registration|Report|Statement|Schedule"
    r"|Amendment|Proxy)\b",
    re.IGNORECASE,
)
# Sub-lists under "Item 7" / "Item 14" ("1. Financial Statements", "3. Exhibits") are not exhibits.
_NOT_EXHIBIT_RE = re.compile(
    r"^(?:Financial\s+Statements?|Financial\s+Statement\s+Schedules?|Exhibits?|Reports?\s+on\s+Form|Pro\s+Forma)\b",
    re.IGNORECASE,
)
_WRAPPED_RE = re.compile(r"[A-Za-z0-9]-[ \t]*$")  # "10.A.15-" / "1": a number wrapped at its hyphen
_PAGE_COLUMN_RE = re.compile(r"\s{2,}\d{1,4}\s*$")
_NOTE_COLUMN_RE = re.compile(r"^(?:\(\d{1,2}\)|\*+)\s+")
_PROSE_END_RE = re.compile(r"[a-z,][ \t]*$")  # a heading never continues a sentence
_CLOSE_RE = re.compile(r"^\s*(?:SIGNATURES?|PART\s+[IV]+|Item\s+\d)\b", re.IGNORECASE)  # ends an index
_AFTER_HEADING = 12  # non-blank lines in which an index's first row must start
_AFTER_ROW = 6  # ... and each further row
_MAX_HEAD = 110


_EX_PREFIX_RE = re.compile(r"^(?:EX(?:HIBIT)?S?\b[-\s.]*|EX-)")
_NO_PREFIX_RE = re.compile(r"^(?:NO|NUMBER)\b\.?\s*")
_SPACES_RE = re.compile(r"\s+")
_LETTER_DIGIT_RE = re.compile(r"([A-Z])(\d)")
_DOTS_BEFORE_PAREN_RE = re.compile(r"\.+(?=\()")
_DOTS_RE = re.compile(r"\.{2,}")
_LEADING_ZEROS_RE = re.compile(r"(?<![\dA-Z])0+(?=\d)")
_TYPE_NUMBER_RE = re.compile(r"^\s*EX-?\s*(\S+)")


# Cached: the same few spellings recur (every reference and every document type of a filing, the
# cross-linker asking again for each reference), and each costs seven substitutions.
@functools.lru_cache(maxsize=4096)
def normalize_exhibit_number(s: str) -> str:
    """One spelling per exhibit number, for display and for matching a reference to a document.

    Upper case; "EX-", "Exhibit" and "No." dropped; no spaces or trailing period; "-" between parts
    read as "."; a letter followed by digits split ("A49" -> "A.49"); leading zeros dropped from
    numeric parts ("99.01" -> "99.1"); parenthesised parts kept ("10.2(a)" -> "10.2(A)").
    So "EX-10.A-49", "10.A49" and "10.a.49" all become "10.A.49", and "EX-99.4(A)" equals "99.4(a)".
    """
    s = s.strip().upper()
    s = _EX_PREFIX_RE.sub("", s)
    s = _NO_PREFIX_RE.sub("", s)
    s = _SPACES_RE.sub("", s).rstrip(".")
    s = s.replace("-", ".")
    s = _LETTER_DIGIT_RE.sub(r"\1.\2", s)
    s = _DOTS_BEFORE_PAREN_RE.sub("", s)
    s = _DOTS_RE.sub(".", s)
    return _LEADING_ZEROS_RE.sub("", s)


@functools.lru_cache(maxsize=1024)
def exhibit_number_of_type(doc_type: str | None) -> str | None:
    """The normalised exhibit number of a document type ("EX-99.1" -> "99.1"); None for non-exhibits."""
    if not doc_type:
        return None
    m = _TYPE_NUMBER_RE.match(doc_type.upper())
    if not m or not m.group(1)[:1].isdigit():
        return None
    return normalize_exhibit_number(m.group(1))


def matches_document_type(number: str, doc_type: str | None) -> bool:
    """Whether a reference's normalised ``number`` is the exhibit a document of ``doc_type`` carries.

    Equal numbers match; a bare document number matches its sub-numbers too, since filers often
    type a 10.A.5 exhibit as plain "EX-10".
    """
    own = exhibit_number_of_type(doc_type)
    if own is None:
        return False
    return number == own or ("." not in own and "(" not in own and number.startswith((own + ".", own + "(")))


def _valid(number: str) -> bool:
    """Item 601 of Regulation S-K numbers exhibits 1-36 and 95-110; nothing else is an exhibit."""
    head = re.match(r"\d+", number)
    value = int(head.group(0)) if head else 0
    return 0 < value <= 36 or 95 <= value <= _MAX_HEAD


def _expand(first: str, last: str) -> list[str]:
    """ "99.1 through 99.3" -> 99.1, 99.2, 99.3 (same prefix, at most 30 steps).

    Ends of different shapes are not a range ("10.D.3-" wrapped before "1."): only the first counts.
    """
    a, b = first.rpartition("."), last.rpartition(".")
    if a[0] and a[0] == b[0] and a[2].isdigit() and b[2].isdigit() and 0 < int(b[2]) - int(a[2]) <= 30:
        return [f"{a[0]}.{n}" for n in range(int(a[2]), int(b[2]) + 1)]
    return [first, last] if first.count(".") == last.count(".") else [first]


def _letters(first: str, letter: str) -> list[str]:
    """ "99.4(A)" followed by "-(C)" -> 99.4(A), 99.4(B), 99.4(C)."""
    m = re.match(r"^(.*)\(([A-Z])\)$", first)
    if not m or not "A" <= letter <= "Z" or letter <= m.group(2):
        return [first]
    return [f"{m.group(1)}({chr(c)})" for c in range(ord(m.group(2)), ord(letter) + 1)]


def _ref_matches(text: str) -> Iterator[re.Match[str]]:
    """``_REF_RE.finditer(text)``, faster: only the places ``_REF_START_RE`` finds are tried.

    The scan reads the text as lower-cased ASCII bytes, one per character, so its offsets are
    offsets in ``text`` (``str.lower`` is several times slower on non-ASCII text). Text holding
    "\u0130", which ``_REF_RE`` also folds to "i", is tried at every place, as it was when the
    scan read ``str.lower`` text (which that letter lengthens).
    """
    if "\u0130" in text:
        yield from _REF_RE.finditer(text)
        return
    low = text.encode("ascii", "replace").lower()
    pos = 0
    for start in _REF_START_RE.finditer(low):
        if start.start() >= pos and (m := _REF_RE.match(text, start.start())) is not None:
            yield m
            pos = m.end()


def _reference_groups(text: str) -> Iterator[tuple[int, list[str], list[tuple[int, int] | None]]]:
    """Each prose reference: its position, its normalised numbers (lists and ranges expanded) and,
    aligned with them, the span of text that names each number (None for a number a range implies).
    """
    done = 0  # end of the last list read: its members are not read again as list heads
    for m in _ref_matches(text):
        if m.start() < done:
            continue
        group = "num" if m.group("num") else "wrapped"
        numbers = [normalize_exhibit_number(m.group(group))]
        spans: list[tuple[int, int] | None] = [(m.start(group), m.end(group))]
        end = m.end()
        while (more := _MORE_RE.match(text, end)) is not None:
            end = more.end()
            part = "letter" if more.group("letter") else "num"
            if more.group("letter"):
                grown = _letters(numbers[-1], more.group("letter")[1].upper())
            else:
                number = normalize_exhibit_number(more.group("num"))
                grown = _expand(numbers[-1], number) if more.group("range") else [numbers[-1], number]
            # the first keeps its span, the last is the text just read, any between are implied
            inner: list[tuple[int, int] | None] = [None] * (len(grown) - 2)
            tail = [*inner, (more.start(part), more.end(part))] if len(grown) > 1 else []
            numbers[-1:], spans[-1:] = grown, spans[-1:] + tail
        done = end
        if not _EXTERNAL_RE.match(text, end):
            yield m.start(), numbers, spans


def _references(text: str) -> list[tuple[int, str]]:
    """(position, normalised number) of every exhibit named in prose, lists and ranges expanded."""
    return [(pos, n) for pos, numbers, _ in _reference_groups(text) for n in numbers if _valid(n)]


def _clean_line(line: str) -> str:
    return _PAGE_COLUMN_RE.sub("", line).strip()


def _row_description(lines: list[str], i: int, m: re.Match[str]) -> tuple[str | None, int]:
    """The row's description and the index of its last line (wrapped lines are indented under it)."""
    desc = m.group("desc")
    if desc is None:
        nxt = i + 1
        while nxt < len(lines) and not lines[nxt].strip():
            nxt += 1
        if nxt >= len(lines) or _ROW_RE.match(lines[nxt]) or not lines[nxt].strip()[:1].isupper():
            return None, i
        return squeeze(_clean_line(lines[nxt])) or None, nxt
    column = m.start("desc")
    parts = [_NOTE_COLUMN_RE.sub("", _clean_line(desc))]
    j = i + 1
    while j < len(lines):
        line = lines[j]
        indent = len(line) - len(line.lstrip())
        if not line.strip() or indent < column - 2 or indent <= len(m.group("indent")) or _ROW_RE.match(line):
            break
        parts.append(_clean_line(line))
        j += 1
    return squeeze(" ".join(parts)) or None, j - 1


def _is_row(m: re.Match[str], line: str, previous: str) -> bool:
    if not _valid(normalize_exhibit_number(m.group("num"))) or _WRAPPED_RE.search(previous):
        return False
    if m.group("desc") is None:  # a bare number: only "Exhibit 99" or a dotted "99.1" is a row
        return "." in m.group("num") or line.lstrip()[:1] in "Ee"
    desc = _NOTE_COLUMN_RE.sub("", m.group("desc"))
    return sum(c.isalpha() for c in desc) >= 2 and not _NOT_EXHIBIT_RE.match(desc)


def _heading_lines(text: str) -> list[int]:
    """Indexes of the lines that are exhibit-index headings. Every heading says "exhibit", so
    only lines holding that word are tried (a plain substring search, far cheaper than running
    the heading pattern over every line of a long document); a line's index is the number of
    line breaks before it, counted on from the previous find."""
    found: dict[int, str] = {}
    for needle in ("xhibit", "XHIBIT"):
        pos, line, counted = text.find(needle), 0, 0
        while pos != -1:
            line += text.count("\n", counted, pos)
            counted = pos
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            found[line] = text[text.rfind("\n", 0, pos) + 1 : end]
            pos = text.find(needle, end)
    return sorted(i for i, line in found.items() if len(line) < 200 and _HEADING_RE.match(line))


def _index_rows(text: str) -> list[tuple[int, str, str | None, int, int]]:
    """(position, normalised number, description, start and end of the number) of the rows under
    each exhibit-index heading.

    A heading lets rows start within its next few non-blank lines; a described row lets the next
    row follow within a few more. Numbered lists elsewhere (risk factors, a prospectus's
    "incorporated documents") are too far from any heading to count.
    """
    # Rows only follow a heading: jump from heading to heading instead of reading every line.
    headings = _heading_lines(text)
    if not headings:
        return []
    lines = text.split("\n")
    start_of = _line_starts(lines)
    out: list[tuple[int, str, str | None, int, int]] = []
    budget, i = 0, 0
    while i < len(lines):
        if budget <= 0:
            k = bisect.bisect_left(headings, i)
            if k == len(headings):
                break
            i = headings[k]
        line = lines[i]
        m = _ROW_RE.match(line) if budget > 0 and len(line) < 400 else None
        if m and _is_row(m, line, lines[i - 1] if i else ""):
            desc, last = _row_description(lines, i, m)
            number = normalize_exhibit_number(m.group("num"))
            start = start_of(i)
            out.append((start, number, desc, start + m.start("num"), start + m.end("num")))
            budget = _AFTER_ROW if m.group("desc") else budget - 1
            i = last + 1
            continue
        if (
            len(line) < 200
            and _HEADING_RE.match(line)
            and not _PROSE_END_RE.search(lines[i - 1] if i else "")
        ):
            budget = _AFTER_HEADING
        elif _CLOSE_RE.match(line):
            budget = 0
        elif line.strip():
            budget -= 1
        i += 1
    return out


def _line_starts(lines: list[str]) -> Callable[[int], int]:
    """The offset of line ``i`` in the text, for ``i`` that only grow: summed on from the previous
    call rather than listed for every line (most lines of a long document are never asked for)."""
    done, offset = 0, 0

    def start_of(i: int) -> int:
        nonlocal done, offset
        offset += sum(map(len, lines[done:i])) + i - done
        done = i
        return offset

    return start_of


def find_exhibit_references(text: str) -> tuple[ExhibitReference, ...]:
    """Every exhibit the primary text names, once each, in order; descriptions from index rows."""
    if not text:
        return ()
    text = normalize_text(text)
    found: list[tuple[int, str, str | None]] = [(p, n, None) for p, n in _references(text)]
    found.extend(row[:3] for row in _index_rows(text))
    found.sort(key=lambda row: row[0])
    order: list[str] = []
    described: dict[str, str | None] = {}
    for _pos, number, desc in found:
        if number not in described:
            order.append(number)
            described[number] = desc
        elif described[number] is None and desc:
            described[number] = desc
    return tuple(ExhibitReference(number=n, description=described[n]) for n in order)


@dataclass(frozen=True, slots=True)
class ExhibitSpan:
    """Where a text names one exhibit: ``text[start:end]`` is the words to link ("Exhibit 99.1", or
    "99.2" in a list), ``text[number_start:end]`` the number alone (what to link when the words
    cross an element boundary), ``number`` the normalised number."""

    start: int
    number_start: int
    end: int
    number: str


#: Same-length stand-ins for the characters :func:`normalize_text` unifies, so offsets still hold.
_SAME_LENGTH = {"\xa0": " ", "\u2007": " ", "\u2009": " ", "\u200b": " ", "\ufeff": " ",
                "\u2013": "-", "\u2014": "-", "\u2011": "-"}  # fmt: skip


def exhibit_reference_spans(text: str) -> list[ExhibitSpan]:
    """Every place ``text`` names an exhibit, in order, for the render stage to link.

    The same two passes as :func:`find_exhibit_references` (prose references, exhibit-index
    rows), but on the caller's own text and offsets: only same-length substitutions are made, so
    a span can be cut out of the text it was found in. Overlapping finds keep the first.
    """
    if not text:
        return []
    text = text.replace("\r", "\n").replace("\t", " ")
    if not text.isascii():  # str.replace is much faster than str.translate or a regex here
        for char, same in _SAME_LENGTH.items():
            if char in text:
                text = text.replace(char, same)
    found: list[ExhibitSpan] = []
    for pos, numbers, spans in _reference_groups(text):
        for i, (number, span) in enumerate(zip(numbers, spans, strict=True)):
            if span is not None and _valid(number):
                found.append(ExhibitSpan(pos if i == 0 else span[0], span[0], span[1], number))
    found.extend(ExhibitSpan(s, s, e, number) for _, number, _, s, e in _index_rows(text))
    found.sort(key=lambda s: (s.start, -s.end))
    kept: list[ExhibitSpan] = []
    for item in found:
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept
