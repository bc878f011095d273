"""Parse stage, signatures: signer, title and date from the SIGNATURE(S) block.

Two layouts cover nearly every filing:

- stacked (8-K, 10-Q): "By: /s/ Paul J. McAuliffe", a rule, the typed name, one or two title lines
  (or "Name: ..." / "Title: ..."), with "Dated: July 30, 2002" or "Date: ..." somewhere in the block;
- tabular (10-K, registration statements): a "Signature  Title  Date" header, then one row per
  signer whose title may wrap above and below the "/s/" line; columns come from the header.

A block starts at a line that says only "SIGNATURE" or "SIGNATURES" and ends at the next exhibit
heading or after a stretch of lines with no signer. Anything that does not read as a person's name
is dropped: the function returns () rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.model import Signature
from generator.parse.cover_lines import Label, is_rule, normalize_text, squeeze
from generator.parse.dates import DATE_RE, find_dates

_SECTION_RE = re.compile(r"^[ \t]*SIGNATURES?[ \t]*:?[ \t]*$", re.IGNORECASE | re.MULTILINE)
# The same lines found from the word (a Label: on an ASCII text's lower-cased copy the engine
# skips ahead to "signature", where the pattern above, line start first and ignoring case, tried
# every position), then checked for nothing but blanks before it on its line.
_SECTION_WORD = Label(r"SIGNATURES?[ \t]*:?[ \t]*$", re.MULTILINE)
_INDENT_RE = re.compile(r"[ \t]*")
_END_RE = re.compile(
    r"^\s*(?:EXHIBIT\s+INDEX|INDEX\s+TO\s+EXHIBITS|EXHIBIT\s+\d|POWER\s+OF\s+ATTORNEY)", re.I
)
_SIGNED_RE = re.compile(r"/s/\s*(?P<rest>.*)$", re.IGNORECASE)
_BY_RE = re.compile(r"(?:^|\s)By\s*:?[\s_]*$", re.IGNORECASE)
_BY_COLUMN_RE = re.compile(r"\bBy\b", re.IGNORECASE)
_LABEL_RE = re.compile(r"^\s*(?P<label>Name|Title|Its)\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_DATE_LINE_RE = re.compile(r"\bDated?\b|\bday\s+of\b", re.IGNORECASE)
_HEADER_RE = re.compile(
    r"^\s*(?:NAME|SIGNATURES?)\s{2,}(?:TITLE|CAPACITY)[^\n]*?\s{2,}DATE\s*$", re.IGNORECASE
)
_NAME_RE = re.compile(
    r"^[A-Z][A-Za-z.'\-]*(?:,?\s+(?:[A-Z][A-Za-z.'\-]*|[a-z]{1,3}|III|II|IV|Jr\.?|Sr\.?)){1,5}$"
)
_NOT_PERSON_RE = re.compile(
    r"\b(?:Inc|Corp|Corporation|Company|LLC|L\.P|Ltd|Bank|Trust|Registrant|Officer|President)\b", re.I
)
_TITLE_WORD_RE = re.compile(
    r"\b(?:President|Officer|Director|Chairman|Chairwoman|Chair|Secretary|Treasurer|Vice|Counsel"
    r"|Controller|Comptroller|Manager|Partner|Member|Trustee|Chief|Executive|Attorney|CEO|CFO|COO"
    r"|Principal|General|Head|Senior|Accounting|Financial|Authorized|Signatory|Assistant|Owner"
    r"|Administrator|Agent)\b",
    re.IGNORECASE,
)
_DAY_OF_RE = re.compile(r"\bday(?:\s+of)?\s*$|\bthis\s*$", re.IGNORECASE)
_CONTINUES_RE = re.compile(r"(?:[,&]|\b(?:and|of|the))$", re.IGNORECASE)
_BLOCK_LINES = 400  # a signature block is a page or two
_GAP = 30  # non-blank lines after the last signer (or the heading) before a block is over


@dataclass(slots=True)
class _Signer:
    name: str
    line: int
    title: list[str] = field(default_factory=list)
    date: str | None = None


def _person(text: str) -> str | None:
    """``text`` as a person's name ("Paul J. McAuliffe", "BARBARA S. POLSKY"), else None."""
    name = squeeze(text).strip(" ,;:_-")
    if not name or not _NAME_RE.match(name) or _NOT_PERSON_RE.search(name):
        return None
    return name


def _same_name(a: str, b: str) -> bool:
    key = re.compile(r"[^a-z]")
    return key.sub("", a.lower()) == key.sub("", b.lower())


def _caption(line: str) -> bool:
    """ "(Signature)", "(Registrant)", "(Depositor)": captions under a signature line, not titles."""
    return bool(re.fullmatch(r"\(\s*[A-Za-z ]{1,30}\)", line)) and not _TITLE_WORD_RE.search(line)


def _typed_name(line: str, name: str | None) -> tuple[str | None, str]:
    """(fuller name, rest of line) when ``line`` starts with the signer's typed name."""
    head, comma, tail = line.partition(", ")
    if comma and _TITLE_WORD_RE.search(tail) and _person(head):
        if name is None or _same_name(head[: len(name)], name):
            return _person(head), tail  # "Nori L. Gabert, Secretary"
    typed = _person(line.rstrip(","))
    if typed and (name is None or _same_name(typed[: len(name)], name)):
        return (typed if name is None or len(typed) > len(name) else name), ""
    if name and line.lower().startswith(name.lower()) and _TITLE_WORD_RE.search(line[len(name) :]):
        return name, line[len(name) :].strip()  # "Alex Hui President," / "Chief Executive Officer"
    return None, line


def _title_lines(lines: list[str], start: int, name: str | None) -> tuple[list[str], str | None]:
    """Title lines under a stacked signer, and the typed name when it is fuller than the /s/ one.

    The first title line may follow a blank line (HTML-derived text spaces every line); a further
    one must follow directly, unless the line before ends mid-phrase ("... and").
    """
    title: list[str] = []
    blank = False
    for j in range(start, min(start + 10, len(lines))):
        line = lines[j].strip()
        if not line or is_rule(line) or _caption(line):
            blank = blank or not line
            continue
        if _SIGNED_RE.search(line) or _BY_RE.search(line) or DATE_RE.match(line) or _END_RE.match(line):
            break
        label = _LABEL_RE.match(line)
        if label:
            below = (x.strip() for x in lines[j + 1 : j + 4] if x.strip())
            value = label.group("value").strip() or next(below, "")
            if label.group("label").lower() == "name":
                name = _person(value) or name
                continue
            return ([value] if value else title), name
        if not title:
            typed, line = _typed_name(line, name)
            name = typed or name
            if not line:
                blank = False
                continue
        if (title and blank and not _CONTINUES_RE.search(title[-1])) or not _TITLE_WORD_RE.search(line):
            break
        if len(line) > 90:
            break
        title.append(line)
        blank = False
        if len(title) == 4:
            break
    return title, name


def _signed_name(rest: str) -> tuple[str | None, str | None]:
    """(name, title) from the text after "/s/": "Nori L. Gabert, Secretary" splits in two."""
    rest = re.split(r"\s{2,}", rest.strip())[0].strip(" *") if rest.strip() else ""
    name, _, title = rest.partition(", ")
    if title and _TITLE_WORD_RE.search(title) and _person(name):
        return _person(name), title
    return _person(rest.rstrip(",")), None


def _chunks(line: str) -> list[tuple[int, str]]:
    """Column cells of a line: text separated by two or more spaces, with start positions."""
    return [(m.start(), m.group(0)) for m in re.finditer(r"\S+(?: \S+)*", line)]


def _columns(lines: list[str], header: int, rows: list[int]) -> tuple[int, int]:
    """(title column, date column) of a signature table, from its rule line or its first full row."""
    below = lines[header + 1] if header + 1 < len(lines) else ""
    for cells in (_chunks(below) if is_rule(below) else [], *(_chunks(lines[i]) for i in rows)):
        if len(cells) >= 3:
            return cells[1][0], cells[2][0]
    upper = lines[header].upper()
    return max(0, max(upper.find("TITLE"), upper.find("CAPACITY")) - 4), max(0, upper.rfind("DATE") - 4)


def _entry(lines: list[str], rows: list[int], k: int, title_col: int) -> list[int]:
    """The lines of table row ``k``: a title line just above its /s/ line, and the lines below."""
    i = rows[k]
    stop = rows[k + 1] if k + 1 < len(rows) else min(len(lines), i + 6)
    entry = [i]
    if i and lines[i - 1].strip() and not lines[i - 1][: title_col - 3].strip() and not is_rule(lines[i - 1]):
        if k == 0 or rows[k - 1] < i - 1:
            entry.insert(0, i - 1)
    for j in range(i + 1, stop):
        last = j + 1 == stop and k + 1 < len(rows)
        if not lines[j].strip() or (last and not lines[j][: title_col - 3].strip()):
            break
        entry.append(j)
    return entry


def _tabular(lines: list[str], rows: list[int], header: int) -> list[_Signer]:
    """Signers of a "Signature  Title  Date" table: cells sorted into columns by position."""
    title_col, date_col = _columns(lines, header, rows)
    out: list[_Signer] = []
    for k, i in enumerate(rows):
        m = _SIGNED_RE.search(lines[i])
        name = _signed_name(m.group("rest"))[0] if m else None
        title, date = [], None
        for j in _entry(lines, rows, k, title_col):
            for start, cell in _chunks(lines[j]):
                found = next(find_dates(cell), None)
                if is_rule(cell) or _SIGNED_RE.search(cell):
                    continue
                if found and start >= date_col - 4:
                    date = date or found[2]
                elif start < title_col - 2:
                    typed = _person(cell.strip(" *,"))
                    name = typed if typed and name and _same_name(typed[: len(name)], name) else name
                else:
                    title.append(cell)
        if name:
            out.append(_Signer(name, i, [" ".join(title)] if title else [], date))
    return out


def _stacked(lines: list[str], rows: list[int]) -> list[_Signer]:
    """Signers laid out one under another; text left of the signature column is another column."""
    out: list[_Signer] = []
    for i in rows:
        m = _SIGNED_RE.search(lines[i])
        by = _BY_COLUMN_RE.search(lines[i])
        left = max(0, min(by.start() if by else len(lines[i]), m.start() if m else len(lines[i])) - 8)
        name, inline_title = _signed_name(m.group("rest")) if m else (None, None)
        title, name = _title_lines([line[left:] for line in lines], i + 1, name)
        if name:
            out.append(_Signer(name, i, [inline_title] if inline_title and not title else title))
    return out


def _two_up(lines: list[str]) -> list[list[str]] | None:
    """Signers printed two to a row ("/s/ A          /s/ B"): the block cut into its two columns."""
    for line in lines:
        marks = [m.start() for m in re.finditer(r"/s/", line, re.IGNORECASE)]
        if len(marks) == 2:
            cut = marks[1]
            return [[x[:cut] for x in lines], [x[cut:] if x[cut - 1 : cut] == " " else "" for x in lines]]
    return None


def _block(text: str, start: int) -> list[str]:
    """The lines of one signature block: up to an exhibit heading or a long stretch without "/s/"."""
    lines: list[str] = []
    quiet, pos = 0, start
    while pos <= len(text) and len(lines) < _BLOCK_LINES:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        pos = end + 1
        if _END_RE.match(line) or _SECTION_RE.match(line):
            break
        lines.append(line)
        quiet = 0 if _SIGNED_RE.search(line) else quiet + bool(line.strip())
        if quiet > _GAP:
            break
    return lines


def _dates(lines: list[str]) -> list[tuple[int, str]]:
    """(line, ISO date) of each "Date: ..." / "Dated ..." / "this 8th day of ..." / bare date line."""
    out = []
    for i, line in enumerate(lines):
        text = line
        if _DAY_OF_RE.search(line) and i + 1 < len(lines):
            text = f"{line} {lines[i + 1].strip()}"  # "this 4th day of" / "December 1997."
        found = next(find_dates(text), None)
        if found and (_DATE_LINE_RE.search(line) or DATE_RE.match(line.strip())):
            out.append((i, found[2]))
    return out


def _rows(lines: list[str]) -> list[int]:
    """Lines where a signer starts: "/s/ ...", or a bare "By:" whose typed name follows."""
    rows = []
    for i, line in enumerate(lines):
        if _SIGNED_RE.search(line):
            rows.append(i)
        elif _BY_RE.search(line):
            nxt = next(
                (
                    lines[j]
                    for j in range(i + 1, min(i + 4, len(lines)))
                    if lines[j].strip() and not is_rule(lines[j])
                ),
                "",
            )
            if not _SIGNED_RE.search(nxt) and _person(nxt.strip()):
                rows.append(i)
    return rows


def _assign_dates(lines: list[str], signers: list[_Signer]) -> None:
    """Each signer gets the date in its own lines, else the last one above, else the first below."""
    if not signers:
        return
    dates = _dates(lines)
    ends = [s.line for s in signers[1:]] + [len(lines)]
    for s, end in zip(signers, ends, strict=True):
        if s.date:
            continue
        own = [d for i, d in dates if s.line <= i < min(end, s.line + 8)]
        before = [d for i, d in dates if i < s.line]
        after = [d for i, d in dates if i > s.line]
        s.date = own[0] if own else before[-1] if before else after[0] if after else None


def _read_block(lines: list[str]) -> list[_Signer]:
    columns = _two_up(lines)
    if columns is not None:
        return [s for column in columns for s in _read_block(column)]
    rows = _rows(lines)
    header = next((i for i, line in enumerate(lines) if _HEADER_RE.match(line)), None)
    tabular = [i for i in rows if header is not None and i > header]
    signers = _stacked(lines, [i for i in rows if i not in tabular])
    if tabular and header is not None:
        signers += _tabular(lines, tabular, header)
    signers.sort(key=lambda s: s.line)
    _assign_dates(lines, signers)
    return signers


def _section_ends(text: str) -> list[int]:
    """Where each SIGNATURE(S) heading line ends (the matches of ``_SECTION_RE``)."""
    return [
        m.end()
        for m in _SECTION_WORD.finditer(text)
        if _INDENT_RE.fullmatch(text, text.rfind("\n", 0, m.start()) + 1, m.start())
    ]


def find_signatures(text: str) -> tuple[Signature, ...]:
    """Signers of the document's SIGNATURE(S) blocks, each once, in order; () when there are none."""
    if not text:
        return ()
    text = normalize_text(text)
    out: list[Signature] = []
    seen: set[str] = set()
    for end in _section_ends(text):
        for s in _read_block(_block(text, end)):
            key = re.sub(r"[^a-z]", "", s.name.lower())
            if key and key not in seen:
                seen.add(key)
                title = squeeze(" ".join(s.title)).rstrip(" ,") or None
                out.append(Signature(name=s.name, title=title, date=s.date))
    return tuple(out)
