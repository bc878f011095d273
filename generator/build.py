"""The one orchestrator: discover -> parse -> assemble -> render -> stage -> commit.

``build(config)`` returns a BuildReport that accounts for every input file: built, duplicate of
another filing, skipped (not a filing) or failed (with the reason). One bad file never stops the
build: errors are caught at the per-unit boundary (:mod:`generator.tasks`) and become report lines.

Incremental and bounded by design (docs/build.md):

1. **Nothing changed** (the digest of every input's stat, the configuration, the templates and the
   generator's own code equals the last build's): done, nothing read, nothing written.
2. **Pass 1, parse** (worker processes): only units whose stat signature changed are parsed; the
   build keeps each filing *light* (facts and filers only; state.py stores them between builds).
3. **Assemble** the Site from those light filings (companies, neighbours, amendments, listings).
4. **Pass 2, render** (worker processes): a filing is rendered only when its key changed: its
   unit's signature, its light record, its :class:`~generator.site.FilingContext` and the
   templates its pages loaded last time. The worker reads back the filing pass 1 spilled (a
   single file's documents it splits from the file again, checked against pass 1's digests), or
   parses the unit again, and stages the pages; small passes run in this process.
5. Listing groups whose material changed, markdown pages, static files and the search index
   (a delta segment); then the journal is written, the state committed and the stage applied
   (write.Stage): a crash at any point leaves a whole site.

A unit that fails to parse but parsed before keeps its last good output (and says so). Results are
consumed in input order and everything global runs here in sorted order, so the output is
byte-identical whatever the number of workers.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from generator import export, write
from generator import site as urls
from generator.config import SiteConfig, config_hash
from generator.discover import Skipped, discover_cached, discover_changed
from generator.faults import crash_point
from generator.heap import fix_mmap_threshold, release_free_memory
from generator.model import BuildReport, Diagnostic, Filing, InputOutcome, Output, Page, SourceFile
from generator.pages import parse_page
from generator.parse.active import active_content
from generator.render import make_env, render_page, render_static, render_template
from generator.render_browse import browse_groups
from generator.scheduler import open_runner
from generator.search.pages import PAGE_URL as SEARCH_PAGE_URL
from generator.search.update import IndexUpdate, chunk_folder, index_folder
from generator.share import Sharer
from generator.site import FilingContext, Site, assemble_site
from generator.state import BuildState
from generator.tasks import (
    MAX_FILE_BYTES,
    RenderTask,
    UnitResult,
    parse_partition,
    parse_unit,
    parse_unit_light,
    render_partition,
)

__all__ = ["MAX_FILE_BYTES", "UnitResult", "build", "make_units", "parse_units", "resolve_duplicates"]

_SUBMISSION_FORMATS = {"sec-header", "ims-header", "submission"}
_RESERVED_SLUGS = ("filings", "static", "companies", "search", "forms", "dates")
_GENERATOR_DIR = Path(__file__).resolve().parent
SPILL_DIR = ".filing-archive/spill"


class Session:
    """What a process that builds the same output folder again and again (the watcher, the
    preview server) keeps between builds, so that a rebuild costs in proportion to the change and
    not to the archive: the build state's rows (:class:`BuildState` mirrors them in memory), and
    the keys last computed for each filing and listing page, with what they were computed from.

    Only a cache: every value is checked against what it was made from, the state against the
    file's generation (another process's build invalidates it), and a build that fails drops the
    whole session. Not thread-safe: one build at a time (the watcher's rule anyway)."""

    def __init__(self, keep: bool = True) -> None:
        """``keep=False``: the session of a one-off build (the command line), which has no next
        build to serve: its caches keep nothing (at 100,000 filings they were ~150 MB)."""
        cache: type[dict] = dict if keep else _Discard
        self.keep = keep
        self.out: Path | None = None
        self.state: BuildState | None = None
        self.unit_sigs: dict[str, tuple[tuple, str]] = cache()  # unit key -> (file signatures, sig)
        self.filing_keys: dict[str, tuple[tuple, str]] = cache()  # filing id -> (inputs, key)
        self.materials: dict[str, tuple[object, str]] = cache()  # listing owner -> (material, digest)
        self.digests: dict[tuple, str] = cache()  # (light digest, id, duplicates) -> filing digest
        self.contexts: dict[str, tuple[tuple, FilingContext]] = cache()  # filing id -> (made of, context)
        self.context_site: tuple | None = None  # the parts of the site every context reads
        self.assembled: dict = {}  # what assemble_site may reuse (its memo)
        self.walk: tuple | None = None  # ((source, output), what discover found last time)

    def open_state(self, out: Path) -> BuildState:
        if self.state is None or self.out != out:
            self.close()
            self.out, self.state = out, BuildState(out)
        else:
            self.state.refresh()
        return self.state

    def drop(self) -> None:
        """After a failed build: undo its uncommitted writes and forget everything."""
        if self.state is not None:
            try:
                self.state.rollback()
            finally:
                self.close()

    def close(self) -> None:
        if self.state is not None:
            self.state.close()
        self.out, self.state = None, None
        self.unit_sigs.clear()
        self.filing_keys.clear()
        self.materials.clear()
        self.digests.clear()
        self.contexts.clear()
        self.context_site = None
        self.assembled.clear()
        self.walk = None


class _Discard(dict):
    """A cache that keeps nothing (see ``Session(keep=False)``)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def build(cfg: SiteConfig, echo: Callable[[str], None] = print, session: Session | None = None,
          changed: Iterable[Path] | None = None) -> BuildReport:  # fmt: skip
    """Build (or update) the site. ``session`` is for processes that build again and again: it
    keeps what the next build can reuse in memory (see :class:`Session`). ``changed``: with a
    session, the paths a watcher saw change since the session's last build (files or folders,
    absolute): the source folder is then not walked again when that is safe (a folder or a link
    among them, and it is)."""
    started = time.monotonic()
    fix_mmap_threshold()  # big freed blocks go back to the system (generator/heap.py)
    out = cfg.output.resolve()
    out.mkdir(parents=True, exist_ok=True)
    stage = write.Stage(out)  # finishes a journal a killed build left, drops a half-made stage
    state = session.open_state(out) if session is not None else BuildState(out)
    last = state.get_meta("last")
    before = last["report"] if last else None
    try:
        hint = [str(p) for p in changed] if changed is not None and session is not None else None
        with _collector_paused():
            report, written, removed = _build(cfg, out, stage, state, session or Session(keep=False),
                                              session is not None, hint)  # fmt: skip
    except BaseException:
        if session is not None:
            session.drop()
        raise
    finally:
        if session is None:
            state.close()
        stage.discard()
    _print_summary(report, removed, time.monotonic() - started, cfg, echo, written, before)
    return report


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the build, young objects collected at the end
    of each phase (:class:`_Clock`), the usual automatic collection after. The build holds a
    few million long-lived objects (every filing's light record): each automatic full
    collection walked all of them (0.2 s at 10,000 filings, several per one-filing rebuild).
    The build's own data makes no reference cycles; a young collection per phase frees what a
    library's do."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _build(cfg: SiteConfig, out: Path, stage: write.Stage, state: BuildState,
           session: Session, session_kept: bool = False, changed: list[str] | None = None) -> tuple[BuildReport, int, int]:  # fmt: skip
    roots = (cfg.source.resolve(), out)
    code = generator_digest()
    state.forget_reads_unless(code)
    walk = None
    if changed is not None and session.walk is not None and session.walk[0] == roots:
        walk = discover_changed(cfg.source, cfg.output, session.walk[1], changed)
    if walk is None:
        walk = discover_cached(cfg.source, cfg.output, state.discovered())
    session.walk = (roots, walk) if session_kept else None
    sources, skipped, seen = walk
    env = make_env(cfg.templates)
    templates = template_digests(env)
    global_key = _digest(config_hash(cfg), code, cfg.title)
    inputs_key = _digest(global_key, repr(sorted(templates.items())), *_input_sigs(seen, skipped))
    last = state.get_meta("last")
    if last and last["inputs"] == inputs_key and (out / "index.html").is_file():
        if session_kept:  # a session's first build: read the state now, not when the first edit comes
            state.owner_records()
            for _ in state.unit_results(list(state.unit_sigs())):
                pass
        return replace(last["report"], written=0), 0, 0  # nothing changed: nothing to read or write

    units = make_units([s for s in sources if s.kind != "page"])
    search = IndexUpdate(out)
    # index files this build wrote: for text chunks and segments, their folder (update.index_folder)
    search_paths: set[str] = set()
    clock = _Clock()
    spill = out / SPILL_DIR  # whole filings from pass 1 for pass 2; never outlives the build
    shutil.rmtree(spill, ignore_errors=True)
    spill.mkdir(parents=True)
    with open_runner(cfg.scheduler, cfg.worker_count(), max(1, len(units) // 4)) as pool:
        results, kept, sigs = _pass1(cfg, units, state, pool, spill, seen, session)
        results, kept, skipped = _keep_broken(state, results, kept, skipped)
        clock("parse")
        crash_point("parse")
        filings, outcomes = resolve_duplicates(results)
        kept_paths = {p for r in kept.values() for p in r.paths}
        outcomes = [o for o in outcomes if o.path not in kept_paths] + _kept_outcomes(kept)
        pages, page_outcomes = _parse_pages([s for s in sources if s.kind == "page"])
        outcomes += page_outcomes + [_skipped_outcome(s) for s in skipped]
        site = assemble_site(cfg.title, filings, pages, session.assembled if session.keep else None)
        clock("assemble")
        unit_of = {r.filing.source.path: r.paths[0] for r in results if r.filing is not None}
        by_key = {r.paths[0]: r for r in results}
        digests = _filing_digests(site, by_key, unit_of, session)
        units_by_key = {u[0].path: u for u in units}
        renders, task_of = _plan_renders(cfg, site, out, stage, state, templates, global_key, unit_of,
                                         units_by_key, kept, sigs, digests, session)  # fmt: skip
        clock("plan")
        failures = _pass2(cfg, renders, task_of, stage, state, pool, templates, global_key, search,
                          search_paths, session)  # fmt: skip
        clock("render")
        release_free_memory()  # pass 2's results are freed: give the memory back (generator/heap.py)
    shutil.rmtree(spill, ignore_errors=True)
    crash_point("globals")
    _drop_gone_filings(state, site, stage, search)
    _render_globals(site, env, stage, state, search, search_paths, failures, clock, global_key, templates,
                    digests, session)  # fmt: skip
    outcomes = [_mark_render_failure(o, failures) for o in outcomes]
    report = BuildReport(
        inputs=tuple(sorted(outcomes, key=lambda o: o.path)),
        filings=len(site.filings) - len(failures),
        pages=len(pages),
        written=0,
    )
    stage.put(Output("build-report.json", export.dumps(export.report_record(report))))
    report = replace(report, written=stage.count)
    state.drop_units(set(units_by_key) | set(kept))
    # The journal first, then the state: a crash in between leaves a journal the next build
    # finishes, and a state older than the site (the next build redoes some work, loses none).
    pending = stage.write_journal()
    crash_point("journal")
    state.set_meta("last", {"inputs": inputs_key, "report": report})
    state.put_discovered(seen)
    state.commit()
    crash_point("state")
    clock("state")
    written, removed = stage.apply() if pending else (0, 0)
    clock("commit")
    return report, written, removed


class _Clock:
    """Marks the end of a phase: a young garbage collection (see :func:`_collector_paused`), and
    phase timings on stderr when FILING_ARCHIVE_TIMINGS is set (benchmarks read them)."""

    def __init__(self) -> None:
        self.on = bool(os.environ.get("FILING_ARCHIVE_TIMINGS"))
        self.last, self.cpu = time.monotonic(), time.process_time()

    def __call__(self, phase: str) -> None:
        if not gc.isenabled():
            gc.collect(1)  # see _collector_paused
        if self.on:
            now, cpu = time.monotonic(), time.process_time()
            print(f"timing: {phase} {now - self.last:.2f} s", file=sys.stderr)
            print(f"memory: {phase} {_rss_mb()} MB", file=sys.stderr)
            # the build process's own CPU in the phase (its workers' is not counted)
            print(f"cpu: {phase} {cpu - self.cpu:.2f} s", file=sys.stderr)
            self.last, self.cpu = now, cpu


def _rss_mb() -> int:
    """This process's resident memory now (Linux; 0 elsewhere): the build's own, not its workers'."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (OSError, ValueError, IndexError):
        return 0


THEME_SUFFIXES = (".html", ".css", ".js", ".svg", ".txt", ".xml", ".md")


def template_digests(env) -> dict[str, str]:
    """Every template and theme file the environment can load (user's first), by digest. Only
    theme files: an installed theme folder also holds Python's own (``__init__.py``, caches)."""
    loader = env.loader
    out = {}
    for name in sorted(env.list_templates(filter_func=lambda n: n.endswith(THEME_SUFFIXES))):
        try:
            source, _, _ = loader.get_source(env, name)
        except UnicodeDecodeError:  # not a text template: a change to it cannot change a page
            continue
        out[name] = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return out


def generator_digest() -> str:
    """A digest of the generator's own code: a new version renders everything again."""
    h = hashlib.sha256()
    for path in sorted(_GENERATOR_DIR.rglob("*")):
        if path.suffix in (".py", ".mjs", ".js", ".html", ".css") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(_GENERATOR_DIR)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _input_sigs(seen: dict, skipped: list[Skipped]) -> Iterator[str]:
    """Every input file's path and stat signature, and every file passed over, as text."""
    for rel in sorted(seen):
        sig, item = seen[rel]
        yield f"{rel}\0{sig}\0{getattr(item, 'kind', 'skipped')}\0{getattr(item, 'group', '')}"
    for k in skipped:
        yield f"skipped\0{k.path}\0{k.reason}"


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


# --- units and pass 1 -------------------------------------------------------------------------


def make_units(sources: list[SourceFile]) -> list[tuple[SourceFile, ...]]:
    """One unit per file, except that files in one accession folder form one unit."""
    groups: dict[str, list[SourceFile]] = {}
    units: list[tuple[SourceFile, ...]] = []
    for s in sources:
        if s.group:
            key = s.path.rsplit("/", 1)[0]
            if key not in groups:
                groups[key] = []
                units.append(())  # placeholder keeps the unit in path order
            groups[key].append(s)
        else:
            units.append((s,))
    folder_iter = iter(groups.values())
    return [u if u else tuple(next(folder_iter)) for u in units]


def parse_units(units: list[tuple[SourceFile, ...]], cfg: SiteConfig) -> list[UnitResult]:
    """Parse every unit, whole (tests and benchmarks use this; the build parses light)."""
    jobs = min(cfg.worker_count(), max(1, len(units) // 4))
    if jobs <= 1:
        return list(map(parse_unit, units))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(parse_unit, units, chunksize=8))


def unit_sig(unit: tuple[SourceFile, ...], seen: dict) -> str:
    """What says a unit's files are unchanged without reading them: path, size, mtime, inode,
    from the stat discover already made (``seen``: path -> (signature, item))."""
    return _digest(*(f"{s.path}\0{seen[s.path][0]}\0{s.kind}" for s in unit))


def _unit_sigs(units: list[tuple[SourceFile, ...]], seen: dict, session: Session) -> dict[str, str]:
    """:func:`unit_sig` of every unit, reusing the session's for units whose files' stat is the
    same (a digest per unit was a tenth of a second per rebuild at 10,000 filings)."""
    out = {}
    cache = session.unit_sigs
    for u in units:
        made_of = tuple((s.path, seen[s.path][0], s.kind) for s in u)
        hit = cache.get(u[0].path)
        if hit is not None and hit[0] == made_of:
            out[u[0].path] = hit[1]
        else:
            out[u[0].path] = unit_sig(u, seen)
            cache[u[0].path] = (made_of, out[u[0].path])
    if len(cache) > len(out):  # units gone from the source
        for key in set(cache) - set(out):
            del cache[key]
    return out


def partitions(items: list, cfg: SiteConfig) -> Iterator[list]:
    """Cut ``items`` into runs, one task each: many tasks per worker (load balance), few enough
    that a task's overhead (and a cluster's round trip) stays small. A stream: the runs are cut
    as the pool takes them."""
    size = cfg.partition_size or max(1, min(64, -(-len(items) // (cfg.worker_count() * 8))))
    return (items[i : i + size] for i in range(0, len(items), size))


def _pass1(cfg: SiteConfig, units, state: BuildState, pool, spill: Path, seen: dict,
           session: Session) -> tuple[list[UnitResult], dict[str, UnitResult], dict[str, str]]:
    """Light results for every unit: stored ones for unchanged units, parsed ones for the rest.

    A changed unit that now fails but parsed before keeps its last good result (the second value
    holds its failure, for the report) and its stored row stays as it was, so the next build tries
    it again."""
    sigs = _unit_sigs(units, seen, session)
    stored = state.unit_sigs()
    fresh = [u for u in units if stored.get(u[0].path) != sigs[u[0].path]]
    fresh_keys = {u[0].path for u in fresh}
    known = {key: result for key, _, result in state.unit_results(k for k in sigs if k in stored)}
    bar = dict(total=len(fresh), desc="parse", unit="filing", disable=None if cfg.progress else True)
    parse = functools.partial(parse_partition, spill=str(spill))
    parsed = {}
    # Equal facts of the new filings become one object (generator/share.py): the build keeps
    # every light filing to the end, and a company's filer block was held once per filing.
    sharer = Sharer()
    with tqdm(**bar) as progress:
        for batch in pool.map(parse, partitions(fresh, cfg), weight=len(fresh)):
            for r in batch:
                parsed[r.paths[0]] = r if r.filing is None else replace(r, filing=sharer.filing(r.filing))
            progress.update(len(batch))
    del sharer
    kept: dict[str, UnitResult] = {}
    results = []
    for u in units:
        key = u[0].path
        if key not in fresh_keys and key in known:
            results.append(known[key])
            continue
        r = parsed[key] if key in parsed else parse_unit_light(u)
        old = known.get(key)
        if r.filing is None and old is not None and old.filing is not None:
            kept[key] = r
            results.append(old)
            continue
        state.put_unit(key, sigs[key], r)
        results.append(r)
    return results, kept, sigs


def _keep_broken(state: BuildState, results: list[UnitResult], kept: dict[str, UnitResult],
                 skipped: list[Skipped]) -> tuple[list[UnitResult], dict[str, UnitResult], list[Skipped]]:  # fmt: skip
    """A file that built before and is now refused outright (binary, unreadable, cut down to
    something that is no longer a filing) keeps its last good output too, like one that fails to
    parse: an editor's half-written save or a bad copy must not take a filing off the site. It is
    reported as failed, so the build says so."""
    broken = {k.path: k for k in skipped}
    if not broken:
        return results, kept, skipped
    stored = state.unit_sigs()
    olds = {key: r for key, _, r in state.unit_results(p for p in broken if p in stored)}
    kept = dict(kept)
    for key, old in sorted(olds.items()):
        if old.filing is not None and old.paths == (key,):
            results.append(old)
            kept[key] = UnitResult(old.paths, error=broken[key].reason)
    return results, kept, [k for k in skipped if k.path not in kept]


def _kept_outcomes(kept: dict[str, UnitResult]) -> list[InputOutcome]:
    """The files of units that failed now but keep their last good output."""
    return [
        InputOutcome(p, "failed", reason=f"{r.error}; the last good version is kept")
        for r in kept.values()
        for p in r.paths
    ]


def _rank(r: UnitResult) -> tuple:
    """Which copy of a filing to keep: a full submission, then the most documents, then path order."""
    f = r.filing
    assert f is not None
    return (f.source.format not in _SUBMISSION_FORMATS, -max(r.documents, len(f.documents)), r.paths[0])


def resolve_duplicates(results: list[UnitResult]) -> tuple[list[Filing], list[InputOutcome]]:
    """One filing per accession (or per primary text when there is no accession); ids made unique."""
    outcomes: list[InputOutcome] = []
    ok = [r for r in results if r.filing is not None]
    for r in results:
        if r.filing is None:
            outcomes += [InputOutcome(p, "failed", reason=r.error) for p in r.paths]
    by_key: dict[str, list[UnitResult]] = {}
    by_fingerprint: dict[str, list[str]] = {}
    for r in ok:
        if r.fingerprint and r.filing and r.filing.accession_no:
            by_fingerprint.setdefault(r.fingerprint, []).append(r.filing.accession_no)
    for r in sorted(ok, key=_rank):
        assert r.filing is not None
        key = r.filing.accession_no or _fingerprint_owner(r, by_fingerprint) or f"path:{r.paths[0]}"
        by_key.setdefault(key, []).append(r)
    filings: list[Filing] = []
    groups = sorted(by_key.values(), key=lambda g: g[0].paths[0])
    # A filing whose header states its accession number gets that id first: a headerless copy
    # named by its folder's number (parse.filing.slug_id) that did not prove a duplicate must not
    # take the number's URL from the filing that states it.
    used_ids: set[str] = set()
    ids: dict[str, str] = {}  # the winner's first path (one per group) -> id
    for g in sorted(groups, key=lambda g: (g[0].filing is None or g[0].filing.accession_no is None, g[0].paths[0])):
        assert g[0].filing is not None
        ids[g[0].paths[0]] = _unique_id(g[0].filing.id, g[0].paths[0], used_ids)
    for group in groups:
        winner, losers = group[0], group[1:]
        assert winner.filing is not None
        fid = ids[winner.paths[0]]
        dups = tuple(sorted(tuple(p for r in losers for p in r.paths) + winner.contained))
        filing = winner.filing
        if (filing.id, filing.duplicates) != (fid, dups):  # the same object when nothing changes
            filing = replace(filing, id=fid, duplicates=dups)
        filings.append(filing)
        outcomes += _outcomes_for(winner, losers, filing)
    return filings, outcomes


def _fingerprint_owner(r: UnitResult, by_fingerprint: dict[str, list[str]]) -> str | None:
    """For a filing with no accession: the accession of a filing whose primary text is the same."""
    if r.fingerprint is None:
        return None
    owners = sorted(by_fingerprint.get(r.fingerprint, ()))
    return owners[0] if owners else f"text:{r.fingerprint}"


def _unique_id(fid: str, path: str, used: set[str]) -> str:
    if fid in used:
        fid = f"{fid}-{hashlib.sha256(path.encode()).hexdigest()[:8]}"
    used.add(fid)
    return fid


def _outcomes_for(winner: UnitResult, losers: list[UnitResult], filing: Filing) -> list[InputOutcome]:
    diags = filing.diagnostics
    main = filing.source.path
    out = [InputOutcome(main, "built", filing.id, diagnostics=diags)]
    for p in winner.paths:
        if p in winner.contained:
            out.append(
                InputOutcome(p, "duplicate", filing.id, f"duplicate of {filing.id}: contained in {main}")
            )
        elif p != main:
            out.append(InputOutcome(p, "built", filing.id, f"document of {filing.id}"))
    for r in losers:
        assert r.filing is not None
        same = r.filing.source.sha256 == filing.source.sha256 or r.fingerprint == winner.fingerprint
        why = "the same filing" if same else "the same accession number with different content"
        extra = () if same else (Diagnostic(r.paths[0], "assemble", f"{why}; kept {main}"),)
        out += [
            InputOutcome(p, "duplicate", filing.id, f"duplicate of {filing.id}: {why} as {main}", extra)
            for p in r.paths
        ]
    return out


# --- pass 2 -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Planned:
    """A filing to render. Its task (with its context) is made only when it is handed out
    (:func:`_pass2`): at 100,000 filings the tasks planned at once held ~90 MB."""

    filing: Filing
    unit: tuple
    unit_key: str
    sig: str
    digest: str


def _plan_renders(cfg: SiteConfig, site: Site, out: Path, stage: write.Stage, state: BuildState,
                  templates: dict[str, str], global_key: str, unit_of: dict[str, str],
                  units_by_key: dict, kept: dict[str, UnitResult], sigs: dict[str, str],
                  digests: dict[str, str], session: Session) -> tuple[list[_Planned], Callable[[_Planned], RenderTask]]:  # fmt: skip
    """The filings whose pages must be rendered (new ones, and those whose key changed), and
    what makes a filing's task when it is handed out."""
    records = state.owner_records()
    contexts = _context_cache(site, session)
    # the folders every task names, made once (100,000 tasks held four strings each)
    where = (str(out), str(stage.root), str(cfg.templates) if cfg.templates else None, str(out / SPILL_DIR))

    def task(plan: _Planned) -> RenderTask:
        # the context again: the session's (a watcher) or made anew (a one-off build keeps none)
        return RenderTask(plan.unit, plan.filing.id, plan.filing.duplicates, contexts(plan.filing), *where)

    planned = []
    for filing in site.filings:
        unit_key = unit_of[filing.source.path]
        if unit_key in kept:  # failed now, parsed before: its pages stay as they are
            continue
        owner = f"filing:{filing.id}"
        context = contexts(filing)
        if owner in records:
            old_key, deps = records[owner]
            made_of = (global_key, digests[filing.id], context, _dep_digests(templates, deps), sigs[unit_key])
            hit = session.filing_keys.get(filing.id)
            if hit is not None and hit == (made_of, old_key):
                continue  # the same inputs as the key in the state was made from
            if old_key == _filing_key(global_key, digests[filing.id], context, templates, deps,
                                                sigs[unit_key]):  # fmt: skip
                session.filing_keys[filing.id] = (made_of, old_key)
                continue
        planned.append(_Planned(filing, units_by_key[unit_key], unit_key, sigs[unit_key], digests[filing.id]))
    return planned, task


def _pass2(cfg: SiteConfig, planned: list[_Planned], task_of: Callable[[_Planned], RenderTask],
           stage: write.Stage, state: BuildState, pool, templates: dict[str, str], global_key: str,
           search: IndexUpdate, search_paths: set[str], session: Session) -> dict[str, str]:  # fmt: skip
    """Render the planned filings in the workers; returns {filing id: error} for the failures,
    whose previous pages (if any) are kept. Tasks are made a partition at a time as the pool
    takes them, and dropped when their result is in: only the tasks out are held."""
    failures: dict[str, str] = {}
    bar = dict(total=len(planned), desc="render", unit="filing", disable=None if cfg.progress else True)
    out: collections.deque[RenderTask] = collections.deque()  # handed out, result not yet taken

    def handed_out() -> Iterator[list[RenderTask]]:
        for part in partitions(planned, cfg):
            tasks = [task_of(p) for p in part]
            out.extend(tasks)
            yield tasks

    batches = pool.map(render_partition, handed_out(), weight=len(planned))
    keep_busy = getattr(batches, "keep_busy", None)  # local workers: fed while a segment is written
    results = (done for batch in batches for done in batch)
    for plan, done in tqdm(zip(planned, results, strict=True), **bar):
        task = out.popleft()
        owner = f"filing:{plan.filing.id}"
        if done.error is not None:
            failures[plan.filing.id] = done.error
            continue
        stage.adopt(dict(done.staged))
        stage.remove_later(set(state.owner_paths(owner)) - set(done.paths))
        # sorted and unique, as the state keeps them; interned: a few template names, and the state's
        # mirror keeps each filing's list (100,000 copies of the same strings were ~35 MB)
        deps = [sys.intern(d) for d in done.deps]
        key = _filing_key(global_key, plan.digest, task.context, templates, deps, plan.sig)
        state.put_owner(owner, key, done.paths, deps)
        made_of = (global_key, plan.digest, task.context, _dep_digests(templates, deps), plan.sig)
        session.filing_keys[plan.filing.id] = (made_of, key)
        if done.search is not None:
            stage.adopt(dict(done.search_staged))  # its text chunks, written by the worker
            search_paths.add(chunk_folder(done.search.info.digest))
            for o in search.add(done.search):
                stage.put(o)
                search_paths.add(index_folder(o.path) or o.path)
                if keep_busy is not None:
                    keep_busy()
        crash_point("render")
    return failures


def _context_cache(site: Site, session: Session) -> Callable[[Filing], FilingContext]:
    """``site.context_for``, reusing the session's context of a filing when what it is made of
    is the same: the filing, its neighbours, what it amends and what amends it (compared by
    identity first: unchanged filings are the same objects from build to build), and the parts
    of the site every context reads (title, pages, SIC table, company keys)."""
    shared = (site.title, site.pages, site.sics, site.companies.keys())
    if session.context_site != shared:
        session.contexts.clear()
        session.context_site = (site.title, site.pages, dict(site.sics), set(site.companies))
    cache, fresh = session.contexts, type(session.contexts)()

    def context(filing: Filing) -> FilingContext:
        made_of = (filing, site.neighbours.get(filing.id), site.amendments.get(filing.id),
                   site.amended.get(filing.id))  # fmt: skip
        hit = cache.get(filing.id)
        entry = hit if hit is not None and hit[0] == made_of else (made_of, site.context_for(filing))
        fresh[filing.id] = entry
        return entry[1]

    session.contexts = fresh  # filled as the plan asks (a kept failure asks nothing: recomputed next time)
    return context


def _filing_digests(site: Site, by_key: dict[str, UnitResult], unit_of: dict[str, str],
                    session: Session) -> dict[str, str]:  # fmt: skip
    """Filing id -> digest of its light record, id and duplicates (what listings show of it)."""
    out = {}
    cache, fresh = session.digests, type(session.digests)()
    for f in site.filings:
        made_of = (by_key[unit_of[f.source.path]].digest, f.id, f.duplicates)
        hit = cache.get(made_of)
        out[f.id] = hit if hit is not None else _digest(made_of[0] or repr(f), f.id, repr(f.duplicates))
        fresh[made_of] = out[f.id]
    session.digests = fresh
    return out


def _dep_digests(templates: dict[str, str], deps: list[str]) -> tuple:
    return tuple((d, templates.get(d)) for d in deps)


def _filing_key(global_key: str, digest: str, context, templates: dict[str, str], deps: list[str],
                sig: str) -> str:  # fmt: skip
    """What a filing's pages are made of: the code and configuration, its unit's files (stat
    signature), the digest of its light record (facts, id, duplicates), its context, and the
    templates its pages loaded."""
    return _digest(global_key, sig, digest, repr(context), repr(list(_dep_digests(templates, deps))))


def _drop_gone_filings(state: BuildState, site: Site, stage: write.Stage, search: IndexUpdate) -> None:
    """Filings the last build had and this one has not: their files and search documents go."""
    present = {f"filing:{f.id}" for f in site.filings}
    for owner in list(state.owner_keys()):
        if owner.startswith("filing:") and owner not in present:
            stage.remove_later(state.owner_paths(owner))
            state.drop_owner(owner)
            search.remove(owner[len("filing:") :])


def _render_globals(site: Site, env, stage: write.Stage, state: BuildState, search: IndexUpdate,
                    search_paths: set[str], failures: dict[str, str], clock: _Clock, global_key: str,
                    templates: dict[str, str], digests: dict[str, str], session: Session) -> None:  # fmt: skip
    """Listings, markdown pages, static files, the catalog and the search index: each an owner of
    its files, so a file one of them no longer makes is removed."""
    shown = [f for f in site.filings if f.id not in failures]
    _render_listings(site, env, stage, state, global_key, templates, digests, session)
    clock("browse")
    groups: dict[str, Callable[[], Iterable[Output]]] = {
        "pages": lambda: (render_page(p, site, env) for p in site.pages),
        "static": lambda: render_static(env),
        # made when its turn comes: a dict a filing, ~50 MB at 100,000 filings, not held while listing
        "catalog": lambda: [Output("catalog.json", export.dumps({"filings": list(map(export.catalog_entry, shown))}))],
        "search-page": lambda: [render_template(env, "search.html", SEARCH_PAGE_URL, site)],
    }
    for owner, make in groups.items():
        paths = []
        for o in make():
            stage.put(o)
            paths.append(o.path)
        stage.remove_later(set(state.owner_paths(owner)) - set(paths))
        state.put_owner(owner, "", paths)
        clock(owner)
    outputs, stale = search.finish()
    for o in outputs:
        stage.put(o)
    # What the index no longer uses: files of merged-away segments and of removed filings. The
    # index knows its own files (its manifest), so the state does not keep a list of them.
    # (text chunks are kept by their folder: a worker wrote them, the build process names the folder)
    stage.remove_later({p for p in stale if p not in search_paths and index_folder(p) not in search_paths})
    clock("search")


def _render_listings(site: Site, env, stage: write.Stage, state: BuildState, global_key: str,
                     templates: dict[str, str], digests: dict[str, str], session: Session) -> None:  # fmt: skip
    """The listing pages, one group (a form, a year, a company, the overviews) at a time: a group
    whose material and templates did not change is not rendered at all."""
    records = state.owner_records()
    nav = repr((site.title, [(p.slug, p.title) for p in site.pages]))

    def key(material: str, deps: list[str]) -> str:
        return _digest(global_key, nav, material, repr(list(_dep_digests(templates, deps))))

    live: set[str] = set()
    claimed: set[str] = set()
    unchanged: list[str] = []
    stale: set[str] = set()
    for group in browse_groups(site, env, lambda f: digests[f.id]):
        live.add(group.owner)
        hit = session.materials.get(group.owner)
        if hit is not None and hit[0] == group.material:
            material = hit[1]  # equal tuples: no repr of a 10,000-row listing again
        else:
            material = _digest(repr(group.material))
            session.materials[group.owner] = (group.material, material)
        if group.owner in records and records[group.owner][0] == key(material, records[group.owner][1]):
            unchanged.append(group.owner)
            continue
        outputs = group.make()
        for o in outputs:
            stage.put(o)
        paths = {o.path for o in outputs}
        deps = sorted({d for o in outputs for d in o.deps})
        claimed |= paths
        stale |= set(state.owner_paths(group.owner)) - paths
        state.put_owner(group.owner, key(material, deps), paths, deps)
    for owner in records:  # a form, year or company no longer in the archive
        if (owner == "browse" or owner.startswith("browse:")) and owner not in live:
            stale |= set(state.owner_paths(owner))
            state.drop_owner(owner)
    for owner in set(session.materials) - live:
        del session.materials[owner]
    if stale:  # a page can move from one group to another: still wanted if any group has it
        for owner in unchanged:
            claimed.update(state.owner_paths(owner))
    stage.remove_later(stale - claimed)


def _parse_pages(sources: list[SourceFile]) -> tuple[list[Page], list[InputOutcome]]:
    pages: list[Page] = []
    outcomes: list[InputOutcome] = []
    seen: set[str] = set()
    for s in sources:
        try:
            raw = Path(s.abspath).read_bytes()
            page = parse_page(raw, s.path)
        except Exception as exc:  # noqa: BLE001 - per-file boundary
            outcomes.append(InputOutcome(s.path, "failed", reason=f"markdown page: {exc}"))
            continue
        found = active_content(raw.decode("utf-8", "replace"))
        diags = (Diagnostic(s.path, "parse", f"active content removed: {', '.join(found)}"),) if found else ()
        if page.slug in seen or page.slug in _RESERVED_SLUGS:
            page = replace(page, slug=f"{page.slug}-{hashlib.sha256(s.path.encode()).hexdigest()[:6]}")
        seen.add(page.slug)
        pages.append(page)
        outcomes.append(InputOutcome(s.path, "built", urls.page_url(page), diagnostics=diags))
    return pages, outcomes


def _skipped_outcome(s: Skipped) -> InputOutcome:
    """A skipped file is listed in the report; one the user likely meant as input (an archive of
    filings) also gets a warning, printed once like any new warning, an error with --strict."""
    warning = (Diagnostic(s.path, "discover", s.reason),) if s.warn else ()
    return InputOutcome(s.path, "failed" if s.failed else "skipped", reason=s.reason, diagnostics=warning)


def _mark_render_failure(o: InputOutcome, failures: dict[str, str]) -> InputOutcome:
    if o.outcome == "built" and o.id in failures:
        return replace(o, outcome="failed", reason=failures[o.id])
    return o


def _line(text: str | None) -> str:
    """One line of console output: control characters (a newline in a file name would forge a
    line) shown as escapes."""
    text = text or ""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _print_summary(report: BuildReport, removed: int, seconds: float, cfg: SiteConfig, echo, written: int,
                   before: BuildReport | None = None) -> None:  # fmt: skip
    """Errors every time (a failed file stays failed until fixed); a file's warnings when they are
    new since the last build (``before``), not again on every rebuild: the watcher used to print
    400 unchanged warnings per saved file at 10,000 filings. build-report.json has them all."""
    earlier = {i.path: i.diagnostics for i in before.inputs} if before is not None else {}
    repeated = 0
    for i in report.inputs:
        if i.outcome == "failed":
            echo(f"error: {_line(i.path)}: {_line(i.reason)}")
        if i.diagnostics and earlier.get(i.path) == i.diagnostics:
            repeated += len(i.diagnostics)
            continue
        for d in i.diagnostics:
            echo(f"warning: {_line(i.path)}: {_line(d.message)}")
    if repeated:
        echo(f"({repeated} warnings of unchanged files not repeated: build-report.json lists every one)")
    counts = {k: sum(1 for i in report.inputs if i.outcome == k) for k in ("duplicate", "skipped", "failed")}
    echo(
        f"Built {report.filings} filings and {report.pages} pages from {len(report.inputs)} input files "
        f"({counts['duplicate']} duplicates, {counts['skipped']} skipped, {counts['failed']} failed) "
        f"into {cfg.output}/: {written} files written, {removed} removed, in {seconds:.1f} s."
    )
