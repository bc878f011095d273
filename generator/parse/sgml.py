"""Parse stage, SGML: submission bytes -> header facts and documents.

Reads every EDGAR wrapper: the 1990s PEM envelope, ``<SEC-HEADER>`` (``KEY:<tab>value`` lines),
the 1993-95 ``<IMS-HEADER>``, and tag-style ``<SUBMISSION>`` dissemination files (``.nc``), including
headers collapsed onto one line. Works on bytes so that document sizes are exact byte counts.
Pure: no I/O.

Both header styles are first flattened into one stream of ``(is_close, KEY, value)`` events (a key
line and an opening tag are alike; ``KEY`` is upper case with spaces) so that one builder turns
either into a :class:`Header`. Documents are located with ``bytes.find`` alone, so the cost is
linear in the input whatever its line structure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from generator.model import Address, Document, Filer, FormerName
from generator.parse.text import decode, detect_format
from generator.parse.uu import decode_uu, safe_filename


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


# --- value normalisers: header text -> the model's conventions ----------------------------------
_DATE = re.compile(r"(\d{4})-?(\d\d)-?(\d\d)")
_DATETIME = re.compile(r"(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)")
_ACCESSION = re.compile(r"(\d{10})-?(\d\d)-?(\d{6})")
_SIC = re.compile(r"(.*?)\s*\[\s*(\d{1,4})\s*\]?\s*")


def _iso(value: str, with_time: bool = False) -> str | None:
    """ISO form of a YYYYMMDD date (or YYYYMMDDhhmmss moment); None when it is no real date."""
    m = (_DATETIME if with_time else _DATE).fullmatch(value)
    if m is None:
        return None
    try:
        moment = dt.datetime(*(int(g) for g in m.groups()))  # type: ignore[arg-type]
    except ValueError:
        return None
    return moment.isoformat() if with_time else moment.date().isoformat()


def _accession(value: str) -> str | None:
    """Only a well-formed accession number: it becomes a filing's id, hence a URL path."""
    m = _ACCESSION.fullmatch(value)
    return "-".join(m.groups()) if m else None


def _cik(value: str) -> str | None:
    return value.zfill(10) if value.isdigit() and value.isascii() and len(value) <= 10 else None


def _irs(value: str) -> str | None:
    digits = value.replace("-", "").replace(" ", "")
    return digits if len(digits) == 9 and digits.isdigit() and digits.isascii() else None


def _sic(value: str) -> tuple[str | None, str | None]:
    """ "TELEPHONE & TELEGRAPH APPARATUS [3661]" -> ("3661", "TELEPHONE & ..."); a bare code too."""
    if value.isdigit():
        return value, None
    m = _SIC.fullmatch(value)
    return (m.group(2), m.group(1) or None) if m else (None, None)


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and value.isascii() and len(value) < 10 else None


# --- header tokenising: either style -> events ----------------------------------------------------
Event = tuple[bool, str, str]  # (is_close, KEY, value)
_TAG = re.compile(r"<(/?)([A-Z][A-Z0-9_-]+)>")
_KEY_LINE = re.compile(r"[^A-Za-z0-9<]*([A-Z0-9][A-Z0-9 &/().'_-]{0,60}?)[ \t]{0,20}:[ \t]*(.*)")
_LINE_END = re.compile(r"[\r\n]")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _key(name: str) -> str:
    return " ".join(name.replace("-", " ").replace("_", " ").split()).upper()


def _tag_events(text: str) -> list[Event]:
    """Tags with their values: a value runs to the next tag or the end of its line, which reads both
    one-tag-per-line files and headers collapsed onto a single line."""
    events: list[Event] = []
    matches = list(_TAG.finditer(text))
    for i, m in enumerate(matches):
        raw = text[m.end() : matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        cut = _LINE_END.search(raw)
        events.append((m.group(1) == "/", _key(m.group(2)), (raw[: cut.start()] if cut else raw).strip()))
    return events


def _line_events(text: str) -> list[Event]:
    """``KEY:<tabs>value`` lines; tag lines mixed in (``<ACCEPTANCE-DATETIME>``, ``</FILER>``) are
    read as tags. Junk before a key (``]\\t\\tIRS NUMBER:`` after a broken SIC line) is skipped."""
    events: list[Event] = []
    for line in _NEWLINES.split(text):
        stripped = line.strip()
        if stripped.startswith("<"):
            events.extend(_tag_events(stripped))
        elif m := _KEY_LINE.match(line):
            events.append((False, _key(m.group(1)), m.group(2).strip()))
    return events


# --- header building: events -> Header -----------------------------------------------------------
_ROLES = {"FILER", "SUBJECT COMPANY", "FILED BY", "REPORTING OWNER", "ISSUER", "SERIAL COMPANY",
          "DEPOSITOR", "SECURITIZER", "ISSUING ENTITY"}  # fmt: skip
_SECTIONS = {"COMPANY DATA", "OWNER DATA", "FILING VALUES", "BUSINESS ADDRESS", "MAIL ADDRESS",
             "FORMER COMPANY", "FORMER NAME"}  # fmt: skip
_TOP = {"ACCESSION NUMBER": "accession", "CONFORMED SUBMISSION TYPE": "form", "TYPE": "form",
        "PUBLIC DOCUMENT COUNT": "count", "CONFORMED PERIOD OF REPORT": "period", "PERIOD": "period",
        "FILED AS OF DATE": "filed", "FILING DATE": "filed", "ACCEPTANCE DATETIME": "acceptance",
        "ITEM INFORMATION": "items", "ITEMS": "codes", "GROUP MEMBERS": "members"}  # fmt: skip
_LISTS = {"items", "codes", "members"}
_MAX_PARTIES = 2000  # real headers name at most a few hundred; bounds the work on garbage
_PARTY = {"COMPANY CONFORMED NAME": "name", "CONFORMED NAME": "name", "CENTRAL INDEX KEY": "cik",
          "CIK": "cik", "STANDARD INDUSTRIAL CLASSIFICATION": "sic", "ASSIGNED SIC": "sic",
          "IRS NUMBER": "irs", "EIN": "irs", "STATE OF INCORPORATION": "inc",
          "FISCAL YEAR END": "fye", "FORM TYPE": "form", "SEC FILE NUMBER": "file",
          "FILE NUMBER": "file", "FILM NUMBER": "film"}  # fmt: skip
_ADDRESS = {"STREET 1": "street1", "STREET1": "street1", "STREET 2": "street2",
            "STREET2": "street2", "CITY": "city", "STATE": "state", "ZIP": "zip",
            "BUSINESS PHONE": "phone", "PHONE": "phone"}  # fmt: skip
_FORMER = {"FORMER CONFORMED NAME": "name", "DATE OF NAME CHANGE": "date", "DATE CHANGED": "date"}


class _Party:
    """One header section (FILER, SUBJECT COMPANY, ...) while it is being read."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.fields: dict[str, str] = {}
        self.addresses: dict[str, dict[str, str]] = {}
        self.former: list[list[str | None]] = []
        self.section: str | None = None

    def add(self, key: str, value: str) -> None:
        if key in _FORMER and self.section in ("FORMER COMPANY", "FORMER NAME"):
            if _FORMER[key] == "name":
                self.former.append([value, None])
            elif self.former and self.former[-1][1] is None:
                self.former[-1][1] = value
        elif key in _ADDRESS and self.section in ("BUSINESS ADDRESS", "MAIL ADDRESS"):
            if value:
                self.addresses.setdefault(self.section, {}).setdefault(_ADDRESS[key], value)
        elif key in _PARTY and value:
            self.fields.setdefault(_PARTY[key], value)

    def filer(self) -> Filer:
        f = self.fields
        sic, sic_description = _sic(f.get("sic", ""))
        fye = f.get("fye")
        return Filer(
            role=self.key.lower(), name=f.get("name"), cik=_cik(f.get("cik", "")),
            irs_number=_irs(f.get("irs", "")), state_of_incorporation=f.get("inc"),
            sic=sic, sic_description=sic_description,
            fiscal_year_end=fye if fye and len(fye) == 4 and fye.isdigit() else None,
            file_number=f.get("file"), film_number=f.get("film"), form_type=f.get("form"),
            business_address=self._address("BUSINESS ADDRESS"), mail_address=self._address("MAIL ADDRESS"),
            former_names=tuple(FormerName(n, _iso(d or "")) for n, d in self.former if n),
        )  # fmt: skip

    def _address(self, section: str) -> Address | None:
        fields = self.addresses.get(section)
        return Address(**fields) if fields else None


def _opens_party(events: list[Event], i: int) -> bool:
    """A role section: a known role name, or any empty key/tag followed by COMPANY or OWNER DATA."""
    is_close, key, value = events[i]
    if is_close or value or key in _SECTIONS:
        return False
    following = events[i + 1] if i + 1 < len(events) else (True, "", "")
    return key in _ROLES or (not following[0] and following[1] in ("COMPANY DATA", "OWNER DATA"))


def _build_header(events: list[Event], fmt: str, pem: bool, diags: list[str]) -> Header:
    top: dict[str, str] = {}
    lists: dict[str, list[str]] = {name: [] for name in _LISTS}
    parties: list[_Party] = []
    party: _Party | None = None
    skipped = 0
    for i, (is_close, key, value) in enumerate(events):
        if is_close:
            if party and key == party.key:
                party = None
            elif party and key == party.section:
                party.section = None
        elif _opens_party(events, i):
            party = _Party(key) if len(parties) < _MAX_PARTIES else None
            parties += [party] if party else []
            skipped += party is None
        elif key in _TOP:
            name = _TOP[key]
            if name in _LISTS:
                lists[name] += [value] if value else []
            elif value:
                top.setdefault(name, value)
        elif party and key in _SECTIONS:
            party.section = key
        elif party:
            party.add(key, value)
    if skipped:
        diags.append(f"header names over {_MAX_PARTIES} companies: {skipped} were not read")
    return Header(
        format=fmt, accession_no=_accession(top.get("accession", "")), form=top.get("form"),
        filed=_iso(top.get("filed", "")), period=_iso(top.get("period", "")),
        acceptance_datetime=_iso(top.get("acceptance", ""), with_time=True),
        declared_document_count=_int(top.get("count", "")), item_titles=tuple(lists["items"]),
        item_codes=tuple(lists["codes"]), group_members=tuple(lists["members"]),
        filers=tuple(p.filer() for p in parties), pem_wrapped=pem,
    )  # fmt: skip


# --- locating the header ---------------------------------------------------------------------------
_PEM = re.compile(rb"\s*-----BEGIN PRIVACY-ENHANCED MESSAGE-----")
_MARKERS = re.compile(rb"<(?:SEC-DOCUMENT|SEC-HEADER|IMS-DOCUMENT|IMS-HEADER|SUBMISSION|DOCUMENT)>")
_SNIFF_BYTES = 65536
_EOL = re.compile(rb"\r\n?|\n")
_MAX_HEADER = 8 * 1024 * 1024  # far above any real header; bounds the per-line work on garbage


def looks_like_submission(data: bytes) -> bool:
    """True when the bytes carry an EDGAR SGML wrapper (header or <DOCUMENT> blocks)."""
    return _MARKERS.search(data, 0, _SNIFF_BYTES) is not None


def _read_header(data: bytes, limit: int, diags: list[str]) -> Header | None:
    """The header before the first <DOCUMENT> (``limit``), in whichever style the file uses."""
    pem = _PEM.match(data, 0, 4096) is not None
    for tag, fmt in ((b"SEC-HEADER", "sec-header"), (b"IMS-HEADER", "ims-header")):
        at = data.find(b"<" + tag + b">", 0, limit)
        if at < 0:
            continue
        start = _line_after(data, at, limit)
        end = data.find(b"</" + tag + b">", start, limit)
        if end < 0:
            diags.append(f"<{tag.decode()}> is not closed before the first document")
            end = limit
        return _build_header(_line_events(_header_text(data, start, end, diags)), fmt, pem, diags)
    at = data.find(b"<SUBMISSION>", 0, limit)
    if at < 0:
        diags.append("no recognised header")
        return None
    events = _tag_events(_header_text(data, at + len(b"<SUBMISSION>"), limit, diags))
    return _build_header(events, "submission", pem, diags)


def _line_after(data: bytes, at: int, limit: int) -> int:
    """Skip the rest of the ``<SEC-HEADER>0000...hdr.sgml : 20000921`` line."""
    m = _EOL.search(data, at, limit)
    return m.end() if m else limit


def _header_text(data: bytes, start: int, end: int, diags: list[str]) -> str:
    if end - start > _MAX_HEADER:
        diags.append(f"header longer than {_MAX_HEADER} bytes: only its start was read")
        end = start + _MAX_HEADER
    return decode(data[start:end])


# --- documents -------------------------------------------------------------------------------------
_DOC_OPEN = b"<DOCUMENT>"
_REAL_DOC = re.compile(rb"<DOCUMENT>\s*<TYPE>")
_PDF_OPEN = re.compile(rb"\s*<PDF>", re.I)
_META_FIELDS = {"TYPE": "type", "SEQUENCE": "sequence", "FILENAME": "filename", "DESCRIPTION": "description"}
_CLOSE_WINDOW = 512
_MAX_META = 65536  # <TYPE>...<DESCRIPTION> lines; a block without <TEXT> is not all read
_MAX_DOCUMENTS = 20_000  # EDGAR caps submissions far below this; guards against garbage


def _next_real_doc(data: bytes, start: int, end: int) -> int:
    """The next ``<DOCUMENT>`` that opens a block (followed by ``<TYPE>``) before ``end``, else -1.
    A bare ``<DOCUMENT>`` inside a body is text that quotes EDGAR, not a new block."""
    at = data.find(_DOC_OPEN, start, end)
    while at >= 0 and not _REAL_DOC.match(data, at):
        at = data.find(_DOC_OPEN, at + len(_DOC_OPEN), end)
    return at


def _body_span(data: bytes, start: int, index: int, diags: list[str]) -> tuple[int, int, int, int]:
    """(meta_end, body_start, body_end, resume) for the block whose ``<DOCUMENT>`` ends at start.

    The body starts after the one newline (\\n or \\r\\n) that follows ``<TEXT>`` and ends at
    ``</TEXT>``; a truncated block ends at the next real ``<DOCUMENT>`` or at the end of the data.
    Every search stops at that next block, so no byte is scanned more than a few times.
    """
    nxt = _next_real_doc(data, start, len(data))
    limit = nxt if nxt >= 0 else len(data)
    text = data.find(b"<TEXT>", start, limit)
    if text < 0:
        diags.append(f"document {index} has no <TEXT>")
        return limit, limit, limit, limit
    body = text + 6
    body += 2 if data.startswith(b"\r\n", body) else 1 if data.startswith(b"\n", body) else 0
    close = data.find(b"</TEXT>", body, limit)
    if close < 0:  # truncated: the body runs to </DOCUMENT> if that survived, else to the limit
        end = data.rfind(b"</DOCUMENT>", body, limit)
        diags += [f"document {index} has no </DOCUMENT>"] if end < 0 else []
        diags.append(f"document {index} has no </TEXT>")
        return text, body, limit if end < 0 else end, limit
    resume = data.find(b"</DOCUMENT>", close, min(limit, close + _CLOSE_WINDOW))
    if resume < 0:
        diags.append(f"document {index} has no </DOCUMENT>")
    return text, body, close, max(resume, close)


def _meta(data: bytes, start: int, end: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    for is_close, key, value in _tag_events(decode(data[start:end])):
        if not is_close and key in _META_FIELDS and value:
            fields.setdefault(_META_FIELDS[key], value)
    return fields


def _filename(raw: str | None, what: str, diags: list[str]) -> str | None:
    safe = safe_filename(raw)
    if raw is not None and safe != raw:
        diags.append(f"{what}: unsafe file name {raw!r} replaced by {safe!r}")
    return safe


def _content(body: bytes, index: int, diags: list[str]) -> tuple[str, str, bytes | None, str | None]:
    """(format, text, data, data_filename): uuencoded (any file, PDFs included), bare <PDF>, text."""
    uu = decode_uu(body)
    if uu is not None:
        diags.extend(f"document {index}: {p}" for p in uu.problems)
        return "uuencoded", "", uu.data, _filename(uu.name, f"document {index} begin line", diags)
    if m := _PDF_OPEN.match(body):
        start = m.end() + (2 if body.startswith(b"\r\n", m.end()) else body.startswith(b"\n", m.end()))
        close = body.rfind(b"</PDF>", start)
        return "pdf", "", body[start : close if close >= 0 else len(body)], None
    text = decode(body)
    return detect_format(text), text, None, None


def _read_document(data: bytes, start: int, index: int, diags: list[str]) -> tuple[Document, int]:
    meta_end, body_start, body_end, resume = _body_span(data, start, index, diags)
    meta = _meta(data, start, min(meta_end, start + _MAX_META))
    body = data[body_start:body_end]
    fmt, text, payload, payload_name = _content(body, index, diags)
    doc = Document(
        sequence=_int(meta.get("sequence", "")), type=meta.get("type"),
        filename=_filename(meta.get("filename"), f"document {index} <FILENAME>", diags),
        description=meta.get("description"), size=len(body), format=fmt, text=text, data=payload,
        data_filename=payload_name, sha256=hashlib.sha256(body).hexdigest(),
    )  # fmt: skip
    return doc, resume


def _read_documents(data: bytes, first: int, diags: list[str]) -> list[Document]:
    docs: list[Document] = []
    at = first
    while at >= 0:
        if len(docs) == _MAX_DOCUMENTS:
            diags.append(f"more than {_MAX_DOCUMENTS} <DOCUMENT> blocks: the rest were not read")
            break
        doc, resume = _read_document(data, at + len(_DOC_OPEN), len(docs) + 1, diags)
        docs.append(doc)
        at = data.find(_DOC_OPEN, resume)
    return docs


def read_documents(data: bytes) -> tuple[Document, ...]:
    """The documents :func:`read_submission` reads from ``data``, without its header or
    diagnostics: a build's pass 2 has the filing's facts from pass 1 and reads only its documents
    from the file again (``tasks._unspill``)."""
    first = data.find(_DOC_OPEN)
    return tuple(_read_documents(data, first, [])) if first >= 0 else ()


def read_submission(data: bytes) -> Submission:
    """Split a full submission into its header and documents. Never raises on bad input: problems
    become diagnostics (a truncated document, a declared count that does not match, ...)."""
    diags: list[str] = []
    first = data.find(_DOC_OPEN)
    header = _read_header(data, first if first >= 0 else len(data), diags)
    docs = _read_documents(data, first, diags) if first >= 0 else []
    declared = header.declared_document_count if header else None
    if declared is not None and declared != len(docs):
        diags.insert(0, f"PUBLIC DOCUMENT COUNT {declared} but {len(docs)} <DOCUMENT> blocks")
    return Submission(header, tuple(docs), tuple(diags))
