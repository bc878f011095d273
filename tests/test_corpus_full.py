"""read_submission against the shared corpus: every full submission, every header fact and every
document, compared exactly with the mechanically read truth files (truth/<ACCESSION>.json).

Truth values are normalised the way the model states facts (ISO dates, empty -> None, roles in
lower case with spaces). Where a truth value is itself wrong, the correction is listed in
CORRECTIONS with the reason, so the exception is visible rather than hidden in the parser.
"""

from __future__ import annotations

import binascii
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from generator.model import Address, Filer
from generator.parse.sgml import Submission, read_submission
from generator.parse.text import decode

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
if not (CORPUS / "full").is_dir():
    pytest.skip(f"shared corpus not present: {CORPUS} (tests over it skipped)", allow_module_level=True)

ACCESSIONS = sorted(p.stem for p in (CORPUS / "full").glob("*.txt"))
HEADERLESS = "0000899681-95-000096"

_APPLE_2000_FILER = {  # 0000912057-00-033901: what its (well-formed) SEC-HEADER lines say
    "irs_number": "942404110", "state_of_incorporation": "CA", "fiscal_year_end": "0930",
    "file_number": "000-10030", "film_number": "682642", "form_type": "10-Q",
    "sic": "3571", "sic_description": None,
    "business_address": {"street1": "1 INFINITE LOOP", "street2": None, "city": "CUPERTINO",
                         "state": "CA", "zip": "95014", "phone": "4089961010"},
    "mail_address": {"street1": "ONE INFINITE LOOP", "street2": None, "city": "CUPERTINO",
                     "state": "CA", "zip": "95014", "phone": None},
}  # fmt: skip
_UU = "uuencoded"

#: accession -> {"filers.<index>.<field>" | "documents.<sequence>.<field>": corrected value}.
CORRECTIONS: dict[str, dict[str, Any]] = {
    # Header line "STANDARD INDUSTRIAL CLASSIFICATION:\t [3571" is broken over two lines; the truth
    # reader lost every later field of the section (it filed them under other_header_fields).
    "0000912057-00-033901": {f"filers.0.{k}": v for k, v in _APPLE_2000_FILER.items()},
    # "STANDARD INDUSTRIAL CLASSIFICATION:\t3571" is a bare code; truth calls "3571" the description.
    "0000320193-98-000003": {"filers.0.sic": "3571", "filers.0.sic_description": None},
    "0000320193-98-000006": {"filers.0.sic": "3571", "filers.0.sic_description": None},
    "0000899243-96-000861": {"filers.0.sic": "7373", "filers.0.sic_description": None},
    # "EIN:\t260014658" is the IRS employer identification number under its other name.
    "0001213900-25-032135": {
        "filers.0.irs_number": "260014658",
        **{f"documents.{i}.format": "xml" for i in (4, 5, 6)},
    },
    "0000943374-24-000509": {f"documents.{i}.format": "xml" for i in (2, 3, 4)},
    # Files with bare-CR line ends: truth did not see the uuencoded "begin 644" blocks, nor the
    # XBRL schema/linkbases as XML.
    "0001493152-25-001317": {
        **{f"documents.{i}.format": "xml" for i in (3, 4, 5)},
        "documents.8.format": _UU,
        "documents.8.data_filename": "Financial_Report.xlsx",
        "documents.15.format": _UU,
        "documents.15.data_filename": "0001493152-25-001317-xbrl.zip",
    },  # fmt: skip
    "0000929638-25-000114": {"documents.3.format": _UU, "documents.3.data_filename": "ey_logo.jpg"},
}
#: Header sections the truth reader does not know as parties; we list them after its filers.
EXTRA_ROLES = {"0000929638-25-000114": ("depositor", "securitizer", "issuing entity")}

MAGIC = {b"\xff\xd8": "jpg", b"GIF8": "gif", b"%PDF": "pdf", b"PK\x03\x04": "zip/xlsx"}
UU_EXTENSIONS = {
    "jpg": "jpg",
    "jpeg": "jpg",
    "gif": "gif",
    "pdf": "pdf",
    "zip": "zip/xlsx",
    "xlsx": "zip/xlsx",
}


@cache
def truth(acc: str) -> dict[str, Any]:
    return json.loads((CORPUS / "truth" / f"{acc}.json").read_text(encoding="utf-8"))


@cache
def parsed(acc: str) -> Submission:
    return read_submission((CORPUS / "full" / f"{acc}.txt").read_bytes())


def value(x: Any) -> Any:
    """A truth value: unwrap {value, in_text, matched}; empty strings mean "not stated"."""
    if isinstance(x, dict) and "value" in x:
        x = x["value"]
    return None if x == "" else x


def iso_datetime(raw: str | None) -> str | None:
    return f"{raw[:4]}-{raw[4:6]}-{raw[6:8]}T{raw[8:10]}:{raw[10:12]}:{raw[12:14]}" if raw else None


def truth_address(a: dict[str, Any] | None) -> dict[str, Any] | None:
    if not a:
        return None
    fields = {k: value(a.get(k)) for k in ("street1", "street2", "city", "state", "zip", "phone")}
    return fields if any(fields.values()) else None


def truth_filer(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": f["role"].lower().replace("-", " "), "name": value(f["company_conformed_name"]),
        "cik": value(f["cik"]), "irs_number": value(f["irs_number"]),
        "state_of_incorporation": value(f["state_of_incorporation"]), "sic": value(f["sic"]),
        "sic_description": value(f["sic"].get("description")), "fiscal_year_end": value(f["fiscal_year_end"]),
        "file_number": value(f["sec_file_number"]), "film_number": value(f.get("film_number")),
        "form_type": value(f.get("form_type")), "business_address": truth_address(f["business_address"]),
        "mail_address": truth_address(f["mail_address"]),
        "former_names": [(c["name"], c["date_changed"]) for c in f["former_companies"]],
    }  # fmt: skip


def our_address(a: Address | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {k: getattr(a, k) for k in ("street1", "street2", "city", "state", "zip", "phone")}


def our_filer(f: Filer) -> dict[str, Any]:
    return {
        "role": f.role, "name": f.name, "cik": f.cik, "irs_number": f.irs_number,
        "state_of_incorporation": f.state_of_incorporation, "sic": f.sic,
        "sic_description": f.sic_description, "fiscal_year_end": f.fiscal_year_end,
        "file_number": f.file_number, "film_number": f.film_number, "form_type": f.form_type,
        "business_address": our_address(f.business_address), "mail_address": our_address(f.mail_address),
        "former_names": [(n.name, n.date_changed) for n in f.former_names],
    }  # fmt: skip


def truth_document(d: dict[str, Any]) -> dict[str, Any]:
    fmt = "uuencoded" if d["text_format"] == "pdf-uuencoded" else d["text_format"]
    return {
        "sequence": d["sequence"], "type": value(d["type"]), "filename": value(d["filename"]),
        "description": value(d["description"]), "size": d["text_bytes"], "sha256": d["text_sha256"],
        "format": fmt, "data_filename": d["uu_filename"] if d["uuencoded"] else None,
    }  # fmt: skip


def corrected(acc: str, section: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for path, new in CORRECTIONS.get(acc, {}).items():
        head, key, field = path.split(".")
        if head == "filers" == section:
            rows[int(key)][field] = new
        elif head == "documents" == section:
            next(r for r in rows if r["sequence"] == int(key))[field] = new
    return rows


@pytest.mark.parametrize("acc", ACCESSIONS)
def test_header_facts(acc: str) -> None:
    t, header = truth(acc), parsed(acc).header
    if acc == HEADERLESS:
        assert header is None
        return
    assert header is not None
    declared = t["public_document_count"]["declared"]
    expected = {
        "accession_no": value(t["accession"]), "form": value(t["form_type"]),
        "filed": value(t["filed_date"]), "period": value(t["period_of_report"]),
        "acceptance_datetime": iso_datetime(t["acceptance_datetime"]),
        "item_titles": tuple(value(i) for i in t["item_information"]),
        "item_codes": tuple(value(i) for i in t["item_codes"]),
        "declared_document_count": int(declared) if declared else None,
        "group_members": tuple(t["group_members"]), "pem_wrapped": t["full_file"]["pem_wrapped"],
        "format": t["full_file"]["header_format"].lower(),
    }  # fmt: skip
    assert {k: getattr(header, k) for k in expected} == expected


@pytest.mark.parametrize("acc", ACCESSIONS)
def test_filers(acc: str) -> None:
    header = parsed(acc).header
    ours = [our_filer(f) for f in header.filers] if header else []
    expected = corrected(acc, "filers", [truth_filer(f) for f in truth(acc)["filers"]])
    extra = EXTRA_ROLES.get(acc, ())
    assert ours[: len(expected)] == expected
    assert tuple(f["role"] for f in ours[len(expected) :]) == extra


@pytest.mark.parametrize("acc", ACCESSIONS)
def test_documents(acc: str) -> None:
    expected = corrected(acc, "documents", [truth_document(d) for d in truth(acc)["documents"]])
    ours = [{k: getattr(d, k) for k in expected[0]} for d in parsed(acc).documents] if expected else []
    assert ours == expected


def uu_declared_length(body: bytes) -> int:
    """Sum of the length characters of the data lines between 'begin' and 'end'."""
    lines = body.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(b"begin "))
    total = 0
    for line in lines[start + 1 :]:
        if line.strip() == b"end":
            break
        if line.strip():
            total += (line[0] - 32) & 63
    return total


def document_bodies(acc: str) -> list[bytes]:
    """Each document's body, cut independently of the parser (the corpus has no truncated uu)."""
    data = (CORPUS / "full" / f"{acc}.txt").read_bytes()
    bodies, pos = [], 0
    while (at := data.find(b"<TEXT>", pos)) >= 0:
        end = data.find(b"</TEXT>", at)
        end = len(data) if end < 0 else end
        bodies.append(data[at + 6 : end])
        pos = end
    return bodies


def expects_uu(acc: str) -> bool:
    corrections = CORRECTIONS.get(acc, {}).values()
    return any(d["uuencoded"] for d in truth(acc)["documents"]) or _UU in corrections


UU_ACCESSIONS = [a for a in ACCESSIONS if expects_uu(a)]


@pytest.mark.parametrize("acc", ACCESSIONS)
def test_text_is_the_decoded_body(acc: str) -> None:
    for doc, body in zip(parsed(acc).documents, document_bodies(acc), strict=True):
        body = body[2:] if body.startswith(b"\r\n") else body[1:] if body.startswith(b"\n") else body
        if doc.format in ("plain", "html", "xml"):
            assert doc.data is None and doc.text == decode(body)
        else:
            assert doc.text == "" and doc.data


@pytest.mark.parametrize("acc", UU_ACCESSIONS)
def test_uuencoded_payloads(acc: str) -> None:
    bodies = document_bodies(acc)
    for doc, body in zip(parsed(acc).documents, bodies, strict=True):
        if doc.format != "uuencoded":
            continue
        assert doc.data is not None and doc.data_filename
        kind = next((k for magic, k in MAGIC.items() if doc.data.startswith(magic)), None)
        assert kind == UU_EXTENSIONS[doc.data_filename.rsplit(".", 1)[-1].lower()], doc.data_filename
        assert len(doc.data) == uu_declared_length(body)
        # The payload re-encodes to the same first line, up to how zero bits are spelled (space or
        # backtick) and trailing ones dropped (0001193125-24-100942 strips them: a2b_uu pads).
        first = binascii.b2a_uu(doc.data[:45], backtick=True).rstrip(b"\n").rstrip(b"`")
        assert body.lstrip().splitlines()[1].replace(b" ", b"`").rstrip(b"`") == first


@pytest.mark.parametrize("acc", ACCESSIONS)
def test_anomalies_are_diagnosed(acc: str) -> None:
    diagnostics = parsed(acc).diagnostics
    for anomaly in truth(acc)["anomalies"]:
        assert anomaly in diagnostics
    if not truth(acc)["anomalies"]:
        assert diagnostics == ()
