"""The fast paths of the exhibit readers find exactly what the plain regular expressions find."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.parse import exhibits as X
from generator.parse.exhibits import NUMBER

#: The reference pattern as it was first written (a leading ``\b`` and IGNORECASE throughout).
_PLAIN_REF_RE = re.compile(
    rf"\b(?:Exhibits?|Exh\.|EX-)[ \t]*(?:No\.?s?|Numbers?|#)?[ \t]*(?:(?P<num>{NUMBER})"
    rf"|\n[ \t]*(?P<wrapped>\d{{1,3}}\.\d{{1,3}}[A-Za-z]?(?![\d.])))",
    re.IGNORECASE,
)

_PIECES = st.sampled_from(
    ["Exhibit", "EXHIBITS", "exh.", "Ex-", "EXH\u0130BIT", "Exh\u0131bit", "exhibi\u017f", "No.", " ", "\t",
     "\n", "99", ".1", "10.2(a)", "(b)", ",", " and ", " through ", "-", "x", "e", "\u0130", "\u00e9",
     "_", "Index", "\u2014", "\xa0", "a"]
)  # fmt: skip


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_reference_matches_equal_the_plain_pattern(text):
    expected = _spans(_PLAIN_REF_RE.finditer(text))
    assert _spans(X._REF_RE.finditer(text)) == expected
    assert _spans(X._ref_matches(text)) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_reference_matches_on_any_text(text):
    text = "Exhibit 99.1 " + text + " exhibit 10.2"
    assert _spans(X._ref_matches(text)) == _spans(_PLAIN_REF_RE.finditer(text))
