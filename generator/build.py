"""The one orchestrator: discover -> parse -> assemble -> render -> write.

``build(config)`` returns a BuildReport that accounts for every input file: built, duplicate of
another filing, skipped (not a filing) or failed (with the reason). One bad file never stops the
build: errors are caught at the per-file boundary only and turned into report lines.
Parsing runs in worker processes (``--jobs``); everything after it runs here, in sorted order, so
the output is byte-identical whatever the number of workers.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from generator import export, write
from generator import site as urls
from generator.config import SiteConfig
from generator.discover import Skipped, discover
from generator.model import BuildReport, Diagnostic, Filing, InputOutcome, Output, Page, SourceFile
from generator.pages import parse_page
from generator.parse.filing import ParseError, parse_filing, text_fingerprint
from generator.parse.folder import FolderFile, parse_folder
from generator.render import make_env, render_filing, render_page, render_static
from generator.render_browse import render_browse
from generator.search.pages import search_outputs
from generator.site import assemble_site

#: Inputs larger than this are refused with a diagnostic rather than read into memory.
MAX_FILE_BYTES = 1024**3
_SUBMISSION_FORMATS = {"sec-header", "ims-header", "submission"}


@dataclass(frozen=True, slots=True)
class UnitResult:
    """What parsing one unit (a file, or the files of one accession folder) gave."""

    paths: tuple[str, ...]
    filing: Filing | None = None
    contained: tuple[str, ...] = ()
    error: str | None = None
    fingerprint: str | None = None


def build(cfg: SiteConfig, echo: Callable[[str], None] = print) -> BuildReport:
    started = time.monotonic()
    sources, skipped = discover(cfg.source, exclude=cfg.output)
    units = make_units([s for s in sources if s.kind != "page"])
    results = parse_units(units, cfg)
    filings, outcomes = resolve_duplicates(results)
    pages, page_outcomes = _parse_pages([s for s in sources if s.kind == "page"])
    outcomes += page_outcomes + [_skipped_outcome(s) for s in skipped]
    site = assemble_site(cfg.title, filings, pages)
    written, removed, render_failures = _render_and_write(cfg, site, {s.path: s for s in sources})
    outcomes = [_mark_render_failure(o, render_failures) for o in outcomes]
    report = BuildReport(
        inputs=tuple(sorted(outcomes, key=lambda o: o.path)),
        filings=len(site.filings) - len(render_failures),
        pages=len(pages),
        written=written,
    )
    out = cfg.output.resolve()
    write.write_file(out, Output("build-report.json", export.dumps(export.report_record(report))))
    _print_summary(report, removed, time.monotonic() - started, cfg, echo)
    return report


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
    jobs = min(cfg.worker_count(), max(1, len(units) // 4))
    bar = dict(total=len(units), desc="parse", unit="filing", disable=None if cfg.progress else True)
    if jobs <= 1:
        return list(tqdm(map(parse_unit, units), **bar))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(tqdm(pool.map(parse_unit, units, chunksize=8), **bar))


def parse_unit(unit: tuple[SourceFile, ...]) -> UnitResult:
    """Parse one unit in a worker; any exception becomes the unit's error, never the build's."""
    paths = tuple(s.path for s in unit)
    try:
        if len(unit) == 1 and not unit[0].group:
            filing = parse_filing(_read(unit[0]), unit[0].path)
            return UnitResult(paths, filing, fingerprint=fingerprint(filing))
        res = parse_folder([FolderFile(s.path, _read(s), s.kind) for s in unit])
        return UnitResult(paths, res.filing, res.contained, fingerprint=fingerprint(res.filing))
    except ParseError as exc:
        return UnitResult(paths, error=str(exc))
    except MemoryError:
        return UnitResult(paths, error="out of memory while parsing")
    except Exception as exc:  # noqa: BLE001 - the per-file boundary: report, never stop the build
        return UnitResult(paths, error=f"parser error ({type(exc).__name__}: {exc})")


def _read(source: SourceFile) -> bytes:
    size = Path(source.abspath).stat().st_size
    if size > MAX_FILE_BYTES:
        raise ParseError(f"file is {size // 1024**2} MB, over the {MAX_FILE_BYTES // 1024**2} MB limit")
    return Path(source.abspath).read_bytes()


def fingerprint(filing: Filing) -> str | None:
    """A digest of the primary document's words, to spot one document filed in two forms."""
    return text_fingerprint(filing.primary)


def _rank(r: UnitResult) -> tuple:
    """Which copy of a filing to keep: a full submission, then the most documents, then path order."""
    f = r.filing
    assert f is not None
    return (f.source.format not in _SUBMISSION_FORMATS, -len(f.documents), r.paths[0])


def resolve_duplicates(results: list[UnitResult]) -> tuple[list[Filing], list[InputOutcome]]:
    """One filing per accession (or per primary text when there is no accession); ids made unique."""
    outcomes: list[InputOutcome] = []
    ok = [r for r in results if r.filing is not None]
    for r in results:
        if r.filing is None:
            outcomes += [InputOutcome(p, "failed", reason=r.error) for p in r.paths]
    by_key: dict[str, list[UnitResult]] = {}
    for r in sorted(ok, key=_rank):
        assert r.filing is not None
        key = r.filing.accession_no or _fingerprint_owner(r, ok) or f"path:{r.paths[0]}"
        by_key.setdefault(key, []).append(r)
    filings: list[Filing] = []
    used_ids: set[str] = set()
    for group in sorted(by_key.values(), key=lambda g: g[0].paths[0]):
        winner, losers = group[0], group[1:]
        assert winner.filing is not None
        fid = _unique_id(winner.filing.id, winner.paths[0], used_ids)
        dup_paths = tuple(p for r in losers for p in r.paths) + winner.contained
        filing = replace(winner.filing, id=fid, duplicates=tuple(sorted(dup_paths)))
        filings.append(filing)
        outcomes += _outcomes_for(winner, losers, filing)
    return filings, outcomes


def _fingerprint_owner(r: UnitResult, ok: list[UnitResult]) -> str | None:
    """For a filing with no accession: the accession of a filing whose primary text is the same."""
    if r.fingerprint is None:
        return None
    owners = sorted(
        o.filing.accession_no
        for o in ok
        if o.fingerprint == r.fingerprint and o.filing and o.filing.accession_no
    )
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


def _parse_pages(sources: list[SourceFile]) -> tuple[list[Page], list[InputOutcome]]:
    pages: list[Page] = []
    outcomes: list[InputOutcome] = []
    seen: set[str] = set()
    for s in sources:
        try:
            page = parse_page(Path(s.abspath).read_bytes(), s.path)
        except Exception as exc:  # noqa: BLE001 - per-file boundary
            outcomes.append(InputOutcome(s.path, "failed", reason=f"markdown page: {exc}"))
            continue
        if page.slug in seen or page.slug in ("filings", "static", "companies", "search", "forms", "dates"):
            page = replace(page, slug=f"{page.slug}-{hashlib.sha256(s.path.encode()).hexdigest()[:6]}")
        seen.add(page.slug)
        pages.append(page)
        outcomes.append(InputOutcome(s.path, "built", urls.page_url(page)))
    return pages, outcomes


def _skipped_outcome(s: Skipped) -> InputOutcome:
    return InputOutcome(s.path, "failed" if s.failed else "skipped", reason=s.reason)


def _render_and_write(
    cfg: SiteConfig, site, sources: dict[str, SourceFile]
) -> tuple[int, int, dict[str, str]]:
    """Render every output and write it; returns (files written, files pruned, failed filing ids)."""
    out = cfg.output.resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = make_env(cfg.templates)
    before = write.previous_outputs(out)
    produced: set[str] = set()
    failures: dict[str, str] = {}
    written = 0

    def emit(outputs: Iterable[Output]) -> None:
        nonlocal written
        for o in outputs:
            written += write.write_file(out, o)
            produced.add(o.path)

    bar = dict(total=len(site.filings), desc="render", unit="filing", disable=None if cfg.progress else True)
    for filing in tqdm(site.filings, **bar):
        try:
            original = (
                Path(sources[filing.source.path].abspath).read_bytes()
                if filing.source.path in sources
                else b""
            )
            emit(render_filing(filing, site, env, original))
        except Exception as exc:  # noqa: BLE001 - per-filing boundary; keep its previous output
            failures[filing.id] = f"render error ({type(exc).__name__}: {exc})"
            produced |= {p for p in before if p.startswith(f"filings/{filing.id}/")}
    catalog = [export.catalog_entry(f) for f in site.filings if f.id not in failures]
    emit([Output("catalog.json", export.dumps({"filings": catalog}))])
    emit([*render_browse(site, env), *render_static(env), *(render_page(p, site, env) for p in site.pages)])
    emit(search_outputs(site, env, skip=failures))
    produced.add("build-report.json")
    removed = write.prune(out, before - produced - {write.MANIFEST})
    write.commit_manifest(out, produced)
    return written, removed, failures


def _mark_render_failure(o: InputOutcome, failures: dict[str, str]) -> InputOutcome:
    if o.outcome == "built" and o.id in failures:
        return replace(o, outcome="failed", reason=failures[o.id])
    return o


def _print_summary(report: BuildReport, removed: int, seconds: float, cfg: SiteConfig, echo) -> None:
    for i in report.inputs:
        if i.outcome == "failed":
            echo(f"error: {i.path}: {i.reason}")
        for d in i.diagnostics:
            echo(f"warning: {i.path}: {d.message}")
    counts = {k: sum(1 for i in report.inputs if i.outcome == k) for k in ("duplicate", "skipped", "failed")}
    echo(
        f"Built {report.filings} filings and {report.pages} pages from {len(report.inputs)} input files "
        f"({counts['duplicate']} duplicates, {counts['skipped']} skipped, {counts['failed']} failed) "
        f"into {cfg.output}/: {report.written} files written, {removed} removed, in {seconds:.1f} s."
    )
