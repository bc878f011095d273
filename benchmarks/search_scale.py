"""Search at scale: our static index against Pagefind over the same built site (issue 4).

For each ``--count`` (default 1,000 and 10,000 filings):

1. makes a deterministic corpus with ``../shared/bench/make_corpus.py`` (full + headerless
   templates, seed 1, flat layout) in ``WORK/corpus-N`` (reused when its parameters match);
2. builds the site (``filing-archive build -q``) into ``WORK/site-N``: wall time and peak memory
   of the process tree; then, in a separate process, parses the corpus again and times only
   ``build_index`` (its own wall time and peak RSS, with the parse's RSS as the baseline);
3. runs Pagefind (``python -m pagefind --site``, from the ``bench`` extra) over the same site;
4. serves the site over http://127.0.0.1 and, in headless Chromium (Debian's, via
   tests/browser.py), runs a fixed query set, each query in a fresh browser context (cold cache):
   bytes and requests fetched from issuing the query to the first results, and that time.

Not a test. Run it by hand, e.g.

    python3 benchmarks/search_scale.py --count 1000 --count 10000 --json docs/benchmarks/run.json

The report (Markdown tables, to paste into docs/benchmarks.md) goes to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
CORPUS_SOURCES = [
    ROOT.parent / "shared" / "corpus" / "full",
    ROOT.parent / "shared" / "corpus" / "headerless",
]
SEED = 1
COMMON = ["the", "company", "million"]
EXTRA = ['"the company"', "form:8-K", "secur*"]
TARGETS = {  # at 10,000 filings (docs/benchmarks.md)
    "bytes_median": 150_000,
    "bytes_worst": 600_000,
    "ms_median": 150,
    "ms_worst": 500,
    "top3": 0.95,
    "build_ratio": 1 / 3,
    "peak_mb": 1024,
}


# ---- processes: wall time and peak memory of a whole process tree
def _tree_rss(pid: int, pss: bool = False) -> int:
    """Resident bytes of ``pid`` and all its descendants (from /proc). RSS counts a page shared
    by several processes (a forked worker's pages it has not written since the fork) once per
    process: the conservative sum. ``pss``: the proportional set size instead (a shared page split
    among its processes), what the tree really occupies; slower to read (smaps_rollup)."""
    total, todo = 0, [pid]
    key, name = ("Pss:", "smaps_rollup") if pss else ("VmRSS:", "status")
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/{name}").read_text().splitlines():
                if line.startswith(key):
                    total += int(line.split()[1]) * 1024
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total


def _tree_cpu(pid: int, seen: dict[int, tuple[float, float]]) -> None:
    """Record in ``seen`` the user and system CPU seconds so far of ``pid`` and its descendants
    (/proc/<pid>/stat). The build's workers are children of multiprocessing's fork server, which
    outlives the build by a moment and is reaped by init, so their CPU never reaches this
    process's RUSAGE_CHILDREN: it is sampled instead (a worker's last 0.1 s can be missed)."""
    tick = os.sysconf("SC_CLK_TCK")
    todo = [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            seen[p] = (int(fields[11]) / tick, int(fields[12]) / tick)  # utime, stime
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]


def measure(cmd: list[str], log: Path, env: dict | None = None, cwd: Path | None = None) -> dict:
    """Run ``cmd``; wall seconds, peak RSS of its process tree (sum over the processes, sampled
    every 0.1 s from /proc; and the peak of its PSS sum, every 0.5 s) and the CPU seconds of the whole tree (user + system: the command, and
    its descendants as sampled every 0.1 s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    cpu: dict[int, tuple[float, float]] = {}
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        peak = peak_pss = ticks = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            _tree_cpu(proc.pid, cpu)
            if ticks % 5 == 0:  # every 0.5 s: reading smaps costs more
                peak_pss = max(peak_pss, _tree_rss(proc.pid, pss=True))
            ticks += 1
            time.sleep(0.1)
    seconds = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}); see {log}")
    # the command itself exactly (it was reaped here: its rusage, with what it reaped), its
    # other descendants as last sampled (the fork server's workers are not reaped by it)
    waited = (after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime)
    rest = [v for p, v in cpu.items() if p != proc.pid]
    return {
        "seconds": round(seconds, 1),
        "peak_tree_mb": round(peak / 2**20),
        "peak_tree_pss_mb": round(peak_pss / 2**20),
        "cpu_user_s": round(max(waited[0], cpu.get(proc.pid, (0, 0))[0]) + sum(u for u, _ in rest), 1),
        "cpu_system_s": round(max(waited[1], cpu.get(proc.pid, (0, 0))[1]) + sum(s for _, s in rest), 1),
    }


# ---- corpus, build, Pagefind
def make_corpus(work: Path, count: int) -> Path:
    out = work / f"corpus-{count}"
    params = {"count": count, "seed": SEED, "layout": "flat", "sources": [str(s) for s in CORPUS_SOURCES]}
    stamp = work / f"corpus-{count}.params.json"
    if out.is_dir() and (out / "manifest.jsonl").is_file():
        if stamp.is_file() and json.loads(stamp.read_text()) == params:
            return out
        if not stamp.is_file() and sum(1 for _ in (out / "manifest.jsonl").open()) == count:
            stamp.write_text(json.dumps(params))  # made by hand with the same command
            return out
        raise SystemExit(f"{out} holds another corpus: remove it")
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(MAKE_CORPUS), "--out", str(out), "--count", str(count), "--seed", str(SEED)]
    cmd += ["--layout", "flat"] + [a for s in CORPUS_SOURCES for a in ("--source", str(s))]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(json.dumps(params))
    return out


def set_aside(site: Path, delete_first: bool = False) -> Path | None:
    """Move the previous run's site out of the way, to be deleted after the timed builds.

    Deleting it first would slow the build down for reasons that are not the build's: on an ext4
    file system without a journal (this VM's root: ``/proc/fs/jbd2`` is empty), allocating an
    inode skips every free inode deleted within the last 60 s, or 360 s while its inode table
    block is dirty, one buffer-cache lookup each (``fs/ext4/ialloc.c``, ``recently_deleted``).
    Right after 335,000 files of the previous 10,000-filing site were deleted, every file the
    build creates walks those: ~30 % of a 1,000-filing build's CPU samples were there after a
    few such deletions, and it is much of why system time swung 2x between runs of the same code
    in sessions 4-7. A user's first build does not follow such a deletion, and ext4 with a
    journal (the default) never makes the check."""
    if not site.exists():
        return None
    if delete_first:
        shutil.rmtree(site)
        return None
    aside = site.with_name(f".deleting-{site.name}-{time.time_ns()}")
    site.rename(aside)
    return aside


def remove_set_aside(site: Path) -> None:
    """Delete what :func:`set_aside` moved out of ``site``'s way (also what a stopped run left)."""
    for aside in site.parent.glob(f".deleting-{site.name}-*"):
        shutil.rmtree(aside, ignore_errors=True)


def build_site(work: Path, corpus: Path, count: int) -> tuple[Path, dict]:
    site = work / f"site-{count}"
    set_aside(site)  # deleted when the count's measures are done (main)
    exe = shutil.which("filing-archive") or "filing-archive"
    res = measure(
        [exe, "build", "--source", str(corpus), "--output", str(site), "-q"], work / f"build-{count}.log"
    )
    res["summary"] = (work / f"build-{count}.log").read_text().strip().splitlines()[-1]
    if not res["summary"].startswith("Built "):  # exit 1 is also "some filings failed": read the log
        raise SystemExit(f"the build did not finish: {res['summary']} (see {work / f'build-{count}.log'})")
    return site, res


def index_only(corpus: Path, into: Path | None = None) -> None:
    """(Run in a child process.) Parse the corpus as the build does, then time ``build_index``
    alone: peak RSS is reset after parsing (Linux clear_refs) so it is the index's peak over the
    parsed filings it reads. With ``into`` (a built site), its ``search/`` index is replaced by
    the one made here (to query a new index format without rebuilding the whole site)."""
    import gc

    from generator.build import make_units, parse_units, resolve_duplicates
    from generator.config import load_config
    from generator.discover import discover
    from generator.search.index import build_index

    cfg = load_config(None, source=corpus, output=Path("/nonexistent"), progress=False)
    sources, _ = discover(cfg.source, exclude=cfg.output)
    filings, _ = resolve_duplicates(parse_units(make_units([s for s in sources if s.kind != "page"]), cfg))
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    baseline = _status("VmRSS")
    start = time.monotonic()
    files = size = 0
    if into is not None:
        for old in (into / "search").iterdir():
            if old.name not in ("index.html",):
                shutil.rmtree(old) if old.is_dir() else old.unlink()
    for o in build_index(filings):  # a stream; the build writes each file as it comes
        files, size = files + 1, size + len(o.data)
        if into is not None:
            (into / o.path).parent.mkdir(parents=True, exist_ok=True)
            (into / o.path).write_bytes(o.data)
    seconds = time.monotonic() - start
    result = {"seconds": round(seconds, 1), "baseline_mb": baseline, "peak_mb": _status("VmHWM")}
    result["files"], result["bytes"] = files, size
    print(json.dumps(result))


_FILINGS: list = []  # the parsed filings, inherited by forked workers (index_parallel)


def _analyse_at(i: int):
    """(In a worker.) What the build's worker does for search: analyse one filing, make its text
    chunk files (counted, as the build's worker writes them), return it without them."""
    from generator.search.fields import search_doc
    from generator.search.update import analyse, chunk_files, without_chunks

    doc = analyse(search_doc(_FILINGS[i]))
    chunks = chunk_files(doc)
    return without_chunks(doc), len(chunks), sum(len(o.data) for o in chunks)


def index_parallel(corpus: Path, jobs: int) -> None:
    """(Run in a child process.) Like :func:`index_only`, but the index is made as the build
    makes it: ``jobs`` forked worker processes analyse the filings and make their text chunks,
    this process adds them to the index (:class:`IndexUpdate`) and writes the segments (counted,
    not written). Timed from the first task to the manifest; peak memory is this process's peak
    after parsing plus each worker's (a forked worker shares the parsed filings: an over-count)."""
    import gc
    import multiprocessing
    import resource

    from generator.build import make_units, parse_units, resolve_duplicates
    from generator.config import load_config
    from generator.discover import discover
    from generator.search.update import IndexUpdate

    cfg = load_config(None, source=corpus, output=Path("/nonexistent"), progress=False)
    sources, _ = discover(cfg.source, exclude=cfg.output)
    filings, _ = resolve_duplicates(parse_units(make_units([s for s in sources if s.kind != "page"]), cfg))
    _FILINGS[:] = sorted(filings, key=lambda f: (f.filed is not None, f.filed or "", f.id))
    del filings
    gc.collect()
    gc.freeze()
    Path("/proc/self/clear_refs").write_text("5")
    baseline = _status("VmRSS")
    start = time.monotonic()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    files = size = 0
    update = IndexUpdate(None)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for doc, n, b in pool.imap(_analyse_at, range(len(_FILINGS)), chunksize=16):
            files, size = files + n, size + b
            for o in update.add(doc):
                files, size = files + 1, size + len(o.data)
        outputs, _stale = update.finish()
        files, size = files + len(outputs), size + sum(len(o.data) for o in outputs)
    seconds = time.monotonic() - start
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (me.ru_utime + me.ru_stime - cpu0[0].ru_utime - cpu0[0].ru_stime) + (
        kids.ru_utime + kids.ru_stime - cpu0[1].ru_utime - cpu0[1].ru_stime
    )
    result = {"seconds": round(seconds, 1), "jobs": jobs, "cpu_s": round(cpu, 1), "baseline_mb": baseline}
    result["peak_mb"] = _status("VmHWM")
    result["worker_peak_mb"] = kids.ru_maxrss // 1024  # the largest worker's peak RSS
    result["files"], result["bytes"] = files, size
    print(json.dumps(result))


def _status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    return 0


def time_index(corpus: Path) -> dict:
    """The index build as the build makes it (:func:`index_parallel`), on every core, as
    Pagefind uses them: analysis in worker processes, segments in this one."""
    jobs = str(os.cpu_count() or 1)
    cmd = [sys.executable, __file__, "--index-only", str(corpus), "--index-jobs", jobs]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


#: Pagefind over the document pages only (``filings/<accession>/<n>-<type>.html``): the text our
#: index holds, once, one page per document, without the filing pages (which repeat the primary
#: document's text) and listings. Over the whole 10,000-filing site (36,700 pages) Pagefind was
#: OOM-killed at 23.8 GB on this machine, so this is the same-run measure of its index time.
DOCUMENT_PAGES = "filings/*/[0-9]*.html"


def run_pagefind(work: Path, site: Path, count: int, glob: str | None = None) -> dict:
    """Pagefind over the built site (``glob``: only the pages it matches), timed as a build."""
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site)] + (["--glob", glob] if glob else [])
    try:
        res = measure(cmd, work / f"pagefind-{count}{'-documents' if glob else ''}.log")
    except SystemExit as exc:  # e.g. killed by the OOM killer: a result too
        return {"error": str(exc)}
    res["index_bytes"] = _du(site / "pagefind")
    res["index_gzip_bytes"] = _du_gzip(site / "pagefind")
    res["files"] = sum(1 for p in (site / "pagefind").rglob("*") if p.is_file())
    res["pages"] = len(list(site.glob(glob))) if glob else None
    return res


def _du(path: Path, skip=()) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and p.name not in skip)


@functools.cache
def _gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6, mtime=0))


def _du_gzip(path: Path, skip=()) -> int:
    return sum(
        min(p.stat().st_size, _gzip_size(p)) for p in path.rglob("*") if p.is_file() and p.name not in skip
    )


CLIENT = {"page.js", "search.js", "search.classic.js", "index.html", "LICENSE-wink-porter2-stemmer"}


def our_index_bytes(site: Path) -> dict:
    s = site / "search"
    parts = {d: _du(s / d) for d in ("seg", "x")}  # segments (postings, positions, rows, columns), chunks
    return {
        "with_client": _du(s),
        "index_bytes": _du(s, CLIENT),
        "index_gzip_bytes": _du_gzip(s, CLIENT),
        "files": sum(1 for p in s.rglob("*") if p.is_file()),
        "parts": parts,
    }


# ---- queries
def query_set(corpus: Path, n: int) -> list[dict]:
    """Known-item probes (phrase and rare word) of ``n`` manifest entries sampled with a fixed
    seed, then common words, a common phrase, a filter and a prefix."""
    entries = [json.loads(line) for line in (corpus / "manifest.jsonl").open()]
    probed = [e for e in entries if e.get("probes")]
    sample = sorted(random.Random(SEED).sample(range(len(probed)), min(n, len(probed))))
    out = []
    for i in sample:
        e = probed[i]
        for kind in ("phrase", "word"):
            if e["probes"].get(kind):  # a file may have a rare word but no 3-word phrase
                out.append({"q": e["probes"][kind], "kind": f"probe {kind}", "path": e["path"]})
    out += [{"q": w, "kind": "common word"} for w in COMMON]
    out += [{"q": q, "kind": k} for q, k in zip(EXTRA, ("common phrase", "filter", "prefix"), strict=True)]
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(root: Path):
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


OURS_JS = """async (q) => {
  const m = await import('/search/search.js');
  window.__go = true;
  const t0 = performance.now();
  const r = await m.search(q, {limit: 10, facets: false});
  const ms = performance.now() - t0;
  window.__go = false;
  return {ms, total: r.total, ids: r.results.slice(0, 10).map((x) => x.id)};
}"""

PAGEFIND_JS = """async (q) => {
  const pf = await import('/pagefind/pagefind.js');
  window.__go = true;
  const t0 = performance.now();
  const r = await pf.search(q);
  let first = null;
  if (r.results.length) first = await r.results[0].data();
  const ms = performance.now() - t0;
  window.__go = false;
  const urls = [first ? first.url : null];
  const more = await Promise.all(r.results.slice(1, 3).map((x) => x.data()));
  return {ms, total: r.results.length, urls: urls.concat(more.map((d) => d.url))};
}"""


def run_queries(site: Path, queries: list[dict], engine: str, ids: dict[str, str]) -> list[dict]:
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import LAUNCH_ARGS, chromium
    from playwright.sync_api import sync_playwright

    results = []
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=LAUNCH_ARGS)
        try:
            for q in queries:
                results.append(_one_query(browser, base, site, q, engine, ids))
        finally:
            browser.close()
    return results


def _one_query(browser, base: str, site: Path, q: dict, engine: str, ids: dict[str, str]) -> dict:
    context = browser.new_context()  # a fresh context: empty HTTP cache
    page = context.new_page()
    fetched: list[tuple[str, int]] = []
    counting = {"on": False}

    def finished(request) -> None:
        if counting["on"]:
            with contextlib.suppress(Exception):
                fetched.append((request.url, request.sizes()["responseBodySize"]))

    page.goto(base + "search/index.html", wait_until="networkidle")
    page.evaluate(
        "() => import('/search/search.js')" if engine == "ours" else "() => import('/pagefind/pagefind.js')"
    )
    page.on("requestfinished", finished)
    counting["on"] = True
    try:
        out = page.evaluate(OURS_JS if engine == "ours" else PAGEFIND_JS, q["q"])
    except Exception as exc:  # noqa: BLE001 - a failed query is a result too
        out = {"ms": float("nan"), "total": 0, "ids": [], "urls": [], "error": str(exc).splitlines()[0]}
    page.wait_for_timeout(50)  # let requestfinished events of the query arrive
    counting["on"] = False
    context.close()
    if engine == "ours":
        top = out["ids"][:3]
    else:
        top = [_filing_of(u) for u in out["urls"] if u]
    files = [_local(site, url) for url, _n in fetched]
    row = {
        "q": q["q"],
        "kind": q["kind"],
        "ms": round(out["ms"], 1),
        "requests": len(fetched),
        # bytes of the files fetched, as the static server sends them (no compression), and with
        # gzip -6 where that is smaller (what a compressing host would send)
        "bytes": sum(
            p.stat().st_size if p.is_file() else n for p, (_u, n) in zip(files, fetched, strict=True)
        ),
        "gzip_bytes": sum(
            min(p.stat().st_size, _gzip_size(p)) if p.is_file() else n
            for p, (_u, n) in zip(files, fetched, strict=True)
        ),
        "total": out["total"],
    }
    if "error" in out:
        row["error"] = out["error"]
    if "path" in q:
        row["top3"] = ids.get(q["path"]) in top
    return row


def _local(site: Path, url: str) -> Path:
    return site / unquote(urlparse(url).path).lstrip("/")


def _filing_of(url: str) -> str | None:
    parts = urlparse(url).path.strip("/").split("/")
    return parts[parts.index("filings") + 1] if "filings" in parts[:-1] else None


def ids_by_path(site: Path) -> dict[str, str]:
    report = json.loads((site / "build-report.json").read_text())
    return {i["path"]: i.get("id") for i in report["inputs"]}


# ---- the report
def summarize(rows: list[dict]) -> dict:
    def stat(key: str) -> dict:
        values = [float("inf") if r[key] != r[key] else r[key] for r in rows]  # failed: worst
        return {"median": statistics.median(values), "worst": max(values)}

    probes = [r for r in rows if "top3" in r]
    return {
        "queries": len(rows),
        "bytes": stat("bytes"),
        "gzip_bytes": stat("gzip_bytes"),
        "requests": stat("requests"),
        "ms": stat("ms"),
        "top3": sum(r["top3"] for r in probes) / len(probes) if probes else None,
        "worst_bytes_query": max(rows, key=lambda r: r["bytes"])["q"],
        "worst_ms_query": max(rows, key=lambda r: float("inf") if r["ms"] != r["ms"] else r["ms"])["q"],
        "failed": [r["q"] for r in rows if "error" in r],
    }


def run_count(args, count: int) -> dict:
    work = args.work
    corpus = make_corpus(work, count)
    print(f"[{count}] corpus ready: {corpus}", file=sys.stderr)
    site, build = build_site(work, corpus, count)
    print(f"[{count}] build: {build}", file=sys.stderr)
    result: dict = {"count": count, "build": build}
    result["index"] = time_index(corpus)
    print(f"[{count}] index only: {result['index']}", file=sys.stderr)
    result["ours_bytes"] = our_index_bytes(site)
    queries = query_set(corpus, args.queries)
    ids = ids_by_path(site)
    result["ours_queries"] = run_queries(site, queries, "ours", ids)
    result["ours"] = summarize(result["ours_queries"])
    print(f"[{count}] ours: {result['ours']}", file=sys.stderr)
    if not args.skip_pagefind:
        docs = result["pagefind_documents"] = run_pagefind(work, site, count, DOCUMENT_PAGES)
        print(f"[{count}] pagefind over the document pages: {docs}", file=sys.stderr)
        if "error" not in docs:
            result["pagefind_documents_queries"] = run_queries(site, queries, "pagefind", ids)
            result["pagefind_documents_summary"] = summarize(result["pagefind_documents_queries"])
        if args.skip_pagefind_site:
            return result
        result["pagefind"] = run_pagefind(work, site, count)
        print(f"[{count}] pagefind: {result['pagefind']}", file=sys.stderr)
        if "error" not in result["pagefind"]:
            result["pagefind_queries"] = run_queries(site, queries, "pagefind", ids)
            result["pagefind_summary"] = summarize(result["pagefind_queries"])
            print(f"[{count}] pagefind queries: {result['pagefind_summary']}", file=sys.stderr)
    return result


def _kb(n: float) -> str:
    return f"{n / 1000:,.0f} KB" if n < 10_000_000 else f"{n / 1e6:,.1f} MB"


def report(runs: list[dict]) -> str:
    lines = []
    for r in runs:
        o, pf, ps = r["ours"], r.get("pagefind"), r.get("pagefind_summary")
        pf = pf if pf and "error" not in pf else None
        pd = r.get("pagefind_documents")
        pd = pd if pd and "error" not in pd else None
        theirs = "Pagefind"
        if pf is None and pd is not None:  # no whole-site run: the document pages' run is the column
            pf, ps, pd, theirs = pd, r.get("pagefind_documents_summary"), None, "Pagefind, document pages"
        lines += [
            f"### {r['count']:,} filings",
            "",
            f"| measure | ours | {theirs} | target (10k) |",
            "|---|---|---|---|",
        ]

        def row(name, ours, theirs="–", target="–", lines=lines):
            lines.append(f"| {name} | {ours} | {theirs} | {target} |")

        b = r["build"]
        row("whole site build (parse + render + index), wall", f"{b['seconds']} s", "–")
        row("whole site build, peak RSS (process tree)", f"{b['peak_tree_mb']:,} MB", "–")
        ix = r["index"]
        ratio = f"{ix['seconds'] / pf['seconds']:.2f}× Pagefind" if pf else "–"
        row(
            "search index build, wall",
            f"{ix['seconds']} s ({ratio})",
            f"{pf['seconds']} s ({pf['cpu_user_s'] + pf['cpu_system_s']:.0f} CPU-s)" if pf else "–",
            "≤ 1/3 of Pagefind",
        )
        if pd is not None:
            row(
                f"search index build, wall, against Pagefind over the {pd['pages']:,} document pages",
                f"{ix['seconds']} s ({ix['seconds'] / pd['seconds']:.2f}× Pagefind)",
                f"{pd['seconds']} s ({pd['cpu_user_s'] + pd['cpu_system_s']:.0f} CPU-s, {pd['peak_tree_mb']:,} MB)",
                "≤ 1/3 of Pagefind",
            )
        row(
            "search index build, peak RSS",
            f"{ix['peak_mb']:,} MB (of which {ix['baseline_mb']:,} MB parsed filings)",
            f"{pf['peak_tree_mb']:,} MB" if pf else "–",
            "≤ 1 GB",
        )
        ob = r["ours_bytes"]
        row(
            "index bytes on disk (gzip)",
            f"{_kb(ob['index_bytes'])} ({_kb(ob['index_gzip_bytes'])}); {ob['files']:,} files",
            f"{_kb(pf['index_bytes'])} ({_kb(pf['index_gzip_bytes'])}); {pf['files']:,} files" if pf else "–",
        )
        for key, name, fmt, tm, tw in (
            ("gzip_bytes", "bytes per cold query, gzip", _kb, "≤ 150 KB", "≤ 600 KB"),
            ("bytes", "bytes per cold query, as served (no compression)", _kb, "", ""),
            ("requests", "requests per cold query", str, "", ""),
            ("ms", "time to first results", lambda v: f"{v:,.0f} ms", "≤ 150 ms", "≤ 500 ms"),
        ):
            for which, t in (("median", tm), ("worst", tw)):
                row(f"{name}, {which}", fmt(o[key][which]), fmt(ps[key][which]) if ps else "–", t or "–")
        top = f"{o['top3']:.0%}" if o["top3"] is not None else "–"
        row("known-item probes in the top 3", top, f"{ps['top3']:.0%}" if ps else "–", "≥ 95 %")
        row("worst query (bytes / time)", f"`{o['worst_bytes_query']}` / `{o['worst_ms_query']}`",
            f"`{ps['worst_bytes_query']}` / `{ps['worst_ms_query']}`" if ps else "–")  # fmt: skip
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, action="append", help="filings (repeatable; default 1000 and 10000)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fa-bench"))
    ap.add_argument("--skip-pagefind", action="store_true")
    ap.add_argument(
        "--skip-pagefind-site",
        action="store_true",
        help="run Pagefind over the document pages only, not over the whole site (at 10,000 "
        "filings it needed more than the machine's 24 GB)",
    )
    ap.add_argument("--queries", type=int, default=40, help="manifest entries whose two probes are queried")
    ap.add_argument("--json", type=Path, help="also write every measure and query here")
    ap.add_argument(
        "--pagefind-documents",
        type=Path,
        metavar="SITE",
        help="only time Pagefind over the document pages of this built site (JSON)",
    )
    ap.add_argument("--index-only", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--index-into", type=Path, help="with --index-only: write the index into this built site")
    ap.add_argument(
        "--index-jobs",
        type=int,
        help="with --index-only: analyse in this many worker processes, as the build does",
    )
    args = ap.parse_args(argv)
    if args.pagefind_documents:
        site = args.pagefind_documents.resolve()
        res = run_pagefind(site.parent, site, 0, DOCUMENT_PAGES)
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        print(json.dumps(res))
        return 0
    if args.index_only and args.index_jobs:
        index_parallel(args.index_only, args.index_jobs)
        return 0
    if args.index_only:
        index_only(args.index_only, args.index_into)
        return 0
    args.work = args.work.resolve()
    if args.work == ROOT or ROOT in args.work.parents:
        raise SystemExit("--work must be outside the repository")
    args.work.mkdir(parents=True, exist_ok=True)
    runs = []
    for count in args.count or [1000, 10000]:
        runs.append(run_count(args, count))
        remove_set_aside(args.work / f"site-{count}")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"command": " ".join(sys.argv), "runs": runs}, indent=1) + "\n")
    print(report(runs))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
