"""The incremental build: a change rewrites what it touches and nothing else.

Real builds of a copy of the demo site, real edits on disk; "rewritten" is judged by the files'
inode and mtime (the build replaces a file by renaming a new one over it), so these tests see
exactly what a web server or rsync would see change.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_build, tree_bytes
from site_search import search_site, site_bytes_outside_search

EDITED = "filings/1990s/0000914760-99-000124.txt"
EDITED_ID = "0000914760-99-000124"
OTHER_ID = "0000320193-97-000014"


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """path -> (inode, mtime_ns) of every file of the site (not the build's private state)."""
    snap = {}
    for p in out.rglob("*"):
        rel = p.relative_to(out).as_posix()
        if p.is_file() and not rel.startswith(".filing-archive/"):
            st = p.stat()
            snap[rel] = (st.st_ino, st.st_mtime_ns)
    return snap


def changed(before: dict, after: dict) -> set[str]:
    return {p for p in after if before.get(p) != after[p]} | (set(before) - set(after))


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "site_src", src)
    out = tmp_path / "out"
    report, lines = run_build(src, out, jobs=1)
    assert report.failed == 0, lines
    return src, out


def edit(path: Path, word: str) -> None:
    """Put ``word`` into the last document's text, as a person editing the file would."""
    text = path.read_text(encoding="latin-1")
    cut = text.rindex("</TEXT>")
    path.write_text(text[:cut] + f"\n{word}\n" + text[cut:], encoding="latin-1")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))  # a new mtime even on a coarse clock


def test_no_change_writes_nothing_and_reads_nothing(site):
    src, out = site
    before = snapshot(out)
    report, lines = run_build(src, out, jobs=1)
    assert report.written == 0 and changed(before, snapshot(out)) == set()
    assert "0 files written, 0 removed" in lines[-1]


def test_one_changed_filing_rewrites_its_pages_listings_and_search_only(site):
    src, out = site
    before = snapshot(out)
    edit(src / EDITED, "zebrafishcanary")
    report, _ = run_build(src, out, jobs=1)
    touched = changed(before, snapshot(out))
    assert report.failed == 0
    assert any(p.startswith(f"filings/{EDITED_ID}/") for p in touched)
    assert not any(p.startswith(f"filings/{OTHER_ID}/") for p in touched), "another filing's pages"
    outside = {p for p in touched if p.startswith("filings/") and not p.startswith(f"filings/{EDITED_ID}/")}
    assert outside == set(), outside
    site_files = len(before)
    assert len(touched) < site_files / 2, f"{len(touched)} of {site_files} files rewritten"
    assert b"zebrafishcanary" in b"".join(
        (out / p).read_bytes() for p in touched if p.startswith(f"filings/{EDITED_ID}/") and p.endswith(".html")
    )
    assert [r[0] for r in search_site(out)["zebrafishcanary"]] == [EDITED_ID]
    index_files = [p for p in before if p.startswith("search/")]
    rewritten = [p for p in touched if p.startswith("search/")]
    assert len(rewritten) < len(index_files) / 2, f"{len(rewritten)} of {len(index_files)} index files"


def test_deleted_filing_leaves_every_page_and_search(site):
    src, out = site
    (src / EDITED).unlink()
    run_build(src, out, jobs=1)
    assert not (out / "filings" / EDITED_ID).exists()
    leftovers = [
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and not p.relative_to(out).as_posix().startswith((".filing-archive/", "search/"))
        and EDITED_ID.encode() in p.read_bytes()
    ]
    assert leftovers == [], leftovers
    assert EDITED_ID not in (out / "catalog.json").read_text()
    assert all(EDITED_ID not in [r[0] for r in hits] for hits in search_site(out).values())


def edit_template(site, theme: Path, name: str) -> tuple[dict, set[str]]:
    """Build with ``name`` overridden by a copy of the theme's, then with the copy edited:
    (the site before the edit, the files the edit rewrote)."""
    src, out = site
    theme.mkdir()
    text = (ROOT / "templates" / name).read_text()
    (theme / name).write_text(text)
    run_build(src, out, jobs=1, templates=theme)
    before = snapshot(out)
    (theme / name).write_text(text.replace("{% block main %}", "{% block main %}<!-- v2 -->", 1))
    run_build(src, out, jobs=1, templates=theme)
    return before, changed(before, snapshot(out))


def test_template_change_rebuilds_exactly_the_pages_that_use_it(site, tmp_path):
    before, touched = edit_template(site, tmp_path / "theme", "company.html")
    company_pages = {p for p in before if p.startswith("companies/") and p.count("/") == 2}
    assert company_pages and touched == company_pages, sorted(touched ^ company_pages)[:10]


def test_filing_template_change_rerenders_filing_pages_not_listings(site, tmp_path):
    before, touched = edit_template(site, tmp_path / "theme", "document.html")
    document_pages = {p for p in before if p.startswith("filings/") and p.endswith(".html") and not p.endswith("/index.html")}
    assert touched == document_pages, sorted(touched ^ document_pages)[:10]


def test_configuration_change_rebuilds_everything(site, tmp_path):
    src, out = site
    before = snapshot(out)
    report, _ = run_build(src, out, jobs=1, title="Another title")
    touched = changed(before, snapshot(out))
    pages = {p for p in before if p.endswith(".html")}
    assert pages <= touched, sorted(pages - touched)[:10]
    assert "Another title" in (out / "filings" / OTHER_ID / "index.html").read_text()


def test_broken_edit_keeps_the_last_good_output_until_fixed(site):
    src, out = site
    good = (src / EDITED).read_bytes()
    page = (out / "filings" / EDITED_ID / "index.html").read_bytes()
    (src / EDITED).write_bytes(b"\x00\x01\x02 binary garbage \xff" * 10)
    report, lines = run_build(src, out, jobs=1)
    assert report.failed >= 1
    outcome = next(i for i in report.inputs if i.path == EDITED)
    assert outcome.outcome == "failed" and "last good version is kept" in (outcome.reason or "")
    assert any(line.startswith(f"error: {EDITED}:") for line in lines)
    assert (out / "filings" / EDITED_ID / "index.html").read_bytes() == page
    assert EDITED_ID in (out / "catalog.json").read_text()
    (src / EDITED).write_bytes(good)
    report, _ = run_build(src, out, jobs=1)
    assert report.failed == 0
    assert (out / "filings" / EDITED_ID / "index.html").read_bytes() == page


def test_incremental_result_equals_a_clean_build(site, tmp_path):
    src, out = site
    edit(src / EDITED, "zebrafishcanary")
    (src / "filings" / "2000s" / "0001012870-02-001163.txt").unlink()
    shutil.copy(ROOT / "tests" / "fixtures" / "sgml" / "sec-header-reporting-owner-2000.txt", src / "new.txt")
    (src / "about.md").write_text((src / "about.md").read_text() + "\nOne more line.\n")
    run_build(src, out, jobs=2)
    clean = tmp_path / "clean"
    run_build(src, clean, jobs=1)
    assert site_bytes_outside_search(tree_bytes(out)) == site_bytes_outside_search(tree_bytes(clean))
    found = search_site(out)
    assert found == search_site(clean), "the updated index finds what a fresh one finds"
    assert [r[0] for r in found["zebrafishcanary"]] == [EDITED_ID]
    report = json.loads((out / "build-report.json").read_text())
    assert any(i["path"] == "new.txt" and i["outcome"] == "built" for i in report["inputs"])


def test_a_save_cut_down_to_a_non_filing_keeps_the_last_good_output(site):
    """A truncated save that no longer looks like a filing at all (not even a failed one)."""
    src, out = site
    page = (out / "filings" / EDITED_ID / "index.html").read_bytes()
    (src / EDITED).write_bytes(b"just some text\n")
    report, lines = run_build(src, out, jobs=1)
    outcome = next(i for i in report.inputs if i.path == EDITED)
    assert outcome.outcome == "failed" and "last good version is kept" in (outcome.reason or "")
    assert (out / "filings" / EDITED_ID / "index.html").read_bytes() == page


def test_warnings_are_printed_once_not_on_every_rebuild(site):
    """A rebuild repeats errors but not the warnings of files that did not change."""
    src, out = site
    first = json.loads((out / "build-report.json").read_text())
    assert any(i.get("diagnostics") for i in first["inputs"]), "the demo site has filings with warnings"
    edit(src / EDITED, "zebrafishcanary")
    (src / "broken.txt").write_bytes(b"\x00\x01\x02 binary garbage \xff" * 10)
    _, lines = run_build(src, out, jobs=1)
    assert not any(ln.startswith("warning:") and EDITED not in ln for ln in lines), lines
    assert any(ln.startswith("error: broken.txt") for ln in lines)
    assert any("warnings of unchanged files not repeated" in ln for ln in lines)
    _, again = run_build(src, out, jobs=1)
    assert any(ln.startswith("error: broken.txt") for ln in again), "errors every time"
    assert not any(ln.startswith("warning:") for ln in again)


def index_files_on_disk(out: Path) -> set[str]:
    """The search index's data files on disk (the client's own files and manifest aside)."""
    from generator.search import client

    extra = {o.path for o in client.client_files()} | {"search/manifest.js"}
    return {p.relative_to(out).as_posix() for p in (out / "search").rglob("*.js") if p.is_file()} - extra


def test_text_chunks_written_by_the_workers_are_exactly_the_live_ones(tmp_path):
    """The render tasks (worker processes: 20 filings, two jobs) write each filing's search text
    chunks; the build process only names their folder. After a full build, and after an edit and
    a deletion, the site holds the live index's files, no more, no fewer: the edited filing's old
    chunks are gone, its new ones are there."""
    from generator.search.update import IndexUpdate

    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(ROOT / "site_src", src)
    report, lines = run_build(src, out, jobs=2)
    assert report.failed == 0, lines
    assert index_files_on_disk(out) == IndexUpdate(out).live_paths() - {"search/manifest.js"}
    old = IndexUpdate(out).ids()[EDITED_ID]
    edit(src / EDITED, "zebrafishcanary")
    next(p for p in (src / "filings").rglob("*.txt") if OTHER_ID in p.name).unlink()
    report, lines = run_build(src, out, jobs=2)
    assert report.failed == 0, lines
    update = IndexUpdate(out)
    new = update.ids()[EDITED_ID]
    assert new != old and OTHER_ID not in update.ids()
    assert not (out / "search" / "x" / old).exists()
    assert (out / "search" / "x" / new / "0.js").is_file()
    live = update.live_paths() - {"search/manifest.js"}
    assert index_files_on_disk(out) == live
    assert [r[0] for r in search_site(out)["zebrafishcanary"]] == [EDITED_ID]


def test_a_build_whose_segments_fill_up_finds_what_one_segment_finds(tmp_path, monkeypatch):
    """Segments of 5 filings (the demo's make four full ones, each written during pass 2, and the
    last; then an edit adds one): the site holds exactly the live index files, and
    the site's own search engine answers as it does over a build with one segment."""
    from generator.search import update as search_update

    one = tmp_path / "one"
    run_build(ROOT / "site_src", one, jobs=2)
    monkeypatch.setattr(search_update, "SEGMENT_DOCS", 5)
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(ROOT / "site_src", src)
    report, lines = run_build(src, out, jobs=2)
    assert report.failed == 0, lines
    update = search_update.IndexUpdate(out)
    sizes = sorted(len(s.ids) for s in update.segments)
    assert len(sizes) >= 4 and sizes[1:] == [5] * (len(sizes) - 1), sizes
    assert index_files_on_disk(out) == update.live_paths() - {"search/manifest.js"}
    assert search_site(out) == search_site(one)
    edit(src / EDITED, "zebrafishcanary")
    run_build(src, out, jobs=2)
    assert index_files_on_disk(out) == search_update.IndexUpdate(out).live_paths() - {"search/manifest.js"}
    assert [r[0] for r in search_site(out)["zebrafishcanary"]] == [EDITED_ID]


def test_a_new_release_reads_unchanged_files_again(tmp_path, monkeypatch):
    """A unit's stored parse says nothing of the code that made it. After an upgrade whose parser
    reads a fact better (here: a headerless 2025 8-K's CIK, from its inline XBRL cover tags), the
    next build must read every file again, or unchanged files would keep the old facts."""
    import generator.build as build_mod
    from generator.parse import cover_xbrl

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "site_src" / "edgar" / "data" / "880984" / "000149315225001317" / "form8-k.htm", src)
    out = tmp_path / "out"
    record = out / "filings" / "form8-k" / "filing.json"
    with monkeypatch.context() as old:  # the release before: no inline XBRL reading, its own code
        old.setattr(cover_xbrl, "read_tagged_cover", lambda markup: None)
        old.setattr(build_mod, "generator_digest", lambda: "the previous release")
        run_build(src, out, jobs=1)
    assert json.loads(record.read_text())["filers"][0]["cik"] is None
    run_build(src, out, jobs=1)
    assert json.loads(record.read_text())["filers"][0]["cik"] == "0000880984"
    # the listings and search are made from the stored parse, not the page's: they follow too
    assert json.loads((out / "catalog.json").read_text())["filings"][0]["cik"] == "0000880984"
    assert (out / "companies" / "0000880984").is_dir()
    before = snapshot(out)
    run_build(src, out, jobs=1)
    assert changed(before, snapshot(out)) == set()  # the same code again: nothing read or written
