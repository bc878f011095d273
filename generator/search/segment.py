"""Search stage, one immutable index segment: documents' postings -> the files of
``search/seg/<name>/`` (format 3, docs/search.md), and those files -> postings again (for merges).

A segment is a complete little index of a few thousand documents: postings shards ``t/<k>``,
their capped tails ``r/<k>`` (read by merges only), positions ``p/<k>`` and position blocks,
result rows ``d/<n>``, facet columns ``m/<column>``, ``meta`` (shard table, dates: what the client
needs before any shard), ``len`` (three field lengths per document, for scoring) and ``docs`` (ids, digests and file list: what
:class:`~generator.search.update.IndexUpdate` needs). Text chunks are not in a segment: they live
under ``search/x/<document digest>/`` so a merge never rewrites them.

Postings store integer term frequencies per field, not scores: the client computes BM25F with the
statistics of all live segments, so a document ranks the same whichever segment holds it.
A segment's bytes are a function of its set of documents and the settings (documents are numbered
by filing date, then id), so its name is a digest of those, known before any file is written, and
a segment rebuilt by a merge is byte-identical to one built from the analysed documents.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from generator.model import Output
from generator.search import analysis
from generator.search.encode import (
    CALLBACK,
    FORMAT_VERSION,
    ROOT,
    column,
    cut_shards,
    data_file,
    deltas,
    dumps,
    undeltas,
)
from generator.search.fields import FIELD_WEIGHTS, FIELDS

K1, B = 1.2, 0.75
CAP = 1000
SHARD_BYTES = 16_000
CHUNK_TERMS = 400
#: a term with more positions JSON than this in a segment is split into document blocks
#: (``p/<k>-<j>-<b>``), so a phrase reads only the blocks of the documents it checks
POSITION_BYTES = 16_000
COLUMNS = ("company", "cik", "exhibit", "form", "item", "state")


@dataclass(frozen=True, slots=True)
class Settings:
    """What shapes the bytes of a segment (part of its name) and of the manifest."""

    cap: int = CAP
    shard_bytes: int = SHARD_BYTES
    chunk_terms: int = CHUNK_TERMS
    position_bytes: int | None = POSITION_BYTES


@dataclass(frozen=True, slots=True)
class DocInfo:
    """A document's part of a segment besides its postings: the result row, the facet values and
    the field lengths. ``row`` holds the format's row keys (docs/search.md)."""

    id: str
    digest: str
    filed: str | None
    row: dict[str, Any]
    values: dict[str, Any]  # form, company (names), main, cik, state, item, exhibit
    lengths: tuple[int, int, int]


def segment_name(digests: Sequence[str], settings: Settings) -> str:
    """The segment's name: a digest of the format, the analysis, the settings and its documents'
    digests (sorted: the content does not depend on the order they were added in)."""
    key = dumps([FORMAT_VERSION, analysis.ANALYSIS_VERSION, _settings_key(settings), sorted(digests)])
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _settings_key(s: Settings) -> list:
    return [s.cap, s.shard_bytes, s.chunk_terms, s.position_bytes]


class SegmentBuilder:
    """Postings of the open segment in flat arrays (one record per (term, document), positions in
    one ``array('I')``): ~100 MB per 1,000 filing-sized documents, so a segment is capped."""

    def __init__(self) -> None:
        self.docs: list[DocInfo] = []
        self.dead: set[int] = set()
        self.term_ids: dict[str, int] = {}
        self.p_term = array("I")
        self.p_doc = array("I")
        self.p_tf = (array("I"), array("I"), array("I"))
        self.p_first = array("i")
        self.positions = array("I")

    def __len__(self) -> int:
        return len(self.docs) - len(self.dead)

    def add_doc(self, info: DocInfo) -> int:
        self.docs.append(info)
        return len(self.docs) - 1

    def kill(self, n: int) -> None:
        """Leave document ``n`` out of the segment (replaced or removed before the flush)."""
        self.dead.add(n)

    def add_posting(self, term: str, n: int, tf: Sequence[int], first: int, positions: Sequence[int]) -> None:
        self.p_term.append(self.term_ids.setdefault(term, len(self.term_ids)))
        self.p_doc.append(n)
        for f in range(3):
            self.p_tf[f].append(tf[f])
        self.p_first.append(first)
        self.positions.extend(positions)

    def add_postings(self, n: int, terms: Sequence[str], tf: array, first: array, positions: array) -> None:
        """All of document ``n``'s postings at once (terms sorted, ``tf`` three per term, the
        positions of each term in turn): array-level copies, no Python step per posting."""
        ids = self.term_ids
        self.p_term.extend([ids.setdefault(t, len(ids)) for t in terms])
        self.p_doc.extend(array("I", [n]) * len(terms))
        for f in range(3):
            self.p_tf[f].extend(tf[f::3])
        self.p_first.extend(first)
        self.positions.extend(positions)

    def write(self, settings: Settings) -> _SegmentWriter:
        """The segment's writer: ``name``, ``docs`` (in segment order), ``files()`` (a stream),
        then ``written`` (the files' names relative to the segment folder)."""
        live = sorted((n for n in range(len(self.docs)) if n not in self.dead), key=self._order)
        new = array("i", [-1]) * len(self.docs)
        for i, n in enumerate(live):
            new[n] = i
        docs = [self.docs[n] for n in live]
        name = segment_name([d.digest for d in docs], settings)
        return _SegmentWriter(self, name, docs, new, settings)

    def _order(self, n: int) -> tuple:
        d = self.docs[n]
        return (d.filed is not None, d.filed or "", d.id)


class _SegmentWriter:
    """Turns a builder's arrays into the segment's files, one shard at a time."""

    def __init__(self, b: SegmentBuilder, name: str, docs: list[DocInfo], new: array, s: Settings) -> None:
        self.b, self.name, self.docs, self.new, self.s = b, name, docs, new, s
        self.written: list[str] = []
        n = max(1, len(docs))
        self.avg = [max(1e-9, sum(d.lengths[f] for d in docs) / n) for f in range(3)]

    def out(self, rel: str, value: Any = None, raw: str | None = None) -> Output:
        self.written.append(rel)
        name = f"seg/{self.name}/{rel}"
        if raw is not None:
            return Output(f"{ROOT}/{name}.js", f'{CALLBACK}("{name}",{raw});\n'.encode())
        return data_file(name, value)

    def files(self) -> Iterator[Output]:
        for i, d in enumerate(self.docs):
            yield self.out(f"d/{i}", d.row)
        for col in COLUMNS:
            yield self.out(f"m/{col}", _column(self.docs, col))
        shards = yield from self._shards()
        dated = [d.filed for d in self.docs if d.filed]
        meta = {
            "docs": len(self.docs),
            "undated": len(self.docs) - len(dated),
            "days": deltas([_day(f) for f in dated]),
            "shards": shards,
        }
        yield self.out("meta", meta)
        # apart from the meta: loaded while the shards load, and not at all by a query without words
        yield self.out("len", [x for d in self.docs for x in d.lengths])
        ids = [[d.id, d.digest, len(d.row["chunks"])] for d in self.docs]
        files = sorted(self.written)
        self.written.append("docs")
        yield data_file(f"seg/{self.name}/docs", {"docs": ids, "files": files})

    def _postings_by_term(self) -> tuple[list[str], list[array]]:
        """Each term (sorted) and its posting numbers in segment document order, dead left out:
        a counting sort of the posting records by term id into one array (no list per term)."""
        b, new = self.b, self.new
        counts = array("I", bytes(4 * len(b.term_ids)))
        for t, n in zip(b.p_term, b.p_doc, strict=True):
            if new[n] >= 0:
                counts[t] += 1
        starts, total = array("Q", bytes(8 * (len(counts) + 1))), 0
        for t, c in enumerate(counts):
            starts[t] = total
            total += c
        starts[len(counts)] = total
        order, fill = array("I", bytes(4 * total)), array("Q", starts)
        for p, (t, n) in enumerate(zip(b.p_term, b.p_doc, strict=True)):
            if new[n] >= 0:
                order[fill[t]] = p
                fill[t] += 1
        del fill
        terms = sorted(t for t, i in b.term_ids.items() if counts[i])
        groups = []
        for term in terms:
            i = b.term_ids[term]
            groups.append(array("I", sorted(order[starts[i] : starts[i + 1]], key=lambda p: new[b.p_doc[p]])))
        return terms, groups

    def _shards(self) -> Generator[Output, None, list[str]]:
        """Yields the postings, tails and positions files; returns each shard's first term."""
        b, s = self.b, self.s
        offsets, total = array("Q", [0]), 0
        for x, y, z in zip(*b.p_tf, strict=True):
            total += x + y + z
            offsets.append(total)
        terms, groups = self._postings_by_term()
        split_at = s.position_bytes // 4 if s.position_bytes is not None else None
        texts, tails, per_block = [], {}, {}
        for j, ps in enumerate(groups):
            entry, tail = self._entry(ps)
            count = sum(offsets[p + 1] - offsets[p] for p in ps)
            if split_at is not None and count > split_at and len(ps) > 1:
                per_block[j] = max(1, len(ps) * split_at // count)
                entry["b"] = [0, per_block[j]]
            if tail:
                tails[j] = tail
            texts.append(dumps(entry))
        starts = (
            cut_shards([(t, len(x)) for t, x in zip(terms, texts, strict=True)], s.shard_bytes)
            if terms
            else []
        )
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(terms)
            positions, rest = {}, {}
            for j in range(start, end):
                lists = [deltas(b.positions[offsets[p] : offsets[p + 1]].tolist()) for p in groups[j]]
                if j in tails:
                    rest[terms[j]] = tails[j]
                per = per_block.get(j)
                if per is None:
                    positions[terms[j]] = lists
                    continue
                texts[j] = texts[j].replace('"b":[0,', f'"b":[{j - start},', 1)
                for blk in range(0, len(lists), per):
                    yield self.out(f"p/{k}-{j - start}-{blk // per}", lists[blk : blk + per])
            body = ",".join(f"{dumps(terms[j])}:{texts[j]}" for j in range(start, end))
            yield self.out(f"t/{k}", raw="{" + body + "}")
            yield self.out(f"p/{k}", positions)
            yield self.out(f"r/{k}", rest)
        return [terms[x] for x in starts]

    def _entry(self, ps: Sequence[int]) -> tuple[dict, dict | None]:
        """The postings entry of one term: per field document frequencies ``n``, documents ``d``
        (gaps), per field term frequencies ``s`` (an empty list for a field where all are 0), the
        first body position ``f``. Over ``cap`` documents: only the top ``cap`` by (this segment's)
        BM25F, plus ``a`` (all documents) and ``r`` (the others' mean per field tf part, in
        hundredths, for their estimated score); their own ``s``/``f`` go to the tail."""
        b = self.b
        docs = [self.new[b.p_doc[p]] for p in ps]
        tfs = [[b.p_tf[f][p] for p in ps] for f in range(3)]
        entry: dict[str, Any] = {"n": [sum(1 for x in col if x) for col in tfs]}
        keep: Sequence[int] | None = None
        tail = None
        if len(ps) > self.s.cap:
            idf = [math.log(len(self.docs) / (df + 1)) + 1 for df in entry["n"]]
            every = range(len(ps))
            parts = [self._parts([tfs[f][i] for f in range(3)], self.docs[docs[i]].lengths) for i in every]
            score = [sum(FIELD_WEIGHTS[name] * idf[f] * x[f] for f, name in enumerate(FIELDS)) for x in parts]
            ranked = sorted(every, key=lambda i: (-score[i], docs[i]))
            keep, others = sorted(ranked[: self.s.cap]), sorted(ranked[self.s.cap :])
            entry["a"] = deltas(docs)
            entry["r"] = [round(100 * sum(parts[i][f] for i in others) / len(others)) for f in range(3)]
            tail = {"s": _field_lists(tfs, others), "f": [b.p_first[ps[i]] for i in others]}
        if keep is None:
            entry["d"] = deltas(docs)
            entry["f"] = [b.p_first[p] for p in ps]
        else:
            entry["d"] = deltas([docs[i] for i in keep])
            entry["f"] = [b.p_first[ps[i]] for i in keep]
        entry["s"] = _field_lists(tfs, keep)
        return entry, tail

    def _parts(self, tf: list[int], lengths: tuple[int, ...]) -> list[float]:
        """BM25's tf part per field, tf(k1+1)/(tf + k1(1-b+b·len/avg)), with this segment's
        average lengths (used only to choose a capped term's kept documents and the tail mean)."""
        return [
            tf[f] * (K1 + 1) / (tf[f] + K1 * ((1 - B) + B * lengths[f] / self.avg[f])) if tf[f] else 0.0
            for f in range(3)
        ]


def _field_lists(tfs: list[list[int]], keep: Sequence[int] | None) -> list[list[int]]:
    """The kept documents' frequencies per field (``keep`` None: all), [] for an all-zero field."""
    out = []
    for col in tfs:
        values = col if keep is None else [col[i] for i in keep]
        out.append(values if any(values) else [])
    return out


def _column(docs: list[DocInfo], name: str) -> dict:
    if name == "company":
        c = column([list(d.values["company"]) for d in docs], multi=True)
        where = {v: i for i, v in enumerate(c["values"])}
        c["main"] = [where.get(d.values["main"], -1) for d in docs]
        return c
    return column([d.values[name] for d in docs], multi=name in ("cik", "item", "exhibit"))


def _day(iso: str) -> int:
    from datetime import date

    try:
        return (date.fromisoformat(iso) - date(1970, 1, 1)).days
    except ValueError:
        return 0


# ---- reading a segment back (merges)


def read_segment(name: str, load: Callable[[str], Any], into: SegmentBuilder, live: set[int]) -> None:
    """Add the documents ``live`` (segment numbers) of segment ``name`` and all their postings to
    ``into``, from the segment's own files (``load(rel)`` reads ``seg/<name>/<rel>``)."""
    meta = load("meta")
    cols = {c: load(f"m/{c}") for c in COLUMNS}
    docs = load("docs")["docs"]
    lengths = load("len")
    at: dict[int, int] = {}
    for n in sorted(live):
        row = load(f"d/{n}")
        values = {c: _value(cols[c], c, n) for c in COLUMNS}
        values["main"] = (
            cols["company"]["values"][cols["company"]["main"][n]] if cols["company"]["main"][n] >= 0 else None
        )
        info = DocInfo(docs[n][0], docs[n][1], row["filed"], row, values, tuple(lengths[3 * n : 3 * n + 3]))  # type: ignore[arg-type]
        at[n] = into.add_doc(info)
    for k in range(len(meta["shards"])):
        shard, tails, positions = load(f"t/{k}"), load(f"r/{k}"), load(f"p/{k}")
        for term in sorted(shard):
            _read_term(term, shard[term], tails.get(term), positions.get(term), k, load, into, at)


def _read_term(term, e, tail, positions, k, load, into: SegmentBuilder, at: dict[int, int]) -> None:
    docs = undeltas(e["a"] if "a" in e else e["d"])
    kept = undeltas(e["d"])
    tf: dict[int, list[int]] = {}
    first: dict[int, int] = {}
    kept_set = set(kept)
    others = [d for d in docs if d not in kept_set] if "a" in e else []
    for group, s, f in (
        (kept, e["s"], e["f"]),
        (others, tail["s"] if tail else [], tail["f"] if tail else []),
    ):
        for i, d in enumerate(group):
            tf[d] = [s[x][i] if s[x] else 0 for x in range(3)]
            first[d] = f[i]
    if "b" in e:
        per = e["b"][1]
        lists = [x for blk in range(-(-len(docs) // per)) for x in load(f"p/{k}-{e['b'][0]}-{blk}")]
    else:
        lists = positions
    for d, gaps in zip(docs, lists, strict=True):
        if d in at:
            into.add_posting(term, at[d], tf[d], first[d], undeltas(gaps))


def _value(col: dict, name: str, n: int) -> Any:
    v = col["docs"][n]
    if isinstance(v, list):
        return [col["values"][i] for i in v]
    return col["values"][v] if v >= 0 else None
