"""A cover-page :class:`Label` finds, on the cover's lower-cased ASCII copy, exactly what its
pattern ignoring case finds in the text (the former way, kept as the oracle), and a cover that is
not ASCII takes the former way."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.parse import cover as C
from generator.parse import cover_fields as F
from generator.parse import cover_name as N
from generator.parse.cover_lines import Cover, Label, _lowered

LABELS = [
    F._IRS_LABEL, F._FILE_LABEL, F._STATE_LABEL, F._PHONE_LABEL, C._PERIOD_RE, *N._ABOVE_LABELS,
    N._13F_NAME, *N._BELOW_LABELS,
]  # fmt: skip

_WORDS = st.sampled_from(
    ["I.R.S.", "IRS", "i.r.s", "Employer", "EMPLOYER", "Identification", "No.", "I.D", "Tax", "Taxpayer",
     "(", ")", "[", ":", " ", "  ", "\n", "\t", "Commission", "File", "Number", "nos", "Registration",
     "Statement", "State", "or", "of", "other", "jurisdiction", "Incorporation", "organization",
     "telephone", "number", "Phone", "for", "the", "quarterly", "period", "Fiscal", "YEAR", "ended",
     "Report", "Calendar", "Quarter", "Month/Day/Year", "Date", "Event", "Requiring", "Exact", "name",
     "registrant", "Registrants", "company", "issuer", "trust", "Subject", "Institutional", "Investment",
     "Manager", "Filing", "this", "Name:", "Ticker", "Trading", "Symbol", "x", "1-1234", "é", "K", "ſ"]
)  # fmt: skip


def spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


@settings(max_examples=500, deadline=None)
@given(st.lists(_WORDS, max_size=40).map("".join))
def test_labels_find_what_their_patterns_ignoring_case_find(text: str) -> None:
    cover = Cover.of(text)
    assert (cover.low is not None) == cover.text.isascii()
    for label in LABELS:
        assert spans(label.finditer(cover)) == spans(label.any.finditer(cover.text)), label.any.pattern
        for pos, end in ((3, len(cover.text)), (0, 40)):
            expected = label.any.search(cover.text, pos, end)
            found = label.search(cover, pos, end)
            assert (found and found.span()) == (expected and expected.span())


def test_escapes_keep_their_case() -> None:
    assert _lowered(r"A\S+\Bb[A-Z]\\N") == r"a\S+\Bb[a-z]\\n"
    assert Label(r"Foo\S").search(Cover.of("xx FOOd")) is not None
    assert Label(r"Foo\S").search(Cover.of("xx FOO ")) is None


def test_a_pattern_a_lower_cased_copy_would_change_is_refused() -> None:
    for pattern in (r"(?P<Name>x)", r"\N{LATIN CAPITAL LETTER A}", r"(?i)x"):
        try:
            Label(pattern)
        except ValueError:
            continue
        raise AssertionError(pattern)
    assert re.compile(_lowered(F._IRS_LABEL.any.pattern))  # the real ones compile
