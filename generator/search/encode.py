"""Search stage, file format: Python values -> the bytes of the browser index's files.

Every data file of ``search/`` is a small JavaScript file of exactly one line,
``__filingSearch("<name>",<JSON>);``. A page opened from ``file://`` loads it with a script tag
(Chrome refuses fetch() and module imports there, but runs classic scripts that 'self' allows);
over http the client fetches the same bytes and parses the JSON between the first comma and the
last parenthesis. One file serves both ways, so the index is written once. docs/search.md has the
format and its version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from generator.model import Output

#: The index's on-disk format; the client refuses any other (docs/search.md, "Format").
FORMAT_VERSION = 3
CALLBACK = "__filingSearch"
ROOT = "search"


#: One encoder for every file: ``json.dumps`` with options builds a new one per call (~40,000
#: calls for 200 filings), and the bytes are the same. No check for circular references (the
#: values are plain trees): it cost a dict insert and delete per list, ~10% of a segment's JSON.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False)


def dumps(value: Any) -> str:
    """Deterministic compact JSON: sorted keys, no spaces, non-ASCII as is."""
    return _ENCODER.encode(value)


def data_file(name: str, value: Any) -> Output:
    """``search/<name>.js`` holding ``value``; ``name`` has no comma (the reader relies on it)."""
    assert "," not in name and '"' not in name
    text = f'{CALLBACK}("{name}",{dumps(value)});\n'
    return Output(f"{ROOT}/{name}.js", text.encode("utf-8"))


def read_data_file(data: bytes) -> Any:
    """The inverse of :func:`data_file` (tests and tools read the index with it)."""
    text = data.decode("utf-8")
    return json.loads(text[text.index(",") + 1 : text.rindex(")")])


def deltas(values: Iterable[int]) -> list[int]:
    """Ascending integers as gaps (first value as is): small numbers gzip well."""
    out, prev = [], 0
    for v in values:
        out.append(v - prev)
        prev = v
    return out


def undeltas(gaps: list[int]) -> list[int]:
    out, total = [], 0
    for g in gaps:
        total += g
        out.append(total)
    return out


def column(values_per_doc: list[Any], multi: bool = False) -> dict[str, Any]:
    """A facet/filter column: sorted distinct values and, per document, an index into them
    (-1 for none) or, for a multi-valued column, a list of indexes."""
    flat = {v for vs in values_per_doc for v in (vs if multi else [vs]) if v is not None}
    table = sorted(flat)
    where = {v: i for i, v in enumerate(table)}
    if multi:
        docs: list[Any] = [[where[v] for v in vs] for vs in values_per_doc]
    else:
        docs = [where[v] if v is not None else -1 for v in values_per_doc]
    return {"values": table, "docs": docs}


def cut_shards(sized_terms: list[tuple[str, int]], target: int) -> list[int]:
    """Indexes into the sorted term list where each shard starts: a new shard begins when the
    current one would pass ``target`` bytes, so a query fetches ~``target`` bytes per term."""
    starts, size = [0], 0
    for i, (_term, n) in enumerate(sized_terms):
        if size and size + n > target:
            starts.append(i)
            size = 0
        size += n
    return starts
