"""Parse stage, folders: the files of one accession folder -> one Filing.

EDGAR's Archives and sec-edgar-downloader keep one filing per folder: usually a full submission
(``<ACCESSION>.txt`` or ``full-submission.txt``) beside copies of its documents, sometimes only a
``.hdr.sgml`` header beside the original documents. A full submission holds everything, so the
other files are recorded as duplicates of it; with only a header, the header's facts are joined
with the documents found beside it. Pure: bytes in, Filing out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from generator.model import Document, Filing, SourceInfo
from generator.parse import text as text_mod
from generator.parse.filing import ParseError, assemble, parse_filing
from generator.parse.sgml import Submission, read_submission


@dataclass(frozen=True, slots=True)
class FolderFile:
    path: str  # relative to the source root
    data: bytes
    kind: str  # discover's sniffed kind: submission | html | xml | text | binary


@dataclass(frozen=True, slots=True)
class FolderResult:
    filing: Filing
    read_from: tuple[str, ...]  # paths whose content the filing was built from
    contained: tuple[str, ...]  # paths whose content the submission already holds (duplicates)


_DOCUMENT_TAG = re.compile(rb"<DOCUMENT>", re.I)
_EXHIBIT_NAME = re.compile(r"(?:^|[^a-z])(?:ex|exh|exhibit)[-_]?\d", re.I)
#: What EDGAR's Archives folder of a modern filing holds beside its documents: the XBRL files
#: (schema, linkbases, instance, named ``prefix-yyyymmdd`` by EFM 6.3.3; the instance EDGAR
#: extracts from inline XBRL, ``..._htm.xml``) and what EDGAR generates to render them (R pages,
#: FilingSummary.xml, MetaLinks.json, the spreadsheet, the zip, the viewer's script and style).
_XBRL_NAME = re.compile(
    r"^(?:R\d{1,4}\.(?:htm|xml)|FilingSummary\.xml|MetaLinks\.json|Financial_Report\.xlsx?|Show\.js"
    r"|report\.css|.*-xbrl\.zip|.*\.xsd|.*_(?:lab|pre|cal|def|htm)\.xml|[a-z0-9]{1,20}-(?:19|20)\d{6}\.xml)$",
    re.IGNORECASE,
)
_SUBMISSION_NAMES = re.compile(r"^(?:full-submission\.txt|\d{10}-\d{2}-\d{6}\.(?:txt|nc)(?:\.gz)?)$", re.I)


def parse_folder(files: list[FolderFile]) -> FolderResult:
    """One filing from the files of one accession folder (sorted by path by the caller)."""
    submissions = [f for f in files if f.kind == "submission" and not _is_header_only(f)]
    if submissions:
        main = min(submissions, key=lambda f: (not _SUBMISSION_NAMES.match(_name(f.path)), f.path))
        filing = parse_filing(main.data, main.path)
        others = tuple(f.path for f in files if f is not main)
        return FolderResult(filing, (main.path,), others)
    headers = [f for f in files if f.kind == "submission"]
    docs = [f for f in files if f.kind != "submission"]
    if not docs:
        raise ParseError("folder holds a header but none of the filing's documents")
    if all(xbrl_file_name(_name(f.path)) for f in docs):
        raise ParseError("folder holds only EDGAR's XBRL and rendering files, none of the filing's documents")
    sub_header = read_submission(headers[0].data).header if headers else None
    documents = tuple(_document(i + 1, f) for i, f in enumerate(_order(docs)))
    path = (headers[0] if headers else _order(docs)[0]).path
    digest = hashlib.sha256(b"".join(f.data for f in files)).hexdigest()
    fmt = sub_header.format if sub_header else "html"
    filing = assemble(Submission(sub_header, documents), SourceInfo(path=path, sha256=digest, format=fmt))
    return FolderResult(filing, tuple(f.path for f in files), ())


def _is_header_only(f: FolderFile) -> bool:
    return f.path.lower().endswith((".hdr.sgml", ".hdr.sgml.gz")) or not _DOCUMENT_TAG.search(f.data)


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def xbrl_file_name(name: str) -> bool:
    """Whether a file name is one of EDGAR's XBRL or XBRL-rendering files (:data:`_XBRL_NAME`):
    machine data beside a filing's documents, never its primary document, never searched."""
    return bool(_XBRL_NAME.match(name))


def _order(docs: list[FolderFile]) -> list[FolderFile]:
    """Primary document first. EDGAR's XBRL and rendering files last (a modern Archives folder
    holds dozens: R1.htm and FilingSummary.xml sort before ``aapl-20230930.htm``); before them
    text before binaries; the document whose cover is tagged ``dei:DocumentType`` (the primary
    document of an inline XBRL filing, by EDGAR's rules) first; then names that are not exhibits;
    then by name."""

    def rank(f: FolderFile) -> tuple:
        name = _name(f.path)
        tagged = f.kind == "html" and b"dei:DocumentType" in f.data
        return (xbrl_file_name(name), f.kind == "binary", not tagged, bool(_EXHIBIT_NAME.search(name)), f.path)

    return sorted(docs, key=rank)


def _document(sequence: int, f: FolderFile) -> Document:
    name = _name(f.path)
    sha = hashlib.sha256(f.data).hexdigest()
    if f.kind == "binary":
        return Document(
            sequence, None, name, None, len(f.data), "binary", data=f.data, data_filename=name, sha256=sha
        )
    text = text_mod.decode(f.data)
    return Document(
        sequence, None, name, None, len(f.data), text_mod.detect_format(text), text=text, sha256=sha
    )
