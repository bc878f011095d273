"""The work one worker process does for one unit: parse it (pass 1) or render it (pass 2).

A unit is one input file, or the files of one accession folder. Both functions are pure apart
from reading the unit's files and (pass 2) staging the filing's outputs; every exception is caught
here, at the per-unit boundary, and comes back as the unit's error: one bad file never stops a
build. The orchestrator (build.py) keeps only the light filing pass 1 returns, so its
memory grows with the number of filings, not their text; pass 2 parses the unit again, renders
its pages from the whole filing plus its :class:`~generator.site.FilingContext`, and writes them
to the stage itself, so page bytes never travel between processes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2

from generator.heap import release_free_memory
from generator.model import Document, Filing, SourceFile, compact_pickle
from generator.parse.filing import (
    MARKUP_FORMATS,
    ParseError,
    parse_filing,
    primary_text,
    read_documents,
    remember_text,
    text_fingerprint,
)
from generator.parse.folder import FolderFile, parse_folder
from generator.site import FilingContext
from generator.write import stage_file

#: Inputs larger than this are refused with a diagnostic rather than read into memory.
MAX_FILE_BYTES = 1024**3


@compact_pickle
@dataclass(frozen=True, slots=True)
class UnitResult:
    """What parsing one unit gave: a filing (whole, or without bodies in the build) or an error."""

    paths: tuple[str, ...]
    filing: Filing | None = None
    contained: tuple[str, ...] = ()
    error: str | None = None
    fingerprint: str | None = None
    documents: int = 0  # how many documents the whole filing has (a light filing keeps none)
    digest: str | None = None  # of the light filing's repr: what the build's keys compare


def parse_unit(unit: tuple[SourceFile, ...]) -> UnitResult:
    """Parse one unit; any exception becomes the unit's error, never the build's."""
    paths = tuple(s.path for s in unit)
    try:
        if _single_file(unit):
            filing = parse_filing(read_source(unit[0]), unit[0].path)
            return UnitResult(paths, filing, fingerprint=text_fingerprint(filing.primary))
        res = parse_folder([FolderFile(s.path, read_source(s), s.kind) for s in unit])
        return UnitResult(paths, res.filing, res.contained, fingerprint=text_fingerprint(res.filing.primary))
    except ParseError as exc:
        return UnitResult(paths, error=str(exc))
    except MemoryError:
        return UnitResult(paths, error="out of memory while parsing")
    except Exception as exc:  # noqa: BLE001 - the per-file boundary: report, never stop the build
        return UnitResult(paths, error=f"parser error ({type(exc).__name__}: {exc})")


def parse_unit_light(unit: tuple[SourceFile, ...], spill: str | None = None) -> UnitResult:
    """Pass 1: parse, and return the filing light (:meth:`Filing.light`).

    With ``spill`` (a folder), the whole filing is also written there, compressed, for pass 2 to
    read back instead of parsing again: a pickle costs a millisecond, parsing ten or more."""
    r = parse_unit(unit)
    if r.filing is None:
        return r
    if spill is not None:
        _spill(spill, unit, r.filing)
    light = r.filing.light()
    digest = hashlib.sha256(repr(light).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return replace(r, filing=light, documents=len(r.filing.documents), digest=digest)


def _spill(spill: str, unit: tuple[SourceFile, ...], filing: Filing) -> None:
    """Write the whole filing for pass 2 (:func:`_unspill`), with an HTML/XML primary document's
    plain text, which pass 1 converted for the cover page and search needs again (a fraction of
    the markup's size; a plain-text one is only its tags away from its text, and carrying it
    would double its spill).

    A single file's documents go bare (no text, no decoded data): pass 2 reads them from the file
    again (:func:`~generator.parse.filing.read_documents`, ~0.4 ms a filing), which costs less
    than compressing and decompressing them (~1.1 ms) and leaves a seventh of the spill on disk.
    The documents of a folder's files are kept whole."""
    primary = filing.primary
    plain = primary_text(primary) if primary is not None and primary.format in MARKUP_FORMATS else ""
    bare = _single_file(unit)
    if bare:
        filing = replace(filing, documents=tuple(_bare(d) for d in filing.documents))
    data = zlib.compress(pickle.dumps((filing, plain, bare), protocol=pickle.HIGHEST_PROTOCOL), 1)
    path = spill_path(spill, unit)
    with open(path + ".part", "wb") as fh:
        fh.write(data)
    os.replace(path + ".part", path)


def _single_file(unit: tuple[SourceFile, ...]) -> bool:
    """Whether the unit is one file parsed alone (:func:`parse_unit`'s first case)."""
    return len(unit) == 1 and not unit[0].group


def _bare(doc: Document) -> Document:
    """``doc`` without its text and decoded data: what identifies it (its body's digest) stays."""
    return replace(doc, text="", data=None)


def spill_path(spill: str, unit: tuple[SourceFile, ...]) -> str:
    return os.path.join(spill, hashlib.sha256(unit[0].path.encode("utf-8", "surrogatepass")).hexdigest()[:40])


def _unspill(spill: str | None, unit: tuple[SourceFile, ...]) -> UnitResult | None:
    """The whole filing pass 1 left for this unit (the file is removed), or None."""
    if spill is None:
        return None
    path = spill_path(spill, unit)
    try:
        with open(path, "rb") as fh:
            filing, plain, bare = pickle.loads(zlib.decompress(fh.read()))
        if bare:
            filing = _dressed(filing, unit[0])
    except (OSError, ValueError, TypeError, EOFError, pickle.UnpicklingError, zlib.error, ParseError):
        return None
    if filing is None:
        return None
    if filing.primary is not None and plain:
        remember_text(filing.primary, plain)
    os.unlink(path)
    return UnitResult(tuple(s.path for s in unit), filing)


def _dressed(filing: Filing, source: SourceFile) -> Filing | None:
    """The bare spilled filing with its documents read from its file again; None when they are
    not the ones pass 1 read (the file changed since: its bodies' digests or metadata differ)."""
    documents = read_documents(read_source(source), source.path)
    if len(documents) != len(filing.documents):
        return None
    if any(_bare(d) != b for d, b in zip(documents, filing.documents, strict=True)):
        return None
    return replace(filing, documents=documents)


def read_source(source: SourceFile) -> bytes:
    size = Path(source.abspath).stat().st_size
    if size > MAX_FILE_BYTES:
        raise ParseError(f"file is {size // 1024**2} MB, over the {MAX_FILE_BYTES // 1024**2} MB limit")
    return Path(source.abspath).read_bytes()


@dataclass(frozen=True, slots=True)
class RenderTask:
    """Pass 2 for one filing: which unit, the id and duplicates the build settled, its context."""

    unit: tuple[SourceFile, ...]
    filing_id: str
    duplicates: tuple[str, ...]
    context: FilingContext
    out: str
    stage: str
    templates: str | None
    spill: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """What rendering one filing did: every path it owns, the ones it staged (path, is new), the
    templates its pages loaded, and its search record (without its text: the worker staged the
    text chunk files, ``search_staged``, which the search index owns)."""

    id: str
    paths: tuple[str, ...] = ()
    staged: tuple[tuple[str, bool], ...] = ()
    deps: tuple[str, ...] = ()
    search: Any = None
    search_staged: tuple[tuple[str, bool], ...] = ()
    error: str | None = None


def _env(templates: str | None) -> jinja2.Environment:
    """The Jinja environment (cached per process while the templates are unchanged: compiled
    templates serve every filing a worker renders)."""
    from generator.render import make_env

    return make_env(Path(templates) if templates else None)


def render_unit(task: RenderTask, env: jinja2.Environment | None = None) -> Rendered:
    """Pass 2: parse the unit again, render every output of its filing and stage what changed.
    ``env``: the partition's environment (else looked up here, inside the per-filing boundary)."""
    from generator.render import render_filing
    from generator.search.fields import search_doc
    from generator.search.update import analyse, chunk_files, without_chunks

    parsed = _unspill(task.spill, task.unit) or parse_unit(task.unit)
    if parsed.filing is None:
        return Rendered(task.filing_id, error=parsed.error or "could not be parsed again")
    try:
        filing = replace(parsed.filing, id=task.filing_id, duplicates=task.duplicates)
        original = next((s for s in task.unit if s.path == filing.source.path), None)
        data = read_source(original) if original else b""
        outputs = render_filing(filing, task.context, env or _env(task.templates), data)
        out, stage = Path(task.out), Path(task.stage)
        deps = sorted({d for o in outputs for d in o.deps})
        search = analyse(search_doc(filing))
        return Rendered(
            filing.id,
            paths=tuple(o.path for o in outputs),
            staged=_stage_all(out, stage, outputs),
            deps=tuple(deps),
            search=without_chunks(search),
            # named by the text's digest: unchanged text stages nothing
            search_staged=_stage_all(out, stage, chunk_files(search)),
        )
    except Exception as exc:  # noqa: BLE001 - per-filing boundary; the build keeps its last output
        return Rendered(task.filing_id, error=f"render error ({type(exc).__name__}: {exc})")


def _stage_all(out: Path, stage: Path, outputs: list) -> tuple[tuple[str, bool], ...]:
    """Stage each output that differs from the site's file: (path, is new) of those staged."""
    staged = []
    for o in outputs:
        is_new = stage_file(out, stage, o)
        if is_new is not None:
            staged.append((o.path, is_new))
    return tuple(staged)


def parse_partition(units: list[tuple[SourceFile, ...]], spill: str | None = None) -> list[UnitResult]:
    """Pass 1 for one partition (a task): its units' light results, in order."""
    done = [parse_unit_light(u, spill) for u in units]
    _trim_after(done)
    return done


def render_partition(tasks: list[RenderTask]) -> list[Rendered]:
    """Pass 2 for one partition (a task): its filings rendered and staged, in order. The template
    folders are looked at once per partition, not once per filing (all its tasks share them)."""
    try:
        env = _env(tasks[0].templates) if tasks else None
    except Exception:  # noqa: BLE001 - a broken templates folder: each filing reports it itself
        env = None
    done = [render_unit(t, env) for t in tasks]
    _trim_after(done)
    return done


#: A worker gives its free heap back once its memory has grown this much since it last did
#: (heap.py): at 100,000 filings a worker that never trimmed held ~90 MB free; one that trimmed
#: after every partition spent twice the system time faulting the same pages in again.
TRIM_GROWTH = 32 << 20


def _trim_after(done: list) -> None:
    """The partition's filings, pages and terms are freed: give their memory back (heap.py).
    Not after a partition of one filing: that is a small rebuild in the build's own process (a
    trim of its big heap costs ~10 ms and frees little)."""
    if len(done) > 1:
        release_free_memory(grown_by=TRIM_GROWTH)
