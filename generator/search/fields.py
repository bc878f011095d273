"""Search stage, input: Filing -> SearchDoc, the fields both indexes (browser and whoosh) read.

One function decides what is searchable, so the browser's static index and the command line's
whoosh index cannot drift apart: three scored fields (company names, form and identifiers,
body text of every document) and the filter/facet values.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import site as urls
from generator.model import Document, Filing
from generator.parse.filing import primary_text
from generator.parse.folder import xbrl_file_name

#: Document types whose text search leaves out (their pages are made all the same): the files EDGAR
#: generates to render a filing's XBRL (``R1.htm``, ``FilingSummary.xml``, ``Show.js`` and
#: ``report.css`` are typed XML; ``MetaLinks.json`` JSON; the zip and the spreadsheet).
GENERATED_TYPES = frozenset({"XML", "JSON", "ZIP", "EXCEL"})
#: ... and the XBRL files themselves: schema, linkbases and instance (EX-101.*, and EX-100.* of
#: the 2005-2011 voluntary program).
XBRL_TYPES = ("EX-101", "EX-100")

#: BM25 field weights: a word in a company name or the form counts more than one in the body.
FIELD_WEIGHTS = {"company": 3.0, "form": 2.0, "body": 1.0}
FIELDS = tuple(FIELD_WEIGHTS)


@dataclass(frozen=True, slots=True)
class BodyPart:
    """The plain text of one document of a filing and the page that shows it."""

    url: str
    text: str


@dataclass(frozen=True, slots=True)
class SearchDoc:
    id: str
    url: str
    title: str
    company: str
    form: str
    filed: str | None
    names: tuple[str, ...]
    ciks: tuple[str, ...]
    items: tuple[str, ...]
    exhibits: tuple[str, ...]
    state: str | None
    company_text: str
    form_text: str
    body: tuple[BodyPart, ...]


def search_doc(filing: Filing) -> SearchDoc:
    """What search knows about one filing. ``form_text`` carries the identifiers a user may type
    (form, accession number, CIKs, item codes, exhibit types and numbers, file numbers, tickers).

    The accession number is there dashed and as EDGAR's Archives URLs write it (18 digits: a
    user pastes it from ``.../edgar/data/320193/000032019397000014/``), and a filing without one
    is found by its id (a folder's number, a file name), which its listings and URL show."""
    company = filing.company
    names = tuple(dict.fromkeys(f.name for f in filing.filers if f.name))
    ciks = tuple(sorted({f.cik for f in filing.filers if f.cik}))
    items = tuple(dict.fromkeys(i.code for i in filing.items if i.code))
    doc_types = [d.type for d in filing.documents[1:] if d.type]
    exhibits = tuple(sorted({_exhibit_type(t) for t in doc_types if t.upper().startswith("EX-")}))
    ids = [
        filing.form or "",
        filing.accession_no or "",
        (filing.accession_no or "").replace("-", ""),
        filing.id if filing.id != filing.accession_no else "",
        *ciks,
        *items,
        *doc_types,
        *(r.number for r in filing.exhibit_references),
        *sorted({f.file_number for f in filing.filers if f.file_number}),
        *(filing.cover_page.trading_symbols if filing.cover_page else ()),
    ]
    name = company.name if company and company.name else filing.id
    return SearchDoc(
        id=filing.id,
        url=urls.filing_url(filing.id),
        title=f"{filing.form or 'Filing'} {name}",
        company=name,
        form=filing.form or "",
        filed=filing.filed,
        names=names,
        ciks=ciks,
        items=items,
        exhibits=exhibits,
        state=_state(filing),
        company_text="\n".join((*names, *filing.group_members)),
        form_text="\n".join(i for i in ids if i),
        body=tuple(
            BodyPart(urls.document_url(filing.id, d), primary_text(d))
            for n, d in enumerate(filing.documents)
            if d.data is None and d.text and (n == 0 or is_prose(d))
        ),
    )


def is_prose(doc: Document) -> bool:
    """Whether search reads a document: not XBRL data nor what EDGAR generates from it. Those are
    machine data, not prose: in a modern 10-K they are most of the text (every element's labels,
    the schema, JavaScript, CSS), their words would fill snippets with element names and code, and
    they cost the build most of its search work. The primary document is always read, and the
    filing's financial statements are in it (the R pages only render them again)."""
    if doc.type is None:  # a document of a folder of files (no header lists its type): by its name
        return not xbrl_file_name(doc.filename or "")
    kind = doc.type.upper()
    return kind not in GENERATED_TYPES and not kind.startswith(XBRL_TYPES)


def _exhibit_type(doc_type: str) -> str:
    """``EX-99.1`` -> ``EX-99``: the facet groups exhibits by their number's first part."""
    return doc_type.upper().split(".", 1)[0]


def _state(filing: Filing) -> str | None:
    """Where the filing's company is: its business address state, else its state of incorporation."""
    company = filing.company
    if company is None:
        return None
    if company.business_address and company.business_address.state:
        return company.business_address.state.upper()
    return company.state_of_incorporation.upper() if company.state_of_incorporation else None
