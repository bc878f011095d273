"""Assemble stage: Filings + Pages -> Site, and the one place that decides every URL.

All URLs here are relative to the site root and always name a file (``.../index.html``), so the
site works from any sub-path and from ``file://``; templates turn them into page-relative links
with :func:`relative`.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field

from generator.model import Document, Filer, Filing, Page

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SLUG = re.compile(r"[^a-z0-9]+")
#: Decoded files keep their extension only when a browser will not run them as a page or script.
_PASSIVE_EXT = {
    "jpg", "jpeg", "gif", "png", "bmp", "tif", "tiff", "pdf", "zip", "xls", "xlsx", "doc", "docx",
    "ppt", "pptx", "csv", "txt", "gz",
}  # fmt: skip
_RESERVED = {"index.html", "filing.json"}


def slugify(text: str, limit: int = 60) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-")


def filing_url(filing_id: str) -> str:
    return f"filings/{filing_id}/index.html"


def filing_json_url(filing_id: str) -> str:
    return f"filings/{filing_id}/filing.json"


def document_url(filing_id: str, doc: Document) -> str:
    label = slugify(doc.type or doc.filename or "document", 40) or "document"
    return f"filings/{filing_id}/{doc.sequence or 0}-{label}.html"


def document_file_url(filing: Filing, doc: Document) -> str | None:
    """Where a decoded binary (image, PDF) is written, under a name a browser will not execute."""
    if doc.data is None:
        return None
    name = safe_file_name(doc.data_filename or doc.filename or f"document-{doc.sequence}")
    taken = {
        safe_file_name(d.data_filename or d.filename or "")
        for d in filing.documents
        if d.data is not None and d.sequence != doc.sequence and (d.sequence or 0) < (doc.sequence or 0)
    }
    if name in taken or name in _RESERVED or name.endswith(".html"):
        name = f"{doc.sequence}-{name}"
    return f"filings/{filing.id}/{name}"


def safe_file_name(name: str) -> str:
    """A file name with no path, no leading dot, and a passive extension (else ``.bin`` appended)."""
    base = _SAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip("._") or "file"
    ext = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    if ext not in _PASSIVE_EXT:
        base += ".bin"
    return base[-120:]


def original_url(filing: Filing) -> str:
    """The original bytes, for download; named so that a browser shows text, never runs HTML."""
    name = safe_file_name(filing.source.path.rsplit("/", 1)[-1])
    if name.endswith(".bin"):
        name = name[: -len(".bin")] + (".gz" if filing.source.compressed else ".txt")
    if name in _RESERVED:
        name = "original-" + name
    return f"filings/{filing.id}/{name}"


def page_url(page: Page) -> str:
    return f"{page.slug}/index.html"


def relative(from_url: str, to_url: str) -> str:
    """A link from the page at ``from_url`` to ``to_url`` (both site-root relative)."""
    start = posixpath.dirname(from_url) or "."
    return posixpath.relpath(to_url, start)


@dataclass(frozen=True)
class Site:
    """Everything the render stage needs, indexed once."""

    title: str
    filings: tuple[Filing, ...]
    pages: tuple[Page, ...]
    by_id: dict[str, Filing] = field(default_factory=dict)
    by_form: dict[str, list[Filing]] = field(default_factory=dict)
    by_year: dict[str, list[Filing]] = field(default_factory=dict)
    by_cik: dict[str, list[Filing]] = field(default_factory=dict)

    # --- the interface the filing and document templates use (implemented with the browse pages) ---
    def company_url_for(self, filer: Filer) -> str | None:
        """The company page of a filer (by CIK, else by a slug of its name), or None."""
        return None

    def previous_next(self, filing: Filing) -> tuple[Filing | None, Filing | None]:
        """The previous and next filing (by filed date) of the filing's company."""
        return None, None

    def amends(self, filing: Filing) -> Filing | None:
        """For an amendment (8-K/A, 10-Q/A, 13F-HR/A ...): the filing it amends, when present."""
        return None

    def amended_by(self, filing: Filing) -> tuple[Filing, ...]:
        """The amendments in the archive that amend this filing."""
        return ()

    def sic_description(self, filer: Filer) -> str | None:
        """The SIC code's description: the filer's header, else any header in the archive with
        the same code (never a guess)."""
        return filer.sic_description


def assemble_site(title: str, filings: list[Filing], pages: list[Page]) -> Site:
    """Filings sorted newest first (unknown dates last, then by id), with lookup tables."""
    ordered = sorted(filings, key=lambda f: (f.filed is None, _neg_date(f.filed), f.id))
    by_form: dict[str, list[Filing]] = defaultdict(list)
    by_year: dict[str, list[Filing]] = defaultdict(list)
    by_cik: dict[str, list[Filing]] = defaultdict(list)
    for f in ordered:
        by_form[f.form or "unknown"].append(f)
        by_year[(f.filed or "unknown")[:4]].append(f)
        for cik in sorted({x.cik for x in f.filers if x.cik}):
            by_cik[cik].append(f)
    return Site(
        title=title,
        filings=tuple(ordered),
        pages=tuple(sorted(pages, key=lambda p: p.slug)),
        by_id={f.id: f for f in ordered},
        by_form=dict(sorted(by_form.items())),
        by_year=dict(sorted(by_year.items(), reverse=True)),
        by_cik=dict(sorted(by_cik.items())),
    )


def _neg_date(date: str | None) -> str:
    """Sort key that puts later ISO dates first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in (date or ""))
