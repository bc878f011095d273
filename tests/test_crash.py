"""Crash safety: a build killed with SIGKILL leaves the previous site whole, and the next build
recovers by itself.

Each case starts from a built site, changes the source (an edited filing, a deleted one, a new one,
an edited markdown page), then runs ``filing-archive build`` as a real process that kills itself
with SIGKILL at a fault point (generator/faults.py) — while parsing, rendering, after the journal,
after the state, in the middle of moving files in — and once at a random moment found by timing.
Checks, as a reader of the site would see it:

- killed before the journal: the site is byte-for-byte the previous one;
- killed while files move in: every page reachable from the home page links only to pages that
  exist, and every page the search index names exists;
- then a normal build (no manual cleanup) gives exactly the site a clean build gives.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT, run_build, tree_bytes
from site_search import search_site, site_bytes_outside_search
from test_links import parse

EDITED = "filings/1990s/0000914760-99-000124.txt"


def change_source(src: Path) -> None:
    text = (src / EDITED).read_text(encoding="latin-1")
    cut = text.rindex("</TEXT>")
    (src / EDITED).write_text(text[:cut] + "\nzebrafishcanary\n" + text[cut:], encoding="latin-1")
    os.utime(src / EDITED, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    (src / "filings" / "2000s" / "0001012870-02-001163.txt").unlink()
    shutil.copy(ROOT / "tests" / "fixtures" / "sgml" / "sec-header-reporting-owner-2000.txt", src / "new.txt")
    (src / "about.md").write_text((src / "about.md").read_text() + "\nOne more line.\n")


def build_process(src: Path, out: Path, crash_at: str | None, jobs: int = 2) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("FILING_ARCHIVE_CRASH_AT", None)
    if crash_at:
        env["FILING_ARCHIVE_CRASH_AT"] = crash_at
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "generator.cli", "build", "--source", str(src), "--output", str(out), "-q", "-j", str(jobs)]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def reachable_problems(out: Path) -> list[str]:
    """Broken links on the pages a reader can reach from the home page, and search-index
    references to pages that do not exist."""
    out = out.resolve()
    found: list[str] = []
    todo, seen = [out / "index.html"], set()
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        parse.cache_clear()
        for attr, value, _ in parse(page).links:
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                found.append(f"{page.relative_to(out)}: {attr}={value} does not exist")
            elif target.suffix == ".html" and out in target.parents:
                todo.append(target)
    for query, hits in search_site(out).items():
        for filing_id, _, url in hits:
            if not (out / url).is_file():
                found.append(f"search {query!r} finds {filing_id} at {url}, which does not exist")
    return found


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory):
    """(source as changed, the previous site, its bytes, the bytes and search results a clean
    build of the change gives)."""
    base = tmp_path_factory.mktemp("crash")
    src = base / "src"
    shutil.copytree(ROOT / "site_src", src)
    previous = base / "previous"
    run_build(src, previous, jobs=1)
    change_source(src)
    clean = base / "clean"
    run_build(src, clean, jobs=1)
    return src, previous, tree_bytes(previous), tree_bytes(clean), search_site(clean)


POINTS = ["parse", "render:1", "render:3", "globals", "journal", "state", "apply:1", "apply:5", "apply:12"]


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_killed_build_leaves_a_whole_site_and_the_next_build_recovers(before_and_after, tmp_path, point):
    src, previous, previous_bytes, clean_bytes, clean_found = before_and_after
    out = tmp_path / "out"
    shutil.copytree(previous, out, symlinks=True)
    proc = build_process(src, out, point)
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL, f"the build was not killed at {point}"
    _wait_for_orphans(out)
    if point in ("parse", "render:1", "render:3", "globals"):
        assert tree_bytes(out) == previous_bytes, "killed before its journal, the site must be untouched"
    assert reachable_problems(out) == []
    report, lines = run_build(src, out, jobs=1)
    assert _same_site(out, clean_bytes, clean_found), lines[-1]
    assert not (out / ".filing-archive" / "journal.json").exists()
    assert not (out / ".filing-archive" / "stage").exists()


@pytest.mark.slow
def test_killed_at_random_moments(before_and_after, tmp_path):
    """No fault point: SIGKILL after a delay measured from a full run, at fractions of it."""
    src, previous, previous_bytes, clean_bytes, clean_found = before_and_after
    probe = tmp_path / "probe"
    shutil.copytree(previous, probe, symlinks=True)
    started = time.monotonic()
    build_process(src, probe, None).communicate(timeout=300)
    whole = time.monotonic() - started
    for i, fraction in enumerate((0.3, 0.6, 0.8, 0.9, 0.97)):
        out = tmp_path / f"out{i}"
        shutil.copytree(previous, out, symlinks=True)
        proc = build_process(src, out, None)
        time.sleep(whole * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        _wait_for_orphans(out)
        assert reachable_problems(out) == [], f"killed at {fraction:.0%}"
        run_build(src, out, jobs=1)
        assert _same_site(out, clean_bytes, clean_found), f"killed at {fraction:.0%}: recovery differs from a clean build"


def _same_site(out: Path, clean_bytes: dict[str, bytes], clean_found: dict) -> bool:
    """The pages are byte-identical to a clean build's and search finds the same filings with
    the same scores (index files may be segmented differently after a crash and a recovery)."""
    same_pages = site_bytes_outside_search(tree_bytes(out)) == site_bytes_outside_search(clean_bytes)
    return same_pages and search_site(out) == clean_found


def _wait_for_orphans(out: Path) -> None:
    """Worker processes of a killed build notice their parent is gone and exit; give them a moment
    so they do not write into the stage while the checks read the site."""
    time.sleep(0.5)


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (the build, its fork server, its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_with_a_killed_build(tmp_path):
    """Workers are forked from multiprocessing's fork server (generator/scheduler.py), so the
    parent-death signal does not reach them; they watch the build themselves. Killed while
    rendering, the build leaves no process behind: none that could write into the output."""
    marker = f"FA_TEST_MARK={os.getpid()}-{time.monotonic_ns()}"
    src = tmp_path / "src"
    shutil.copytree(ROOT / "site_src", src)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env["FILING_ARCHIVE_CRASH_AT"] = "render:2"
    env[marker.split("=")[0]] = marker.split("=")[1]
    cmd = [sys.executable, "-m", "generator.cli", "build", "--source", str(src), "--output", str(tmp_path / "out"),
           "-q", "-j", "2", "--partition-size", "1"]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(marker) == []
