"""generator/share.py: equal facts become one object, and no value changes (type and repr too)."""

from __future__ import annotations

import pickle

from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from generator.model import Address, Filer, FormerName, Item
from generator.parse.filing import parse_filing
from generator.share import Sharer

_text = st.one_of(st.none(), st.sampled_from(["", "CA", "10-K", "ACME INC", "1", "True"]), st.text(max_size=6))
_address = st.builds(Address, street1=_text, city=_text, state=_text, zip=_text)
_filer = st.builds(
    Filer,
    role=st.sampled_from(["filer", "subject company"]),
    name=_text,
    cik=_text,
    sic=_text,
    business_address=st.one_of(st.none(), _address),
    mail_address=st.one_of(st.none(), _address),
    former_names=st.lists(st.builds(FormerName, name=st.text(max_size=4), date_changed=_text), max_size=2).map(tuple),
)
_value = st.recursive(
    st.one_of(_text, st.integers(-2, 2), st.booleans(), st.floats(allow_nan=False), _filer,
              st.builds(Item, code=_text, title=_text)),
    lambda inner: st.lists(inner, max_size=3).map(tuple),
    max_leaves=12,
)  # fmt: skip


@given(st.lists(_value, max_size=8))
def test_share_keeps_every_value_and_type(values: list) -> None:
    """What comes out equals what went in, with the same types all the way down (``1``,
    ``True`` and ``1.0`` are equal with one hash: a memo must not swap one for another)."""
    copies = pickle.loads(pickle.dumps(values))  # fresh objects, as a worker's result arrives
    sharer = Sharer()
    shared = [sharer.share(v) for v in copies]
    assert shared == values
    assert [repr(v) for v in shared] == [repr(v) for v in values]


@given(st.lists(_filer, min_size=1, max_size=6))
def test_equal_filers_become_one_object(filers: list[Filer]) -> None:
    sharer = Sharer()
    a = [sharer.share(f) for f in pickle.loads(pickle.dumps(filers))]
    b = [sharer.share(f) for f in pickle.loads(pickle.dumps(filers))]
    assert all(x is y for x, y in zip(a, b, strict=True))
    assert a == filers


def test_numbers_of_one_hash_stay_apart() -> None:
    sharer = Sharer()
    assert sharer.share((1,)) == (1,)
    t = sharer.share((True,))
    assert type(t[0]) is bool
    f = sharer.share((1.0, "x"))
    assert type(f[0]) is float


def test_light_filings_share_their_filers() -> None:
    """Two filings of one filer (the same file twice, as two units): the second's light filing
    holds the first's filer objects, and both stay equal to what was parsed."""
    path = next(p for p in sorted((ROOT / "tests" / "fixtures").rglob("*.txt")) if b"<SEC-HEADER>" in p.read_bytes())
    one = parse_filing(path.read_bytes(), "a.txt").light()
    two = parse_filing(path.read_bytes(), "b.txt").light()
    sharer = Sharer()
    a, b = sharer.filing(one), sharer.filing(two)
    assert (a, b) == (one, two) and (repr(a), repr(b)) == (repr(one), repr(two))
    assert a.filers and all(x is y for x, y in zip(a.filers, b.filers, strict=True))
    assert a.form is b.form
