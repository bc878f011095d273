"""Search analysis: the shared contract cases, and properties of the tokenizer."""

from __future__ import annotations

import json
import re

from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from generator.search import analysis

CONTRACT = json.loads((ROOT / "tests" / "contract" / "analysis.json").read_text(encoding="utf-8"))


def test_contract_cases():
    for case in CONTRACT["cases"]:
        assert analysis.analyze(case["text"]) == case["terms"], case["name"]
        assert [[t.start, t.end] for t in analysis.tokens(case["text"])] == case["spans"], case["name"]


def test_contract_stems_are_whoosh_porter2():
    assert CONTRACT["analysis_version"] == analysis.ANALYSIS_VERSION
    for word, stem in CONTRACT["stems"].items():
        assert analysis.normalize_word(word) == stem, word


def test_tokenizer_pattern_is_explicit_and_shared_with_the_client():
    js = (ROOT / "generator" / "search" / "client" / "analysis.mjs").read_text(encoding="utf-8")
    assert "export const WORD_CHARS = 'A-Za-z0-9\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f';" in js
    assert analysis.WORD_CHARS == "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
    assert f"export const MAX_TERM = {analysis.MAX_TERM};" in js
    assert f"export const ANALYSIS_VERSION = {analysis.ANALYSIS_VERSION};" in js


words = st.text(alphabet=st.characters(codec="latin-1", categories=("L", "N")), min_size=1, max_size=12)
texts = st.lists(
    st.one_of(
        words, st.sampled_from([" ", ", ", ".", "-", "/", "'", "\n", "  ", "$", "(", ")", "99.1", "10-K"])
    ),
    max_size=40,
).map("".join)


@given(texts)
def test_positions_are_consecutive_and_spans_lie_in_the_text(text):
    toks = list(analysis.tokens(text, 7))
    assert [t.position for t in toks] == list(range(7, 7 + len(toks)))
    for t in toks:
        assert 0 <= t.start < t.end <= len(text)
        assert 0 < len(t.term) <= analysis.MAX_TERM


@given(texts)
def test_each_span_analyzes_to_its_own_term(text):
    """Highlighting relies on it: re-analysing a token's span gives the token's term back."""
    for t in analysis.tokens(text):
        assert analysis.analyze(text[t.start : t.end]) == [t.term]


@given(texts, st.integers(min_value=0, max_value=60))
def test_cutting_before_a_token_keeps_the_terms_after_it(text, k):
    """Text chunks start at a token: analysing a chunk gives the same terms as the whole text."""
    toks = list(analysis.tokens(text))
    if toks:
        cut = toks[min(k, len(toks) - 1)]
        assert analysis.analyze(text[cut.start :]) == [t.term for t in toks[toks.index(cut) :]]


@given(st.from_regex(re.compile(r"[0-9]{1,4}(?:[.\-/][0-9A-Za-z]{1,6}){0,3}"), fullmatch=True))
def test_identifiers_are_one_exact_term(ident):
    assert analysis.analyze(f"see {ident}.") == ["see", ident.lower()]


@given(st.from_regex(re.compile(r"[a-z]{1,15}"), fullmatch=True))
def test_words_are_case_insensitive(word):
    assert analysis.analyze(word.upper()) == analysis.analyze(word) == [analysis.normalize_word(word)]
