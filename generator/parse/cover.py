"""Parse stage, cover page: the primary document's plain text -> CoverPage.

For a headerless document the cover page is the only source of facts, so this reads what a person
reads: the form name, "Date of Report", the registrant's name above "(Exact name of registrant
...)", the state / commission file number / IRS number row, the address and telephone.
Pure: no I/O. Returns ``None`` fields for anything it cannot read with confidence (never a guess).

Only the first :data:`~generator.parse.cover_lines.COVER_CHARS` characters are read, so a
many-megabyte filing costs no more than a short one. The field readers live in
:mod:`~generator.parse.cover_fields` (caption-anchored values), :mod:`~generator.parse.cover_name`
and :mod:`~generator.parse.cover_xml` (XML-derived text, which has no captions).
"""

from __future__ import annotations

import re

from generator.model import CoverPage
from generator.parse.cover_fields import (
    read_address,
    read_file_number,
    read_irs_number,
    read_state_of_incorporation,
)
from generator.parse.cover_lines import Cover, Label
from generator.parse.cover_name import read_company_name
from generator.parse.cover_xml import read_xml_cover
from generator.parse.dates import DATE_RE, match_date

# Form names as a cover page prints them -> EDGAR's form type.
_FORMS = {
    "13F": "13F-HR",
    "24F-2": "24F-2NT",
    "13D": "SC 13D",
    "13G": "SC 13G",
    "14D-9": "SC 14D9",
    "14D9": "SC 14D9",
}
_KNOWN = re.compile(
    r"^(?:8-K(?:12B|12G3|15D5)?|10-[KQ](?:SB|405|T)?|10-12[BG]|10|20-F|40-F|6-K|11-K|13F-(?:HR|NT)|[345]|24F-2NT"
    r"|ABS-15G|ABS-EE|S-(?:1|3|4|8|11)|F-(?:1|3|4|10)|SB-2|N-CSRS?|N-Q|N-PX|144|D|TO)$"
)
_FORM_LINE_RE = re.compile(
    r"^[ *]*(?:FORM|SCHEDULE)[ ]+([0-9A-Z][0-9A-Z/.-]*)(?:[ ]+COVER[ ]+PAGE)?[ ]*$",
    re.IGNORECASE | re.MULTILINE,
)
_FORM_ANY_RE = re.compile(r"(?<![Oo]n )\b(?:FORM|SCHEDULE)[ ]+([0-9A-Z][0-9A-Z/.-]*)", re.IGNORECASE)
_AMENDMENT_RE = re.compile(r"(?<!Effective )\bAmendment\s+No\.?\s*:?\s*[1-9]", re.IGNORECASE)
_13F_AMENDED_RE = re.compile(r"if\s+amendment\s*:?\s*\[\s*x\s*\]", re.IGNORECASE)
_13F_NOTICE_RE = re.compile(r"\[\s*(x?)\s*\]\s*13F\s+NOTICE", re.IGNORECASE)
_CHECKED = r"(?:\[\s*[xX]\s*\]|\(\s*[xX]\s*\)|[xXýþ☒⌧✓✔])"
_TENDER_RE = re.compile(rf"{_CHECKED}\s*(third-party|issuer)\s+tender\s+offer", re.IGNORECASE)
_NAME_CAPTION = re.compile(r"exact\s+name\s+of|\(\s*name\s+of", re.IGNORECASE)

_REPORT_DATE_RE = Label(
    r"Date\s+of\s+(?:Report|earliest\s+event\s+reported|Event\s+Which\s+Requires\s+Filing)", lead=r"(\(\s*)?"
)
_PERIOD_RE = Label(
    r"(?:for\s+the\s+(?:quarterly\s+period|fiscal\s+year|fiscal\s+quarter|quarter|year|period)\s+ended"
    r"|Report\s+for\s+the\s+(?:Calendar\s+Year\s+or\s+)?Quarter\s+Ended"
    r"|Last\s+day\s+of\s+fiscal\s+year\s+for\s+which\s+this\s+notice\s+is\s+filed"
    r"|Statement\s+for\s+Month/(?:Day/)?Year|Date\s+of\s+Event\s+Requiring\s+Statement)"
)
_PERIOD_CHARS = 5000
_SKIP_CAPTION = re.compile(r"(?:\s*\([^()]{0,80}\))*[\s:_-]*")
_SECOND_DATE = re.compile(r"\s*\(\s*")


def _edgar_form(name: str) -> str | None:
    """EDGAR's form type for a printed form name, or None for names that are not form types."""
    name = name.upper().rstrip(".:")
    amended = name.endswith("/A")
    base = name[:-2] if amended else name
    base = _FORMS.get(base, base)
    if base.startswith("SC ") or _KNOWN.match(base):
        return base + ("/A" if amended else "")
    return None


def _find_form(cover: Cover) -> tuple[str, int] | None:
    """(form type, position) of the cover's form name: a line of its own first, else in a sentence."""
    for regex, limit in ((_FORM_LINE_RE, 6000), (_FORM_ANY_RE, 3000)):
        for m in regex.finditer(cover.text, 0, limit):
            form = _edgar_form(m.group(1))
            if form:
                return form, m.start()
    return None


def _amended(cover: Cover, form: str, pos: int) -> str:
    """``form`` with "/A" when the cover says this is an amendment."""
    if form.endswith("/A"):
        return form
    if form.startswith("13F"):
        notice = _13F_NOTICE_RE.search(cover.text, 0, 6000)  # the first report-type box only
        if notice and notice.group(1):
            form = "13F-NT"
        return form + "/A" if _13F_AMENDED_RE.search(cover.text, 0, 6000) else form
    name = _NAME_CAPTION.search(cover.text, pos)
    end = name.start() if name else pos + 1500
    return form + "/A" if _AMENDMENT_RE.search(cover.text, max(0, pos - 300), end) else form


def read_form(cover: Cover) -> str | None:
    """The EDGAR form type the cover page names ("FORM 8-K" -> "8-K", "SCHEDULE 13G" -> "SC 13G")."""
    found = _find_form(cover)
    if found is None:
        return None
    form, pos = found
    if form.startswith("TO"):
        m = _TENDER_RE.search(cover.text)
        if m is None:
            return None
        form = "SC TO-" + ("T" if m.group(1).lower().startswith("third") else "I") + form[2:]
    return _amended(cover, form, pos)


def _date_above(cover: Cover, pos: int) -> str | None:
    for j in cover.above(cover.line_of(pos), 1):
        m = DATE_RE.search(cover.lines[j])
        if m:
            found = match_date(cover.lines[j], m.start())
            return found[1] if found else None
    return None


def read_report_dates(cover: Cover) -> tuple[str | None, str | None]:
    """(date of report, date of earliest event when the cover gives it apart, in parentheses)."""
    for m in _REPORT_DATE_RE.finditer(cover):
        if m.group(1):
            found_above = _date_above(cover, m.start())
            if found_above:
                return found_above, None
            continue
        pos = _SKIP_CAPTION.match(cover.text, m.end()).end()  # type: ignore[union-attr]
        found = match_date(cover.text, pos)
        if found is None:
            continue
        end, report = found
        paren = _SECOND_DATE.match(cover.text, end)
        second = match_date(cover.text, paren.end()) if paren and paren.end() > end else None
        return report, second[1] if second else None
    return None, None


def read_period(cover: Cover) -> str | None:
    """The period a periodic report covers ("For the quarterly period ended March 31, 1997").

    Only the first pages are searched: further on, "for the quarter ended" is a press release's.
    """
    for m in _PERIOD_RE.finditer(cover, 0, _PERIOD_CHARS):
        pos = _SKIP_CAPTION.match(cover.text, m.end()).end()  # type: ignore[union-attr]
        found = match_date(cover.text, pos)
        if found:
            return found[1]
    return None


def read_cover_page(text: str) -> CoverPage:
    """Every cover-page fact that the first pages of ``text`` state; None for the rest."""
    xml = read_xml_cover(text)
    if xml is not None:
        return xml
    cover = Cover.of(text)
    date_of_report, event_date = read_report_dates(cover)
    form = read_form(cover)
    period = event_date if form and form.startswith("8-K") else event_date or read_period(cover)
    return CoverPage(
        form=form,
        company_name=read_company_name(cover),
        date_of_report=date_of_report,
        period=period,
        state_of_incorporation=read_state_of_incorporation(cover),
        file_number=read_file_number(cover),
        irs_number=read_irs_number(cover),
        address=read_address(cover),
    )
