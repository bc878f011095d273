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
import heapq
import itertools
import math
import operator
import sys
from array import array
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, overload

from generator.model import Output
from generator.search import analysis
from generator.search.encode import (
    CALLBACK,
    FORMAT_VERSION,
    ROOT,
    column,
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
    """Postings of the open segment in flat arrays (one record per (term, document), position
    gaps in one ``array('I')``): ~100 MB per 1,000 filing-sized documents, so a segment is capped."""

    def __init__(self) -> None:
        self.docs: list[DocInfo] = []
        self.dead: set[int] = set()
        self.term_ids: dict[str, int] = {}
        self.runs: dict[int, range] = {}  # document -> its records
        self.p_term = array("I")
        self.p_tf = (array("I"), array("I"), array("I"))
        self.p_first = array("i")
        self.gaps = array("I")  # each record's positions as gaps, the form the files hold

    def __len__(self) -> int:
        return len(self.docs) - len(self.dead)

    def add_doc(self, info: DocInfo) -> int:
        self.docs.append(info)
        return len(self.docs) - 1

    def kill(self, n: int) -> None:
        """Leave document ``n`` out of the segment (replaced or removed before the flush)."""
        self.dead.add(n)

    def add_postings(self, n: int, terms: Sequence[str], tf: array, first: array, positions: array) -> None:
        """All of document ``n``'s postings at once (terms sorted, ``tf`` three per term, the
        positions of each term in turn, ascending): array-level copies and :func:`_gaps`, no
        Python step per position."""
        assert n not in self.runs, "one call per document"
        ids = self.term_ids
        self.runs[n] = range(len(self.p_term), len(self.p_term) + len(terms))
        # new terms numbered on (a document's terms are distinct), then every term's number: C-level
        ids.update(zip(itertools.filterfalse(ids.__contains__, terms), itertools.count(len(ids))))
        self.p_term.extend(map(ids.__getitem__, terms))
        for f in range(3):
            self.p_tf[f].extend(tf[f::3])
        self.p_first.extend(first)
        self.gaps.extend(_gaps(tf, positions))

    def write(self, settings: Settings, sources: Sequence[SegmentSource] = ()) -> _SegmentWriter:
        """The writer of the segment of this builder's live documents and those of ``sources``
        (segments being merged): ``name``, ``docs`` (in segment order), ``files()`` (a stream),
        then ``written`` (the files' names relative to the segment folder)."""
        everyone = [(d, -1, n) for n, d in enumerate(self.docs) if n not in self.dead]
        for i, source in enumerate(sources):
            everyone += [(d, i, n) for n, d in source.docs()]
        everyone.sort(key=lambda x: (x[0].filed is not None, x[0].filed or "", x[0].id))
        new = array("i", [-1]) * len(self.docs)
        renumber: list[dict[int, int]] = [{} for _ in sources]
        for at, (_d, i, n) in enumerate(everyone):
            if i < 0:
                new[n] = at
            else:
                renumber[i][n] = at
        docs = [d for d, _i, _n in everyone]
        streams = [self._terms(new), *(src.terms(renumber[i]) for i, src in enumerate(sources))]
        name = segment_name([d.digest for d in docs], settings)
        return _SegmentWriter(name, docs, _merged(streams), settings)

    def _terms(self, new: array) -> Iterator[tuple[str, Postings]]:
        """(term, postings) for every term of the live documents, sorted: the posting records,
        taking the documents in their new order, appended to an array per term by one C-level
        map (so each term's records come out by document; a counting sort's two Python loops
        over the records were 0.6 s of a 2,500-filing segment's 2.4 M, this is 0.25 s, for
        ~3 MB more), then each term's columns read by one ``itemgetter``; its positions stay in
        ``self.gaps`` (:class:`_Packed`), no Python step per posting."""
        by_new = sorted((m, n) for n, m in enumerate(new) if m >= 0)
        runs = [self.runs.get(n, range(0)) for _m, n in by_new]  # each live document's records
        doc = array("i", [-1]) * len(self.p_term)  # each record's new document
        for (m, _n), run in zip(by_new, runs, strict=True):
            doc[run.start : run.stop] = array("i", [m]) * len(run)
        records = [array("I") for _ in range(len(self.term_ids))]  # per term id
        terms = itertools.chain.from_iterable(self.p_term[run.start : run.stop] for run in runs)
        deque(map(array.append, map(records.__getitem__, terms), itertools.chain.from_iterable(runs)), maxlen=0)
        # each record's number of positions (one per occurrence) and where its gaps start
        tf0, tf1, tf2 = self.p_tf
        sizes = array("I", map(operator.add, map(operator.add, tf0, tf1), tf2))
        offsets, gaps = array("Q", itertools.accumulate(sizes, initial=0)), self.gaps
        for term in sorted(t for t, i in self.term_ids.items() if records[i]):
            pick = _picker(records[self.term_ids[term]])
            packed = _Packed(gaps, pick(offsets), pick(sizes))
            yield term, Postings(pick(doc), (pick(tf0), pick(tf1), pick(tf2)), pick(self.p_first), packed)


def _picker(records: Sequence[int]) -> Callable[[Sequence[int]], tuple[int, ...]]:
    """Reads the values of ``records`` from a column, as a tuple, in one C-level call."""
    if len(records) == 1:  # itemgetter of one index gives the value, not a tuple
        return lambda column: (column[records[0]],)
    return operator.itemgetter(*records)


def _gaps(tf: array, positions: array) -> array:
    """A document's positions (``tf`` three per term, the positions of each term in turn) as gaps
    per term, its first position as is.

    One subtraction of two big integers does the whole document (~9,000 positions): the array's
    bytes read as one number, minus those of the array shifted by one value with a 0 at each
    term's first position. Positions ascend within a term, so no value's difference borrows from
    the next one, and the bytes of the difference are the gaps (5 times faster than a loop)."""
    if not positions:
        return array(positions.typecode)
    prev = array(positions.typecode, [0]) + positions[:-1]
    ends = list(itertools.accumulate(map(operator.add, map(operator.add, tf[0::3], tf[1::3]), tf[2::3])))
    for at in ends[:-1]:  # where each term but the first starts
        prev[at] = 0
    order = sys.byteorder
    diff = int.from_bytes(positions.tobytes(), order) - int.from_bytes(prev.tobytes(), order)
    gaps = array(positions.typecode)
    gaps.frombytes(diff.to_bytes(len(positions) * positions.itemsize, order))
    return gaps


class _Packed(Sequence[list[int]]):
    """A term's positions (gaps) per document where the builder holds them: where each document's
    start in ``gaps`` and how many. The writer reads their JSON at once (:meth:`json`); a merge
    reads them as lists.

    A list per (term, document) was 2.5 s of writing a 2,500-filing segment (2.4 M postings,
    24 M positions) and their JSON 1.8 s more; :meth:`json` takes ~2 s for both."""

    __slots__ = ("gaps", "offsets", "sizes")

    def __init__(self, gaps: array, offsets: Sequence[int], sizes: Sequence[int]) -> None:
        self.gaps, self.offsets, self.sizes = gaps, offsets, sizes

    def __len__(self) -> int:
        return len(self.sizes)

    @overload
    def __getitem__(self, i: int) -> list[int]: ...
    @overload
    def __getitem__(self, i: slice) -> list[list[int]]: ...
    def __getitem__(self, i: int | slice) -> list[int] | list[list[int]]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        at = self.offsets[i]
        return self.gaps[at : at + self.sizes[i]].tolist()

    def positions(self) -> int:
        return sum(self.sizes)

    def json(self, lo: int, hi: int) -> str:
        """``dumps(self[lo:hi])``: the documents' gaps gathered by one bytes join of views of
        ``gaps``, written by one ``%`` of a format of ``%d`` per position (cached per document
        size), with no list or int string per document."""
        offsets, sizes = self.offsets[lo:hi], self.sizes[lo:hi]
        flat = array(self.gaps.typecode)
        with memoryview(self.gaps) as view:
            flat.frombytes(b"".join(map(view.__getitem__, map(slice, offsets, map(operator.add, offsets, sizes)))))
        return ("[" + ",".join(map(_FORMATS.__getitem__, sizes)) + "]") % tuple(flat)


class _Formats(dict[int, str]):
    """``[%d,…,%d]`` of n values, kept for n up to 256 (a few hundred short strings)."""

    def __missing__(self, n: int) -> str:
        text = "[" + ",".join(["%d"] * n) + "]"
        if n <= 256:
            self[n] = text
        return text


_FORMATS = _Formats()


def _positions_json(gaps: Sequence[list[int]], lo: int, hi: int) -> str:
    """The JSON of documents ``lo:hi`` of a term's positions."""
    if isinstance(gaps, _Packed):
        return gaps.json(lo, hi)
    return dumps(list(gaps[lo:hi]))


class Postings(NamedTuple):
    """A term's postings in a segment as columns, by document: the layout of its entry, so the
    writer reads them with C-level passes. The positions are kept as the files hold them (gaps),
    so a merge copies them as read."""

    docs: Sequence[int]
    tf: Sequence[Sequence[int]]  # per field (company, form, body), per document
    first: Sequence[int]  # first body position, -1 for none
    gaps: Sequence[list[int]]  # per document, its positions as gaps (the first as is)


def _merged(streams: Sequence[Iterator[tuple[str, Postings]]]) -> Iterator[tuple[str, Postings]]:
    """One term stream from several (each sorted by term): a term's postings from all of them,
    by document. Only one term's postings are held at a time: a merge's memory does not grow with
    the segments merged."""
    if len(streams) == 1:
        yield from streams[0]
        return
    for term, group in itertools.groupby(heapq.merge(*streams, key=lambda x: x[0]), key=lambda x: x[0]):
        yield term, _by_document([ps for _t, ps in group])


def _by_document(parts: Sequence[Postings]) -> Postings:
    """One term's postings from several segments as one, by document."""
    docs = [d for ps in parts for d in ps.docs]
    by_doc = sorted(range(len(docs)), key=docs.__getitem__)

    def column(columns: Iterable[Sequence[Any]]) -> list[Any]:
        values = list(itertools.chain.from_iterable(columns))
        return [values[i] for i in by_doc]

    return Postings(
        column(ps.docs for ps in parts),
        tuple(column(ps.tf[f] for ps in parts) for f in range(3)),
        column(ps.first for ps in parts),
        column(ps.gaps for ps in parts),
    )


class _SegmentWriter:
    """Turns a stream of (term, postings) into the segment's files, one shard at a time: a shard
    ends when the next entry would pass ``shard_bytes`` (the rule of :func:`cut_shards`)."""

    def __init__(
        self, name: str, docs: list[DocInfo], terms: Iterator[tuple[str, Postings]], s: Settings
    ) -> None:
        self.name, self.docs, self.terms, self.s = name, docs, terms, s
        self.written: list[str] = []
        n = max(1, len(docs))
        self.avg = [max(1e-9, sum(d.lengths[f] for d in docs) / n) for f in range(3)]
        #: per field and document, BM25's length part k1(1-b+b·len/avg) (:meth:`_parts`)
        self.norms = [[K1 * ((1 - B) + B * d.lengths[f] / self.avg[f]) for d in docs] for f in range(3)]

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

    def _shards(self) -> Generator[Output, None, list[str]]:
        """Yields the postings, tails and positions files; returns each shard's first term."""
        split_at = self.s.position_bytes // 4 if self.s.position_bytes is not None else None
        firsts: list[str] = []
        texts: list[tuple[str, str]] = []
        positions: list[tuple[str, str]] = []  # (term, its positions JSON)
        rest: dict[str, dict] = {}
        size = 0
        for term, postings in self.terms:
            entry, tail = self._entry(postings)
            gaps, n = postings.gaps, len(postings.docs)
            count = gaps.positions() if isinstance(gaps, _Packed) else sum(map(len, gaps))
            per = max(1, n * split_at // count) if split_at and count > split_at and n > 1 else 0
            if per:
                entry["b"] = [0, per]
            text = dumps(entry)
            if size and size + len(text) > self.s.shard_bytes:
                yield from self._shard(len(firsts) - 1, texts, positions, rest)
                texts, positions, rest, size = [], [], {}, 0
            if not texts:
                firsts.append(term)
            size += len(text)
            k, j = len(firsts) - 1, len(texts)
            if tail:
                rest[term] = tail
            if per:
                text = text.replace('"b":[0,', f'"b":[{j},', 1)
                for blk in range(0, n, per):
                    yield self.out(f"p/{k}-{j}-{blk // per}", raw=_positions_json(gaps, blk, blk + per))
            else:
                positions.append((term, _positions_json(gaps, 0, n)))
            texts.append((term, text))
        if texts:
            yield from self._shard(len(firsts) - 1, texts, positions, rest)
        return firsts

    def _shard(self, k: int, texts: list[tuple[str, str]], positions: list[tuple[str, str]], rest: dict) -> Iterator[Output]:
        # terms come sorted: the order of dumps(sort_keys=True)
        yield self.out(f"t/{k}", raw=_object(texts))
        yield self.out(f"p/{k}", raw=_object(positions))
        yield self.out(f"r/{k}", rest)

    def _entry(self, postings: Postings) -> tuple[dict, dict | None]:
        """The postings entry of one term: per field document frequencies ``n``, documents ``d``
        (gaps), per field term frequencies ``s`` (an empty list for a field where all are 0), the
        first body position ``f``. Over ``cap`` documents: only the top ``cap`` by (this segment's)
        BM25F, plus ``a`` (all documents) and ``r`` (the others' mean per field tf part, in
        hundredths, for their estimated score); their own ``s``/``f`` go to the tail."""
        docs, tfs, firsts = postings.docs, postings.tf, postings.first
        n = [len(col) - col.count(0) for col in tfs]
        entry: dict[str, Any] = {"n": n}
        keep: Sequence[int] | None = None
        tail = None
        if len(docs) > self.s.cap:
            # a field no document has the term in (most terms' company and form) scores 0.0 for
            # each: left out of the sums (x + 0.0 is x), its parts all 0.0 and its mean 0
            fields = [f for f in range(3) if n[f]] or [0, 1, 2]
            idf = [math.log(len(self.docs) / (df + 1)) + 1 for df in n]
            parts = self._parts(tfs, docs, fields)
            weights = [FIELD_WEIGHTS[name] * idf[f] for f, name in enumerate(FIELDS)]
            weighted = [map(operator.mul, itertools.repeat(weights[f]), parts[f]) for f in fields]
            # per document: sum() of its weighted parts, as a tuple in field order
            scores = weighted[0] if len(weighted) == 1 else map(sum, zip(*weighted, strict=True))
            keep, others = _best(list(map(operator.neg, scores)), self.s.cap)
            entry["a"] = deltas(docs)
            entry["r"] = [round(100 * sum(map(parts[f].__getitem__, others)) / len(others)) if f in fields else 0
                          for f in range(3)]  # fmt: skip
            tail = {"s": _field_lists(tfs, others, n), "f": list(map(firsts.__getitem__, others))}
        if keep is None:
            entry["d"], entry["f"] = deltas(docs), firsts
        else:
            entry["d"] = deltas(list(map(docs.__getitem__, keep)))
            entry["f"] = list(map(firsts.__getitem__, keep))
        entry["s"] = _field_lists(tfs, keep, n)
        return entry, tail

    def _parts(self, tfs: Sequence[Sequence[int]], docs: Sequence[int], fields: Sequence[int]) -> list[list[float]]:
        """BM25's tf part per field and document, tf(k1+1)/(tf + k1(1-b+b·len/avg)), with this
        segment's average lengths (used only to choose a capped term's kept documents and the
        tail mean), 0.0 for each document in a field not in ``fields``. Column by column in
        C-level maps: a capped term has thousands of documents, and a Python call per document
        was a fifth of writing a 2,500-filing segment. A tf of 0 gives 0.0 (the denominator is at
        least k1(1-b) > 0)."""
        return [
            list(map(operator.truediv, map(operator.mul, tf, itertools.repeat(K1 + 1)),
                     map(operator.add, tf, map(norms.__getitem__, docs))))  # fmt: skip
            if f in fields
            else [0.0] * len(docs)
            for f, (tf, norms) in enumerate(zip(tfs, self.norms, strict=True))
        ]


def _best(minus: list[float], cap: int) -> tuple[list[int], list[int]]:
    """The ``cap`` best documents (lowest ``minus``, ties by document) and the others, each in
    document order: ``sorted(ranked[:cap]), sorted(ranked[cap:])`` of ``ranked =
    sorted(range(len(minus)), key=minus.__getitem__)`` (a stable sort), from the ``cap``-th
    lowest value: those below it, then as many of those equal to it as fit, by document. One
    sort of the floats and C-level passes instead of three sorts of the documents."""
    at = sorted(minus)[cap - 1]
    every = range(len(minus))
    below = list(itertools.compress(every, map(operator.lt, minus, itertools.repeat(at))))
    tied = list(itertools.compress(every, map(operator.eq, minus, itertools.repeat(at))))
    above = list(itertools.compress(every, map(operator.gt, minus, itertools.repeat(at))))
    fit = cap - len(below)
    return sorted(below + tied[:fit]), sorted(tied[fit:] + above)


def _object(items: list[tuple[str, str]]) -> str:
    """The JSON object of (key, value JSON) pairs, keys sorted."""
    return "{" + ",".join(f"{dumps(t)}:{x}" for t, x in items) + "}"


def _field_lists(tfs: Sequence[Sequence[int]], keep: Sequence[int] | None, n: Sequence[int]) -> list[Sequence[int]]:
    """The kept documents' frequencies per field (``keep`` None: all), [] for an all-zero field
    (``n``: the field's number of documents with the term, 0 for none)."""
    out: list[Sequence[int]] = []
    for col, nonzero in zip(tfs, n, strict=True):
        values = [] if not nonzero else col if keep is None else list(map(col.__getitem__, keep))
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


class SegmentSource:
    """A written segment as a merge reads it, from its own files (``load(rel)`` reads
    ``seg/<name>/<rel>``): its live documents, then its terms one shard at a time."""

    def __init__(self, name: str, load: Callable[[str], Any], live: set[int]) -> None:
        self.name, self.load, self.live = name, load, live

    def docs(self) -> Iterator[tuple[int, DocInfo]]:
        cols = {c: self.load(f"m/{c}") for c in COLUMNS}
        ids, lengths = self.load("docs")["docs"], self.load("len")
        company = cols["company"]
        for n in sorted(self.live):
            row = self.load(f"d/{n}")
            values = {c: _value(cols[c], c, n) for c in COLUMNS}
            main = company["main"][n]
            values["main"] = company["values"][main] if main >= 0 else None
            length = (lengths[3 * n], lengths[3 * n + 1], lengths[3 * n + 2])
            yield n, DocInfo(ids[n][0], ids[n][1], row["filed"], row, values, length)

    def terms(self, renumber: dict[int, int]) -> Iterator[tuple[str, Postings]]:
        for k in range(len(self.load("meta")["shards"])):
            shard, tails, positions = self.load(f"t/{k}"), self.load(f"r/{k}"), self.load(f"p/{k}")
            for term in sorted(shard):
                postings = self._postings(k, shard[term], tails.get(term), positions.get(term), renumber)
                if postings is not None:
                    yield term, postings

    def _postings(
        self, k: int, e: dict, tail: dict | None, positions: list | None, renumber: dict[int, int]
    ) -> Postings | None:
        docs = undeltas(e["a"] if "a" in e else e["d"])
        if not any(d in renumber for d in docs):
            return None
        kept = undeltas(e["d"])
        kept_set = set(kept)
        others = [d for d in docs if d not in kept_set] if "a" in e else []
        tf: dict[int, tuple[int, int, int]] = {}
        first: dict[int, int] = {}
        for group, s, f in (
            (kept, e["s"], e["f"]),
            (others, tail["s"] if tail else [], tail["f"] if tail else []),
        ):
            for i, d in enumerate(group):
                tf[d] = (s[0][i] if s[0] else 0, s[1][i] if s[1] else 0, s[2][i] if s[2] else 0)
                first[d] = f[i]
        if "b" in e:
            j, per = e["b"]
            lists = [x for blk in range(-(-len(docs) // per)) for x in self.load(f"p/{k}-{j}-{blk}")]
        else:
            lists = positions or []
        rows = [(renumber[d], tf[d], first[d], g) for d, g in zip(docs, lists, strict=True) if d in renumber]
        new_docs, tfs, firsts, kept_lists = zip(*rows, strict=True)
        return Postings(new_docs, tuple(zip(*tfs, strict=True)), firsts, kept_lists)


def _value(col: dict, name: str, n: int) -> Any:
    v = col["docs"][n]
    if isinstance(v, list):
        return [col["values"][i] for i in v]
    return col["values"][v] if v >= 0 else None
