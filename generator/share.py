"""Build process memory: equal facts of different filings share one object.

The build keeps every filing of the archive as :meth:`Filing.light` (its facts and filers) for
the listings, company pages and neighbours. Each arrives on its own, unpickled from a worker's
result, so the same company's filer block (name, CIK, addresses, SIC, former names), the same
form type, dates and item titles were held once per filing: ~2.5 KB a light filing
(tracemalloc), most of it copies. An archive repeats its facts (a company files many times), and
the model is frozen, so equal values can be one object: ~1 KB a filing on the benchmark corpus;
the build process after pass 1 of 100,000 filings went from 462 to 273 MB. Only freshly parsed
filings are shared (a full build's case): sharing the 100,000 a rebuild reads from the state
file would add ~4 s (40 us each) to a one-file rebuild.

Sharing never changes a value, only how many copies of it exist: every object handed out is
equal to the one it replaces, and frozen, so no holder can see the difference.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from generator.model import Filing

_T = TypeVar("_T")


class Sharer:
    """A memo of canonical values: :meth:`share` returns the first-seen equal value. One per
    build pass; drop it afterwards (the shared objects stay shared, the memo's dict goes).

    Only values made of strings and ``None`` (in tuples and frozen dataclasses) are memoised:
    ``1 == True == 1.0`` with one hash, so a memo keyed by equality could hand out a value of
    another type, which a page or a digest would show. Other values keep their own objects
    (their string parts are still shared)."""

    def __init__(self) -> None:
        self._memo: dict[Any, Any] = {}

    def share(self, value: _T) -> _T:
        """``value`` or an equal object already seen, its parts shared too."""
        return self._share(value)[0]

    def filing(self, filing: Filing) -> Filing:
        """A light filing with its parts shared (the filing itself is one of a kind: its id)."""
        return self._fields(filing)[0]

    def _share(self, value: Any) -> tuple[Any, bool]:
        """(the shared value, whether it is made of strings and None only)."""
        if value is None:
            return value, True
        kind = type(value)
        if kind is not str and kind is not tuple and not _is_record(value):
            return value, False  # numbers, bytes, subclasses of str or tuple: equal is not same
        try:
            found = self._memo.get(value)
        except TypeError:  # a record holding something unhashable: not the frozen model's
            return value, False
        if found is not None:
            return found, True
        if kind is str:
            exact = True
        elif kind is tuple:
            shared = [self._share(v) for v in value]
            exact = all(e for _, e in shared)
            if any(s is not v for (s, _), v in zip(shared, value, strict=True)):
                value = tuple(s for s, _ in shared)
        else:
            value, exact = self._fields(value)
        if exact:
            self._memo[value] = value
        return value, exact

    def _fields(self, obj: Any) -> tuple[Any, bool]:
        names = _field_names(type(obj))
        old = [getattr(obj, n) for n in names]
        shared = [self._share(v) for v in old]
        exact = all(e for _, e in shared)
        if all(s is v for (s, _), v in zip(shared, old, strict=True)):
            return obj, exact
        return dataclasses.replace(obj, **{n: s for n, (s, _) in zip(names, shared, strict=True)}), exact


_NAMES: dict[type, tuple[str, ...]] = {}


def _is_record(value: Any) -> bool:
    """A frozen dataclass instance (the model's records)."""
    params = getattr(type(value), "__dataclass_params__", None)
    return params is not None and params.frozen


def _field_names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names
