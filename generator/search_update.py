"""The build's handle on the browser search index: add, replace and remove filings by id.

The build calls :meth:`SearchUpdate.add` for every filing it rendered (with its SearchDoc, made in
the worker), :meth:`remove` for every filing that left the archive, and writes what
:meth:`outputs` yields. Documents are kept in the build state (compressed), so an index can be
made again without parsing unchanged filings.

This version writes the whole index again whenever one filing changed; the segmented index
(issue 4/5: a delta segment plus deletions) replaces the body of this class, not its interface.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from generator.model import Output
from generator.search import client
from generator.search.fields import FIELD_WEIGHTS, SearchDoc
from generator.search.index import (
    CAP,
    CHUNK_TERMS,
    FORMAT_VERSION,
    POSITION_BYTES,
    SHARD_BYTES,
    _columns,
    _Index,
    _shards,
    analysis,
    data_file,
)
from generator.state import BuildState, pack, unpack


class SearchUpdate:
    def __init__(self, state: BuildState) -> None:
        self.state = state
        state.db.execute("CREATE TABLE IF NOT EXISTS search_docs (id TEXT PRIMARY KEY, doc BLOB NOT NULL)")
        self.changed = False

    def ids(self) -> set[str]:
        return {i for (i,) in self.state.db.execute("SELECT id FROM search_docs")}

    def add(self, doc: SearchDoc) -> None:
        self.state.db.execute("INSERT OR REPLACE INTO search_docs VALUES (?, ?)", (doc.id, pack(doc)))
        self.changed = True

    def remove(self, filing_id: str) -> None:
        self.state.db.execute("DELETE FROM search_docs WHERE id = ?", (filing_id,))
        self.changed = True

    def outputs(self, order: Iterable[tuple[str | None, str]]) -> Iterator[Output]:
        """Every file of the index, documents numbered by ``order`` ((filed, id) pairs)."""
        ordered = sorted(order, key=lambda k: (k[0] is not None, k[0] or "", k[1]))
        index = _Index(CHUNK_TERMS)
        docs: list[SearchDoc] = []
        n = 0
        for _, fid in ordered:
            row = self.state.db.execute("SELECT doc FROM search_docs WHERE id = ?", (fid,)).fetchone()
            if row is None:
                continue
            doc: SearchDoc = unpack(row[0])
            yield from index.add(n, doc)
            n += 1
            docs.append(dataclasses.replace(doc, body=()))
        columns = _columns(docs)
        yield from (data_file(f"m/{name}", value) for name, value in columns.items())
        manifest = {
            "format": FORMAT_VERSION,
            "analysis": analysis.ANALYSIS_VERSION,
            "docs": len(docs),
            "undated": sum(1 for d in docs if d.filed is None),
            "cap": CAP,
            "chunk": CHUNK_TERMS,
            "weights": FIELD_WEIGHTS,
            "columns": sorted(columns),
        }
        del docs
        yield from _shards(index, manifest, CAP, SHARD_BYTES, POSITION_BYTES)
        yield from client.client_files()
