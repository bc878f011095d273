"""Render stage, template helpers: the filters and functions the filing and document pages use.

They turn model values into the words a reader expects ("1231" -> "December 31", 3876 ->
"3,876", "filers[0].irs_number" -> "IRS number") and say what kind of thing a document is. They
format; they never invent: a missing value stays "not stated".
"""

from __future__ import annotations

import calendar
import functools
import json
import re
from typing import Any

import jinja2
from markupsafe import Markup

from generator.model import Document, Filing
from generator.parse.filing import ACCESSION_NAME, folder_accession, slug_id
from generator.parse.states import EDGAR_PLACES, place_name

#: Decoded files a browser shows inline.
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "gif", "png", "bmp"})
_FIELD_LABELS = {
    "form": "Form", "filed": "Filed", "period": "Period of report", "date_of_report": "Date of report",
    "items": "Items", "name": "Name", "irs_number": "IRS number", "state_of_incorporation":
    "State of incorporation", "file_number": "File number", "business_address": "Business address",
}  # fmt: skip
_TH_RE = re.compile(r"<th(?![^>]*\bscope=)(?=[\s>])")
_FILER_FIELD = re.compile(r"^filers\[(\d+)\]\.(\w+)$")
NOT_STATED = Markup('<span class="not-stated">not stated</span>')


def install_helpers(env: jinja2.Environment) -> None:
    env.filters.update(
        or_not_stated=or_not_stated,
        thousands=lambda n: f"{n:,}" if isinstance(n, int) else n,
        phone=phone,
        place=place,
        month_day=month_day,
        th_scope=th_scope,
    )
    env.globals.update(
        fact_label=fact_label,
        is_image=is_image,
        file_kind=file_kind,
        marks_of=Marks,
        document_by_sequence=document_by_sequence,
        named_after=named_after,
        edgar_place_names=edgar_place_names,
    )


def named_after(filing: Filing) -> str | None:
    """"folder" or "file" when a filing without a header's accession number has an id that reads
    like one, taken (by :func:`slug_id`) from its folder's or its file's name: the page says so, as
    the number in its URL and breadcrumb is a name, not a stated fact. None otherwise."""
    path = filing.source.path
    if filing.accession_no is not None or not ACCESSION_NAME.match(filing.id) or slug_id(path) != filing.id:
        return None
    return "folder" if folder_accession(path) else "file"


def place(code: str | None) -> str | None:
    """EDGAR's code for a place outside the US states, with its name: "E9" -> "Cayman Islands
    (E9)", "A6" -> "Ontario, Canada (A6)". A state's code ("DE") and anything else as written;
    None stays None (not stated)."""
    name = place_name(code)
    return f"{name} ({code})" if name else code


@functools.cache
def edgar_place_names() -> Markup:
    """EDGAR's place codes and names as JSON for the search page, which labels the State facet's
    "E9" as "E9 Cayman Islands" (a ``<script type="application/json">`` block: data, never run;
    ``<`` escaped so no text in it can close the block)."""
    return Markup(json.dumps(EDGAR_PLACES, sort_keys=True, separators=(",", ":")).replace("<", "\\u003c"))


def or_not_stated(value: Any) -> Any:
    return NOT_STATED if value in (None, "") else value


def th_scope(html: str) -> Markup:
    """Markdown's table header cells get ``scope="col"`` (they head columns; a screen reader
    announces them with each cell). For trusted HTML only: the markdown pages of the site."""
    return Markup(_TH_RE.sub('<th scope="col"', html))


def phone(value: str | None) -> str | None:
    """ "3037578101" -> "(303) 757-8101"; anything else as written."""
    if value and re.fullmatch(r"\d{10}", value):
        return f"({value[:3]}) {value[3:6]}-{value[6:]}"
    return value


def month_day(value: str | None) -> str | None:
    """A fiscal year end "1231" -> "December 31"; anything else as written."""
    if value and re.fullmatch(r"(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", value):
        return f"{calendar.month_name[int(value[:2])]} {int(value[2:])}"
    return value


def fact_label(field: str) -> str:
    """A provenance or discrepancy key as words: "filers[0].irs_number" -> "IRS number (filer 1)"."""
    m = _FILER_FIELD.match(field)
    if m:
        return f"{_FIELD_LABELS.get(m.group(2), m.group(2))} (filer {int(m.group(1)) + 1})"
    return _FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def is_image(doc: Document) -> bool:
    return doc.data is not None and _extension(doc) in IMAGE_EXTENSIONS


def file_kind(doc: Document) -> str:
    """ "PDF", "ZIP", "JPG" ... (the decoded file's extension), or "file"."""
    return _extension(doc).upper() or "file"


def document_by_sequence(filing: Filing, sequence: int | None) -> Document | None:
    return next((d for d in filing.documents if sequence is not None and d.sequence == sequence), None)


def _extension(doc: Document) -> str:
    name = doc.data_filename or doc.filename or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


#: Provenance keys of the facts a cover page may state, and the CoverPage field each comes from.
_COVER_FIELDS = {
    "form": "form",
    "period": "period",
    "date_of_report": "date_of_report",
    "filers[0].name": "company_name",
    "filers[0].cik": "cik",
    "filers[0].fiscal_year_end": "fiscal_year_end",
    "filers[0].irs_number": "irs_number",
    "filers[0].state_of_incorporation": "state_of_incorporation",
    "filers[0].file_number": "file_number",
    "filers[0].business_address": "address",
    "trading_symbols": "trading_symbols",
}


class Marks:
    """Provenance and discrepancy marks for one filing: ``marks.of("period")`` gives the marks to
    print after that fact (cover page, differs), ``marks.any`` whether the legend is needed. A fact
    read from the cover page's inline XBRL tags (a CIK is only ever there) says so: a reader
    looking for it in the printed cover would not find it."""

    def __init__(self, filing: Filing) -> None:
        self.provenance = dict(filing.provenance)
        self.differs = {d.field: d for d in filing.discrepancies}
        self.cover = "cover page" in self.provenance.values()
        self.any = bool(self.differs) or self.cover
        tagged = set(filing.cover_page.tagged) if filing.cover_page else set()
        self.tagged = {key for key, name in _COVER_FIELDS.items() if name in tagged}

    def of(self, field: str, filer: int | None = None) -> Markup:
        key = f"filers[{filer}].{field}" if filer is not None else field
        out = []
        if self.provenance.get(key) == "cover page" and key in self.tagged:
            out.append(
                '<span class="mark mark-cover" title="Read from the inline XBRL tags of the '
                "document's cover page (dei), which EDGAR checks: the EDGAR header does not state it\">"
                "cover page, XBRL</span>"
            )
        elif self.provenance.get(key) == "cover page":
            out.append(
                '<span class="mark mark-cover" title="Read from the cover page of the document: '
                'the EDGAR header does not state it">cover page</span>'
            )
        if key in self.differs:
            said = self.differs[key].cover_page or "nothing"
            out.append(
                Markup('<a class="mark mark-differs" href="#discrepancies" title="The cover page says: {}">'
                       "differs</a>").format(said)
            )  # fmt: skip
        return Markup(" " + " ".join(out)) if out else Markup("")
