"""Assemble stage: Filings + Pages -> Site, and the one place that decides every URL.

All URLs here are relative to the site root and always name a file (``.../index.html``), so the
site works from any sub-path and from ``file://``; templates turn them into page-relative links
with :func:`relative`.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field

from generator.companies import Company, build_companies, company_key, company_url, sic_table
from generator.forms import base_form, is_amendment, normalise
from generator.model import Document, Filer, Filing, Page

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SLUG = re.compile(r"[^a-z0-9]+")
#: Decoded files keep their extension only when a browser will not run them as a page or script.
_PASSIVE_EXT = {
    "jpg", "jpeg", "gif", "png", "bmp", "tif", "tiff", "pdf", "zip", "xls", "xlsx", "doc", "docx",
    "ppt", "pptx", "csv", "txt", "gz",
}  # fmt: skip
_RESERVED = {"index.html", "filing.json"}
#: A URL with "." or ".." parts, doubled, leading or trailing slashes: left to posixpath.relpath.
_IRREGULAR = re.compile(r"(?:^|/)\.{1,2}(?:/|$)|//|^/|/$")


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
    return base[-120:].lstrip("._") or "file.bin"  # cutting the front must not make it hidden


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


FORMS_URL = "forms/index.html"
DATES_URL = "dates/index.html"
UNDATED_URL = "dates/undated/index.html"
COMPANIES_URL = "companies/index.html"


def form_page_url(slug: str) -> str:
    return f"forms/{slug}/index.html"


def year_url(year: str) -> str:
    return f"dates/{year}/index.html"


def numbered_page_url(first: str, number: int) -> str:
    """Page ``number`` of a listing whose first page is ``first`` (…/index.html, …/page-2.html)."""
    return first if number == 1 else posixpath.join(posixpath.dirname(first), f"page-{number}.html")


def relative(from_url: str, to_url: str) -> str:
    """A link from the page at ``from_url`` to ``to_url`` (both site-root relative).

    Pure string work: ``posixpath.relpath`` asks the operating system for the current folder on
    every call, which was a third of the time to render the listings of a large archive.
    """
    if _IRREGULAR.search(from_url) or _IRREGULAR.search(to_url):
        return posixpath.relpath(to_url, posixpath.dirname(from_url) or ".")
    here = from_url.split("/")[:-1]
    there = to_url.split("/")
    same = 0
    while same < len(here) and same < len(there) and here[same] == there[same]:
        same += 1
    return "/".join([".."] * (len(here) - same) + there[same:]) or "."


@dataclass(frozen=True)
class Site:
    """Everything the render stage needs, indexed once by :func:`assemble_site`."""

    title: str
    filings: tuple[Filing, ...]
    pages: tuple[Page, ...]
    by_id: dict[str, Filing] = field(default_factory=dict)
    by_form: dict[str, list[Filing]] = field(default_factory=dict)
    by_year: dict[str, list[Filing]] = field(default_factory=dict)
    by_cik: dict[str, list[Filing]] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    companies_az: tuple[Company, ...] = ()
    form_slugs: dict[str, str] = field(default_factory=dict)
    sics: dict[str, str] = field(default_factory=dict)
    neighbours: dict[str, tuple[Filing | None, Filing | None]] = field(default_factory=dict)
    amendments: dict[str, Filing] = field(default_factory=dict)
    amended: dict[str, tuple[Filing, ...]] = field(default_factory=dict)

    # --- the interface the filing and document templates use ---
    def company_url_for(self, filer: Filer) -> str | None:
        """The company page of a filer (by CIK, else by a slug of its name), or None."""
        key = company_key(filer)
        return company_url(key) if key in self.companies else None

    def company_for(self, filer: Filer | None) -> Company | None:
        key = company_key(filer) if filer else None
        return self.companies.get(key) if key else None

    def previous_next(self, filing: Filing) -> tuple[Filing | None, Filing | None]:
        """The previous and next filing (by filed date, then id) of the filing's company."""
        return self.neighbours.get(filing.id, (None, None))

    def amends(self, filing: Filing) -> Filing | None:
        """For an amendment (8-K/A, 10-Q/A, 13F-HR/A ...): the filing it amends, when present."""
        return self.amendments.get(filing.id)

    def amended_by(self, filing: Filing) -> tuple[Filing, ...]:
        """The amendments in the archive that amend this filing, oldest first."""
        return self.amended.get(filing.id, ())

    def sic_description(self, filer: Filer) -> str | None:
        """The SIC code's description: the filer's header, else any header in the archive with
        the same code (never a guess)."""
        return filer.sic_description or (self.sics.get(filer.sic) if filer.sic else None)

    def form_url(self, form: str) -> str:
        """The page listing every filing of ``form`` (a key of ``by_form``)."""
        return form_page_url(self.form_slugs[form])

    def context_for(self, filing: Filing) -> FilingContext:
        """Everything a filing's own pages take from the rest of the site, and nothing more."""
        keys = {k for f in filing.filers if (k := company_key(f))}
        return FilingContext(
            title=self.title,
            pages=tuple(PageLink(p.slug, p.title) for p in self.pages),
            company_urls=tuple(sorted((k, company_url(k)) for k in keys if k in self.companies)),
            sics=tuple(sorted((f.sic, d) for f in filing.filers if f.sic and (d := self.sics.get(f.sic)))),
            neighbours=tuple(FilingRef.of(f) for f in self.previous_next(filing)),  # type: ignore[arg-type]
            amends_filing=FilingRef.of(self.amends(filing)),
            amended_by_filings=tuple(r for f in self.amended_by(filing) if (r := FilingRef.of(f))),
        )


@dataclass(frozen=True, slots=True)
class FilingRef:
    """Another filing as a link shows it: "8-K 2002-07-29"."""

    id: str
    form: str | None
    filed: str | None

    @staticmethod
    def of(filing: Filing | FilingRef | None) -> FilingRef | None:
        return None if filing is None else FilingRef(filing.id, filing.form, filing.filed)


@dataclass(frozen=True, slots=True)
class PageLink:
    """A markdown page as the navigation shows it."""

    slug: str
    title: str


@dataclass(frozen=True, slots=True)
class FilingContext:
    """The slice of the Site that a filing's pages (filing page, document pages) read.

    Templates see it as ``site`` with the same methods as :class:`Site`, so the same templates
    serve both. It is small and picklable: a worker process renders a filing from the filing and
    its context alone, and the digest of its ``repr`` is part of the key that decides whether the
    filing's pages must be rendered again (a new neighbour, an amendment, a renamed company page).
    """

    title: str
    pages: tuple[PageLink, ...]
    company_urls: tuple[tuple[str, str], ...]
    sics: tuple[tuple[str, str], ...]
    neighbours: tuple[FilingRef | None, FilingRef | None]
    amends_filing: FilingRef | None
    amended_by_filings: tuple[FilingRef, ...]

    def company_url_for(self, filer: Filer) -> str | None:
        key = company_key(filer)
        return dict(self.company_urls).get(key) if key else None

    def sic_description(self, filer: Filer) -> str | None:
        return filer.sic_description or (dict(self.sics).get(filer.sic) if filer.sic else None)

    def previous_next(self, filing: Filing) -> tuple[FilingRef | None, FilingRef | None]:
        return self.neighbours

    def amends(self, filing: Filing) -> FilingRef | None:
        return self.amends_filing

    def amended_by(self, filing: Filing) -> tuple[FilingRef, ...]:
        return self.amended_by_filings


def assemble_site(title: str, filings: list[Filing], pages: list[Page], memo: dict | None = None) -> Site:
    """Filings sorted newest first (unknown dates last, then by id), with lookup tables.

    Everything is computed once here, in O(n log n), so that rendering 100,000 filing pages
    asks only dictionary lookups of the Site. ``memo``: a dict a process that builds again and
    again keeps between calls (the watcher's session), so unchanged companies and their
    neighbour pairs are reused.
    """
    ordered = sorted(filings, key=lambda f: (f.filed is None, _neg_date(f.filed), f.id))
    by_form: dict[str, list[Filing]] = defaultdict(list)
    by_year: dict[str, list[Filing]] = defaultdict(list)
    by_cik: dict[str, list[Filing]] = defaultdict(list)
    for f in ordered:
        by_form[f.form or "unknown"].append(f)
        by_year[f.filed[:4] if f.filed else "unknown"].append(f)
        for cik in sorted({x.cik for x in f.filers if x.cik}):
            by_cik[cik].append(f)
    sics = sic_table(ordered)
    if memo is not None and memo.get("sics") != sics:
        memo.clear()
    company_memo = None if memo is None else memo.setdefault("companies", {})
    if memo is not None:
        memo["sics"] = sics
    companies = build_companies(ordered, sics, company_memo)
    amendments = find_amendments(ordered)
    return Site(
        title=title,
        filings=tuple(ordered),
        pages=tuple(sorted(pages, key=lambda p: p.slug)),
        by_id={f.id: f for f in ordered},
        by_form=dict(sorted(by_form.items())),
        by_year=dict(sorted(by_year.items(), reverse=True)),
        by_cik=dict(sorted(by_cik.items())),
        companies=companies,
        companies_az=tuple(sorted(companies.values(), key=lambda c: (c.name.casefold(), c.key))),
        form_slugs=form_slugs(by_form),
        sics=sics,
        neighbours=neighbours(companies, None if memo is None else memo.setdefault("chains", {})),
        amendments=amendments,
        amended=_reverse(amendments, ordered),
    )


def form_slugs(forms: dict[str, list[Filing]] | list[str]) -> dict[str, str]:
    """Form -> URL slug: lower case, anything but letters and digits -> "-" ("8-K/A" -> "8-k-a").

    When two forms share a slug (say "8-K/A" and "8-K A"), the one written the way EDGAR writes
    forms (upper case, "/A") keeps it and the other gets a digest of its code appended, so an odd
    form appearing in the archive never moves the page of a regular one.
    """
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for form in sorted(forms, key=lambda f: (f != normalise(f), "/" not in f, f)):
        slug = slugify(form) or "form"
        if slug in taken:
            slug = f"{slug}-{hashlib.sha256(form.encode()).hexdigest()[:6]}"
        taken.add(slug)
        slugs[form] = slug
    return dict(sorted(slugs.items()))


def main_key(filing: Filing) -> str | None:
    """The company key of the filing's main company (``Filing.company``)."""
    return company_key(filing.company) if filing.company else None


def chronological(filing: Filing) -> tuple:
    """Oldest first by filed date, then id; filings with no date last."""
    return (filing.filed is None, filing.filed or "", filing.id)


def neighbours(companies: dict[str, Company], memo: dict | None = None) -> dict[str, tuple[Filing | None, Filing | None]]:
    """Filing id -> (previous, next) filing of its main company, among all that company's filings.
    ``memo``: each company's pairs by company key, reused while the company is the same object."""
    out: dict[str, tuple[Filing | None, Filing | None]] = {}
    for key, company in companies.items():
        hit = memo.get(key) if memo is not None else None
        if hit is not None and hit[0] is company:
            out.update(hit[1])
            continue
        pairs = {}
        chain = sorted((cf.filing for cf in company.filings), key=chronological)
        for i, f in enumerate(chain):
            if main_key(f) == key:
                pairs[f.id] = (chain[i - 1] if i else None, chain[i + 1] if i + 1 < len(chain) else None)
        out.update(pairs)
        if memo is not None:
            memo[key] = (company, pairs)
    if memo is not None and len(memo) > len(companies):
        for key in set(memo) - set(companies):
            del memo[key]
    return out


def _party(filing: Filing) -> frozenset[str]:
    """Every company key of a filing: an amendment must name exactly the same companies."""
    return frozenset(k for x in filing.filers if (k := company_key(x)))


def find_amendments(ordered: tuple[Filing, ...] | list[Filing]) -> dict[str, Filing]:
    """Amendment id -> the filing it amends: same companies, the amendment's form without "/A",
    and the same period of report or the same date of report. Of several, the latest filed not
    after the amendment. Weaker evidence (same company and form only) links nothing."""
    by_fact: dict[tuple, list[Filing]] = defaultdict(list)
    amendments: list[tuple[Filing, frozenset[str]]] = []
    for f in ordered:
        party = _party(f)
        if not (f.form and party):
            continue
        if is_amendment(f.form):
            amendments.append((f, party))
            continue
        for kind, value in (("period", f.period), ("report", f.date_of_report)):
            if value:
                by_fact[(base_form(f.form), party, kind, value)].append(f)
    out: dict[str, Filing] = {}
    for a, party in amendments:
        base = base_form(a.form or "")
        found = [
            f
            for kind, value in (("period", a.period), ("report", a.date_of_report))
            for f in by_fact.get((base, party, kind, value), ())
            if not (a.filed and f.filed and f.filed > a.filed)
        ]
        if found:
            out[a.id] = max(found, key=lambda f: (f.filed is not None, f.filed or "", f.id))
    return out


def _reverse(amendments: dict[str, Filing], ordered: tuple[Filing, ...] | list[Filing]) -> dict[str, tuple]:
    """Original id -> its amendments, oldest first."""
    out: dict[str, list[Filing]] = defaultdict(list)
    for a in sorted((f for f in ordered if f.id in amendments), key=chronological):
        out[amendments[a.id].id].append(a)
    return {k: tuple(v) for k, v in sorted(out.items())}


_NEGATE = {c: 0x10FFFF - c for c in range(128)}


def _neg_date(date: str | None) -> str:
    """Sort key that puts later ISO dates first (a table for ASCII: it runs for every filing on
    every build)."""
    if not date:
        return ""
    if date.isascii():
        return date.translate(_NEGATE)
    return "".join(chr(0x10FFFF - ord(c)) for c in date)
