"""The one model every stage shares: frozen, slotted dataclasses and no I/O.

Stage map: ``discover`` yields :class:`SourceFile`; ``parse`` turns bytes into a :class:`Filing`
(or a :class:`Page` for markdown); ``build`` assembles them and writes :class:`Output` objects.
Names follow EDGAR's own vocabulary (accession_no, cik, form, filed, period, sic, file_number) so a
reader can hold a filing's header next to this file and see where each value lands.

Conventions that the JSON contract in the README relies on:
- dates are ISO ``YYYY-MM-DD`` strings; CIK is 10 digits; IRS number 9 digits without a dash;
  US states are two-letter codes;
- ``None`` means "the filing does not say", never "we guessed";
- collections are tuples so that every object is hashable and safe to share between workers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal, TypeVar

_T = TypeVar("_T")


def compact_pickle(cls: type[_T]) -> type[_T]:
    """Pickle as (class, field values). Loading is ~6x faster than the slots state dataclasses
    pickle by default, and the build loads every filing of the archive on each rebuild."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def __reduce__(self):  # noqa: N807
        return (cls, tuple(getattr(self, n) for n in names))

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls

#: Where a fact came from. The header is the record; the cover page is read from the document body.
Source = Literal["header", "cover page"]


@compact_pickle
@dataclass(frozen=True, slots=True)
class Address:
    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    phone: str | None = None

    def is_empty(self) -> bool:
        return not any((self.street1, self.street2, self.city, self.state, self.zip, self.phone))


@compact_pickle
@dataclass(frozen=True, slots=True)
class FormerName:
    name: str
    date_changed: str | None = None


@compact_pickle
@dataclass(frozen=True, slots=True)
class Filer:
    """One company or person named in the submission, with its role in it.

    ``role`` is lower case with spaces: "filer", "subject company", "filed by", "reporting owner",
    "issuer", "serial company", ... (EDGAR's header section names).
    """

    role: str
    name: str | None = None
    cik: str | None = None
    irs_number: str | None = None
    state_of_incorporation: str | None = None
    sic: str | None = None
    sic_description: str | None = None
    fiscal_year_end: str | None = None
    file_number: str | None = None
    film_number: str | None = None
    form_type: str | None = None
    business_address: Address | None = None
    mail_address: Address | None = None
    former_names: tuple[FormerName, ...] = ()


@compact_pickle
@dataclass(frozen=True, slots=True)
class Item:
    """An 8-K (or 10-K) item: ``code`` such as "5" (pre-2004 numbering) or "2.02"."""

    code: str | None
    title: str | None


@compact_pickle
@dataclass(frozen=True, slots=True)
class Document:
    """One ``<DOCUMENT>`` of a submission (or the single document of a standalone file).

    ``size`` is the byte length of the ``<TEXT>`` body as filed (after the one newline that
    follows ``<TEXT>``), the number EDGAR's own index reports. ``text`` is the decoded body with the
    SGML wrapper removed; for a uuencoded document ``data`` holds the decoded bytes and
    ``data_filename`` the name from its ``begin`` line.
    """

    sequence: int | None
    type: str | None
    filename: str | None
    description: str | None
    size: int
    format: str  # "plain" | "html" | "xml" | "uuencoded" | "pdf" | "binary"
    text: str = ""
    data: bytes | None = None
    data_filename: str | None = None
    sha256: str | None = None


@compact_pickle
@dataclass(frozen=True, slots=True)
class ExhibitReference:
    """An exhibit named in the primary document's text or its exhibit index.

    ``number`` is normalised ("99.1", "10.2(a)" -> "10.2(A)" is kept as written in upper case).
    ``document_sequence`` points at the :class:`Document` that carries it, when the archive has it.
    """

    number: str
    description: str | None = None
    document_sequence: int | None = None


@compact_pickle
@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    title: str | None = None
    date: str | None = None


@compact_pickle
@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A fact the header and the cover page state differently; the header value is the record."""

    field: str
    header: str | None
    cover_page: str | None


@compact_pickle
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something a reader should know about one input file, at one stage."""

    path: str
    stage: str  # "discover" | "parse" | "assemble" | "render" | "write"
    message: str
    severity: Literal["warning", "error"] = "warning"


@compact_pickle
@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a filing was read from: a path relative to the source folder, its digest, its format.

    ``format`` is one of "sec-header", "ims-header", "submission" (tag-style .nc),
    "headerless", "html", "xml"; ``compressed`` says the file was gzip.
    """

    path: str
    sha256: str
    format: str
    compressed: bool = False


@compact_pickle
@dataclass(frozen=True, slots=True)
class CoverPage:
    """Facts read from the cover page of the primary document (the headerless case's only source)."""

    form: str | None = None
    company_name: str | None = None
    date_of_report: str | None = None
    period: str | None = None
    state_of_incorporation: str | None = None
    file_number: str | None = None
    irs_number: str | None = None
    address: Address | None = None
    #: Only inline XBRL tags state it (``dei:EntityCentralIndexKey``): a printed cover never does.
    cik: str | None = None
    #: MMDD, as the header's FISCAL YEAR END; from ``dei:CurrentFiscalYearEndDate`` (10-K, 10-Q).
    fiscal_year_end: str | None = None
    #: The cover's "Trading Symbol(s)" (``dei:TradingSymbol``, every class of security): a ticker
    #: is what many users type first, and no EDGAR header states it.
    trading_symbols: tuple[str, ...] = ()
    #: The fields above read from the cover page's inline XBRL tags, not its text (parse.cover_xbrl).
    tagged: tuple[str, ...] = ()


@compact_pickle
@dataclass(frozen=True, slots=True)
class Filing:
    """A whole submission as the archive knows it. ``id`` is the dashed accession number when known,
    else a slug of the source file name."""

    id: str
    accession_no: str | None
    form: str | None
    filed: str | None
    period: str | None
    date_of_report: str | None
    items: tuple[Item, ...]
    filers: tuple[Filer, ...]
    documents: tuple[Document, ...]
    exhibit_references: tuple[ExhibitReference, ...]
    signatures: tuple[Signature, ...]
    provenance: tuple[tuple[str, Source], ...]
    source: SourceInfo
    diagnostics: tuple[Diagnostic, ...] = ()
    cover_page: CoverPage | None = None
    discrepancies: tuple[Discrepancy, ...] = ()
    declared_document_count: int | None = None
    acceptance_datetime: str | None = None
    group_members: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()

    @property
    def primary(self) -> Document | None:
        return self.documents[0] if self.documents else None

    @property
    def company(self) -> Filer | None:
        """The filer a listing shows: the subject company when there is one, else the first filer."""
        for f in self.filers:
            if f.role == "subject company":
                return f
        return self.filers[0] if self.filers else None

    def light(self) -> Filing:
        """The filing as the rest of the site sees it: its facts and filers, without documents,
        signatures, exhibit references, cover page or provenance.

        What the build keeps of each filing between stages (listings, company pages, the
        neighbours and amendments of other filings need only these), so memory grows slowly with
        the number of filings and not at all with their text. A filing's own pages are rendered
        from the whole filing, in a worker."""
        from dataclasses import replace

        return replace(self, documents=(), exhibit_references=(), signatures=(), provenance=(),
                       cover_page=None, discrepancies=())  # fmt: skip


@compact_pickle
@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input found by ``discover``: a path relative to the source root and what it looks like.

    ``kind`` is "filing" or "page" (markdown); ``layout`` names the folder convention it came from:
    "flat", "archives" (edgar/data/<CIK>/<ACCESSION>/) or "downloader" (sec-edgar-filings/...).
    ``hint_accession`` and ``hint_cik`` are what the folder path says, used only to group files of
    one filing, never as facts on a page.
    """

    path: str
    abspath: str
    kind: str
    layout: str = "flat"
    hint_accession: str | None = None
    hint_cik: str | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """A markdown page from the source folder."""

    slug: str
    title: str
    html: str
    source_path: str
    meta: tuple[tuple[str, str], ...] = ()
    toc: str = ""


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the built site: a path relative to the output root and its bytes."""

    path: str
    data: bytes
    deps: tuple[str, ...] = ()


@compact_pickle
@dataclass(frozen=True, slots=True)
class InputOutcome:
    """A line of build-report.json: what became of one input file."""

    path: str
    outcome: str  # "built" | "duplicate" | "skipped" | "failed"
    id: str | None = None
    reason: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


@compact_pickle
@dataclass(frozen=True, slots=True)
class BuildReport:
    inputs: tuple[InputOutcome, ...]
    filings: int
    pages: int
    written: int
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def failed(self) -> int:
        return sum(1 for i in self.inputs if i.outcome == "failed")
