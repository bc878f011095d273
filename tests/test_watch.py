"""The watcher driven by real file operations on a temporary source folder, checked over HTTP.

Each test runs a real Watcher (real watchdog observer, real builds) and a real preview server in
threads, then adds, edits (atomic save), deletes and moves filings, writes one in slow chunks,
drops a burst, breaks one, and reads the served pages, catalog.json, build-report.json, the SSE
stream and the search. Debounce is short to keep the tests quick; timeouts are long because the
machine is shared.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

from generator.config import load_config
from generator.serve import PreviewServer
from generator.watch import OVERFLOW_LOGGER, BuildResult, Watcher, is_scratch

SITE_SRC = ROOT / "site_src"
SMALL = "filings/1990s/0001004963-96-000004.txt"  # 5 KB 8-K, accession 0001004963-96-000004
START = ["filings/1990s/0000914760-99-000124.txt", "filings/1990s/0000950129-95-001652.txt"]
TIMEOUT = 120.0


def variant(n: int, word: str = "") -> tuple[str, bytes]:
    """A distinct real filing: the small 8-K under accession 0009999999-96-<n>, with ``word`` in its
    text. Returns (dashed accession, bytes)."""
    acc = f"0009999999-96-{n:06d}"
    data = (SITE_SRC / SMALL).read_bytes().replace(b"0001004963-96-000004", acc.encode())
    if word:
        data = data.replace(b"</TEXT>", f"\n{word}\n</TEXT>".encode(), 1)
    return acc, data


def wait_until(predicate, timeout: float = TIMEOUT, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def atomic_write(path: Path, data: bytes) -> None:
    """What editors do: a hidden temporary file in the same folder, then rename over the target."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class Live:
    """A watcher and a live preview server over ``src`` -> ``out``."""

    def __init__(self, src: Path, out: Path, debounce: float = 0.2, **kw) -> None:
        self.src, self.out = src, out
        self.lines: list[str] = []
        self.results: list[BuildResult] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

        def load():
            return load_config(None, source=src, output=out, progress=False, jobs=1)

        self.watcher = Watcher(
            load, echo=self.lines.append, build=self._counting_build, debounce=debounce, **kw
        )
        self.watcher.add_listener(self.results.append)
        self.server = PreviewServer(out, 0, live=True)
        assert self.server.broadcaster is not None
        self.watcher.add_listener(self.server.broadcaster.publish)

    def _counting_build(self, cfg, echo, **kw):
        """The real build, counting how many run at once."""
        from generator.build import build

        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            return build(cfg, echo=echo, **kw)
        finally:
            with self._lock:
                self.active -= 1

    def __enter__(self) -> Live:
        self.server.start()
        self.watcher.start()
        self.settled(0)
        return self

    def __exit__(self, *exc) -> None:
        assert self.watcher.stop(timeout=TIMEOUT)
        self.server.stop()

    @property
    def builds(self) -> int:
        return self.watcher.builds

    def settled(self, before: int) -> BuildResult:
        """Wait for a build after ``before`` and for the watcher to go idle; the last result."""
        wait_until(lambda: self.watcher.builds > before, what=f"a build after build {before}")
        assert self.watcher.wait_idle(TIMEOUT)
        return self.results[-1]

    def get(self, path: str) -> tuple[int, bytes, dict]:
        try:
            with urllib.request.urlopen(self.server.url + path, timeout=30) as resp:
                return resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read(), dict(err.headers)

    def catalog_ids(self) -> set[str]:
        status, body, _ = self.get("catalog.json")
        assert status == 200
        return {f["id"] for f in json.loads(body)["filings"]}

    def report(self) -> dict[str, dict]:
        status, body, _ = self.get("build-report.json")
        assert status == 200
        return {i["path"]: i for i in json.loads(body)["inputs"]}

    def document_text(self, fid: str) -> str:
        status, body, _ = self.get(f"filings/{fid}/filing.json")
        assert status == 200, fid
        status, page, _ = self.get(json.loads(body)["documents"][0]["url"])
        assert status == 200
        return page.decode("utf-8")


def search_ids(out: Path, query: str) -> set[str]:
    """What ``filing-archive search --json`` finds (the same code, in-process)."""
    from generator.search import cli as search_cli

    printed: list[str] = []
    assert search_cli.run(query, out, 50, "relevance", True, lambda s="", **_: printed.append(s)) == 0
    payload = json.loads(next(p for p in printed if p.startswith("{")))
    return {r["id"] for r in payload["results"]}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    for rel in START:
        (src / "filings").mkdir(parents=True, exist_ok=True)
        shutil.copy(SITE_SRC / rel, src / "filings" / Path(rel).name)
    return src


@pytest.fixture
def live(source: Path, tmp_path: Path):
    with Live(source, tmp_path / "out") as running:
        yield running


def test_add_edit_delete_are_served_and_searched(live: Live) -> None:
    acc, data = variant(1)
    before = live.builds
    (live.src / "filings" / f"{acc}.txt").write_bytes(data)
    live.settled(before)
    assert live.get(f"filings/{acc}/index.html")[0] == 200
    assert acc in live.catalog_ids()
    assert live.report()[f"filings/{acc}.txt"]["outcome"] == "built"

    before = live.builds
    _, edited = variant(1, "zanzibarquex")
    atomic_write(live.src / "filings" / f"{acc}.txt", edited)
    result = live.settled(before)
    assert any(p.endswith(f"{acc}.txt") for p in result.changed), result
    assert not any(".tmp" in p for p in result.changed), "the editor's temporary file is not an input"
    assert "zanzibarquex" in live.document_text(acc)
    assert search_ids(live.out, "zanzibarquex") == {acc}

    before = live.builds
    (live.src / "filings" / f"{acc}.txt").unlink()
    live.settled(before)
    assert live.get(f"filings/{acc}/index.html")[0] == 404
    assert acc not in live.catalog_ids()
    assert f"filings/{acc}.txt" not in live.report()
    assert search_ids(live.out, "zanzibarquex") == set()


def test_folder_moved_in_and_out(live: Live, tmp_path: Path) -> None:
    outside = tmp_path / "incoming" / "batch"
    outside.mkdir(parents=True)
    accs = []
    for n in (11, 12):
        acc, data = variant(n)
        (outside / f"{acc}.txt").write_bytes(data)
        accs.append(acc)
    before = live.builds
    os.rename(outside, live.src / "batch")
    live.settled(before)
    assert set(accs) <= live.catalog_ids()
    assert all(live.get(f"filings/{a}/index.html")[0] == 200 for a in accs)

    before = live.builds
    os.rename(live.src / "batch", tmp_path / "incoming" / "back")
    live.settled(before)
    assert not set(accs) & live.catalog_ids()
    assert all(live.get(f"filings/{a}/index.html")[0] == 404 for a in accs)


def test_file_written_in_slow_chunks_is_built_once_complete(live: Live) -> None:
    acc, data = variant(21, "slowchunkword")
    target = live.src / "filings" / f"{acc}.txt"
    before = live.builds
    chunks = [data[i : i + len(data) // 4 + 1] for i in range(0, len(data), len(data) // 4 + 1)]
    with open(target, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
            fh.flush()
            time.sleep(0.6)  # three times the debounce: the writer is still holding the file open
            assert live.builds == before, "a build started while the file was still being written"
    result = live.settled(before)
    assert live.builds == before + 1
    assert not result.failures, result.failures
    assert "slowchunkword" in live.document_text(acc)


def test_burst_coalesces_into_few_builds_one_at_a_time(live: Live, tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    files = [variant(1000 + n) for n in range(200)]
    for acc, data in files:
        (staging / f"{acc}.txt").write_bytes(data)
    before = live.builds
    dest = live.src / "burst"
    dest.mkdir()
    for acc, _ in files:  # a copy, file by file, the way a file manager or rsync does it
        shutil.copy(staging / f"{acc}.txt", dest / f"{acc}.txt")
    live.settled(before)
    wait_until(lambda: {a for a, _ in files} <= live.catalog_ids(), what="all 200 filings")
    assert live.watcher.wait_idle(TIMEOUT)
    assert 1 <= live.builds - before <= 3, [r.changed[:2] for r in live.results]
    assert live.max_active == 1


def test_folder_created_and_filled_at_once_is_built_promptly(source: Path, tmp_path: Path) -> None:
    """Files written into a folder before its watch exists are reported created, never closed:
    they must not count as still being written (that would wait for settle_timeout)."""
    with Live(source, tmp_path / "out", settle_timeout=600) as live:
        before = live.builds
        started = time.monotonic()
        for batch in range(5):
            folder = live.src / f"new{batch}"
            folder.mkdir()
            for n in range(10):
                acc, data = variant(2000 + batch * 10 + n)
                (folder / f"{acc}.txt").write_bytes(data)
        live.settled(before)
        wait_until(lambda: len(live.catalog_ids()) == 52, what="the 50 new filings")
        assert live.watcher.wait_idle(TIMEOUT)
        assert time.monotonic() - started < 120, "waited for close events that never come"


def test_broken_file_reports_and_watching_goes_on(live: Live) -> None:
    events = sse_events(live.server.url)
    before = live.builds
    (live.src / "filings" / "broken.txt").write_bytes(b"\x00\x01\x02 not a filing \x00" * 50)
    result = live.settled(before)
    assert [p for p, _ in result.failures] == ["filings/broken.txt"]
    assert any(line.startswith("error: filings/broken.txt") for line in live.lines), live.lines
    state = wait_until(
        lambda: next((e for e in events.seen if e[0] == "build"), None), what="an SSE build event"
    )
    assert state[1]["failures"][0]["path"] == "filings/broken.txt"
    assert not state[1]["ok"]

    before = live.builds  # still watching: a good filing is built
    acc, data = variant(31)
    (live.src / "filings" / f"{acc}.txt").write_bytes(data)
    live.settled(before)
    assert acc in live.catalog_ids()

    before = live.builds  # and a clean build clears the failures
    (live.src / "filings" / "broken.txt").unlink()
    result = live.settled(before)
    assert result.ok
    wait_until(lambda: events.seen and events.seen[-1][1]["ok"] and events.seen[-1][1]["build"] == result.number,
               what="a clean SSE build event")  # fmt: skip


def test_a_good_filing_saved_broken_keeps_its_page_and_is_reported(live: Live) -> None:
    """The build keeps the last good output of a file that no longer parses; the watcher puts the
    failure on the console and in the preview's state, and the fix clears it."""
    name = Path(START[0]).name
    fid = name.removesuffix(".txt")
    good = (live.src / "filings" / name).read_bytes()
    before = live.builds
    atomic_write(live.src / "filings" / name, b"\x00\x01 garbled \x00" * 40)  # a bad save
    result = live.settled(before)
    assert [p for p, _ in result.failures] == [f"filings/{name}"], result
    assert any(line.startswith(f"error: filings/{name}") for line in live.lines)
    assert live.get(f"filings/{fid}/index.html")[0] == 200, "the last good page is still served"
    assert live.server.broadcaster is not None and not live.server.broadcaster.hello()["ok"]

    before = live.builds
    atomic_write(live.src / "filings" / name, good)
    assert live.settled(before).ok
    assert live.report()[f"filings/{name}"]["outcome"] == "built"


def test_a_file_name_that_is_not_utf8(live: Live) -> None:
    acc, data = variant(81)
    before = live.builds
    (live.src / "filings" / os.fsdecode(b"copy \xff of 8-K.txt")).write_bytes(data)
    result = live.settled(before)
    assert result.error is None and acc in live.catalog_ids()


def test_exception_in_a_build_is_logged_and_watching_goes_on(source: Path, tmp_path: Path) -> None:
    calls = []

    def flaky_build(cfg, echo, **kw):
        """The real build, except that its first call raises as a bug in build() would."""
        from generator.build import build

        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("simulated bug in build()")
        return build(cfg, echo=echo, **kw)

    with Live(source, tmp_path / "out") as live:
        live.watcher._build = flaky_build
        before = live.builds
        acc, data = variant(41)
        (source / "filings" / f"{acc}.txt").write_bytes(data)
        result = live.settled(before)
        assert result.error == "RuntimeError: simulated bug in build()"
        assert any("simulated bug" in line for line in live.lines)
        before = live.builds
        (source / "filings" / f"{acc}.txt").write_bytes(data + b"\n")
        result = live.settled(before)
        assert result.error is None and acc in live.catalog_ids()


def test_source_folder_gone_is_not_built_until_it_returns(live: Live, tmp_path: Path) -> None:
    """A vanished source (unmounted, moved away) must not become an empty site."""
    ids = live.catalog_ids()
    before = live.builds
    away = tmp_path / "away"
    os.rename(live.src, away)
    wait_until(lambda: any("is missing" in line for line in live.lines), what="the missing-source error")
    time.sleep(1.0)
    assert live.builds == before and live.catalog_ids() == ids
    acc, data = variant(71)
    (away / "filings" / f"{acc}.txt").write_bytes(data)
    os.rename(away, live.src)
    live.settled(before)
    wait_until(lambda: live.catalog_ids() == ids | {acc}, what="the rebuild after the source came back")


def test_scratch_files_and_output_events_are_ignored(source: Path) -> None:
    out = source / "site"  # output inside the source: its own writes must not trigger builds
    with Live(source, out) as live:
        time.sleep(1.0)  # let the first build's events drain
        before = live.builds
        for name in (".0009.txt.swp", "notes.txt~", "4913", "#draft#", ".#lock", "x.crdownload", "a.part"):
            (source / "filings" / name).write_bytes(b"scratch")
        (out / "stray.html").write_bytes(b"<p>written into the output</p>")
        time.sleep(1.5)
        assert live.builds == before, [r.changed for r in live.results[before:]]


def test_scratch_names() -> None:
    assert is_scratch(".foo.txt.swp") and is_scratch("foo~") and is_scratch("4913")
    assert is_scratch(".hidden") and is_scratch("a___jb_tmp___")
    assert not is_scratch("0001004963-96-000004.txt") and not is_scratch("about.md")


def test_queue_overflow_triggers_a_full_rescan(live: Live) -> None:
    # watchdog has no event for IN_Q_OVERFLOW: it logs this warning (inotify_c.InotifyFD.handle_event).
    acc, data = variant(51)
    before = live.builds
    # Events lost: write the file while no event can reach the watcher, then report the overflow.
    live.watcher._unschedule()
    (live.src / "filings" / f"{acc}.txt").write_bytes(data)
    live.watcher._schedule()
    logging.getLogger(OVERFLOW_LOGGER).warning("Inotify queue overflowed; filesystem events were lost")
    result = live.settled(before)
    assert result.full
    assert acc in live.catalog_ids()
    assert any("overflow" in line for line in live.lines)


def test_template_and_config_changes_rebuild(tmp_path: Path, source: Path, monkeypatch) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    toml = tmp_path / "site.toml"
    toml.write_text(
        f'source = "{source}"\noutput = "{tmp_path / "out"}"\ntemplates = "{templates}"\ntitle = "One"\n'
    )
    monkeypatch.chdir(tmp_path)
    lines: list[str] = []
    results: list[BuildResult] = []
    watcher = Watcher(lambda: load_config(toml, progress=False, jobs=1), config_file=toml, echo=lines.append,
                      debounce=0.2)  # fmt: skip
    watcher.add_listener(results.append)
    watcher.start()
    try:
        wait_until(lambda: watcher.builds >= 1 and watcher.wait_idle(1), what="the first build")
        before = watcher.builds
        css = (ROOT / "templates" / "style.css").read_text() + "\n/* watchmarker */\n"
        (templates / "style.css").write_text(css)
        wait_until(lambda: watcher.builds > before and watcher.wait_idle(1), what="a template build")
        assert "watchmarker" in (tmp_path / "out" / "static" / "style.css").read_text()

        before = watcher.builds
        atomic_write(toml, toml.read_bytes().replace(b'"One"', b'"Two Archive"'))
        wait_until(lambda: watcher.builds > before and watcher.wait_idle(1), what="a config build")
        assert "Two Archive" in (tmp_path / "out" / "index.html").read_text()

        before = watcher.builds  # a broken site.toml keeps the last good configuration
        toml.write_text(toml.read_text() + "\nbogus = 1\n")
        wait_until(lambda: any("unknown setting" in line for line in lines), what="the config error")
        assert watcher.cfg.title == "Two Archive"
    finally:
        assert watcher.stop(timeout=TIMEOUT)


class sse_events:
    """Read the preview's event stream in a thread: ``seen`` is a list of (event, data).

    The stream ends when the server stops (closing the response from here would block until the
    next ping)."""

    def __init__(self, base: str) -> None:
        self.seen: list[tuple[str, dict]] = []
        self._resp = urllib.request.urlopen(base + "__filing_archive/events", timeout=TIMEOUT)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        wait_until(lambda: self.seen, what="the hello event")

    def _read(self) -> None:
        name = ""
        with contextlib.suppress(OSError, ValueError):
            for raw in self._resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    self.seen.append((name, json.loads(line[6:])))
