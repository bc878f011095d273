"""The segment writer's position texts are the bytes json would write.

The builder turns each document's gaps into JSON text once, with a table of decimal strings
(``segment._decimal``), and the writer joins those texts: ``_record_texts`` must give each term's
``json.dumps(gaps)`` without its brackets, ``_lists_text`` the ``json.dumps`` of the list of lists
(the former code wrote ``dumps`` of the lists themselves).
"""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.search import segment
from generator.search.encode import dumps
from generator.search.segment import _decimal, _lists_text, _record_texts

MAX = (1 << 32) - 1
values = st.one_of(st.integers(0, 300), st.integers(0, segment._DECIMAL_MAX + 5), st.integers(0, MAX))


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=30))
def test_decimal_is_str(xs):
    assert _decimal(array("I", xs)) == list(map(str, xs))
    assert len(segment._DECIMAL) <= segment._DECIMAL_MAX


def test_the_decimal_table_grows_to_cover_the_values_up_to_its_cap():
    top = segment._DECIMAL_MAX - 1
    assert _decimal(array("I", [5, top, 0])) == ["5", str(top), "0"]
    assert segment._DECIMAL == list(map(str, range(segment._DECIMAL_MAX)))
    assert _decimal(array("I", [top + 1, MAX])) == [str(top + 1), str(MAX)]
    assert len(segment._DECIMAL) == segment._DECIMAL_MAX


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(values, min_size=1, max_size=8), st.integers(0, 8)), max_size=10))
def test_record_texts_are_json_of_each_terms_gaps(terms):
    tf, gaps = array("I"), array("I")
    for g, company in terms:
        c = company % (len(g) + 1)
        tf.extend([c, 0, len(g) - c])
        gaps.extend(g)
    assert _record_texts(gaps, tf) == [dumps(g)[1:-1] for g, _c in terms]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(values, max_size=6), max_size=6))
def test_lists_text_is_json(lists):
    assert _lists_text([dumps(g)[1:-1] for g in lists]) == dumps(lists)
