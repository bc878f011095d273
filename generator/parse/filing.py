"""Parse stage, assembly: file bytes -> one Filing.

Joins what the header states (``sgml``) with what the primary document's text states (``cover``,
``items``, ``exhibits``, ``signatures``). The header is the record; a cover-page value fills a
field only when the header is silent, and a cover-page value that disagrees with the header is
kept beside it as a :class:`Discrepancy`. ``provenance`` names the source of every fact shown.
Pure: bytes in, Filing out, no I/O.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from dataclasses import replace

from generator.model import (
    CoverPage,
    Diagnostic,
    Discrepancy,
    Document,
    ExhibitReference,
    Filer,
    Filing,
    Item,
    SourceInfo,
)
from generator.parse import active as active_mod
from generator.parse import cover as cover_mod
from generator.parse import cover_xbrl
from generator.parse import exhibits as exhibits_mod
from generator.parse import items as items_mod
from generator.parse import signatures as signatures_mod
from generator.parse import text as text_mod
from generator.parse.cover_lines import Label
from generator.parse.sgml import Header, Submission, looks_like_submission, read_submission
from generator.parse.sgml import read_documents as sgml_read_documents

#: Decompressed gzip inputs larger than this are refused (a "zip bomb" must not exhaust memory):
#: the same 1 GB the build allows an uncompressed file (``build.MAX_FILE_BYTES``), not twice that.
MAX_DECOMPRESSED = 1024**3

#: Inline SGML tags of old text documents (a Label: matched case-sensitively in a lower-cased
#: copy, the engine tries fewer branches at each "<", and an HTML document has one every few
#: characters).
_INLINE_SGML = Label(r"</?(?:PAGE|TABLE|CAPTION|S|C|FN|F\d{1,2}|R\d{1,2})>")
#: A name that reads as an accession number, dashed or not. EDGAR's Archives and sec-edgar-downloader
#: name a filing's folder so: ``discover`` groups its files, :func:`slug_id` names the filing by it.
ACCESSION_NAME = re.compile(r"^(\d{10})-?(\d{2})-?(\d{6})$")
_EIGHT_K = re.compile(r"^8-K(?:\d\d[A-Z]\d?)?(?:/A)?$|^ABS-15G", re.I)


class ParseError(Exception):
    """The file cannot be read as a filing at all; the message names the problem."""


def parse_filing(data: bytes, path: str) -> Filing:
    """Read one file's bytes (a submission, a headerless text, an HTML or XML document)."""
    sha = hashlib.sha256(data).hexdigest()
    raw, compressed, gz_problem = _gunzip(data) if data[:2] == b"\x1f\x8b" else (data, False, None)
    if not raw.strip():
        empty = "empty file" if not raw else "file holds only white space"
        raise ParseError(f"{gz_problem}: {empty}" if gz_problem else empty)
    if looks_like_submission(raw):
        sub = read_submission(raw)
    else:
        sub = Submission(None, (_single_document(raw, path),))
    if gz_problem:
        sub = replace(sub, diagnostics=(gz_problem, *sub.diagnostics))
    fmt = sub.header.format if sub.header else _standalone_format(sub.documents)
    source = SourceInfo(path=path, sha256=sha, format=fmt, compressed=compressed)
    return assemble(sub, source)


def read_documents(data: bytes, path: str) -> tuple[Document, ...]:
    """The documents :func:`parse_filing` reads from a file's bytes, and nothing else: what a
    build's pass 2 reads again rather than carry them from pass 1 (``tasks._unspill``). The same
    steps as :func:`parse_filing`; raises :class:`ParseError` where it would."""
    raw = _gunzip(data)[0] if data[:2] == b"\x1f\x8b" else data
    return sgml_read_documents(raw) if looks_like_submission(raw) else (_single_document(raw, path),)


def _gunzip(data: bytes) -> tuple[bytes, bool, str | None]:
    """(data, compressed, problem): a cut-off gzip stream decompresses without error, so the
    missing end-of-stream marker is the only sign that the rest of the filing is gone; bytes after
    the stream (a second member, garbage) are not read and said so."""
    try:
        d = zlib.decompressobj(wbits=31)
        out = d.decompress(data, MAX_DECOMPRESSED)
        if d.unconsumed_tail:
            raise ParseError(f"gzip data expands beyond {MAX_DECOMPRESSED // 1024**2} MB")
        if not d.eof:
            return out, True, "gzip data is truncated: only the part before the cut was read"
        if d.unused_data.strip(b"\0"):
            return out, True, f"{len(d.unused_data)} bytes after the end of the gzip data were not read"
        return out, True, None
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise ParseError(f"corrupt gzip data: {exc}") from exc


def _single_document(raw: bytes, path: str) -> Document:
    """A standalone primary document (headerless text, HTML or XML) as sequence 1."""
    text = text_mod.decode(raw)
    name = path.rsplit("/", 1)[-1]
    for suffix in (".gz",):
        name = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    return Document(
        sequence=1,
        type=None,
        filename=name or None,
        description=None,
        size=len(raw),
        format=text_mod.detect_format(text),
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def _standalone_format(documents: tuple[Document, ...]) -> str:
    fmt = documents[0].format if documents else "plain"
    return {"html": "html", "xml": "xml"}.get(fmt, "headerless")


def primary_text(doc: Document | None) -> str:
    """The primary document as plain text, the way a person reads its cover page (and any
    document as search indexes it)."""
    if doc is None or not doc.text:
        return ""
    if doc.format in MARKUP_FORMATS:
        key = (doc.format, doc.text)
        found = _TEXTS.get(key)
        if found is None:
            found = text_mod.html_to_text(doc.text) if doc.format == "html" else text_mod.xml_to_text(doc.text)
            remember_text(doc, found)
        return found
    return _inline_sgml_as("", doc.text)


#: The plain text of the last HTML/XML document read, by (format, markup). The parse stage
#: reads a filing's primary document as text (its cover page) and search reads it again: the
#: build's pass 2 gets pass 1's text back with the filing (:func:`remember_text`), so the
#: conversion (~25 ms for a large HTML document, ~5 % of a build's CPU) runs once. One entry:
#: each use follows its conversion at once, and a 10-K's markup and text are megabytes a worker
#: would keep for nothing.
_TEXTS: dict[tuple[str, str], str] = {}
_TEXTS_MAX = 1
#: The formats whose plain text is a conversion worth keeping (plain text only loses its tags).
MARKUP_FORMATS = ("html", "xml")


def remember_text(doc: Document, text: str) -> None:
    """Let :func:`primary_text` of ``doc`` answer ``text`` (its plain text, computed before)."""
    if doc.format not in MARKUP_FORMATS or not doc.text:
        return
    if len(_TEXTS) >= _TEXTS_MAX:
        del _TEXTS[next(iter(_TEXTS))]  # the oldest
    _TEXTS[(doc.format, doc.text)] = text


def text_fingerprint(doc: Document | None) -> str | None:
    """A digest of a document's words (inline SGML tags and spacing ignored), to spot one
    primary document filed in two forms: a full submission and its stripped primary text."""
    if doc is None or not doc.text:
        return None
    return hashlib.sha1(_words(_inline_sgml_as(" ", doc.text))).hexdigest()


#: The ASCII characters ``str.split()`` splits on, each made a space (the others stay).
_ASCII_BLANKS = bytes.maketrans(b"\t\n\v\f\r\x1c\x1d\x1e\x1f", b" " * 9)
_SPACES = re.compile(rb"  +")


def _words(text: str) -> bytes:
    """``" ".join(text.split())`` as UTF-8. ASCII text (nearly all of EDGAR's) goes through bytes:
    its blanks made spaces, then each run of two or more made one, which touches only the runs
    (~0.2 ms a filing); splitting made an object of every word (~0.35 ms)."""
    if not text.isascii():
        return " ".join(text.split()).encode("utf-8", "replace")
    return _SPACES.sub(b" ", text.encode("ascii").translate(_ASCII_BLANKS)).strip(b" ")


def _inline_sgml_as(repl: str, text: str) -> str:
    """``text`` with its inline SGML tags replaced by ``repl``."""
    parts, pos = [], 0
    for m in _INLINE_SGML.finditer(text):  # positions only: the same offsets as ``text``
        parts.append(text[pos : m.start()])
        pos = m.end()
    parts.append(text[pos:])
    return repl.join(parts)


def assemble(sub: Submission, source: SourceInfo) -> Filing:
    """Merge header facts and text facts into the Filing, recording provenance."""
    header = sub.header or Header(format="none")
    primary = sub.documents[0] if sub.documents else None
    text = primary_text(primary)
    cover = cover_mod.read_cover_page(text) if text else CoverPage()
    if primary is not None and primary.format in ("html", "xml") and primary.text:
        cover = cover_xbrl.merge(cover_xbrl.read_tagged_cover(primary.text), cover)
    prov: dict[str, str] = {}
    diffs: list[Discrepancy] = []

    form = _pick("form", header.form, cover.form, prov, diffs, _same_form)
    filed = _pick("filed", header.filed, None, prov, diffs)
    is_8k = bool(form and _EIGHT_K.match(form))
    period = _pick("period", header.period, cover.period, prov, diffs)
    report_header = header.period if is_8k else None
    date_of_report = _pick(
        "date_of_report", report_header, cover.date_of_report if is_8k else None, prov, diffs
    )
    items = _items(header, text, form, filed, prov, diffs)
    filers = _filers(header, cover, prov, diffs)
    if cover.trading_symbols:
        prov["trading_symbols"] = "cover page"
    refs = _link_exhibits(exhibits_mod.find_exhibit_references(text) if text else (), sub.documents)
    if refs:
        prov["exhibit_references"] = "cover page"
    signatures = signatures_mod.find_signatures(text) if text else ()
    if signatures:
        prov["signatures"] = "cover page"
    accession = header.accession_no
    messages = (*sub.diagnostics, *_active_content(sub.documents))
    diagnostics = tuple(Diagnostic(source.path, "parse", msg) for msg in messages)
    return Filing(
        id=accession or slug_id(source.path),
        accession_no=accession,
        form=form,
        filed=filed,
        period=period,
        date_of_report=date_of_report,
        items=items,
        filers=filers,
        documents=sub.documents,
        exhibit_references=refs,
        signatures=signatures,
        provenance=tuple(sorted(prov.items())),  # type: ignore[arg-type]
        source=source,
        diagnostics=diagnostics,
        cover_page=cover if cover != CoverPage() else None,
        discrepancies=tuple(diffs),
        declared_document_count=header.declared_document_count,
        acceptance_datetime=header.acceptance_datetime,
        group_members=header.group_members,
    )


_EDGAR_R_PAGE = re.compile(r"R\d{1,4}\.htm", re.I)


def _active_content(documents: tuple[Document, ...]) -> list[str]:
    """Name the runnable markup a document carried (the sanitiser removes it either way): EDGAR
    accepts none, so it means a forged or damaged filing and belongs in the build report."""
    found = []
    for i, d in enumerate(documents, 1):
        if d.filename and _EDGAR_R_PAGE.fullmatch(d.filename):
            continue  # EDGAR's own XBRL viewer pages (R1.htm, ...) ship its scripts; still sanitised
        label = f"document {d.sequence or i}" + (f" ({d.filename})" if d.filename else "")
        if d.format in ("html", "xml") and (kinds := active_mod.active_content(d.text)):
            found.append(f"{label}: active content removed: {', '.join(kinds)}")
        if d.format == "html" and (deep := active_mod.flatten_deep(d.text)[1]):
            found.append(f"{label}: elements nested over {active_mod.MAX_DEPTH} deep: {deep} tags dropped")
        elif d.data is not None and active_mod.active_file(d.data):
            found.append(
                f"{label}: decoded file {d.data_filename or ''!r} holds markup that could run: "
                "it is published under a passive name, never as a page"
            )
    return found


def _pick(field, header_value, cover_value, prov, diffs, same=None):
    """Header value if stated (noting a disagreeing cover value), else the cover value, else None."""
    if header_value is not None:
        prov[field] = "header"
        if cover_value is not None and not (same or _eq)(header_value, cover_value):
            diffs.append(Discrepancy(field, str(header_value), str(cover_value)))
        return header_value
    if cover_value is not None:
        prov[field] = "cover page"
    return cover_value


def _eq(a: object, b: object) -> bool:
    return a == b


def _same_form(header_form: str, cover_form: str) -> bool:
    """A cover saying "FORM 13F" agrees with a header saying 13F-HR; only a different base differs."""
    h, c = header_form.upper().replace(" ", ""), cover_form.upper().replace(" ", "")
    return h.startswith(c) or c.startswith(h)


def _items(header, text, form, filed, prov, diffs) -> tuple[Item, ...]:
    from_header = items_mod.items_from_header(header.item_titles, header.item_codes, filed)
    from_text = items_mod.find_items(text, form, filed) if text else ()
    if from_header:
        prov["items"] = "header"
        h_codes = {i.code for i in from_header if i.code}
        t_codes = {i.code for i in from_text if i.code}
        if t_codes and h_codes and h_codes != t_codes:
            diffs.append(Discrepancy("items", ", ".join(sorted(h_codes)), ", ".join(sorted(t_codes))))
        return from_header
    if from_text:
        prov["items"] = "cover page"
    return from_text


_FILER_FIELDS = ("name", "irs_number", "state_of_incorporation", "file_number")


def _filers(header: Header, cover: CoverPage, prov, diffs) -> tuple[Filer, ...]:
    if header.filers:
        for i in range(len(header.filers)):
            prov[f"filers[{i}]"] = "header"
        _compare_cover(header.filers, cover, diffs)
        return header.filers
    values = {
        "name": cover.company_name,
        "cik": cover.cik,
        "fiscal_year_end": cover.fiscal_year_end,
        "irs_number": cover.irs_number,
        "state_of_incorporation": cover.state_of_incorporation,
        "file_number": cover.file_number,
    }
    address = cover.address if cover.address and not cover.address.is_empty() else None
    if not any(values.values()) and address is None:
        return ()
    for key, value in values.items():
        if value is not None:
            prov[f"filers[0].{key}"] = "cover page"
    if address is not None:
        prov["filers[0].business_address"] = "cover page"
    return (
        Filer(
            role="filer",
            name=cover.company_name,
            cik=cover.cik,
            fiscal_year_end=cover.fiscal_year_end,
            irs_number=cover.irs_number,
            state_of_incorporation=cover.state_of_incorporation,
            file_number=cover.file_number,
            business_address=address,
        ),
    )


def _compare_cover(filers: tuple[Filer, ...], cover: CoverPage, diffs: list[Discrepancy]) -> None:
    """Record cover-page values the header states otherwise. The cover may name any of the
    header's parties (a Form 4 cover names the issuer, its header lists the owner first), so a
    name disagrees only when it matches none of them; the numbers are the first filer's."""
    first = filers[0]
    if (
        cover.company_name
        and first.name
        and not any(f.name and _same_name(f.name, cover.company_name) for f in filers)
    ):
        diffs.append(Discrepancy("filers[0].name", first.name, cover.company_name))
    if cover.cik and first.cik and not any(f.cik == cover.cik for f in filers):
        diffs.append(Discrepancy("filers[0].cik", first.cik, cover.cik))
    pairs = (
        ("filers[0].irs_number", first.irs_number, cover.irs_number, _eq),
        ("filers[0].state_of_incorporation", first.state_of_incorporation, cover.state_of_incorporation, _eq),
        ("filers[0].file_number", first.file_number, cover.file_number, _same_file_number),
    )
    for field, h, c, same in pairs:
        if h is not None and c is not None and not same(h, c):
            diffs.append(Discrepancy(field, h, c))


_STATE_TAG = re.compile(r"\s*/[A-Z]{2,3}/?\s*$|\s*/\s*$")  # EDGAR conformed names: "ACME INC /DE/"


def _norm_name(name: str) -> str:
    name = _STATE_TAG.sub("", name.upper())
    words = re.sub(r"[^A-Z0-9 ]", " ", name.replace("&", " AND ")).split()
    legal = {"INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "COMPANY", "LTD", "LIMITED", "THE", "LLC"}
    return " ".join(w for w in words if w not in legal and len(w) > 1 or w.isdigit())


def _same_name(a: str, b: str) -> bool:
    return _norm_name(a) == _norm_name(b)


def _same_file_number(a: str, b: str) -> bool:
    def norm(s: str) -> list[str]:
        return [p.lstrip("0") or "0" for p in re.split(r"[-\s]+", s.strip())]

    return norm(a) == norm(b)


def _link_exhibits(refs, documents: tuple[Document, ...]) -> tuple[ExhibitReference, ...]:
    """Point each referenced exhibit at the document that carries it, when the archive has it.

    An exact exhibit number wins; otherwise a document typed with the bare number ("EX-10")
    carries its sub-numbers ("10.A.5"), as filers often type them.
    """
    if not refs:
        return ()
    typed = [(d.sequence, d.type) for d in documents if d.sequence is not None and d.type]
    numbers = [(seq, t, exhibits_mod.exhibit_number_of_type(t)) for seq, t in typed]
    linked = []
    for ref in refs:
        exact = [seq for seq, _t, number in numbers if number == ref.number]
        loose = (
            []
            if exact
            else [seq for seq, t, n in numbers if n and exhibits_mod.matches_document_type(ref.number, t)]
        )
        found = exact or loose
        linked.append(replace(ref, document_sequence=found[0] if found else None))
    return tuple(linked)


_SLUG = re.compile(r"[^a-z0-9]+")


def folder_accession(path: str) -> str | None:
    """The dashed accession number the folder holding ``path`` is named by, if it is."""
    m = ACCESSION_NAME.match(path.rpartition("/")[0].rpartition("/")[2])
    return f"{m[1]}-{m[2]}-{m[3]}" if m else None


def slug_id(path: str) -> str:
    """An id for a filing with no accession number in its header.

    In a folder named like an accession number (EDGAR's Archives and sec-edgar-downloader name
    each filing's folder so), the id is that number, dashed: the URL a full submission of the
    same filing would have, and a stable one. Every downloader folder holds a
    ``primary-document.html``; named by the file, all but the first would get a hashed suffix,
    and a folder added later that sorted first would take the plain id from another filing. The
    number stays out of the facts (``accession_no`` is the header's alone). Elsewhere: the file
    name, lower case, dashes."""
    named = folder_accession(path)
    if named:
        return named
    name = path.rpartition("/")[2].lower()
    for suffix in (".gz", ".txt", ".nc", ".html", ".htm", ".xml"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return _SLUG.sub("-", name).strip("-")[:80] or "filing"
