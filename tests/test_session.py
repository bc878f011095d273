"""Builds that share a Session (what the watcher keeps between builds) give exactly what a build
from nothing gives, whatever happened in between: edits, deletions, new files, a broken save, a
build run by another process, a build that failed half-way.

Real builds of a copy of the demo site; each step is checked against a clean build of the same
source: every page byte for byte, and the search index by what the site's own engine finds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_build, tree_bytes
from site_search import search_site, site_bytes_outside_search
from test_incremental import EDITED, EDITED_ID, edit

from generator import build as build_module
from generator.build import Session, build
from generator.config import load_config


def session_build(src: Path, out: Path, session: Session, changed: list[Path] | None = None):
    lines: list[str] = []
    cfg = load_config(None, source=src, output=out, progress=False, jobs=1)
    return build(cfg, echo=lines.append, session=session, changed=changed), lines


def assert_same_as_clean(src: Path, out: Path, clean: Path) -> None:
    shutil.rmtree(clean, ignore_errors=True)
    run_build(src, clean, jobs=1)
    assert site_bytes_outside_search(tree_bytes(out)) == site_bytes_outside_search(tree_bytes(clean))
    assert search_site(out) == search_site(clean)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "site_src", src)
    return src


def test_a_session_follows_edits_deletions_and_new_files(src, tmp_path):
    out, clean, session = tmp_path / "out", tmp_path / "clean", Session()
    try:
        session_build(src, out, session)
        edit(src / EDITED, "zebrafishcanary")
        report, _ = session_build(src, out, session)
        assert report.written > 0
        assert_same_as_clean(src, out, clean)

        (src / "filings" / "2000s" / "0001012870-02-001163.txt").unlink()
        shutil.copy(ROOT / "tests" / "fixtures" / "sgml" / "sec-header-reporting-owner-2000.txt", src / "new.txt")
        (src / "about.md").write_text((src / "about.md").read_text() + "\nOne more line.\n")
        session_build(src, out, session)
        assert_same_as_clean(src, out, clean)

        good = (src / EDITED).read_bytes()
        (src / EDITED).write_bytes(b"\x00\x01 binary garbage \xff" * 10)  # a broken save ...
        report, _ = session_build(src, out, session)
        assert report.failed >= 1
        (src / EDITED).write_bytes(good)  # ... and the fix
        edit(src / EDITED, "secondcanary")
        report, _ = session_build(src, out, session)
        assert report.failed == 0
        assert_same_as_clean(src, out, clean)
        assert [r[0] for r in search_site(out, ["secondcanary"])["secondcanary"]] == [EDITED_ID]

        report, _ = session_build(src, out, session)
        assert report.written == 0, "no change: nothing written"
    finally:
        session.close()


def test_a_build_by_another_process_is_seen(src, tmp_path):
    """The session's copy of the state is dropped when another build committed meanwhile."""
    out, clean, session = tmp_path / "out", tmp_path / "clean", Session()
    try:
        session_build(src, out, session)
        edit(src / EDITED, "otherprocess")
        run_build(src, out, jobs=1)  # its own BuildState: as another process would
        (src / "filings" / "2000s" / "0001012870-02-001163.txt").unlink()
        session_build(src, out, session)
        assert_same_as_clean(src, out, clean)
    finally:
        session.close()


def test_a_failed_build_drops_the_session_and_the_next_one_recovers(src, tmp_path, monkeypatch):
    out, clean, session = tmp_path / "out", tmp_path / "clean", Session()
    try:
        session_build(src, out, session)
        edit(src / EDITED, "afterfailure")

        def fail(*args, **kwargs):
            raise RuntimeError("disk on fire")

        with monkeypatch.context() as m:
            m.setattr(build_module, "_render_globals", fail)
            with pytest.raises(RuntimeError):
                session_build(src, out, session)
        assert session.state is None and not session.filing_keys, "everything forgotten"
        session_build(src, out, session)
        assert_same_as_clean(src, out, clean)
        assert [r[0] for r in search_site(out, ["afterfailure"])["afterfailure"]] == [EDITED_ID]
    finally:
        session.close()


def test_the_paths_a_watcher_saw_replace_the_walk(src, tmp_path):
    """``changed`` (what the watcher passes): plain files are taken without walking the source;
    a folder among them makes the build walk. Either way the site is a clean build's."""
    out, clean, session = tmp_path / "out", tmp_path / "clean", Session()
    try:
        session_build(src, out, session)
        edit(src / EDITED, "watchedword")
        gone = src / "filings" / "2000s" / "0001012870-02-001163.txt"
        gone.unlink()
        new = src / "new.txt"
        shutil.copy(ROOT / "tests" / "fixtures" / "sgml" / "sec-header-reporting-owner-2000.txt", new)
        root = src.resolve()
        session_build(src, out, session, [root / EDITED, root / gone.relative_to(src), root / "new.txt"])
        assert_same_as_clean(src, out, clean)
        folder = src / "more"
        folder.mkdir()
        shutil.copy(ROOT / "tests" / "fixtures" / "sgml" / "ims-header-pem-1994.txt", folder / "x.txt")
        session_build(src, out, session, [root / "more"])  # a folder: the build walks
        assert_same_as_clean(src, out, clean)
    finally:
        session.close()


def test_the_garbage_collector_is_paused_during_a_build_and_back_after(src, tmp_path, monkeypatch):
    import gc

    seen = []
    real = build_module.assemble_site

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "assemble_site", spy)
    assert gc.isenabled()
    run_build(src, tmp_path / "out", jobs=1)
    assert seen == [False] and gc.isenabled()
