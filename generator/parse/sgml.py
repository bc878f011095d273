"""Parse stage, SGML: submission bytes -> header facts and documents.

Reads every EDGAR wrapper: the 1990s PEM envelope, ``<SEC-HEADER>`` (``KEY:<tab>value`` lines),
the 1993-95 ``<IMS-HEADER>``, and tag-style ``<SUBMISSION>`` dissemination files (``.nc``), including
headers collapsed onto one line. Works on bytes so that document sizes are exact byte counts.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Document, Filer


@dataclass(frozen=True, slots=True)
class Header:
    """What a submission header states. ``format``: "sec-header" | "ims-header" | "submission"."""

    format: str
    accession_no: str | None = None
    form: str | None = None
    filed: str | None = None
    period: str | None = None
    acceptance_datetime: str | None = None
    declared_document_count: int | None = None
    item_titles: tuple[str, ...] = ()  # ITEM INFORMATION lines, as written
    item_codes: tuple[str, ...] = ()  # <ITEMS> codes of modern tag-style headers
    group_members: tuple[str, ...] = ()
    filers: tuple[Filer, ...] = ()
    pem_wrapped: bool = False


@dataclass(frozen=True, slots=True)
class Submission:
    header: Header | None
    documents: tuple[Document, ...]
    diagnostics: tuple[str, ...] = ()


def looks_like_submission(data: bytes) -> bool:
    """True when the bytes carry an EDGAR SGML wrapper (header or <DOCUMENT> blocks)."""
    raise NotImplementedError


def read_submission(data: bytes) -> Submission:
    """Split a full submission into its header and documents. Never raises on bad input: problems
    become diagnostics (a truncated document, a declared count that does not match, ...)."""
    raise NotImplementedError
