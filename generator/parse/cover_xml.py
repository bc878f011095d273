"""Parse stage, cover page of XML-derived text: one value per line, no captions.

Form 3/4/5 ownership documents, Form D and 13F-HR information reports are filed as XML; turned
into text they become the element values in schema order ("X0508", "4", "2025-01-10", issuer CIK,
issuer name, ...). There are no captions to anchor on, so this reads them by the order their
schemas fix: after the first ten-digit CIK comes the issuer's (or filer's) name, an address is
street, city, state code, ZIP, and a 13F filing manager's block ends with the report type and its
13F file number. Returns ``None`` when the text does not start like one of these.
"""

from __future__ import annotations

import re

from generator.model import Address, CoverPage
from generator.parse.cover_fields import FILE_RE, PHONE_RE
from generator.parse.dates import iso_date
from generator.parse.states import place_code, state_code

_SCHEMA_RE = re.compile(r"^X\d{4}$")
_13F_FORM_RE = re.compile(r"^13F-(?:HR|NT)(?:/A)?$")
_OWNERSHIP_FORMS = {"3", "4", "5", "3/A", "4/A", "5/A"}
_CIK_RE = re.compile(r"^\d{10}$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MDY_RE = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")
_ZIP_RE = re.compile(r"^(?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d)$")
_REPORT_TYPE_RE = re.compile(r"^13F (?:HOLDINGS REPORT|COMBINATION REPORT|NOTICE)$")
_STREET_RE = re.compile(r"^\d|\b(?:SUITE|STE|FLOOR|FL|BOX|C/O|P\.?O\.?|BUILDING|BLDG)\b", re.IGNORECASE)
_FORM_TYPE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{0,10}(?:/A)?$")
_HEAD_LINES = 120


def _index(lines: list[str], pattern: re.Pattern[str], start: int = 0) -> int | None:
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i
    return None


def _at(lines: list[str], i: int | None) -> str | None:
    return lines[i] if i is not None and 0 <= i < len(lines) else None


def _ownership(form: str, body: list[str]) -> CoverPage:
    """Form 3/4/5: period of report, then the issuer (CIK, name, symbol), then the owner.

    ``company_name`` is the issuer: the company the report is about (the owner is a person).
    """
    iso = _ISO_RE.match(body[0]) if body else None
    period = iso_date(*iso.groups()) if iso else None
    cik = _index(body, _CIK_RE)
    return CoverPage(form=form, company_name=_at(body, None if cik is None else cik + 1), period=period)


def _form_d(form: str, body: list[str]) -> CoverPage:
    """Form D: issuer CIK, name, street(s), city, state code, state name, ZIP, phone, jurisdiction."""
    cik = _index(body, _CIK_RE)
    if cik is None:
        return CoverPage(form=form)
    name = _at(body, cik + 1)
    for i in range(cik + 3, min(cik + 8, len(body) - 2)):
        if state_code(body[i + 1]) == body[i] and _ZIP_RE.match(body[i + 2]):
            phone_line = _at(body, i + 3) or ""
            phone = PHONE_RE.fullmatch(phone_line)
            jurisdiction = _at(body, i + 4 if phone else i + 3)
            address = Address(
                street1=body[cik + 2] if cik + 2 < i - 1 else None,
                street2=body[cik + 3] if cik + 3 < i - 1 else None,
                city=body[i - 1],
                state=body[i],
                zip=body[i + 2],
                phone="".join(phone.groups()) if phone else None,
            )
            return CoverPage(
                form=form, company_name=name, state_of_incorporation=state_code(jurisdiction), address=address
            )
    return CoverPage(form=form, company_name=name)


def _13f(form: str, body: list[str]) -> CoverPage:
    """13F: period of report (MM-DD-YYYY), then the manager's name and address, report type, file no."""
    mdy = _index(body, _MDY_RE)
    period = None
    if mdy is not None:
        month, day, year = _MDY_RE.match(body[mdy]).groups()  # type: ignore[union-attr]
        period = iso_date(year, month, day)
    rtype = _index(body, _REPORT_TYPE_RE)
    if rtype is None or rtype < 5:
        return CoverPage(form=form, period=period)
    file_line = _at(body, rtype + 1) or ""
    file_number = file_line if FILE_RE.fullmatch(file_line) else None
    zip_i, state_i, city_i = rtype - 1, rtype - 2, rtype - 3
    if not (_ZIP_RE.match(body[zip_i]) and place_code(body[state_i])):
        return CoverPage(form=form, period=period, file_number=file_number)
    streets = [i for i in (city_i - 1, city_i - 2) if i >= 0 and _STREET_RE.search(body[i])]
    if len(streets) == 2 and streets[0] == city_i - 1 and streets[1] == city_i - 2:
        street1, street2, name_i = body[city_i - 2], body[city_i - 1], city_i - 3
    else:
        street1, street2, name_i = body[city_i - 1], None, city_i - 2
    address = Address(
        street1=street1, street2=street2, city=body[city_i], state=place_code(body[state_i]), zip=body[zip_i]
    )
    return CoverPage(
        form=form, company_name=_at(body, name_i), period=period, file_number=file_number, address=address
    )


def read_xml_cover(text: str) -> CoverPage | None:
    """The cover facts of an XML-derived document, or None when ``text`` is not one."""
    lines = [line.strip() for line in text[:20_000].split("\n")[:_HEAD_LINES]]
    lines = [line for line in lines if line]
    if len(lines) < 3:
        return None
    if _SCHEMA_RE.match(lines[0]):
        form, body = lines[1], lines[2:]
    elif _13F_FORM_RE.match(lines[0]):
        form, body = lines[0], lines[1:]
    else:
        return None
    if not _FORM_TYPE_RE.match(form):
        return None
    if form in _OWNERSHIP_FORMS:
        return _ownership(form, body)
    if form in ("D", "D/A"):
        return _form_d(form, body)
    if _13F_FORM_RE.match(form):
        return _13f(form, body)
    return CoverPage(form=form)
