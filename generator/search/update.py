"""Search stage, the build's API to the browser index (format 3): analysed filings -> segments.

How build.py uses it (docs/search.md, "Incremental index")::

    update = IndexUpdate(output_dir)              # reads output_dir/search/manifest.js, if any
    for filing in changed_or_new_filings:         # any order; analyse() runs in worker processes
        emit(update.add(analyse(search_doc(filing))))   # yields files as segments fill up
    for filing_id in deleted_ids:
        update.remove(filing_id)
    outputs, kept = update.finish()               # last segment, merged segments, manifest LAST
    emit(outputs); keep_on_prune(kept)            # ``kept``: earlier files that are still live

``add`` of a filing whose analysed digest is already live does nothing, so a build may add every
filing; a build with no change writes only byte-identical files. Memory: the open segment only
(``segment_positions`` positions or ``segment_docs`` filings, ~150 MB), plus ids and digests of
every indexed filing.

Determinism: the same filings added in the same order (to the same starting index) give the same
bytes: segments are cut at the same additions (the caps count only what was added), a segment's
content depends only on its set of documents, merges are decided from the segment list alone. Another order may cut other
segments; the search results stay the same (the client ranks with global statistics).
"""

from __future__ import annotations

import bisect
import collections
import functools
import hashlib
import itertools
import math
import operator
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.heap import release_free_memory
from generator.model import Output
from generator.search import analysis, client
from generator.search.encode import FORMAT_VERSION, ROOT, data_file, deltas, read_data_file, undeltas
from generator.search.fields import FIELD_WEIGHTS, SearchDoc
from generator.search.segment import CHUNK_TERMS, K1, B, DocInfo, SegmentBuilder, SegmentSource, Settings

#: The open segment's postings are in memory, so it is capped, mainly by its term positions
#: (4 bytes each, plus ~3 bytes of per-term records each): 24 million positions are ~150 MB
#: while it is open and ~220 MB while it is written. A cap by filings alone let it vary twice
#: over (a 1990s plain-text filing has ~18,000 positions, a 2020s one ~7,000): the 100,000-filing
#: build's open segment of 2,500 old filings reached ~400 MB. Positions are the sum of a
#: segment's field lengths, so a segment read back from disk tells whether it was full. The cap
#: by filings only bounds segments of very short filings; merged segments can be bigger (a
#: merge streams term by term).
SEGMENT_DOCS = 5000
SEGMENT_POSITIONS = 24_000_000
#: Tiered merging: this many segments of the same size tier (1-7, 8-63, 64-511 ... filings) are
#: merged into one; a segment with more than half of its filings deleted is merged too. So the
#: number of segments grows with the logarithm of the archive's size.
MERGE_FACTOR = 8


@dataclass(frozen=True, slots=True)
class AnalysedDoc:
    """One filing analysed for search: its row, facet values, field lengths, postings (terms in
    sorted order; per term three field frequencies, the first body position and its positions,
    concatenated) and its text chunks. Plain data, picklable, no reference to the Filing."""

    info: DocInfo
    terms: tuple[str, ...]
    tf: array  # 3 per term
    first: array  # per term, -1 if not in the body
    positions: array  # per term, its positions, in term order
    chunks: tuple[tuple[int, str, str], ...]  # (first position, document page url, text)


def digest(doc: SearchDoc) -> str:
    """What a document's search entry holds, hashed: it names the document's text chunks and
    tells the command line's index (and :meth:`IndexUpdate.add`) whether the filing changed.

    The value is ``sha256(repr(doc).encode("utf-8"))`` (the chunk files of every index built so
    far are named by it), fed in pieces: the fields and each body part's url as ``repr`` writes
    them, each body text by :func:`_text_repr`, never the whole text's ``repr`` as one string
    (``repr`` of a text was 90% of this, ~0.3 ms a filing)."""
    h = hashlib.sha256(_repr_before(replace(doc, body=()), "body", "()"))
    h.update(b"(")
    for i, part in enumerate(doc.body):
        h.update(b", " if i else b"")
        h.update(_repr_before(replace(part, text=""), "text", "''"))
        h.update(_text_repr(part.text))
        h.update(b")")
    h.update(b",))" if len(doc.body) == 1 else b"))")  # repr of a 1-tuple: (x,)
    return h.hexdigest()[:20]


def _repr_before(record: Any, name: str, empty: str) -> bytes:
    """``repr(record)`` (a dataclass whose last field ``name`` holds ``empty``, as written by
    repr) up to that field's value: ``BodyPart(url='…', text=``."""
    text = repr(record)
    assert text.endswith(f"{name}={empty})"), "the field is the dataclass's last"
    return text[: len(text) - len(empty) - 1].encode("utf-8")


def _text_repr(text: str) -> bytes:
    """``repr(text).encode("utf-8")`` at half the cost for an ASCII text (85% of the bytes):
    there ``repr`` escapes exactly what the ``unicode_escape`` codec escapes (backslash, tab,
    newline, return as ``\\t``…, other control characters and DEL as ``\\xNN``) plus its quote,
    which is ``"`` when the text has a ``'`` and no ``"``, else ``'`` (each ``'`` escaped)."""
    if not text.isascii():
        return repr(text).encode("utf-8")
    escaped = text.encode("unicode_escape")
    if "'" in text and '"' not in text:
        return b'"' + escaped + b'"'
    return b"'" + escaped.replace(b"'", b"\\'") + b"'"


def analyse(doc: SearchDoc, chunk_terms: int = CHUNK_TERMS) -> AnalysedDoc:
    """Pure: the fields' terms at their positions (company, form, body in one sequence; an empty
    position after each field so no phrase spans two) grouped by term, and the text chunks."""
    company, _ = analysis.terms_with_cuts(doc.company_text, 1 << 30)
    form, _ = analysis.terms_with_cuts(doc.form_text, 1 << 30)
    body_start = len(company) + len(form) + 2
    body: list[str] = []
    chunks: list[tuple[int, str, str]] = []
    for part in doc.body:
        terms, cuts = analysis.terms_with_cuts(part.text, chunk_terms)
        at = body_start + len(body)
        for c, start in enumerate(cuts):
            end = cuts[c + 1] if c + 1 < len(cuts) else None
            chunks.append((at + c * chunk_terms, part.url, part.text[start:end]))
        body += terms
    names, tf, first, positions = _postings(company, form, body)
    h = digest(doc)
    row: dict[str, Any] = {"id": doc.id, "url": doc.url, "title": doc.title, "company": doc.company}
    row |= {"form": doc.form, "filed": doc.filed, "chunks": [c[0] for c in chunks], "h": h}
    row |= {"ct": doc.company_text, "ft": doc.form_text}
    values = {
        "form": doc.form or None,
        "company": list(doc.names) or [doc.company],
        "main": doc.company,
        "cik": list(doc.ciks),
        "state": doc.state,
        "item": list(doc.items),
        "exhibit": list(doc.exhibits),
    }
    lengths = (len(company), len(form), len(body))
    info = DocInfo(doc.id, h, doc.filed, row, values, lengths)
    return AnalysedDoc(info, names, tf, first, positions, tuple(chunks))


def chunk_files(doc: AnalysedDoc) -> list[Output]:
    """Pure: the document's text chunk files (``x/<digest>/<c>.js``). Named by the digest, so a
    worker process can write them itself: the build process then gets the document back
    :func:`without_chunks` and never handles the text (two thirds of the index's bytes, ~24
    files a filing)."""
    h = doc.info.digest
    return [data_file(f"x/{h}/{c}", {"p": p, "u": url, "t": text}) for c, (p, url, text) in enumerate(doc.chunks)]


def without_chunks(doc: AnalysedDoc) -> AnalysedDoc:
    """The document as :meth:`IndexUpdate.add` needs it once its chunk files are written: the
    row still lists the chunks' first positions (the client and the stale-file sweep count them)."""
    return replace(doc, chunks=())


def chunk_folder(digest: str) -> str:
    """The folder of the text chunks of the document whose digest is ``digest``, with a slash."""
    return f"{ROOT}/x/{digest}/"


def index_folder(path: str) -> str | None:
    """The folder, with a slash, that holds the index file ``path`` with all the files that live
    and die with it: a document's text chunks (:func:`chunk_folder`) or a segment (its name is a
    digest of its documents: a segment written again is the same files). None for other files."""
    parts = path.split("/")
    if len(parts) >= 4 and parts[0] == ROOT and parts[1] in ("x", "seg"):
        return f"{ROOT}/{parts[1]}/{parts[2]}/"
    return None


def _postings(
    company: list[str], form: list[str], body: list[str]
) -> tuple[tuple[str, ...], array, array, array]:
    """The three fields' terms grouped by term: sorted names, three field frequencies per name,
    its first body position (-1: none) and all its positions, ascending, name after name.

    ~9,000 terms a filing but only ~900 distinct: each position is appended to its term's list
    (one C-level ``map`` of ``list.append``, in position order, so each list ascends), and the
    lists are read in name order; no sort of the positions (that sort was 60% of this). Body
    counts and first positions come from the lists; the only Python steps are per distinct term
    of the company and form fields (a few dozen)."""
    names = sorted({*company, *form, *body})
    groups: dict[str, list[int]] = {name: [] for name in names}
    c, f = len(company), len(form)
    # the positions of the three fields: an empty position after company and after form
    where = itertools.chain(range(c), range(c + 1, c + 1 + f), range(c + f + 2, c + f + 2 + len(body)))
    appends = map(list.append, map(groups.__getitem__, itertools.chain(company, form, body)), where)
    collections.deque(appends, maxlen=0)  # run them
    lists = list(groups.values())
    positions = array("I")
    for group in lists:  # array.fromlist converts a list twice as fast as array() an iterator
        positions.fromlist(group)
    tf = array("I", bytes(12 * len(names)))
    tf[2::3] = array("I", map(len, lists))  # as if all were body occurrences
    first = array("i", map(operator.itemgetter(0), lists))
    in_company, in_form = Counter(company), Counter(form)
    for name in in_company.keys() | in_form.keys():
        k = bisect.bisect_left(names, name)
        a, b = in_company[name], in_form[name]
        tf[3 * k], tf[3 * k + 1], tf[3 * k + 2] = a, b, tf[3 * k + 2] - a - b
        first[k] = lists[k][a + b] if tf[3 * k + 2] else -1
    return tuple(names), tf, first, positions


@dataclass(slots=True)
class _Segment:
    """A live segment as the manifest lists it, plus its ``docs`` file (ids, digests, files)."""

    name: str
    ids: list[tuple[str, str, int]]  # (filing id, digest, text chunks) per segment document
    lengths: list[int]  # three field lengths per segment document
    files: list[str]
    deleted: set[int] = field(default_factory=set)

    @property
    def live(self) -> int:
        return len(self.ids) - len(self.deleted)


class IndexUpdate:
    """One build's changes to the browser index under ``out_root/search/`` (module docstring)."""

    def __init__(self, out_root: Path | None, *, segment_docs: int | None = None,
                 segment_positions: int | None = None, merge_factor: int = MERGE_FACTOR,
                 **settings: Any) -> None:  # fmt: skip
        """``segment_docs``, ``segment_positions``: the open segment's caps (defaults
        :data:`SEGMENT_DOCS`, :data:`SEGMENT_POSITIONS`, read now)."""
        self.root = out_root
        self.settings = Settings(**settings)
        self.segment_docs, self.merge_factor = segment_docs or SEGMENT_DOCS, merge_factor
        self.segment_positions = segment_positions or SEGMENT_POSITIONS
        self.segments: list[_Segment] = []
        self.old: set[str] = set()  # names of the segments read from disk
        self.builder = SegmentBuilder()
        self.open: dict[str, int] = {}  # id -> builder document
        self.open_positions = 0  # of the open segment's live documents (the sum of their lengths)
        self.changed = False
        manifest = self._read("manifest") if out_root is not None else None
        self._replaced = manifest is not None and not self._compatible(manifest)  # other format/settings
        if manifest and self._compatible(manifest):
            for s in manifest["segments"]:
                docs = self._read(f"seg/{s['name']}/docs")
                ids = [(i, h, c) for i, h, c in docs["docs"]]
                deleted = set(undeltas(s["deleted"]))
                lengths = self._read(f"seg/{s['name']}/len")
                self.segments.append(_Segment(s["name"], ids, lengths, docs["files"], deleted))
                self.old.add(s["name"])
        self.where = {d[0]: (s, n) for s in self.segments for n, d in enumerate(s.ids) if n not in s.deleted}
        # What the index on disk uses now, by segment and by document (digest -> text chunks), so
        # finish() can name the files it no longer uses without listing every file it does use.
        self._start_segments = [s for s in self.segments if s.live]
        self._start_docs = {s.ids[n][1]: s.ids[n][2] for s, n in self.where.values()}

    def _read(self, name: str) -> Any:
        assert self.root is not None
        path = self.root / ROOT / f"{name}.js"
        return read_data_file(path.read_bytes()) if path.is_file() else None

    def _read_in(self, segment: str, rel: str) -> Any:
        return self._read(f"seg/{segment}/{rel}")

    def _compatible(self, m: dict) -> bool:
        s = self.settings
        return (m.get("format"), m.get("analysis"), m.get("cap"), m.get("chunk"), m.get("settings")) == (
            FORMAT_VERSION, analysis.ANALYSIS_VERSION, s.cap, s.chunk_terms, _settings(s)
        )  # fmt: skip

    def ids(self) -> dict[str, str]:
        """Filing id -> digest of every filing indexed (after this update's changes so far)."""
        out = {i: s.ids[n][1] for i, (s, n) in self.where.items()}
        return out | {i: self.builder.docs[n].digest for i, n in self.open.items()}

    def add(self, doc: AnalysedDoc) -> Iterator[Output]:
        """(Re)index one filing: its text chunks now (none for a document :func:`without_chunks`,
        whose chunk files a worker wrote); a full open segment is written out."""
        info = doc.info
        if info.id in self.open:
            if self.builder.docs[self.open[info.id]].digest == info.digest:
                return
        elif self._same(info):
            return
        self.remove(info.id)
        self.changed = True
        yield from chunk_files(doc)
        n = self.builder.add_doc(info)
        self.open[info.id] = n
        self.builder.add_postings(n, doc.terms, doc.tf, doc.first, doc.positions)
        self.open_positions += sum(info.lengths)
        if len(self.builder) >= self.segment_docs or self.open_positions >= self.segment_positions:
            yield from self._flush()

    def _same(self, info: DocInfo) -> bool:
        found = self.where.get(info.id)
        return found is not None and found[0].ids[found[1]][1] == info.digest

    def remove(self, filing_id: str) -> None:
        """Take a filing out of search: a deletion in its segment (or out of the open segment)."""
        if filing_id in self.open:
            n = self.open.pop(filing_id)
            self.builder.kill(n)
            self.open_positions -= sum(self.builder.docs[n].lengths)
            self.changed = True
        found = self.where.pop(filing_id, None)
        if found is not None:
            found[0].deleted.add(found[1])
            self.changed = True

    def _flush(self, merging: Sequence[_Segment] = ()) -> Iterator[Output]:
        """Write the open segment, merged with the segments ``merging`` (read from disk)."""
        if not len(self.builder) and not merging:
            self.builder, self.open, self.open_positions = SegmentBuilder(), {}, 0
            return
        sources = [
            SegmentSource(
                s.name, functools.partial(self._read_in, s.name), set(range(len(s.ids))) - s.deleted
            )
            for s in merging
        ]
        writer = self.builder.write(self.settings, sources)
        self.segments = [s for s in self.segments if s not in merging]
        self.builder, self.open, self.open_positions = SegmentBuilder(), {}, 0
        yield from writer.files()
        name, docs = writer.name, writer.docs
        # a segment of the same documents (all re-added after deletion) has the same bytes
        self.segments = [s for s in self.segments if s.name != name]
        seg = _Segment(name, [(d.id, d.digest, len(d.row["chunks"])) for d in docs],
                       [x for d in docs for x in d.lengths], sorted(writer.written))  # fmt: skip
        self.segments.append(seg)
        for n, d in enumerate(docs):
            self.where[d.id] = (seg, n)
        release_free_memory()  # the written segment's postings are freed (generator/heap.py)

    def finish(self) -> tuple[list[Output], set[str]]:
        """The last segment, merges, the client files and the manifest (last, so a reader never
        sees a manifest naming files not yet written); and the files of the index on disk that
        it no longer uses (merged-away segments, the text chunks of removed or changed filings).

        Work in proportion to the change, not to the index: at 10,000 filings the index has some
        200,000 files, and listing them all twice was a quarter of a one-filing rebuild."""
        outputs: list[Output] = []
        if self.changed:
            outputs.extend(self._flush(self._merges()))
        self.segments = [s for s in self.segments if s.live]
        outputs.extend(client.client_files())
        outputs.append(data_file("manifest", self._manifest()))
        live_segments = {s.name for s in self.segments}
        stale = set()
        for seg in self._start_segments:
            if seg.name not in live_segments:
                stale |= {f"{ROOT}/seg/{seg.name}/{f}.js" for f in seg.files}
                stale.add(f"{ROOT}/seg/{seg.name}/docs.js")
        live_docs = {s.ids[n][1] for s in self.segments for n in range(len(s.ids)) if n not in s.deleted}
        for digest, chunks in self._start_docs.items():
            if digest not in live_docs:
                stale |= {f"{ROOT}/x/{digest}/{c}.js" for c in range(chunks)}
        if self._replaced:  # an index of another format: none of its files is used any more
            assert self.root is not None
            for folder in ("seg", "x"):
                base = self.root / ROOT / folder
                stale |= {p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file()}
        return outputs, stale - {o.path for o in outputs}

    def _merges(self) -> list[_Segment]:
        """Segments to merge with the open one: those over half deleted, and a whole size tier
        once it has ``merge_factor`` segments (smallest tier first; the open segment counts in
        its tier). A merge streams term by term, so big segments merge in bounded memory; only
        segments read from disk are candidates (this update's own are not on disk yet)."""
        old = [s for s in self.segments if s.name in self.old and s.live]
        chosen = [s for s in old if len(s.deleted) * 2 > len(s.ids)]
        tiers: dict[int, list[_Segment]] = {}
        for s in old:
            # A full segment (as a full build writes them) is merged only when half deleted, never
            # for its tier: at 100,000 filings the first edit after a full build merged all 40 of
            # them, minutes and gigabytes in a one-filing rebuild (Lucene caps merges the same way).
            if s not in chosen and not self._full(s):
                tiers.setdefault(self._tier(s.live), []).append(s)
        pending = self._tier(len(self.builder)) if len(self.builder) else None
        for tier, group in sorted(tiers.items()):
            if len(group) + (tier == pending) >= self.merge_factor:
                return chosen + group
        return chosen

    def _full(self, s: _Segment) -> bool:
        """Cut at a cap: its filings, or its positions (the sum of its field lengths)."""
        return len(s.ids) >= self.segment_docs or sum(s.lengths) >= self.segment_positions

    def _tier(self, docs: int) -> int:
        return int(math.log(max(1, docs), self.merge_factor) + 1e-9)

    def _manifest(self) -> dict:
        s = self.settings
        # statistics of the live documents only: a deletion changes scores as a fresh build would
        lengths = [0, 0, 0]
        for x in self.segments:
            for n in range(len(x.ids)):
                if n not in x.deleted:
                    for f in range(3):
                        lengths[f] += x.lengths[3 * n + f]
        return {
            "format": FORMAT_VERSION,
            "analysis": analysis.ANALYSIS_VERSION,
            "cap": s.cap,
            "chunk": s.chunk_terms,
            "settings": _settings(s),
            "weights": FIELD_WEIGHTS,
            "k1": K1,
            "b": B,
            "docs": sum(x.live for x in self.segments),
            "lengths": lengths,
            "segments": [
                {"name": x.name, "docs": len(x.ids), "deleted": deltas(sorted(x.deleted))}
                for x in self.segments
            ],
        }

    def live_paths(self) -> set[str]:
        """Every file the index uses (after :meth:`finish`): for tests and checks."""
        out = set()
        for s in self.segments:
            if not s.live:
                continue
            out |= {f"{ROOT}/seg/{s.name}/{f}.js" for f in s.files}
            out.add(f"{ROOT}/seg/{s.name}/docs.js")
            for n, (_i, h, chunks) in enumerate(s.ids):
                if n not in s.deleted:
                    out |= {f"{ROOT}/x/{h}/{c}.js" for c in range(chunks)}
        return out


def _settings(s: Settings) -> list:
    return [s.shard_bytes, s.position_bytes]


