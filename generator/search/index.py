"""Search stage, browser index: Filing[] -> Output[] under ``search/`` (static files, no server).

Written straight from the analysis (whoosh is far too slow for the build's critical path and is
not read back). Layout, all described in docs/search.md:

- ``manifest.js``       format version, document count, the first term of every shard, scoring
- ``t/<k>.js``          postings shard k: per term its document frequency and, per document,
                        a precomputed BM25F impact and the first position; a term in more than
                        ``cap`` documents keeps only its top-``cap`` impacts plus a bare list of
                        all its documents (so AND still works and a common word stays small)
- ``p/<k>.js``          positions shard k (fetched only for phrases)
- ``d/<n>.js``          result row of document n: id, url, title, company, form, filed, chunks
- ``x/<n>/<c>.js``      text chunk c of document n (~``chunk`` terms) for snippets
- ``m/<column>.js``     filter and facet columns (form, filed, company, cik, state, item, exhibit)

Documents are numbered in filing-date order (undated first), so sorting by date needs no data.
Output bytes are deterministic: sorted terms, sorted keys, integers only.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from generator.model import Filing, Output
from generator.search import analysis, client
from generator.search.encode import FORMAT_VERSION, column, cut_shards, data_file, deltas, dumps
from generator.search.fields import FIELD_WEIGHTS, FIELDS, SearchDoc, search_doc

CAP = 1000
SHARD_BYTES = 16_000
CHUNK_TERMS = 400
K1, B = 1.2, 0.75


@dataclass(slots=True)
class _Posting:
    doc: int
    tf: list[int]  # per field, in FIELDS order
    positions: array
    first_body: int


@dataclass
class _Index:
    """Postings and statistics accumulated one document at a time."""

    chunk_terms: int
    terms: dict[str, list[_Posting]] = field(default_factory=dict)
    lengths: list[tuple[int, ...]] = field(default_factory=list)

    def add(self, n: int, doc: SearchDoc) -> list[Output]:
        """Index document ``n``; returns its result row and text chunks."""
        local: dict[str, _Posting] = {}
        pos = 0
        lengths = []
        for f, text in ((0, doc.company_text), (1, doc.form_text)):
            count = self._add_tokens(n, f, analysis.tokens(text, pos), local)
            lengths.append(count)
            pos += count + 1  # a gap: no phrase runs from one field into the next
        body_start, chunks, outputs = pos, [], []
        for part in doc.body:
            toks = list(analysis.tokens(part.text, pos))
            self._add_tokens(n, 2, toks, local)
            for start in range(0, len(toks), self.chunk_terms):
                end = toks[start + self.chunk_terms].start if start + self.chunk_terms < len(toks) else None
                text = part.text[toks[start].start : end]
                chunk = {"p": toks[start].position, "u": part.url, "t": text}
                outputs.append(data_file(f"x/{n}/{len(chunks)}", chunk))
                chunks.append(toks[start].position)
            pos += len(toks)
        lengths.append(pos - body_start)
        self.lengths.append(tuple(lengths))
        for term in sorted(local):
            self.terms.setdefault(term, []).append(local[term])
        row = {"id": doc.id, "url": doc.url, "title": doc.title, "company": doc.company}
        row |= {"form": doc.form, "filed": doc.filed, "chunks": chunks, "h": digest(doc)}
        row |= {"ct": doc.company_text, "ft": doc.form_text}  # the command line's index reads them
        return [data_file(f"d/{n}", row), *outputs]

    @staticmethod
    def _add_tokens(n: int, f: int, toks: Iterable[analysis.Token], local: dict[str, _Posting]) -> int:
        count = 0
        for t in toks:
            p = local.get(t.term)
            if p is None:
                p = local[t.term] = _Posting(n, [0, 0, 0], array("I"), -1)
            p.tf[f] += 1
            p.positions.append(t.position)
            if f == 2 and p.first_body < 0:
                p.first_body = t.position
            count += 1
        return count


def build_index(
    filings: Iterable[Filing],
    *,
    cap: int = CAP,
    shard_bytes: int = SHARD_BYTES,
    chunk_terms: int = CHUNK_TERMS,
) -> list[Output]:
    """Every file of the browser index plus the client scripts, under ``search/``."""
    docs = sorted((search_doc(f) for f in filings), key=lambda d: (d.filed is not None, d.filed or "", d.id))
    index = _Index(chunk_terms)
    outputs: list[Output] = []
    for n, doc in enumerate(docs):
        outputs += index.add(n, doc)
    entries = _entries(index, len(docs), cap)
    starts = cut_shards([(t, len(dumps(e[0]))) for t, e in entries], shard_bytes)
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(entries)
        outputs.append(data_file(f"t/{k}", {t: e[0] for t, e in entries[start:end]}))
        outputs.append(data_file(f"p/{k}", {t: e[1] for t, e in entries[start:end]}))
    columns = _columns(docs)
    outputs += [data_file(f"m/{name}", value) for name, value in columns.items()]
    manifest = {
        "format": FORMAT_VERSION,
        "analysis": analysis.ANALYSIS_VERSION,
        "docs": len(docs),
        "undated": sum(1 for d in docs if d.filed is None),
        "shards": [entries[s][0] for s in starts] if entries else [],
        "cap": cap,
        "chunk": chunk_terms,
        "weights": FIELD_WEIGHTS,
        "columns": sorted(columns),
    }
    outputs.append(data_file("manifest", manifest))
    return sorted(outputs, key=lambda o: o.path) + client.client_files()


def digest(doc: SearchDoc) -> str:
    """What a document's search entry holds, hashed: the command line's index re-reads a document
    only when this changes."""
    return hashlib.sha256(repr(doc).encode("utf-8")).hexdigest()[:20]


def _entries(index: _Index, n_docs: int, cap: int) -> list[tuple[str, tuple[dict, list]]]:
    """(term, (postings entry, positions entry)) for every term, sorted by term."""
    avg = [max(1e-9, sum(lens[f] for lens in index.lengths) / max(1, n_docs)) for f in range(3)]
    out = []
    for term in sorted(index.terms):
        postings = index.terms[term]
        df = [sum(1 for p in postings if p.tf[f]) for f in range(3)]
        idf = [math.log(n_docs / (d + 1)) + 1 for d in df]
        impacts = [_impact(p, idf, index.lengths[p.doc], avg) for p in postings]
        out.append((term, _entry(postings, impacts, cap)))
    return out


def _impact(p: _Posting, idf: list[float], lengths: tuple[int, ...], avg: list[float]) -> int:
    """The term's BM25F score in this document (whoosh's formula, summed over weighted fields),
    in hundredths: the client only adds impacts and multiplies nothing."""
    score = 0.0
    for f, name in enumerate(FIELDS):
        tf = p.tf[f]
        if tf:
            norm = K1 * ((1 - B) + B * lengths[f] / avg[f])
            score += FIELD_WEIGHTS[name] * idf[f] * tf * (K1 + 1) / (tf + norm)
    return max(1, round(score * 100))


def _entry(postings: list[_Posting], impacts: list[int], cap: int) -> tuple[dict, list]:
    """The postings entry (capped to the top ``cap`` impacts) and the positions entry."""
    keep = range(len(postings))
    entry: dict = {"n": len(postings)}
    if len(postings) > cap:
        ranked = sorted(keep, key=lambda i: (-impacts[i], postings[i].doc))
        top, rest = sorted(ranked[:cap]), ranked[cap:]
        entry["a"] = deltas([p.doc for p in postings])
        entry["r"] = round(sum(impacts[i] for i in rest) / len(rest))
        keep = top
    entry["d"] = deltas([postings[i].doc for i in keep])
    entry["s"] = [impacts[i] for i in keep]
    entry["f"] = [postings[i].first_body for i in keep]
    return entry, [deltas(list(p.positions)) for p in postings]


def _columns(docs: list[SearchDoc]) -> dict[str, dict]:
    """Filter and facet values per document (docs/search.md, "Columns")."""
    company = column([list(d.names) or [d.company] for d in docs], multi=True)
    where = {v: i for i, v in enumerate(company["values"])}
    company["main"] = [where.get(d.company, -1) for d in docs]
    return {
        "form": column([d.form or None for d in docs]),
        "company": company,
        "cik": column([list(d.ciks) for d in docs], multi=True),
        "state": column([d.state for d in docs]),
        "item": column([list(d.items) for d in docs], multi=True),
        "exhibit": column([list(d.exhibits) for d in docs], multi=True),
        "filed": _filed_column(docs),
    }


def _filed_column(docs: list[SearchDoc]) -> dict:
    """Filing dates as day numbers (days since 1970-01-01) in document order, as gaps: documents
    are numbered by date, so the gaps are mostly 0 and 1."""
    days = [_day(d.filed) for d in docs if d.filed]
    return {"undated": len(docs) - len(days), "days": deltas(days)}


def _day(iso: str) -> int:
    try:
        return (date.fromisoformat(iso) - date(1970, 1, 1)).days
    except ValueError:
        return 0
