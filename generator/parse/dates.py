"""Parse stage, dates: the ways EDGAR documents write a date -> ISO ``YYYY-MM-DD``.

Cover pages, signature blocks and XML-derived text write dates as "July 29, 2002", "JULY 29,2002",
"29th day of July, 2002", "7/29/2002", "29-Jul-02", "2002-07-29" or "07-29-2002" (13F XML). One
compiled alternation finds them all in a single linear scan; :func:`iso_date` validates the
calendar so that "February 30" never becomes a fact.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_ABBREV = {name[:3]: n for name, n in _MONTHS.items()} | {"sept": 9}

# Full names first so that "March" is not read as "Mar" + "ch".
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" + (
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
)

DATE_PATTERN = (
    rf"(?P<a_mon>\b{_MONTH})[ \t]*(?P<a_day>\d{{1,2}})(?:st|nd|rd|th)?[ \t]*,?[ \t]*(?P<a_year>\d{{4}})\b"
    rf"|\b(?P<b_day>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:day[ \t]+of[ \t]+)?(?P<b_mon>{_MONTH}),?[ \t]*"
    rf"(?P<b_year>\d{{4}})\b"
    r"|(?<![\d/])(?P<c_mon>\d{1,2})/(?P<c_day>\d{1,2})/(?P<c_year>\d{4}|\d{2})(?![\d/])"
    rf"|\b(?P<d_day>\d{{1,2}})-(?P<d_mon>{_MONTH})-(?P<d_year>\d{{4}}|\d{{2}})\b"
    r"|(?<![\d-])(?P<e_year>(?:19|20)\d{2})-(?P<e_mon>\d{2})-(?P<e_day>\d{2})(?![\d-])"
    r"|(?<![\d-])(?P<f_mon>\d{2})-(?P<f_day>\d{2})-(?P<f_year>(?:19|20)\d{2})(?![\d-])"
)
DATE_RE = re.compile(DATE_PATTERN, re.IGNORECASE)


def month_number(word: str) -> int | None:
    word = word.lower().rstrip(".")
    return _MONTHS.get(word) or _ABBREV.get(word)


def _full_year(year: str) -> int:
    """Two-digit years are 1950-2049: EDGAR's oldest filings are from 1993."""
    value = int(year)
    if len(year) == 2:
        value += 2000 if value < 50 else 1900
    return value


def iso_date(year: int | str, month: int | str | None, day: int | str) -> str | None:
    """A validated ISO date, or None for impossible ones (month 13, 30 February, year 0200)."""
    try:
        y, m, d = _full_year(str(year)), int(month or 0), int(day)
        if not 1900 <= y <= 2100:
            return None
        return _dt.date(y, m, d).isoformat()
    except (ValueError, TypeError):
        return None


def _iso_of_match(m: re.Match[str]) -> str | None:
    for key in "abcdef":
        year = m.group(f"{key}_year")
        if year is None:
            continue
        mon = m.group(f"{key}_mon")
        month = int(mon) if mon.isdigit() else month_number(mon)
        return iso_date(year, month, m.group(f"{key}_day"))
    return None


def find_dates(text: str) -> Iterator[tuple[int, int, str]]:
    """Every valid date in ``text`` as (start, end, iso), in order."""
    for m in DATE_RE.finditer(text):
        iso = _iso_of_match(m)
        if iso:
            yield m.start(), m.end(), iso


def match_date(text: str, pos: int = 0) -> tuple[int, str] | None:
    """A date starting exactly at ``pos``: (end, iso), else None."""
    m = DATE_RE.match(text, pos)
    if m is None:
        return None
    iso = _iso_of_match(m)
    return (m.end(), iso) if iso else None


def parse_date(text: str) -> str | None:
    """The first valid date anywhere in ``text``, as ISO."""
    for _start, _end, iso in find_dates(text):
        return iso
    return None
