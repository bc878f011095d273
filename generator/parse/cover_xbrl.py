"""Parse stage, cover page as tagged data: the ``dei:`` facts of inline XBRL (or of an XBRL instance).

Since 2019 the cover page of a 10-K, 10-Q, 8-K and many other forms is tagged with inline XBRL:
``<ix:nonNumeric name="dei:EntityCentralIndexKey" contextRef="c1">0000880984</ix:nonNumeric>``
around (or, in ``ix:hidden``, beside) what the page prints. EDGAR validates these tags when it
accepts a filing (the CIK must be the filer's, the document type the submission's), so they are a
better reading of the cover page than any caption heuristic, and they carry what the printed page
never shows: the registrant's CIK. For a header-stripped modern document (a ``primary-document.html``
on its own) they are the only place the CIK can come from.

Only facts of the document's own entity are read: a fact whose context has a ``segment`` (a
co-registrant's, a class of stock's) is left out, and a name given two different values in the
remaining contexts is not stated (never a guess). Every value is checked against the shape its
field must have (a CIK is ten digits, an IRS number nine) and dropped otherwise.

Linear in the document: each pattern is one pass, a fact's end tag is looked for within
:data:`_FACT_CHARS` of its start, and at most :data:`_MAX_FACTS` ``dei`` facts are read. Pure.
"""

from __future__ import annotations

import calendar
import html
import re
from collections.abc import Iterable
from dataclasses import fields, replace

from generator.model import Address, CoverPage
from generator.parse.cover_fields import FILE_RE, IRS_RE
from generator.parse.dates import month_number, parse_date
from generator.parse.states import edgar_place_code, place_code, state_code

#: An inline fact's start tag (``ix:nonNumeric``, and ``ix:nonFraction`` for completeness) or an
#: XBRL instance's ``dei:`` element; group 1 the element name, group 2 the attributes.
_FACT_RE = re.compile(r"<(ix:non(?:Numeric|Fraction)|dei:[A-Za-z]+)\b([^<>]*)>", re.IGNORECASE)
_ATTR_RE = re.compile(r"""([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CONTEXT_RE = re.compile(r"<((?:[A-Za-z_][\w.-]*:)?context)\b[^<>]*?\bid\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_SEGMENT_RE = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?segment\b", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^<>]*>")
_EXCLUDE_RE = re.compile(r"<ix:exclude\b.*?</ix:exclude\s*>", re.IGNORECASE | re.DOTALL)
_SPACE_RE = re.compile(r"\s+")
#: A fact's text is looked for this far after its start tag; a dei value is a line at most.
_FACT_CHARS = 4_000
#: A context's ``segment``, if any, comes this soon after the context's start tag.
_CONTEXT_CHARS = 4_000
#: The cover page has some 40 dei facts; a document with thousands is not read past these
#: (each costs a look at the next :data:`_FACT_CHARS` characters).
_MAX_FACTS = 500

_CIK_RE = re.compile(r"^[0-9]{10}$")  # [0-9]: \d takes any script's digits
_FORM_RE = re.compile(r"^[0-9A-Z][0-9A-Z -]{0,14}(?:/A)?$")
_ZIP_RE = re.compile(r"^(?:[0-9]{5}(?:-[0-9]{4})?|[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9])$")
_EIGHT_K = re.compile(r"^8-K")
_TICKER_RE = re.compile(r"^[A-Z][A-Z0-9]{0,5}(?:[.-][A-Z0-9]{1,3})?$")
_MONTH_DAY_RE = re.compile(r"^--([0-9]{2})-([0-9]{2})$")
_MONTH_NAME_DAY_RE = re.compile(r"^([A-Za-z]{3,9}\.?)\s+([0-9]{1,2})$")


def _incorporation(value: str | None) -> str | None:
    """The dei type is EDGAR's code list ("DE", "E9" for the Cayman Islands); a state's name
    ("Delaware"), which EDGAR's checks should refuse, is still read as its code."""
    return edgar_place_code(value) or state_code(value)


def read_tagged_cover(markup: str) -> CoverPage | None:
    """The cover-page facts that ``markup`` (inline XBRL HTML, or an XBRL instance) tags in the
    ``dei`` taxonomy, as a CoverPage whose ``tagged`` names the fields set; None when it tags none."""
    if "dei:" not in markup:
        return None
    found = _facts(markup)
    if not found:
        return None
    facts = _entity_facts(markup, found)
    values: dict[str, object] = {
        "cik": _cik(facts.get("EntityCentralIndexKey")),
        "form": _form(facts.get("DocumentType"), facts.get("AmendmentFlag")),
        "company_name": _name(facts.get("EntityRegistrantName")),
        # EDGAR's codes: a state's ("DE") or a country's ("E9", Cayman Islands)
        "state_of_incorporation": _incorporation(facts.get("EntityIncorporationStateCountryCode")),
        "file_number": _file_number(facts.get("EntityFileNumber")),
        "irs_number": _irs(facts.get("EntityTaxIdentificationNumber")),
        "address": _address(facts),
        "fiscal_year_end": _month_day(facts.get("CurrentFiscalYearEndDate")),
        # one per class of security, each in its own context (a segment): all of them
        "trading_symbols": _symbols(text for name, _, text in found if name == "TradingSymbol") or None,
    }
    # the one date a cover tags; merge() files it as the form makes it (date of report of an 8-K)
    values["period"] = parse_date(facts["DocumentPeriodEndDate"]) if facts.get("DocumentPeriodEndDate") else None
    stated = {k: v for k, v in values.items() if v is not None}
    if not stated:
        return None
    return CoverPage(**stated, tagged=tuple(sorted(stated)))  # type: ignore[arg-type]


def merge(tagged: CoverPage | None, read: CoverPage) -> CoverPage:
    """``read`` (the cover page read from text) with every field ``tagged`` states in its place:
    the tags are what the filer declared and EDGAR checked, the text reading is a heuristic. An
    address is merged line by line; the tagged date (:func:`read_tagged_cover` files it as
    ``period``) is the date of report of an 8-K and the period of any other form."""
    if tagged is None:
        return read
    changes = {f.name: getattr(tagged, f.name) for f in fields(CoverPage) if f.name in tagged.tagged}
    names = set(changes)
    if tagged.address is not None and read.address is not None:
        lines = {f.name: getattr(tagged.address, f.name) for f in fields(Address)}
        changes["address"] = replace(read.address, **{k: v for k, v in lines.items() if v is not None})
    if "period" in changes:
        form = changes.get("form") or read.form
        if form and _EIGHT_K.match(str(form)):
            changes["date_of_report"] = changes.pop("period")
            changes["period"] = read.period
            names = (names - {"period"}) | {"date_of_report"}
    return replace(read, **changes, tagged=tuple(sorted(names)))


def _facts(markup: str) -> list[tuple[str, str, str]]:
    """Every ``dei`` fact read: (local name, context id, value)."""
    found: list[tuple[str, str, str]] = []
    looked = 0
    for m in _FACT_RE.finditer(markup):
        element, attributes = m.group(1), m.group(2)
        inline = element.lower().startswith("ix:")
        if inline and "dei:" not in attributes:
            continue  # a financial fact: most of a 10-K's thousands
        looked += 1
        if looked > _MAX_FACTS:
            break
        attrs = _attributes(attributes)
        name = attrs.get("name", "") if inline else element
        if not name.startswith("dei:") or "continuedAt" in attrs or attributes.rstrip().endswith("/"):
            continue  # not dei, continued elsewhere, or empty (<... xsi:nil="true"/>)
        text = _content(markup, m.end(), f"</{element}", element)
        if text is not None:
            found.append((name[4:], attrs.get("contextRef", ""), _transformed(text, attrs.get("format", ""))))
    return found


def _entity_facts(markup: str, found: list[tuple[str, str, str]]) -> dict[str, str]:
    """dei local name -> its one value among the facts ``found`` of contexts without a segment."""
    dimensional = _dimensional_contexts(markup, {context for _, context, _ in found})
    values: dict[str, set[str]] = {}
    for name, context, text in found:
        if context not in dimensional and text:
            values.setdefault(name, set()).add(text)
    return {name: next(iter(v)) for name, v in values.items() if len(v) == 1}


def _transformed(text: str, fmt: str) -> str:
    """The value of a fact whose format fixes it (``ixt:fixed-true``: any text means true), as
    the text an instance would hold; other formats are read by the field's own reader."""
    fmt = fmt.rsplit(":", 1)[-1].lower()
    if fmt in ("fixed-true", "booleantrue"):
        return "true"
    if fmt in ("fixed-false", "booleanfalse"):
        return "false"
    return text


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR_RE.finditer(text)}


def _content(markup: str, start: int, closing: str, element: str) -> str | None:
    """The text of the element whose start tag ends at ``start``: tags removed, entities decoded,
    blanks collapsed. None when its end is not near or another fact is nested in it."""
    window = markup[start : start + _FACT_CHARS]
    end = window.lower().find(closing.lower())
    if end < 0:
        return None
    inner = window[:end]
    if f"<{element.lower()}" in inner.lower():
        return None
    inner = _EXCLUDE_RE.sub(" ", inner)
    return _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", inner))).strip()


def _dimensional_contexts(markup: str, wanted: set[str]) -> set[str]:
    """Which of the ``wanted`` context ids name a ``segment`` (a dimension: not the entity itself).
    An id is looked into once (its first context: ids are unique), so the work is bounded by the
    facts read, not by how many contexts the document repeats."""
    out = set()
    wanted = set(wanted)
    for m in _CONTEXT_RE.finditer(markup):
        if m.group(2) not in wanted:
            continue
        wanted.discard(m.group(2))
        window = markup[m.end() : m.end() + _CONTEXT_CHARS]
        end = window.lower().find(f"</{m.group(1).lower()}")
        segment = _SEGMENT_RE.search(window, 0, end if end >= 0 else len(window))
        if segment:
            out.add(m.group(2))
    return out


def _cik(value: str | None) -> str | None:
    return value if value and _CIK_RE.match(value) and value != "0" * 10 else None


def _form(value: str | None, amendment: str | None) -> str | None:
    """The form type: an amendment's cover tags its original's type (``10-K``) and
    ``AmendmentFlag`` true, where EDGAR's submission type is ``10-K/A``."""
    if not value:
        return None
    form = value.upper()
    if not _FORM_RE.match(form) or form == "OTHER":
        return None
    if (amendment or "").strip().lower() == "true" and not form.endswith("/A"):
        form += "/A"
    return form


def _month_day(value: str | None) -> str | None:
    """``--12-31`` (the tag's value) or ``December 31`` (as a cover prints it) -> ``1231``."""
    m = _MONTH_DAY_RE.match(value or "")
    if m:
        month, day = int(m.group(1)), int(m.group(2))
    else:
        m = _MONTH_NAME_DAY_RE.match(value or "")
        named = month_number(m.group(1)) if m else None
        if m is None or named is None:
            return None
        month, day = named, int(m.group(2))
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]):
        return None
    return f"{month:02d}{day:02d}"


def _symbols(values: Iterable[str]) -> tuple[str, ...]:
    """Tickers as written (``BRK.A``, ``GOOGL``), each once, in the cover's order; "None" and the
    like (a registrant with no listed security writes something) are not tickers."""
    out = (v.upper() for v in values)
    return tuple(dict.fromkeys(v for v in out if _TICKER_RE.match(v) and v not in ("NONE", "NA", "N")))


def _name(value: str | None) -> str | None:
    return value if value and 2 <= len(value) <= 150 else None


def _file_number(value: str | None) -> str | None:
    m = FILE_RE.fullmatch(value) if value and value.isascii() else None
    return "-".join(p for p in m.groups() if p) if m else None


def _irs(value: str | None) -> str | None:
    m = IRS_RE.fullmatch(value) if value and value.isascii() else None  # ASCII: \d takes any script's digits
    digits = m.group(1) + m.group(2) if m else None
    return digits if digits and digits != "0" * 9 else None


def _address(facts: dict[str, str]) -> Address | None:
    phone = None
    digits = re.sub(r"[^0-9]", "", facts.get("CityAreaCode", "") + facts.get("LocalPhoneNumber", ""))
    if len(digits) == 10:
        phone = digits
    zip_code = facts.get("EntityAddressPostalZipCode")
    address = Address(
        street1=facts.get("EntityAddressAddressLine1"),
        street2=facts.get("EntityAddressAddressLine2"),
        city=facts.get("EntityAddressCityOrTown"),
        state=place_code(facts.get("EntityAddressStateOrProvince")),
        zip=zip_code if zip_code and _ZIP_RE.match(zip_code) else None,
        phone=phone,
    )
    return None if address.is_empty() else address
