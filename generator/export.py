"""Render stage, machine-readable records: Filing -> filing.json, catalog.json, build-report.json.

These files are a contract with outside tools (documented in the README): field names never change
meaning, URLs are relative to the site root, and ``null`` means the filing does not say.
Output is deterministic: sorted keys, compact separators, no timestamps or absolute paths.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from generator import site as urls
from generator.model import Address, BuildReport, Filer, Filing

#: Bumped when a field changes meaning or disappears; adding fields does not bump it.
RECORD_VERSION = 1


def dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def filing_record(filing: Filing) -> dict[str, Any]:
    docs_by_seq = {d.sequence: d for d in filing.documents}
    return {
        "format_version": RECORD_VERSION,
        "id": filing.id,
        "url": urls.filing_url(filing.id),
        "accession_no": filing.accession_no,
        "form": filing.form,
        "filed": filing.filed,
        "period": filing.period,
        "date_of_report": filing.date_of_report,
        "acceptance_datetime": filing.acceptance_datetime,
        "items": [{"code": i.code, "title": i.title} for i in filing.items],
        "filers": [_filer(f) for f in filing.filers],
        "group_members": list(filing.group_members),
        "declared_document_count": filing.declared_document_count,
        "documents": [_document(filing, d) for d in filing.documents],
        "exhibit_references": [
            {
                "number": r.number,
                "description": r.description,
                "document_url": urls.document_url(filing.id, docs_by_seq[r.document_sequence])
                if r.document_sequence in docs_by_seq
                else None,
            }
            for r in filing.exhibit_references
        ],
        "signatures": [{"name": s.name, "title": s.title, "date": s.date} for s in filing.signatures],
        "provenance": dict(filing.provenance),
        "cover_page": _cover(filing),
        "discrepancies": [asdict(d) for d in filing.discrepancies],
        "source": {
            "path": filing.source.path,
            "sha256": filing.source.sha256,
            "format": filing.source.format,
            "compressed": filing.source.compressed,
            "original_url": urls.original_url(filing),
        },
        "duplicates": list(filing.duplicates),
        "diagnostics": [
            {"path": d.path, "stage": d.stage, "severity": d.severity, "message": d.message}
            for d in filing.diagnostics
        ],
    }


def _address(a: Address | None) -> dict[str, str | None] | None:
    if a is None or a.is_empty():
        return None
    return {
        "street1": a.street1,
        "street2": a.street2,
        "city": a.city,
        "state": a.state,
        "zip": a.zip,
        "phone": a.phone,
    }


def _filer(f: Filer) -> dict[str, Any]:
    return {
        "role": f.role,
        "name": f.name,
        "cik": f.cik,
        "irs_number": f.irs_number,
        "state_of_incorporation": f.state_of_incorporation,
        "sic": f.sic,
        "sic_description": f.sic_description,
        "fiscal_year_end": f.fiscal_year_end,
        "file_number": f.file_number,
        "film_number": f.film_number,
        "business_address": _address(f.business_address),
        "mail_address": _address(f.mail_address),
        "former_names": [{"name": n.name, "date_changed": n.date_changed} for n in f.former_names],
    }


def _document(filing: Filing, d) -> dict[str, Any]:
    return {
        "sequence": d.sequence,
        "type": d.type,
        "filename": d.filename,
        "description": d.description,
        "size": d.size,
        "format": d.format,
        "sha256": d.sha256,
        "url": urls.document_url(filing.id, d),
        "file_url": urls.document_file_url(filing, d),
    }


def _cover(filing: Filing) -> dict[str, Any] | None:
    c = filing.cover_page
    if c is None:
        return None
    out = asdict(c)
    out["address"] = _address(c.address)
    out["tagged"] = list(c.tagged)
    out["trading_symbols"] = list(c.trading_symbols)
    return out


def catalog_entry(filing: Filing) -> dict[str, Any]:
    company = filing.company
    return {
        "id": filing.id,
        "url": urls.filing_url(filing.id),
        "form": filing.form,
        "filed": filing.filed,
        "company": company.name if company else None,
        "cik": company.cik if company else None,
        "source": filing.source.path,
    }


def report_record(report: BuildReport) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for i in report.inputs:
        counts[i.outcome] = counts.get(i.outcome, 0) + 1
    return {
        "summary": {"inputs": len(report.inputs), "filings": report.filings, "pages": report.pages, **counts},
        "inputs": [
            {
                "path": i.path,
                "outcome": i.outcome,
                "id": i.id,
                "reason": i.reason,
                "diagnostics": [d.message for d in i.diagnostics],
            }
            for i in report.inputs
        ],
    }
