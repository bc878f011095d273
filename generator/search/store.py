"""Search stage, command line: the built site's search/ files -> a whoosh index -> ranked hits.

whoosh (whoosh-reloaded 2.7.5, classic API) is used only here, so it can be swapped. Its index
lives in ``<output>/.search-index/`` and is a cache derived from the site: :func:`sync` reads the
row of each live document of every segment (``search/seg/<name>/d/``) and re-indexes, by id, only
the documents whose digest changed (and deletes those that are gone). whoosh indexes ~40 filing-sized documents a second, so this
runs when ``filing-archive search`` is used, never on the build's critical path, and the build's
output stays byte-identical from build to build (docs/search.md, "Command line").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from generator.search import analysis
from generator.search.encode import ROOT, read_data_file
from generator.search.fields import FIELD_WEIGHTS, FIELDS

STORE_DIR = ".search-index"


class SearchTokenizer(Tokenizer):
    """whoosh tokenizer that yields exactly :func:`analysis.tokens` (already folded and stemmed)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs) -> Iterator[Token]:  # fmt: skip
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for tok in analysis.tokens(value, start_pos):
            t.text, t.boost, t.stopped = tok.term, 1.0, False
            if keeporiginal:
                t.original = value[tok.start : tok.end]
            if positions:
                t.pos = tok.position
            if chars:
                t.startchar, t.endchar = start_char + tok.start, start_char + tok.end
            yield t


def schema() -> Schema:
    text = {f: TEXT(analyzer=SearchTokenizer(), phrase=True) for f in FIELDS}
    return Schema(
        id=ID(stored=True, unique=True),
        digest=STORED,
        row=STORED,  # the browser's result row: url, title, company, form, filed
        form_exact=ID,
        cik=KEYWORD,
        item=KEYWORD(lowercase=True),
        exhibit=KEYWORD,
        state=ID,
        filed=ID(stored=True, sortable=True),
        **text,
    )


def open_store(site: Path) -> windex.Index:
    path = site / STORE_DIR
    if windex.exists_in(path):
        return windex.open_dir(path)
    path.mkdir(parents=True, exist_ok=True)
    return windex.create_in(path, schema())


def _load(site: Path, name: str) -> Any:
    return read_data_file((site / ROOT / f"{name}.js").read_bytes())


def live_docs(site: Path) -> Iterator[tuple[str, int, dict]]:
    """(segment, number, row) of every live document of the site's index, in segment order."""
    manifest = _load(site, "manifest")
    for seg in manifest["segments"]:
        deleted, at = set(), 0
        for gap in seg["deleted"]:
            at += gap
            deleted.add(at)
        for n in range(seg["docs"]):
            if n not in deleted:
                yield seg["name"], n, _load(site, f"seg/{seg['name']}/d/{n}")


def sync(site: Path) -> tuple[int, int]:
    """Bring the whoosh index up to date with the site's search files: (re-indexed, deleted)."""
    ix = open_store(site)
    with ix.searcher() as s:
        known = {f["id"]: f["digest"] for f in s.all_stored_fields()}
    docs = list(live_docs(site))
    changed = [d for d in docs if known.get(d[2]["id"]) != d[2]["h"]]
    gone = set(known) - {row["id"] for _s, _n, row in docs}
    if not changed and not gone:
        return 0, 0
    cols: dict[str, dict] = {}
    writer = ix.writer(limitmb=256)
    for doc_id in sorted(gone):
        writer.delete_by_term("id", doc_id)
    for seg, n, row in changed:
        if seg not in cols:
            cols = {seg: {c: _load(site, f"seg/{seg}/m/{c}") for c in ("cik", "item", "exhibit", "state")}}
        writer.update_document(**_fields(site, n, row, cols[seg]))
    writer.commit()
    return len(changed), len(gone)


def _values(col: dict, n: int) -> list[str]:
    v = col["docs"][n]
    return [col["values"][i] for i in (v if isinstance(v, list) else [v] if v >= 0 else [])]


def _fields(site: Path, n: int, row: dict, cols: dict) -> dict[str, Any]:
    """A whoosh document from the site's files: the same fields and text the browser index has."""
    parts: list[tuple[str, str]] = []
    for k in range(len(row["chunks"])):
        chunk = _load(site, f"x/{row['h']}/{k}")
        if parts and parts[-1][0] == chunk["u"]:
            parts[-1] = (chunk["u"], parts[-1][1] + chunk["t"])
        else:
            parts.append((chunk["u"], chunk["t"]))
    keep = ("url", "title", "company", "form", "filed")
    return {
        "id": row["id"],
        "digest": row["h"],
        "row": {k: row[k] for k in keep},
        "form_exact": analysis.fold(row["form"] or ""),
        "cik": " ".join(c.lstrip("0") or "0" for c in _values(cols["cik"], n)),
        "item": " ".join(_values(cols["item"], n)),
        "exhibit": " ".join(_values(cols["exhibit"], n)),
        "state": " ".join(_values(cols["state"], n)),
        "filed": row["filed"] or "",
        "company": row["ct"],
        "form": row["ft"],
        "body": "\n".join(text for _url, text in parts),
    }


def to_whoosh(tree: dict) -> wq.Query:
    """The browser's query tree as whoosh classic queries (docs/search.md, "Query syntax")."""
    parts = [_clause(c) for c in tree["must"]] + [_filter(f) for f in tree["filters"] if not f["not"]]
    nots = [_clause(c) for c in tree["not"]] + [_filter(f) for f in tree["filters"] if f["not"]]
    q: wq.Query = wq.And(parts) if parts else wq.Every()
    return wq.AndNot(q, wq.Or(nots)) if nots else q


def _clause(c: dict) -> wq.Query:
    if "term" in c:
        return wq.Or([wq.Term(f, c["term"], boost=FIELD_WEIGHTS[f]) for f in FIELDS])
    if "phrase" in c:
        return wq.Or([wq.Phrase(f, c["phrase"], boost=FIELD_WEIGHTS[f]) for f in FIELDS])
    if "prefix" in c:
        return wq.Or([wq.Prefix(f, p, boost=FIELD_WEIGHTS[f]) for f in FIELDS for p in c["prefix"]])
    return wq.Or([_clause(x) for x in c["or"]])


def _filter(f: dict) -> wq.Query:
    field = f["field"]
    if "from" in f:
        return wq.TermRange("filed", f["from"] or None, (f["to"] + "\uffff") if f["to"] else None)
    if field == "company":
        return wq.And([wq.Term("company", t) for t in f["value"]])
    names = {"form": "form_exact", "cik": "cik", "item": "item", "exhibit": "exhibit", "state": "state"}
    return wq.Term(names[field], f["value"])


def search(site: Path, tree: dict, limit: int = 10, sort: str = "relevance") -> dict[str, Any]:
    """Ranked like the browser: score (in hundredths) descending, then the later-numbered
    (later filed) document first; by date when asked or when the query has no words."""
    ix = open_store(site)
    q = to_whoosh(tree)
    with ix.searcher() as s:
        hits = s.search(q, limit=None, scored=bool(tree["must"]))
        found = [(round(h.score * 100) if tree["must"] else 0, h["filed"], h["id"], h["row"]) for h in hits]
    by_date = sort == "date" or not tree["must"]
    found.sort(key=lambda x: (x[1], x[2]) if by_date else (x[0], x[1], x[2]), reverse=True)
    results = [row | {"id": doc_id, "score": score / 100} for score, _f, doc_id, row in found[:limit]]
    return {"total": len(found), "results": results}
