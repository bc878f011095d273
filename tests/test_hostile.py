"""Hostile and broken inputs, end to end: the folder ``tests/fixtures/hostile/`` built as a site.

``cases.json`` in that folder lists every case (and ``docs/hostile-input.md`` explains each). For
each one a real build (``generator.build.build``, no mocks) must:

- name the file in a clear ``error:`` or ``warning:`` line of its output and in
  ``build-report.json`` (reason or diagnostics), with the expected outcome;
- go on: the control filing and every other readable filing are built;
- write nothing outside the output folder (the whole temporary tree is snapshotted around the
  build, inputs included, so a traversal that escaped or an input that was modified shows);
- account for every input file in the report;
- and, in headless Chromium (``browser`` mark), run no script: each payload tries to change
  ``document.title`` and ``window.name`` and to fetch a beacon from a local server that records
  hits; no hit, no title or name change, no dialog, no navigation.

Cases that git cannot hold (symbolic links, a named pipe, file names that are not UTF-8, large
files) are written at test time by ``GENERATORS``.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, read_json, run_build

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links, named pipes and byte file names")

HOSTILE = FIXTURES / "hostile"
MANIFEST = read_json(HOSTILE / "cases.json")["cases"]
REAL = ROOT / "site_src" / "filings" / "1990s"


def _gz_truncated(path: Path, tmp: Path) -> None:
    data = gzip.compress((REAL / "0000950148-99-001187.txt").read_bytes())
    path.write_bytes(data[: len(data) // 2])


def _deep(path: Path, tmp: Path) -> None:
    body = "<html><body><p>FORM 8-K</p>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000
    path.write_text(
        "<SEC-HEADER>\nACCESSION NUMBER: 0000000099-24-000007\nCONFORMED SUBMISSION TYPE: 8-K\n</SEC-HEADER>\n"
        f"<DOCUMENT>\n<TYPE>8-K\n<SEQUENCE>1\n<FILENAME>deep.htm\n<TEXT>\n{body}\n</TEXT>\n</DOCUMENT>\n"
    )


def _outside_file(path: Path, tmp: Path) -> None:
    secret = tmp / "outside" / "secret.txt"
    secret.parent.mkdir(exist_ok=True)
    shutil.copy(REAL / "0000914760-99-000124.txt", secret)
    path.symlink_to(secret)


def _outside_dir(path: Path, tmp: Path) -> None:
    (tmp / "outside").mkdir(exist_ok=True)
    path.symlink_to(tmp / "outside", target_is_directory=True)


GENERATORS = {
    "good.txt": lambda p, t: shutil.copy(REAL / "0000914760-99-000124.txt", p),
    "truncated.txt.gz": _gz_truncated,
    "deep-nesting.txt": _deep,
    "outside.txt": _outside_file,
    "outside-dir": _outside_dir,
    "loop": lambda p, t: p.symlink_to(p.parent, target_is_directory=True),
    "self-loop.txt": lambda p, t: p.symlink_to(p),
    "dangling.txt": lambda p, t: p.symlink_to(p.parent / "no-such-file.txt"),
    "fifo.txt": lambda p, t: os.mkfifo(p),
    ".hidden.txt": lambda p, t: shutil.copy(REAL / "0000950129-95-001652.txt", p),
    "bad-\\xff-name.txt": lambda p, t: shutil.copy(
        REAL / "0000320193-97-000014.txt", p.parent / os.fsdecode(b"bad-\xff-name.txt")
    ),
    "new\\x0aline.txt": lambda p, t: shutil.copy(
        REAL / "0001004963-96-000004.txt", p.parent / "new\nline.txt"
    ),
}


def make_source(tmp: Path, beacon: str = "http://127.0.0.1:9") -> Path:
    """The hostile folder, generated cases included, under ``tmp/src``; beacon URLs pointed at
    ``beacon`` (port 9, discard, when no server listens)."""
    src = tmp / "src"
    src.mkdir()
    for case in MANIFEST:
        path = src / case["path"]
        if case["made"] == "file":
            data = (HOSTILE / case["path"]).read_bytes()
            path.write_bytes(data.replace(b"http://BEACON", beacon.encode()))
        elif case["made"] == "generated":
            GENERATORS[case["path"]](path, tmp)
    return src


def snapshot(root: Path, skip: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry under ``root`` except ``skip``: files by content, links by target, pipes by kind."""
    out: dict[str, tuple[str, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here == skip or skip in here.parents:
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            p = here / name
            if p == skip or p in skip.parents:
                continue
            rel = os.fsencode(p.relative_to(root)).decode("utf-8", "backslashreplace")
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_fifo():
                out[rel] = ("fifo", "")
            elif p.is_file():
                out[rel] = ("file", p.read_bytes())
            else:
                out[rel] = ("dir", "")
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build of the whole hostile folder: (tmp, src, out, report, lines, before, after)."""
    tmp = tmp_path_factory.mktemp("hostile")
    src = make_source(tmp)
    out = tmp / "site" / "output"
    before = snapshot(tmp, out)
    report, lines = run_build(src, out, jobs=1)
    after = snapshot(tmp, out)
    return tmp, src, out, report, lines, before, after


CASES = [c for c in MANIFEST if c["made"] != "slow"]


@pytest.mark.parametrize("case", CASES, ids=[c["path"] for c in CASES])
def test_each_case_is_reported_with_its_outcome(built, case) -> None:
    """The build report (in memory and on disk) and the printed output name the file, with the
    expected outcome and message."""
    _, _, out, report, lines, _, _ = built
    path = case["path"]
    outcomes = {i.path: i for i in report.inputs}
    assert path in outcomes, f"{path} missing from the build report: {sorted(outcomes)}"
    got = outcomes[path]
    assert got.outcome == case["outcome"], (path, got)
    on_disk = {i["path"]: i for i in read_json(out / "build-report.json")["inputs"]}[path]
    assert on_disk["outcome"] == case["outcome"]
    if case["outcome"] in ("failed", "skipped", "duplicate"):
        assert got.reason, f"{path}: {case['outcome']} without a reason"
    message = case["message"]
    if message:
        recorded = [on_disk["reason"] or "", *on_disk["diagnostics"]]
        assert any(message in r for r in recorded), (path, recorded)
        if case["outcome"] != "skipped":  # skipped inputs are listed in the report, not printed
            printed = [ln for ln in lines if ln.startswith((f"error: {path}: ", f"warning: {path}: "))]
            assert any(message in ln for ln in printed), (path, printed)
    if case["outcome"] == "built" and got.id and "/" not in got.id:  # a filing, not a page
        assert (out / "filings" / got.id / "index.html").is_file()


def test_the_build_goes_on_and_accounts_for_every_input(built) -> None:
    """Every entry of the source folder is in the report (nothing silently dropped), exactly the
    expected ones failed, and the readable filings were all built."""
    _, src, _, report, _, _, _ = built
    on_disk = set()
    for dirpath, dirnames, filenames in os.walk(src):
        for name in filenames + [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
            rel = os.fsencode((Path(dirpath) / name).relative_to(src)).decode("utf-8", "surrogateescape")
            on_disk.add(
                rel.encode("utf-8", "surrogateescape")
                .decode("utf-8", "backslashreplace")
                .replace("\n", "\\x0a")
            )
    reported = {i.path for i in report.inputs}
    assert on_disk <= reported, f"inputs missing from the report: {on_disk - reported}"
    assert reported == {c["path"] for c in CASES}
    assert report.failed == sum(c["outcome"] == "failed" for c in CASES)
    assert report.filings >= sum(
        c["outcome"] == "built" and c["path"].endswith((".txt", ".htm", ".gz")) for c in CASES
    )


def test_nothing_is_written_outside_the_output_folder(built) -> None:
    """The temporary tree (inputs, the folder outside the source that links point to, the parent of
    the output) is byte-identical before and after the build, and no traversal target exists."""
    tmp, _, out, _, _, before, after = built
    assert after == before
    names = {p.name for p in tmp.rglob("*") if out not in p.parents}
    assert not names & {"escape.txt", "escape-uu.gif", "passwd", "win.txt", "unc.txt"}
    for p in out.rglob("*"):
        assert p.resolve().is_relative_to(out.resolve()), p
        assert "\x00" not in p.name and "\n" not in p.name and "\\" not in p.name


def test_document_file_names_stay_single_components(built) -> None:
    """Every document URL and decoded file of the traversal filing stays in its filing folder, with
    a passive extension for decoded files."""
    _, _, out, _, _, _, _ = built
    rec = read_json(out / "filings" / "0000000099-24-000004" / "filing.json")
    assert len(rec["documents"]) == 14
    for d in rec["documents"]:
        assert d["filename"] is None or ("/" not in d["filename"] and "\\" not in d["filename"])
        for url in (d["url"], d["file_url"]):
            if url:
                assert url.startswith("filings/0000000099-24-000004/") and url.count("/") == 2, url
                assert (out / url).is_file()
    hostile = read_json(out / "filings" / "0000000099-24-000006" / "filing.json")
    files = [d["file_url"] for d in hostile["documents"] if d["file_url"]]
    assert sorted(Path(f).name for f in files) == ["evil.htm.bin", "evil.svg.bin"]


def test_non_utf8_and_newline_file_names_are_escaped(built) -> None:
    """A file name that is not UTF-8, or holds a newline, is reported as \\xNN escapes (one output
    line per message, valid JSON) and the filing is still built from the real file."""
    _, _, out, _, lines, _, _ = built
    text = (out / "build-report.json").read_text(encoding="utf-8")
    assert "bad-\\\\xff-name.txt" in text and "new\\\\x0aline.txt" in text
    assert all("\n" not in ln for ln in lines)
    assert (out / "filings" / "0000320193-97-000014" / "index.html").is_file()


# --- the browser: nothing runs ----------------------------------------------------------------
class _Beacon(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        type(self).hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, format, *args):  # noqa: A002
        pass


@contextlib.contextmanager
def beacon_server():
    """A loopback server that answers 204 and records every request path."""
    handler = type("Beacon", (_Beacon,), {"hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


HOSTILE_IDS = ("0000000099-24-000006", "hostile-standalone")


def _pages(out: Path) -> list[str]:
    """Every page that shows hostile content: the hostile filings' pages, the markdown page, and
    the listings and search page that show the hostile company name."""
    pages = [
        p.relative_to(out).as_posix()
        for fid in HOSTILE_IDS
        for p in sorted((out / "filings" / fid).glob("*.html"))
    ]
    pages += ["hostile-page/index.html", "index.html", "companies/index.html", "companies/0000000098/index.html", "forms/8-k/index.html",
              "dates/2024/index.html", "search/index.html?q=hostile", "search/index.html?q=pwned+onerror",
              "search/index.html?q=script"]  # fmt: skip
    return pages


@pytest.mark.browser
def test_no_script_runs_in_chromium(tmp_path) -> None:
    """Open every page that carries hostile content over http and file://, click every link and
    button, wait for refreshes and late handlers: no beacon hit, title and window.name unchanged."""
    from browser import static_server
    from test_browser_security import watched_page

    with beacon_server() as (beacon, hits):
        src = make_source(tmp_path, beacon)
        out = tmp_path / "output"
        report, lines = run_build(src, out, jobs=1)
        assert report.failed == sum(c["outcome"] == "failed" for c in CASES), lines
        pages = _pages(out)
        for rel in pages:
            assert (out / rel.split("?")[0]).is_file(), rel
        with contextlib.ExitStack() as stack:
            base = stack.enter_context(static_server(out))
            page, seen = stack.enter_context(watched_page())
            for origin in (base, out.as_uri() + "/"):
                for rel in pages:
                    served = (out / rel.split("?")[0]).read_text(encoding="utf-8")
                    _open_and_poke(page, origin + rel, served)
        assert hits == [], f"beacon hit: {hits}"
        assert seen["dialogs"] == []
        assert not [e for e in seen["errors"] if "pwned" in e]
        blocked = [c for c in seen["console"] if "Content Security Policy" in c]
        assert blocked == [], f"the sanitiser let through what only the CSP stopped: {blocked[:5]}"


def _open_and_poke(page, url: str, served: str) -> None:
    """Open ``url``, hover and click what can be clicked, wait; the title stays the one the file
    says (every payload would set it to ``pwned-...``), window.name stays empty, no navigation."""
    title = html.unescape(re.search(r"<title>(.*?)</title>", served, re.S).group(1))  # type: ignore[union-attr]
    page.goto(url)
    if "?q=" in url:  # the results (snippets are set as HTML) must show, or the page proves nothing
        page.wait_for_selector("#search-results li", timeout=10_000)
    # the payload's links lost their href (javascript:, data:) or kept an in-page one; links to
    # other pages of the site are the theme's and are opened on their own
    for sel in ("a:not([href])", "a[href^='#']", "button", "summary", "#f-hover"):
        for el in page.locator(f"main {sel}").all()[:20]:
            with contextlib.suppress(Exception):  # hidden or detached elements: nothing to click
                el.hover(timeout=300)
                el.click(timeout=300, no_wait_after=True)
    page.wait_for_timeout(600)
    assert page.url.split("#")[0] == url.split("#")[0], f"navigated away from {url}"
    assert page.title() == title and page.evaluate("window.name") == "", url
    frames = "iframe, object, embed, frame, base, meta[http-equiv=refresh]"
    assert page.evaluate(f"document.querySelectorAll('{frames}').length") == 0, url


# --- large input ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_200_mb_filing_is_read_or_refused_and_the_build_goes_on(tmp_path) -> None:
    """A 200 MB submission (one plain-text document) next to a normal one: both are accounted for
    and the normal one is built, whatever becomes of the big one."""
    src = tmp_path / "src"
    src.mkdir()
    GENERATORS["good.txt"](src / "good.txt", tmp_path)
    with open(src / "huge.txt", "wb") as fh:
        fh.write(b"<SEC-HEADER>\nACCESSION NUMBER: 0000000099-24-000009\nCONFORMED SUBMISSION TYPE: 8-K\n")
        fh.write(b"</SEC-HEADER>\n<DOCUMENT>\n<TYPE>8-K\n<SEQUENCE>1\n<TEXT>\nFORM 8-K\n")
        line = b"x" * 99 + b"\n"
        for _ in range(210):
            fh.write(line * 10_000)  # 1 MB at a time: the test itself never holds 200 MB
        fh.write(b"</TEXT>\n</DOCUMENT>\n")
    assert (src / "huge.txt").stat().st_size >= 200 * 1024**2
    out = tmp_path / "out"
    report, lines = run_build(src, out, jobs=1)
    outcomes = {i.path: i for i in report.inputs}
    assert outcomes["good.txt"].outcome == "built"
    assert outcomes["huge.txt"].outcome in ("built", "failed")
    if outcomes["huge.txt"].outcome == "failed":
        assert any(ln.startswith("error: huge.txt: ") for ln in lines)
    assert json.loads((out / "build-report.json").read_text())["summary"]["inputs"] == 2


def test_every_case_is_documented() -> None:
    """docs/hostile-input.md has a table row for every case in cases.json (and no row for a case
    that no longer exists), so the documentation and the tests list the same cases."""
    doc = (ROOT / "docs" / "hostile-input.md").read_text(encoding="utf-8")
    table = doc.split("## Cases", 1)[1].split("###", 1)[0]
    rows = set(re.findall(r"^\| `([^`]+)` \|", table, re.M))
    assert rows == {c["path"] for c in MANIFEST}


@pytest.mark.slow
def test_a_gzip_bomb_is_refused_and_the_build_goes_on(tmp_path) -> None:
    """1 MB of gzip that expands past the 1 GB limit (a filing header, then spaces) is refused
    with a message naming the limit; the filing beside it is built."""
    import zlib

    src = tmp_path / "src"
    src.mkdir()
    GENERATORS["good.txt"](src / "good.txt", tmp_path)
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(src / "bomb.txt.gz", "wb") as fh:
        fh.write(
            z.compress(b"<SEC-HEADER>\nACCESSION NUMBER: 0000000099-24-000010\n</SEC-HEADER>\n<DOCUMENT>\n")
        )
        block = b" " * (64 * 1024**2)
        for _ in range(17):  # 1,088 MB
            fh.write(z.compress(block))
        fh.write(z.flush())
    assert (src / "bomb.txt.gz").stat().st_size < 4 * 1024**2
    report, lines = run_build(src, tmp_path / "out", jobs=1)
    outcomes = {i.path: i for i in report.inputs}
    assert outcomes["good.txt"].outcome == "built"
    assert outcomes["bomb.txt.gz"].outcome == "failed"
    assert any(ln.startswith("error: bomb.txt.gz: gzip data expands beyond 1024 MB") for ln in lines), lines
