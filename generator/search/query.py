"""Search stage, command line: query text -> the same tree as the browser -> a whoosh query.

``parse_query`` is the twin of ``client/query.mjs`` (shared cases: tests/contract/query.json), so
a query means the same in a terminal and in a browser. ``to_whoosh`` maps the tree onto whoosh's
classic query objects: each word is an Or over the scored fields with the field weights as
boosts, which makes whoosh's BM25F sum the same per-field scores the browser index precomputes.
"""

from __future__ import annotations

import re
from typing import Any

from generator.search.analysis import analyze, fold, is_identifier, normalize_word

FILTERS = ("cik", "company", "exhibit", "filed", "form", "item", "state", "year")
_LEX = re.compile(r'(-?)(?:([A-Za-z]+):)?(?:"([^"]*)(?:"|$)|([^\s"]+))')
_NOT_PREFIX_CHAR = re.compile("[^a-z0-9\u00c0-\u024f]")

Tree = dict[str, list[Any]]


def _lex(query: str) -> list[Any]:
    out: list[Any] = []
    for m in _LEX.finditer(query):
        if not m.group(0):
            continue
        field = m.group(2).lower() if m.group(2) else None
        quoted = m.group(3) is not None
        text = m.group(3) if quoted else m.group(4)
        if field and field not in FILTERS:
            text, field = f"{m.group(2)}:{text}", None
        if not m.group(1) and not field and not quoted and text == "OR":
            out.append("OR")
        else:
            out.append({"neg": m.group(1) == "-", "field": field, "text": text, "quoted": quoted})
    return out


def _clause_for_terms(terms: list[str]) -> dict | None:
    if not terms:
        return None
    return {"term": terms[0]} if len(terms) == 1 else {"phrase": terms}


def _clause(piece: dict) -> dict | None:
    text = piece["text"]
    if not piece["quoted"] and text.endswith("*") and len(text) > 1:
        raw = text.rstrip("*")
        terms = analyze(raw)
        if len(terms) == 1 and not is_identifier(terms[0]):
            folded = _NOT_PREFIX_CHAR.sub("", fold(raw))
            return {"prefix": sorted(p for p in {folded, normalize_word(folded)} if p)}
        return _clause_for_terms(terms)
    return _clause_for_terms(analyze(text))


def filter_for(field: str, text: str, neg: bool) -> dict | None:
    """A filter piece -> ``{field, not, value}`` (or ``from``/``to`` for dates); None if empty."""
    base: dict[str, Any] = {"field": field, "not": neg}
    if not text.strip():
        return None
    if field in ("year", "filed"):
        lo, hi = text.split("..", 1) if ".." in text else (text, text)
        return base | {"from": lo.strip(), "to": hi.strip()}
    if field == "company":
        terms = analyze(text)
        return base | {"value": terms} if terms else None
    if field == "cik":
        return base | {"value": text.lstrip("0") or "0"}
    if field in ("state", "exhibit"):
        return base | {"value": text.upper()}
    return base | {"value": fold(text)}


def parse_query(query: str) -> Tree:
    """Query text -> ``{must, not, filters}`` exactly as the browser's parseQuery builds it."""
    tree: Tree = {"must": [], "not": [], "filters": []}
    or_next = last_must = False
    for piece in _lex(query or ""):
        if piece == "OR":
            or_next = last_must
            continue
        if piece["field"]:
            f = filter_for(piece["field"], piece["text"], piece["neg"])
            if f:
                tree["filters"].append(f)
            or_next = last_must = False
            continue
        clause = _clause(piece)
        if clause is None:
            continue
        if piece["neg"]:
            tree["not"].append(clause)
            or_next = last_must = False
            continue
        if or_next:
            prev = tree["must"].pop()
            tree["must"].append({"or": [*prev.get("or", [prev]), clause]})
        else:
            tree["must"].append(clause)
        or_next, last_must = False, True
    return tree
