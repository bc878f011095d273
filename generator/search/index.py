"""Search stage, browser index, whole: Filing[] -> every file under ``search/`` (format 3).

A full build through the incremental API (:mod:`generator.search.update`): the filings, in
filing-date order, added to an empty :class:`~generator.search.update.IndexUpdate`. The layout
(top manifest, immutable segments under ``seg/<name>/``, text chunks under ``x/<digest>/``) is
described in docs/search.md. Output bytes are deterministic whatever the input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from generator.model import Filing, Output
from generator.search.fields import search_doc
from generator.search.segment import CAP, CHUNK_TERMS, POSITION_BYTES, SHARD_BYTES
from generator.search.update import SEGMENT_DOCS, IndexUpdate, analyse

__all__ = ["CAP", "CHUNK_TERMS", "POSITION_BYTES", "SHARD_BYTES", "build_index"]


def build_index(
    filings: Iterable[Filing],
    *,
    cap: int = CAP,
    shard_bytes: int = SHARD_BYTES,
    chunk_terms: int = CHUNK_TERMS,
    position_bytes: int | None = POSITION_BYTES,
    segment_docs: int = SEGMENT_DOCS,
) -> Iterator[Output]:
    """Every file of a fresh browser index plus the client scripts, as a stream (the manifest
    last). Filings are added by (date, id) so the bytes do not depend on the input order."""
    ordered = sorted(filings, key=lambda f: (f.filed is not None, f.filed or "", f.id))
    update = IndexUpdate(
        None, cap=cap, shard_bytes=shard_bytes, chunk_terms=chunk_terms,
        position_bytes=position_bytes, segment_docs=segment_docs,
    )  # fmt: skip
    for filing in ordered:
        yield from update.add(analyse(search_doc(filing), chunk_terms))
    outputs, _stale = update.finish()
    yield from outputs
