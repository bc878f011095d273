"""Helpers shared by the search tests: the demo's filings, built sites, a static server, and a
naive scan of the corpus that search results are checked against."""

from __future__ import annotations

import functools
from pathlib import Path

from browser import static_server  # noqa: F401 - re-exported for the search tests
from conftest import ROOT

from generator.build import make_units, parse_units, resolve_duplicates
from generator.config import load_config
from generator.discover import discover
from generator.model import Filing, Output
from generator.search import analysis, client
from generator.search.fields import SearchDoc
from generator.search.update import IndexUpdate, analyse

SITE_SRC = ROOT / "site_src"


@functools.cache
def demo_filings() -> tuple[Filing, ...]:
    cfg = load_config(None, source=SITE_SRC, output=Path("/nonexistent"), progress=False, jobs=1)
    sources, _ = discover(cfg.source, exclude=cfg.output)
    filings, _ = resolve_duplicates(parse_units(make_units([s for s in sources if s.kind != "page"]), cfg))
    return tuple(filings)


def write_outputs(root: Path, outputs: list[Output]) -> Path:
    for o in outputs:
        path = root / o.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(o.data)
    return root


def update_site(root: Path, adds: list[SearchDoc], removes: list[str] = (), **settings) -> list[str]:
    """One incremental index update of the site in ``root``, as the build does it: write what
    changed, delete the search files that are no longer live. Returns the paths rewritten."""
    update = IndexUpdate(root, **settings)
    outputs = [o for d in adds for o in update.add(analyse(d))]
    for filing_id in removes:
        update.remove(filing_id)
    rest, stale = update.finish()
    outputs += rest
    written = []
    for o in outputs:
        path = root / o.path
        if not path.is_file() or path.read_bytes() != o.data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(o.data)
            written.append(o.path)
    assert not stale & {o.path for o in outputs}, "a file written now is not stale"
    for rel in stale:
        (root / rel).unlink()
    # Deleting only what finish() called stale leaves exactly the files the index uses.
    on_disk = {p.relative_to(root).as_posix() for p in (root / "search").rglob("*.js") if p.is_file()}
    extra = {o.path for o in client.client_files()} | {"search/manifest.js"}
    assert on_disk - extra == update.live_paths() - extra, "the stale files, no more and no fewer"
    return written


def by_date(docs: list[SearchDoc]) -> list[SearchDoc]:
    return sorted(docs, key=lambda d: (d.filed is not None, d.filed or "", d.id))


def field_terms(doc: SearchDoc) -> list[list[str]]:
    """Each scored field's terms, body documents separately (a phrase never spans two)."""
    return [analysis.analyze(doc.company_text), analysis.analyze(doc.form_text)] + [
        analysis.analyze(p.text) for p in doc.body
    ]


def naive_phrase(docs: list[SearchDoc], terms: list[str]) -> set[str]:
    """Ids of the documents whose text holds ``terms`` consecutively, by brute force."""
    n = len(terms)
    return {
        d.id
        for d in docs
        if any(seq[i : i + n] == terms for seq in field_terms(d) for i in range(len(seq) - n + 1))
    }


def naive_all_words(docs: list[SearchDoc], words: list[str]) -> set[str]:
    return {d.id for d in docs if all(any(w in seq for seq in field_terms(d)) for w in words)}
