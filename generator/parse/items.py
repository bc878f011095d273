"""Parse stage, items: 8-K (and 10-K) item codes and titles.

Two sources: the header's ITEM INFORMATION titles (mapped to codes with the numbering in force on
the filing date: the pre-August-2004 numbering "1".."12", the current "1.01".."9.01"), and the
body's headings such as "ITEM 5. OTHER EVENTS." or "Item 2.02 Results of Operations ...".

A heading is "Item" at the start of a line followed by a code the form's table knows and either
nothing or a capitalised title; "as described in Item 5 above" (mid-line), "Item 12 and shall not"
(lower-case continuation), table-of-contents rows ("Item 5 - Other Events.....3") and "Items 1
through 4 ... Not Applicable" are not headings. One compiled, line-anchored regex scans the text.
"""

from __future__ import annotations

import re

from generator.model import Item
from generator.parse.cover_lines import normalize_text, squeeze
from generator.parse.item_tables import (
    ABS_15G,
    MODERN_8K,
    OLD_8K,
    code_for_title,
    normalize_title,
    official_title,
)

_CODE = r"\d{1,2}(?:\.\d{1,2})?(?:[ \t]*\([a-z]\))?"
_HEADING_RE = re.compile(
    rf"^[ \t|*>•-]*ITEMS?[ \t]*(?P<codes>{_CODE}(?:[ \t]*(?:,|and|&)[ \t]*(?:ITEM[ \t]*)?{_CODE})*)"
    r"(?P<rest>[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_CODE_RE = re.compile(r"\d{1,2}(?:\.\d{1,2})?")
_LEAD_RE = re.compile(r"^[\s.:;|)\-]*")
_TOC_RE = re.compile(r"\.{4,}|[.\s]\s{2,}\d{1,3}\s*$|\s-\d{1,3}-\s*$")
_NOT_REPORTED_RE = re.compile(r"^(?:not\s+applicable|none|inapplicable|omitted|reserved)\b", re.IGNORECASE)
_CONTINUES_RE = re.compile(r"(?:[,;&/-]|\b(?:and|or|of|the|to|in|for|on|a|an|under|with|by))$", re.IGNORECASE)
_SMALL_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "in",
    "into",
    "of",
    "on",
    "or",
    "the",
    "to",
    "under",
    "with",
}
_EIGHT_K_RE = re.compile(r"FORM\s+8-K|CURRENT\s+REPORT\s+PURSUANT", re.IGNORECASE)


def items_from_header(titles: tuple[str, ...], codes: tuple[str, ...], filed: str | None) -> tuple[Item, ...]:
    """Items named by a header: ``<ITEMS>`` codes get official titles, ITEM INFORMATION titles codes.

    A title that matches no official one keeps ``code=None``; a code seen twice is listed once.
    """
    out: list[Item] = []
    seen: set[str] = set()
    for code in codes:
        code = code.strip()
        if code and code not in seen:
            seen.add(code)
            out.append(Item(code=code, title=official_title(code)))
    for title in titles:
        title = squeeze(title)
        if not title:
            continue
        found = code_for_title(title, filed)
        if found is None or found not in seen:
            out.append(Item(code=found, title=title))
            if found:
                seen.add(found)
    return tuple(out)


def _table(form: str | None) -> dict[str, str]:
    if form and form.upper().startswith("ABS-15G"):
        return ABS_15G
    return OLD_8K | MODERN_8K


def _applies(text: str, form: str | None) -> bool:
    """Items are 8-K style: 8-K and its variants, ABS-15G, or an unnamed form that says 8-K."""
    if form:
        upper = form.upper()
        return upper.startswith("8-K") or upper.startswith("ABS-15G")
    return bool(_EIGHT_K_RE.search(text, 0, 5000))


def title_case(title: str) -> str:
    """ "OTHER EVENTS" -> "Other Events"; small words lower-case except the first; "FD" kept."""
    words = title.split(" ")
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        if i and low in _SMALL_WORDS:
            out.append(low)
        elif len(word) <= 3 and word.isalpha() and not re.search(r"[AEIOUY]", word):
            out.append(word)
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)


def _clean_title(title: str) -> str | None:
    title = squeeze(re.sub(r"\.{3,}.*$|_{2,}|-{3,}", " ", title)).rstrip(" .:;")
    if not title:
        return None
    return title_case(title) if not re.search(r"[a-z]", title) else title


def _next_lines(text: str, pos: int, count: int) -> list[str]:
    """Up to ``count`` non-blank lines after ``pos`` (a line end), stripped."""
    out: list[str] = []
    while len(out) < count and pos < len(text):
        end = text.find("\n", pos + 1)
        end = len(text) if end < 0 else end
        line = text[pos + 1 : end].strip()
        if line and not re.fullmatch(r"[-=_*\s]+", line):
            out.append(line)
        pos = end
    return out


def _continued(title: str, following: list[str], official: str | None) -> str:
    """A heading title with the lines it wraps onto ("... Information and" + "Exhibits.").

    A line is taken when the title ends mid-phrase ("and", ",") or when title and line together
    still read as the start of the item's official title.
    """
    known = normalize_title(official or "")
    for line in following[:2]:
        if _HEADING_RE.match(line) or len(line) > 120 or title.rstrip().endswith("."):
            break
        longer = normalize_title(f"{title} {line}")
        if not (_CONTINUES_RE.search(title) or (known and known[: len(longer)] == longer)):
            break
        title = f"{title} {line}"
    return title


def _title_below(code: str, form: str | None, following: list[str]) -> str | None:
    """The title on the line after a bare "Item 5.02." heading, when it reads like that item's."""
    if not following or not following[0][:1].isupper():
        return None
    official = official_title(code, form) or ""
    words, known = normalize_title(following[0]), normalize_title(official)
    if len(words) < 2 or words[:2] != known[:2]:
        return None
    return _continued(following[0], following[1:], official)


def _heading_items(m: re.Match[str], text: str, form: str | None, table: dict[str, str]) -> list[Item]:
    rest = _LEAD_RE.sub("", m.group("rest")).strip()
    if rest and not (rest[0].isupper() or rest[0] == '"'):
        return []
    if _TOC_RE.search(rest) or _NOT_REPORTED_RE.match(rest):
        return []
    codes = [c for c in _CODE_RE.findall(m.group("codes")) if c in table]
    if not codes:
        return []
    following = _next_lines(text, m.end(), 3)
    title: str | None = None
    if rest and len(codes) == 1:
        title = _continued(rest, following, official_title(codes[0], form))
    elif not rest and len(codes) == 1:
        title = _title_below(codes[0], form, following)
    items = []
    for code in codes:
        written = _clean_title(title) if title else None
        items.append(Item(code=code, title=written or official_title(code, form)))
    return items


def find_items(text: str, form: str | None, filed: str | None) -> tuple[Item, ...]:
    """Item headings of an 8-K-style body, in document order, each code once.

    ``filed`` is accepted for symmetry with :func:`items_from_header`; a body code's own shape
    ("5" or "8.01") tells its numbering.
    """
    if not text or not _applies(text, form):
        return ()
    text = normalize_text(text)
    table = _table(form)
    out: list[Item] = []
    seen: set[str] = set()
    for m in _HEADING_RE.finditer(text):
        for item in _heading_items(m, text, form, table):
            if item.code not in seen:
                seen.add(item.code or "")
                out.append(item)
    return tuple(out)
