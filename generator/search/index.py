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

import bisect
import dataclasses
import hashlib
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from generator.model import Filing, Output
from generator.search import analysis, client
from generator.search.encode import (
    CALLBACK,
    FORMAT_VERSION,
    ROOT,
    column,
    cut_shards,
    data_file,
    deltas,
    dumps,
)
from generator.search.fields import FIELD_WEIGHTS, FIELDS, SearchDoc, search_doc

CAP = 1000
SHARD_BYTES = 16_000
#: A term whose positions entry is larger than this is split into blocks of documents
#: (``p/<k>-<j>-<b>.js``), so a phrase reads only the blocks of its candidate documents.
POSITION_BYTES = 16_000
#: At most this many blocks a term (bigger blocks for the most common words), so a phrase of
#: common words makes at most this many requests a term.
MAX_BLOCKS = 256
CHUNK_TERMS = 400
K1, B = 1.2, 0.75


class _Index:
    """Postings and statistics accumulated one document at a time, in flat arrays (one record per
    (term, document), appended in document order) rather than an object per posting: at 10,000
    filings there are ~9 M postings and ~90 M positions."""

    def __init__(self, chunk_terms: int) -> None:
        self.chunk_terms = chunk_terms
        self.term_ids: dict[str, int] = {}
        self.p_term = array("I")
        self.p_doc = array("I")
        self.p_tf = (array("I"), array("I"), array("I"))  # per field, in FIELDS order
        self.p_first = array("i")  # first body position, -1 if none
        self.positions = array("I")  # each posting's positions, contiguous, in posting order
        self.lengths: list[tuple[int, ...]] = []

    def add(self, n: int, doc: SearchDoc) -> list[Output]:
        """Index document ``n``; returns its result row and text chunks."""
        company, _cuts = analysis.terms_with_cuts(doc.company_text, 1 << 30)
        form, _cuts = analysis.terms_with_cuts(doc.form_text, 1 << 30)
        # one sequence, position = index; "" (never a term) fills the gap after each field, so
        # no phrase runs from one field into the next
        seq = [*company, "", *form, ""]
        form_start, body_start = len(company) + 1, len(company) + len(form) + 2
        chunks: list[int] = []
        outputs: list[Output] = []
        for part in doc.body:
            terms, cuts = analysis.terms_with_cuts(part.text, self.chunk_terms)
            for c, start in enumerate(cuts):
                end = cuts[c + 1] if c + 1 < len(cuts) else None
                at = len(seq) + c * self.chunk_terms
                outputs.append(
                    data_file(f"x/{n}/{len(chunks)}", {"p": at, "u": part.url, "t": part.text[start:end]})
                )
                chunks.append(at)
            seq += terms
        self.lengths.append((len(company), len(form), len(seq) - body_start))
        # positions grouped by term: a stable sort of the positions by term (no step per term)
        order = sorted(range(len(seq)), key=seq.__getitem__)
        counts = Counter(seq)
        i = counts.pop("", 0)
        ids = self.term_ids
        for term in sorted(counts):
            c = counts[term]
            ps = order[i : i + c]
            i += c
            tf0 = bisect.bisect_left(ps, form_start)
            tf1 = bisect.bisect_left(ps, body_start, tf0) - tf0
            self.p_term.append(ids.setdefault(term, len(ids)))
            self.p_doc.append(n)
            self.p_tf[0].append(tf0)
            self.p_tf[1].append(tf1)
            self.p_tf[2].append(c - tf0 - tf1)
            self.p_first.append(ps[tf0 + tf1] if c > tf0 + tf1 else -1)
            self.positions.extend(ps)
        row: dict[str, object] = {"id": doc.id, "url": doc.url, "title": doc.title, "company": doc.company}
        row |= {"form": doc.form, "filed": doc.filed, "chunks": chunks, "h": digest(doc)}
        row |= {"ct": doc.company_text, "ft": doc.form_text}  # the command line's index reads them
        return [data_file(f"d/{n}", row), *outputs]

    def by_term(self) -> tuple[list[str], array, array]:
        """Every term, sorted; its posting numbers in document order are
        ``order[bounds[i] : bounds[i + 1]]`` for the i-th term. A counting sort of the posting
        records by term id, in compact arrays (no list per term); frees the term ids."""
        counts = array("I", bytes(4 * len(self.term_ids)))
        for t in self.p_term:
            counts[t] += 1
        starts, total = array("Q", bytes(8 * (len(counts) + 1))), 0
        for t, c in enumerate(counts):
            starts[t] = total
            total += c
        starts[len(counts)] = total
        order, fill = array("I", bytes(4 * total)), array("Q", starts)
        for i, t in enumerate(self.p_term):
            order[fill[t]] = i
            fill[t] += 1
        del fill, counts
        self.p_term = array("I")
        terms = sorted(self.term_ids)
        ids = self.term_ids
        grouped, bounds = array("I", bytes(4 * total)), array("Q", [0])
        at = 0
        for term in terms:
            t = ids[term]
            run = order[starts[t] : starts[t + 1]]
            grouped[at : at + len(run)] = run
            at += len(run)
            bounds.append(at)
        self.term_ids = {}
        return terms, grouped, bounds

    def offsets(self) -> array:
        """Where each posting's positions start in :attr:`positions` (and the end, last)."""
        out, total = array("Q", [0]), 0
        for a, b, c in zip(*self.p_tf, strict=True):
            total += a + b + c
            out.append(total)
        return out


def build_index(
    filings: Iterable[Filing],
    *,
    cap: int = CAP,
    shard_bytes: int = SHARD_BYTES,
    chunk_terms: int = CHUNK_TERMS,
    position_bytes: int | None = POSITION_BYTES,
) -> Iterator[Output]:
    """Every file of the browser index plus the client scripts, under ``search/``, as a stream:
    rows and text chunks are yielded while documents are indexed, so they are never all held."""
    ordered = sorted(filings, key=lambda f: (f.filed is not None, f.filed or "", f.id))
    index = _Index(chunk_terms)
    docs: list[SearchDoc] = []
    for n, filing in enumerate(ordered):
        doc = search_doc(filing)
        yield from index.add(n, doc)
        docs.append(dataclasses.replace(doc, body=()))  # the columns need no text
    del ordered
    columns = _columns(docs)
    yield from (data_file(f"m/{name}", value) for name, value in columns.items())
    manifest = {
        "format": FORMAT_VERSION,
        "analysis": analysis.ANALYSIS_VERSION,
        "docs": len(docs),
        "undated": sum(1 for d in docs if d.filed is None),
        "cap": cap,
        "chunk": chunk_terms,
        "weights": FIELD_WEIGHTS,
        "columns": sorted(columns),
    }
    del docs
    yield from _shards(index, manifest, cap, shard_bytes, position_bytes)
    yield from client.client_files()


def _shards(index: _Index, manifest: dict, cap: int, shard_bytes: int, position_bytes: int | None):
    """Postings shards ``t/<k>``, positions shards ``p/<k>`` (and position blocks), then the
    manifest with the shards' first terms. Postings entries are kept as JSON text, positions
    are made one shard at a time."""
    n_docs = manifest["docs"]
    avg = [max(1e-9, sum(lens[f] for lens in index.lengths) / max(1, n_docs)) for f in range(3)]
    offsets = index.offsets()
    terms, order, bounds = index.by_term()
    pos = index.positions
    split_at = position_bytes // 4 if position_bytes is not None else None  # ~4 bytes a position
    # Each term's postings entry as JSON, made once (the shards are cut by its size). A term with
    # more than ~position_bytes of positions gets "b": [j, documents per block]: its positions go
    # to blocks p/<k>-<j>-<block> (j: its rank in shard k), so a phrase reads only the blocks
    # of its candidate documents. Only "b"'s j depends on the cut, so it is a placeholder here.
    texts, per_block = [], {}
    for j in range(len(terms)):
        postings = order[bounds[j] : bounds[j + 1]]
        e = _entry(index, postings, _impacts(index, postings, n_docs, avg), cap)
        count = sum(offsets[p + 1] - offsets[p] for p in postings)
        if split_at is not None and count > split_at and len(postings) > 1:
            per_block[j] = max(1, len(postings) * split_at // count, -(-len(postings) // MAX_BLOCKS))
            e["b"] = [0, per_block[j]]
        texts.append(dumps(e))
    starts = (
        cut_shards([(t, len(text)) for t, text in zip(terms, texts, strict=True)], shard_bytes)
        if terms
        else []
    )
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(terms)
        positions = {}
        for j in range(start, end):
            term, postings = terms[j], order[bounds[j] : bounds[j + 1]]
            lists = [deltas(pos[offsets[p] : offsets[p + 1]].tolist()) for p in postings]
            per = per_block.get(j)
            if per is None:
                positions[term] = lists
            else:
                texts[j] = texts[j].replace('"b":[0,', f'"b":[{j - start},', 1)
                for b in range(0, len(lists), per):
                    yield data_file(f"p/{k}-{j - start}-{b // per}", lists[b : b + per])
        body = ",".join(f"{dumps(terms[j])}:{texts[j]}" for j in range(start, end))
        yield _raw_data_file(f"t/{k}", "{" + body + "}")
        yield data_file(f"p/{k}", positions)
    manifest["shards"] = [terms[s] for s in starts]
    yield data_file("manifest", manifest)


def _raw_data_file(name: str, json_text: str) -> Output:
    """:func:`encode.data_file` for a value already serialised with :func:`encode.dumps`."""
    return Output(f"{ROOT}/{name}.js", f'{CALLBACK}("{name}",{json_text});\n'.encode())


def digest(doc: SearchDoc) -> str:
    """What a document's search entry holds, hashed: the command line's index re-reads a document
    only when this changes."""
    return hashlib.sha256(repr(doc).encode("utf-8")).hexdigest()[:20]


def _impacts(index: _Index, postings: array, n_docs: int, avg: list[float]) -> list[int]:
    tfs = [[tf[i] for i in postings] for tf in index.p_tf]
    idf = [math.log(n_docs / (sum(1 for x in col if x) + 1)) + 1 for col in tfs]
    lengths = index.lengths
    out = []
    for i, p in enumerate(postings):
        out.append(_impact([tfs[0][i], tfs[1][i], tfs[2][i]], idf, lengths[index.p_doc[p]], avg))
    return out


def _impact(tf: list[int], idf: list[float], lengths: tuple[int, ...], avg: list[float]) -> int:
    """The term's BM25F score in this document (whoosh's formula, summed over weighted fields),
    in hundredths: the client only adds impacts and multiplies nothing."""
    score = 0.0
    for f, name in enumerate(FIELDS):
        if tf[f]:
            norm = K1 * ((1 - B) + B * lengths[f] / avg[f])
            score += FIELD_WEIGHTS[name] * idf[f] * tf[f] * (K1 + 1) / (tf[f] + norm)
    return max(1, round(score * 100))


def _entry(index: _Index, postings: array, impacts: list[int], cap: int) -> dict:
    """The postings entry, capped to the top ``cap`` impacts."""
    doc = index.p_doc
    keep: Sequence[int] = range(len(postings))
    entry: dict = {"n": len(postings)}
    if len(postings) > cap:
        ranked = sorted(keep, key=lambda i: (-impacts[i], doc[postings[i]]))
        top, rest = sorted(ranked[:cap]), ranked[cap:]
        entry["a"] = deltas([doc[p] for p in postings])
        entry["r"] = round(sum(impacts[i] for i in rest) / len(rest))
        keep = top
    entry["d"] = deltas([doc[postings[i]] for i in keep])
    entry["s"] = [impacts[i] for i in keep]
    entry["f"] = [index.p_first[postings[i]] for i in keep]
    return entry


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
