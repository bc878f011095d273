"""The index build's fast paths give exactly what the plain definitions give.

``analysis.terms_with_cuts`` (piece cache with shortcuts; ASCII texts cut by translate and split,
others by the regular expression; cut offsets found by skipping pieces) must equal
:func:`analysis.tokens` term for term and offset for offset, and ``update._postings`` (a list of
positions per term, counts from their lengths) must equal a plain grouping of positions by term:
the index's bytes depend on both. ``update.digest`` (fed in pieces, ASCII texts escaped by a codec)
must equal the sha256 of the whole document's ``repr``, which names every text chunk file.
"""

from __future__ import annotations

import hashlib
from array import array
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.search import analysis
from generator.search.fields import BodyPart, SearchDoc
from generator.search.update import _postings, digest
from tests.conftest import FIXTURES, shared_corpus

# letters (ASCII, Latin-1, Latin Extended, one outside the pattern), digits and every joiner
pieces = st.one_of(
    st.text(alphabet="abcXYZéÉßĳ\u0250019", min_size=1, max_size=8),
    st.sampled_from([" ", ".", "-", "/", "'", "\u2019", "'s", "\n", "--", "x" * 45, "ab-" * 15, "99.1"]),
)
texts = st.lists(pieces, max_size=60).map("".join)
# ASCII only (the translate-and-split path): letters, digits, every joiner and gap characters,
# runs of spaces, a part too long to index
ascii_pieces = st.one_of(
    st.text(alphabet="abcXYZ019.-/'", min_size=1, max_size=8),
    st.sampled_from(
        [" ", "   ", "\t", "\n", ",", "(", ")", "$", "'s", "--", "x" * 45, "ab-" * 15, "99.1", "10-K."]
    ),
)
ascii_texts = st.lists(ascii_pieces, max_size=60).map("".join)


def naive_cuts(text: str, every: int) -> tuple[list[str], list[int]]:
    toks = list(analysis.tokens(text))
    return [t.term for t in toks], [t.start for t in toks[::every]]


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from([1, 2, 3, 5, 400]))
def test_terms_with_cuts_equal_tokens(text, every):
    assert analysis.terms_with_cuts(text, every) == naive_cuts(text, every)


@settings(max_examples=400, deadline=None)
@given(ascii_texts, st.sampled_from([1, 2, 3, 5, 400]))
def test_terms_with_cuts_of_ascii_text_equal_tokens(text, every):
    assert text.isascii()
    assert analysis.terms_with_cuts(text, every) == naive_cuts(text, every)


@settings(max_examples=50, deadline=None)
@given(st.one_of(texts, ascii_texts))
def test_terms_with_cuts_after_the_cache_is_emptied(text):
    analysis._PIECES.clear()
    analysis._MULTI.clear()
    first = analysis.terms_with_cuts(text, 2)
    assert analysis.terms_with_cuts(text, 2) == first == naive_cuts(text, 2)


def test_cut_inside_a_token_of_several_terms_and_after_dropped_parts():
    text = "a " + "b" * 45 + " co-invest/x.y " + "c" * 41 + " d 10-K e-f-g"
    for t in (text, text + " é", f"('{text}'.)", "  " + "x" * 45 + "-abc .-/ 'the -5 a..b"):
        for every in range(1, 12):
            assert analysis.terms_with_cuts(t, every) == naive_cuts(t, every)


def naive_postings(company, form, body):
    seq = [*company, "", *form, "", *body]
    body_start = len(company) + len(form) + 2
    names = sorted(set(seq) - {""})
    tf, first, positions = array("I"), array("i"), array("I")
    for name in names:
        ps = [p for p, t in enumerate(seq) if t == name]
        a = sum(1 for p in ps if p < len(company))
        b = sum(1 for p in ps if len(company) < p < body_start)
        tf.extend((a, b, len(ps) - a - b))
        first.append(next((p for p in ps if p >= body_start), -1))
        positions.extend(ps)
    return tuple(names), tf, first, positions


terms = st.lists(st.sampled_from(["a", "b", "c", "10-k", "z"]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(terms, terms, terms)
def test_postings_equal_a_plain_grouping(company, form, body):
    assert _postings(company, form, body) == naive_postings(company, form, body)


def repr_digest(doc: SearchDoc) -> str:
    """The former ``update.digest``, verbatim: the value chunk files are named by."""
    return hashlib.sha256(repr(doc).encode("utf-8")).hexdigest()[:20]


# ASCII texts (the escaping codec's path) and any texts: quotes of either kind or both,
# backslashes, escaped control characters, DEL, Latin-1, non-printables, astral, a lone surrogate
tricky = st.one_of(
    st.text(alphabet="'\"\\\n\r\t\x00\x0c\x1b\x7f a1"),
    st.text(alphabet="'\\\n\x00\x7f a"),
    st.text(
        alphabet=st.one_of(st.sampled_from("'\"\\\n\x7f é\u00a0\u2028\U0001f600\udc80"), st.characters())
    ),
)
fields = st.text(max_size=12)
search_docs = st.builds(
    SearchDoc,
    id=fields, url=fields, title=tricky, company=tricky, form=fields, filed=st.none() | fields,
    names=st.lists(tricky, max_size=2).map(tuple), ciks=st.lists(fields, max_size=2).map(tuple),
    items=st.lists(fields, max_size=2).map(tuple), exhibits=st.lists(fields, max_size=2).map(tuple),
    state=st.none() | fields, company_text=tricky, form_text=tricky,
    body=st.lists(st.builds(BodyPart, url=tricky, text=tricky), max_size=3).map(tuple),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(search_docs)
def test_digest_equals_the_sha256_of_the_whole_repr(doc):
    assert digest(doc) == repr_digest(doc)


def _search_docs(paths: list[Path]) -> list[SearchDoc]:
    from generator.parse.filing import parse_filing
    from generator.search.fields import search_doc

    docs = []
    for path in paths:
        try:
            docs.append(search_doc(parse_filing(path.read_bytes(), path.name)))
        except Exception:  # noqa: BLE001 - a hostile fixture that does not parse is not a case here
            continue
    return docs


def test_digest_of_fixture_filings_equals_the_repr_digest():
    docs = _search_docs(sorted(FIXTURES.rglob("*.txt")) + sorted(FIXTURES.rglob("*.nc")))
    assert len(docs) >= 10
    for doc in docs:
        assert digest(doc) == repr_digest(doc), doc.id


def test_digest_of_the_shared_corpus_equals_the_repr_digest():
    docs = _search_docs(sorted((shared_corpus() / "full").glob("*.txt")))
    assert len(docs) >= 100
    for doc in docs:
        assert digest(doc) == repr_digest(doc), doc.id
