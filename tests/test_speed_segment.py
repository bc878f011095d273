"""The segment writer's fast paths give exactly what the plain definitions give.

``segment._gaps`` (a document's positions as gaps by one big-integer subtraction) must equal
the plain gaps term by term, and ``SegmentBuilder._terms`` (a counting sort by term taking the
documents in their new order, columns read by ``itemgetter``) must equal a plain grouping of the
live documents' postings by term, by new document number: a segment's bytes depend on both.
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
