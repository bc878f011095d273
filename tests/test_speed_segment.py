"""The segment writer's fast paths give exactly what the plain definitions give.

``segment._gaps`` (a document's positions as gaps by one big-integer subtraction) must equal
the plain gaps term by term, and ``SegmentBuilder._terms`` (records appended to an array per
term taking the documents in their new order, columns read by ``itemgetter``) must equal a plain
grouping of the live documents' postings by term, by new document number: a segment's bytes
depend on both.
"""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.search.encode import deltas
from generator.search.segment import DocInfo, SegmentBuilder, _gaps

MAX = (1 << 32) - 1  # positions are an array('I')


def _doc(seq: list[str], fields: list[int], firsts: list[int]) -> tuple[list[str], array, array, array]:
    """A document as analyse() makes one: sorted terms, three frequencies per term (the
    occurrences split over the fields by ``fields``), first positions, the positions by term."""
    terms = sorted(set(seq))
    tf, first, positions = array("I"), array("i"), array("I")
    for k, t in enumerate(terms):
        at = [i for i, x in enumerate(seq) if x == t]
        split = fields[k % len(fields)] % (len(at) + 1)
        tf.extend([split, 0, len(at) - split])
        first.append(firsts[k % len(firsts)])
        positions.extend(at)
    return terms, tf, first, positions


seqs = st.lists(st.sampled_from("abcdefgh"), max_size=40)
small = st.lists(st.integers(0, 50), min_size=1, max_size=5)
firsts = st.lists(st.integers(-1, 1000), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, MAX), min_size=1, max_size=6).map(sorted), max_size=8),
    st.data(),
)
def test_gaps_equal_plain_gaps(runs, data):
    runs = [sorted(set(r)) for r in runs]
    tf, positions, plain = array("I"), array("I"), []
    for r in runs:
        company = data.draw(st.integers(0, len(r)))
        tf.extend([company, 0, len(r) - company])
        positions.extend(r)
        plain += deltas(r)
    assert _gaps(tf, positions).tolist() == plain


def test_gaps_of_nothing_and_of_the_extremes():
    assert _gaps(array("I"), array("I")).tolist() == []
    tf = array("I", [0, 0, 2, 1, 0, 0, 0, 1, 2])
    assert _gaps(tf, array("I", [0, MAX, 5, MAX - 1, MAX])).tolist() == [0, MAX, 5, MAX - 1, 1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(seqs, small, firsts), min_size=1, max_size=8), st.data())
def test_terms_equal_a_plain_grouping(docs, data):
    builder, plain = SegmentBuilder(), []
    for n, (seq, fields, fs) in enumerate(docs):
        terms, tf, first, positions = _doc(seq, fields, fs)
        n = builder.add_doc(DocInfo(str(n), "", None, {}, {}, (0, 0, 0)))
        builder.add_postings(n, terms, tf, first, positions)
        plain.append((terms, tf, first, positions))
    dead = data.draw(st.sets(st.integers(0, len(docs) - 1)))
    live = [n for n in range(len(docs)) if n not in dead]
    order = data.draw(st.permutations(live))
    new = array("i", [-1]) * len(docs)
    for m, n in enumerate(order):
        new[n] = m
    expected: dict[str, list[tuple]] = {}
    for n in live:
        terms, tf, first, positions = plain[n]
        at = 0
        for k, t in enumerate(terms):
            size = tf[3 * k] + tf[3 * k + 1] + tf[3 * k + 2]
            row = (new[n], tuple(tf[3 * k : 3 * k + 3]), first[k], deltas(positions[at : at + size]))
            expected.setdefault(t, []).append(row)
            at += size
    got = {
        t: [(d, (a, b, c), f, g) for d, a, b, c, f, g in zip(p.docs, *p.tf, p.first, p.gaps, strict=True)]
        for t, p in builder._terms(new)
    }
    assert list(got) == sorted(expected)
    assert got == {t: sorted(rows) for t, rows in expected.items()}


def _former_entry(writer, postings):
    """``_SegmentWriter._entry`` before its scores were computed column by column (commit
    a068b72): one Python call per document of a capped term. The oracle of the test below."""
    import math

    from generator.search.segment import FIELD_WEIGHTS, FIELDS, K1, B

    def _field_lists(tfs, keep):
        out = []
        for col in tfs:
            values = col if keep is None else [col[i] for i in keep]
            out.append(values if any(values) else [])
        return out

    def parts(tf, lengths):
        return [
            tf[f] * (K1 + 1) / (tf[f] + K1 * ((1 - B) + B * lengths[f] / writer.avg[f])) if tf[f] else 0.0
            for f in range(3)
        ]

    docs, tfs, firsts = postings.docs, postings.tf, postings.first
    entry = {"n": [len(col) - col.count(0) for col in tfs]}
    keep = tail = None
    if len(docs) > writer.s.cap:
        idf = [math.log(len(writer.docs) / (df + 1)) + 1 for df in entry["n"]]
        every = range(len(docs))
        ps = [parts([tfs[f][i] for f in range(3)], writer.docs[docs[i]].lengths) for i in every]
        score = [sum(FIELD_WEIGHTS[name] * idf[f] * x[f] for f, name in enumerate(FIELDS)) for x in ps]
        ranked = sorted(every, key=lambda i: (-score[i], docs[i]))
        keep, others = sorted(ranked[: writer.s.cap]), sorted(ranked[writer.s.cap :])
        entry["a"] = deltas(docs)
        entry["r"] = [round(100 * sum(ps[i][f] for i in others) / len(others)) for f in range(3)]
        tail = {"s": _field_lists(tfs, others), "f": [firsts[i] for i in others]}
    if keep is None:
        entry["d"], entry["f"] = deltas(docs), firsts
    else:
        entry["d"] = deltas([docs[i] for i in keep])
        entry["f"] = [firsts[i] for i in keep]
    entry["s"] = _field_lists(tfs, keep)
    return entry, tail


tfs = st.integers(0, 6)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 60_000)), min_size=1, max_size=30),
    st.integers(1, 6),
    st.data(),
)
def test_capped_entries_equal_the_former_scoring(lengths, cap, data):
    """A capped term's kept documents, its tail and the tail's mean tf parts (``r``) are the same
    as with one Python call per document, ties and all (equal scores keep document order)."""
    from generator.search.segment import Postings, Settings, _SegmentWriter

    infos = [DocInfo(str(n), "", None, {}, {}, length) for n, length in enumerate(lengths)]
    writer = _SegmentWriter("x", infos, iter(()), Settings(cap=cap))
    docs = sorted(data.draw(st.sets(st.integers(0, len(infos) - 1), min_size=1)))
    columns = [data.draw(st.lists(tfs, min_size=len(docs), max_size=len(docs))) for _ in range(3)]
    for i in range(len(docs)):  # a posting has at least one occurrence
        if not (columns[0][i] or columns[1][i] or columns[2][i]):
            columns[2][i] = 1
    firsts_ = data.draw(st.lists(st.integers(-1, 100), min_size=len(docs), max_size=len(docs)))
    postings = Postings(tuple(docs), tuple(map(tuple, columns)), tuple(firsts_), [[] for _ in docs])
    assert writer._entry(postings) == _former_entry(writer, postings)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, MAX), max_size=60),
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 300)), max_size=12),
    st.data(),
)
def test_packed_positions_equal_the_former_lists(values, records, data):
    """A term's positions where the builder holds them (``_Packed``) read as the former lists,
    one ``gaps[at : at + n].tolist()`` per document, and their JSON is ``dumps`` of those."""
    from generator.search.encode import dumps
    from generator.search.segment import _Packed, _positions_json

    gaps = array("I", values)
    records = [(min(at, len(gaps)), n) for at, n in records]
    records = [(at, min(n, len(gaps) - at)) for at, n in records]
    offsets, sizes = tuple(at for at, _n in records), tuple(n for _at, n in records)
    former = [gaps[at : at + n].tolist() for at, n in zip(offsets, sizes, strict=True)]
    packed = _Packed(gaps, offsets, sizes)
    assert list(packed) == former and len(packed) == len(former)
    assert packed.positions() == sum(map(len, former))
    lo = data.draw(st.integers(0, len(former)))
    hi = data.draw(st.integers(lo, len(former)))
    assert packed[lo:hi] == former[lo:hi]
    assert _positions_json(packed, lo, hi) == dumps(former[lo:hi]) == _positions_json(former, lo, hi)


def test_packed_positions_of_long_documents():
    """Documents of more than 256 positions (formats not kept), twice over."""
    from generator.search.encode import dumps
    from generator.search.segment import _Packed

    gaps = array("I", range(1000, 0, -1))
    packed = _Packed(gaps, (0, 10, 0), (1000, 300, 257))
    assert packed.json(0, 3) == packed.json(0, 3) == dumps([gaps[:1000].tolist(), gaps[10:310].tolist(), gaps[:257].tolist()])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([-2.5, -1.0, -0.5, 0.0, -1e-300]), min_size=1, max_size=40), st.data())
def test_best_equals_the_former_sorts(minus, data):
    """``_best`` (one sort of the scores, then C-level passes) keeps the documents the former
    three sorts kept, ties by document."""
    from generator.search.segment import _best

    cap = data.draw(st.integers(1, len(minus)))
    ranked = sorted(range(len(minus)), key=minus.__getitem__)
    assert _best(minus, cap) == (sorted(ranked[:cap]), sorted(ranked[cap:]))
