"""Incremental rebuild latency under ``filing-archive serve --watch`` (issue 5).

1. makes a deterministic corpus with ``../shared/bench/make_corpus.py`` (as
   benchmarks/search_scale.py does: full + headerless templates, seed 1, flat layout) in
   ``WORK/corpus-N``, reused when its parameters match;
2. builds it once (``filing-archive build -q``) into ``WORK/site-N``: the full build time;
   The code run is a copy of ``generator/`` and ``templates/`` taken at the start (the build
   digests its own code: edits in the checkout during a run would make builds render everything);
   ``--live-code`` runs the checkout itself.
3. starts ``filing-archive serve --watch --port 0`` on it (its first build has nothing to do)
   and follows the server-sent events;
4. ``--changes`` times: appends a word made for that change to one filing's text with an atomic
   save (temporary file + rename, as editors do), then polls until the filing's document page,
   fetched from the server, shows the word AND the site's own search engine (``search/search.js``
   run by node, loading the index files from the server) finds the filing by that word.
   Reported: save -> SSE build event, and save -> page and search both served (p50/p95); and
   what the rebuild rewrote, from the output tree's sizes and mtimes before and after (bytes
   rewritten as a share of the output, files written, files removed).

Targets (issue 5, at 10,000 filings): p50 <= 1 s, p95 <= 2 s, bytes rewritten <= 2 % of the
output. Results: docs/watch.md ("Measured").

Not a test. Run it by hand, e.g.

    python3 benchmarks/incremental.py --count 10000 --changes 20 --json docs/benchmarks/incremental.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from search_scale import make_corpus  # noqa: E402 - the same corpus, made the same way

TARGETS = {"p50_s": 1.0, "p95_s": 2.0, "bytes_pct": 2.0}
NODE_QUERY = r"""
// One query a line on stdin: {"q", "base"}; answers {"ids"} or {"error"}. Index files are fetched
// from the preview server on every query (a fresh loader: no cache between queries).
import { createInterface } from 'node:readline';
const engine = await import(process.argv[2]);
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const { q, base } = JSON.parse(line);
  const loader = async (name) => {
    const r = await fetch(base + name + '.js', { cache: 'no-store' });
    if (!r.ok) throw new Error(`HTTP ${r.status} for ${name}`);
    return engine.parseDataFile(await r.text());
  };
  try {
    const res = await engine.search(q, { loader, limit: 20, facets: false });
    process.stdout.write(JSON.stringify({ ids: res.results.map((r) => r.id) }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e) }) + '\n');
  }
}
"""


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of the site: (size, mtime_ns). The search CLI's own store and the build's
    private state (``.filing-archive/``, a SQLite file updated in place) are not the site."""
    found: dict[str, tuple[int, int]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".search-index", ".filing-archive")]
        for name in files:
            path = os.path.join(folder, name)
            with contextlib.suppress(FileNotFoundError):
                st = os.stat(path)
                found[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return found


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> dict:
    changed = [p for p, st in after.items() if before.get(p) != st]
    return {
        "files_written": len(changed),
        "files_removed": len(before.keys() - after.keys()),
        "bytes_written": sum(after[p][0] for p in changed),
        "output_bytes": sum(st[0] for st in after.values()),
        "sample": sorted(changed)[:8],
    }


class Server:
    """``filing-archive serve --watch`` in a subprocess, with its SSE stream read in a thread."""

    def __init__(self, code: Path, corpus: Path, site: Path, jobs: int, debounce: float, log: Path) -> None:
        cmd = [sys.executable, "-m", "generator", "serve", "--watch", "--port", "0", "-q",
               "--source", str(corpus), "--output", str(site), "--debounce", str(debounce)]  # fmt: skip
        if jobs:
            cmd += ["--jobs", str(jobs)]
        self.log = log.open("w")
        self.proc = subprocess.Popen(cmd, cwd=code, stdout=subprocess.PIPE, stderr=self.log, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not m:
            raise SystemExit(f"serve did not start: {line!r}; see {log}")
        self.url = m[0]
        threading.Thread(target=self._drain, daemon=True).start()
        self.events: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.state: dict = {}
        threading.Thread(target=self._follow, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.write(line)
            self.log.flush()

    def _follow(self) -> None:
        with urllib.request.urlopen(self.url + "__filing_archive/events", timeout=3600) as resp:
            name = ""
            for raw in resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                    self.state = data
                    if name == "build":
                        self.events.put((time.monotonic(), data))

    def wait_build(self, after: int, timeout: float) -> tuple[float, dict]:
        deadline = time.monotonic() + timeout
        while True:
            at, data = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            if data["build"] > after:
                return at, data

    def get(self, path: str) -> bytes | None:
        try:
            with urllib.request.urlopen(self.url + path, timeout=60) as resp:
                return resp.read()
        except urllib.error.HTTPError:
            return None

    def stop(self) -> int:
        self.proc.send_signal(2)
        try:
            return self.proc.wait(timeout=120)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.log.close()


class Search:
    """The site's own search engine (search/search.js) in one long-lived node process."""

    def __init__(self, site: Path, work: Path) -> None:
        engine = work / "engine.mjs"
        shutil.copy(site / "search" / "search.js", engine)
        runner = work / "query.mjs"
        runner.write_text(NODE_QUERY)
        self.proc = subprocess.Popen(["node", str(runner), engine.as_uri()], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)  # fmt: skip

    def ids(self, query: str, base: str) -> set[str]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"q": query, "base": base}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return set(answer.get("ids", []))

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def snapshot_code(work: Path) -> Path:
    """The generator as it is now, copied: the build digests its own code, so an edit in the
    checkout during a run (someone else's work) would make the next build render everything."""
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)
    for name in ("generator", "templates"):
        shutil.copytree(ROOT / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    return code


def edit(path: Path, word: str) -> None:
    """Put ``word`` at the end of the first document's text and save atomically."""
    data = path.read_bytes()
    m = re.search(rb"</TEXT>", data, re.I)
    at = m.start() if m else len(data)
    new = data[:at] + f"\n{word}\n".encode() + data[at:]
    tmp = path.with_name(f".{path.name}.saving")
    tmp.write_bytes(new)
    os.replace(tmp, path)


def coin(i: int, rng: random.Random) -> str:
    """A word no filing contains: letters only, so the tokenizer keeps it whole."""
    return "zq" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(8)) + "ax"[i % 2]


def one_change(srv: Server, search: Search, corpus: Path, site: Path, entry: dict, word: str,
               timeout: float) -> dict:  # fmt: skip
    before = snapshot(site)
    last = srv.state.get("build", 0)
    fid = entry["accession"]
    t0 = time.monotonic()
    edit(corpus / entry["path"], word)
    at, event = srv.wait_build(last, timeout)
    while True:  # the build event may belong to a build that started before the save
        if any(p.endswith(entry["path"]) for p in event["changed"]) or event.get("full"):
            break
        at, event = srv.wait_build(event["build"], timeout)
    served, polls, page_misses, query_s = None, 0, 0, 0.0
    while time.monotonic() - t0 < timeout:
        polls += 1
        record = srv.get(f"filings/{fid}/filing.json")
        doc = srv.get(json.loads(record)["documents"][0]["url"]) if record else None
        if not (doc and word.encode() in doc):
            page_misses += 1
            time.sleep(0.02)
            continue
        asked = time.monotonic()
        found = fid in search.ids(word, srv.url + "search/")
        query_s = time.monotonic() - asked
        if found:
            served = time.monotonic() - t0
            break
        time.sleep(0.02)
    return {"id": fid, "word": word, "event_s": at - t0, "served_s": served, "build": event,
            "polls": polls, "page_misses": page_misses, "last_query_s": round(query_s, 3),
            **rewritten(before, snapshot(site))}  # fmt: skip


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=10000, help="filings in the corpus [10000]")
    ap.add_argument("--changes", type=int, default=20, help="edits to time [20]")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fa-bench-inc"))
    ap.add_argument("--jobs", type=int, default=0, help="parse workers for the builds [all cores]")
    ap.add_argument("--debounce", type=float, default=0.1, help="watcher debounce, seconds [0.1]")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds to wait for one change [1800]")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--json", type=Path, help="also write the raw measurements here")
    ap.add_argument("--live-code", action="store_true", help="run the checkout itself, not a copy of it")
    args = ap.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(args.work, args.count)
    code = ROOT if args.live_code else snapshot_code(args.work)
    site = args.work / f"site-{args.count}"
    if site.exists():
        shutil.rmtree(site)
    started = time.monotonic()
    cmd = [sys.executable, "-m", "generator", "build", "-q", "--source", str(corpus), "--output", str(site)]
    subprocess.run(cmd + (["--jobs", str(args.jobs)] if args.jobs else []), cwd=code, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    full_build = time.monotonic() - started
    print(f"corpus {corpus}: {args.count} filings; full build {full_build:.1f} s", file=sys.stderr)

    entries = [json.loads(line) for line in (corpus / "manifest.jsonl").open()]
    rng = random.Random(args.seed)
    chosen = rng.sample([e for e in entries if e.get("accession")], args.changes)
    originals: dict[str, bytes] = {}
    srv = Server(code, corpus, site, args.jobs, args.debounce, args.work / "serve.log")
    search = Search(site, args.work)
    try:
        t0 = time.monotonic()
        while not srv.state:  # the hello: the state when the stream opened
            time.sleep(0.05)
        first = srv.state if srv.state.get("build") else srv.wait_build(0, args.timeout)[1]
        unchanged = {"seconds": time.monotonic() - t0, "written": first.get("written")}
        print(f"watcher's first build (nothing changed): {unchanged['seconds']:.1f} s, "
              f"{unchanged['written']} files written", file=sys.stderr)  # fmt: skip
        rows = []
        for i, entry in enumerate(chosen):
            originals[entry["path"]] = (corpus / entry["path"]).read_bytes()
            row = one_change(srv, search, corpus, site, entry, coin(i, rng), args.timeout)
            rows.append(row)
            print(f"change {i + 1}/{args.changes} {row['id']}: event {row['event_s']:.2f} s, served "
                  f"{row['served_s'] if row['served_s'] is None else round(row['served_s'], 2)} s, "
                  f"{row['files_written']} files / {row['bytes_written']:,} bytes rewritten; "
                  f"{row['polls']} polls, query {row['last_query_s']} s",
                  file=sys.stderr)  # fmt: skip
    finally:
        search.close()
        code = srv.stop()
        for entry in chosen:  # leave the corpus as make_corpus wrote it, for the next run
            original = originals.get(entry["path"])
            if original is not None:
                (corpus / entry["path"]).write_bytes(original)
    report(args, full_build, unchanged, rows, code)


def report(args: argparse.Namespace, full_build: float, unchanged: dict, rows: list[dict], code: int) -> None:
    served = [r["served_s"] for r in rows if r["served_s"] is not None]
    events = [r["event_s"] for r in rows]
    share = [100 * r["bytes_written"] / max(1, r["output_bytes"]) for r in rows]
    summary = {
        "count": args.count,
        "changes": len(rows),
        "full_build_s": round(full_build, 2),
        "unchanged_rebuild": unchanged,
        "event_p50_s": round(pct(events, 0.5), 3),
        "event_p95_s": round(pct(events, 0.95), 3),
        "served_p50_s": round(pct(served, 0.5), 3) if served else None,
        "served_p95_s": round(pct(served, 0.95), 3) if served else None,
        "not_served": len(rows) - len(served),
        "bytes_pct_median": round(statistics.median(share), 3),
        "bytes_pct_max": round(max(share), 3),
        "files_written_median": statistics.median(r["files_written"] for r in rows),
        "output_bytes": rows[-1]["output_bytes"],
        "serve_exit": code,
    }
    ok = lambda v, t: "-" if v is None else ("yes" if v <= t else "no")  # noqa: E731
    print(f"## Incremental rebuild, {args.count} filings, {len(rows)} changes\n")
    print("| measure | value | target | met |\n|---|---|---|---|")
    print(f"| full build | {summary['full_build_s']} s | | |")
    print(f"| save -> build event, p50 / p95 | {summary['event_p50_s']} / {summary['event_p95_s']} s | | |")
    print(f"| save -> page and search served, p50 | {summary['served_p50_s']} s | 1 s | "
          f"{ok(summary['served_p50_s'], TARGETS['p50_s'])} |")  # fmt: skip
    print(f"| save -> page and search served, p95 | {summary['served_p95_s']} s | 2 s | "
          f"{ok(summary['served_p95_s'], TARGETS['p95_s'])} |")  # fmt: skip
    print(f"| bytes rewritten per change, median (max) | {summary['bytes_pct_median']} % "
          f"({summary['bytes_pct_max']} %) of {summary['output_bytes']:,} | 2 % | "
          f"{ok(summary['bytes_pct_max'], TARGETS['bytes_pct'])} |")  # fmt: skip
    print(f"| files rewritten per change, median | {summary['files_written_median']} | | |")
    print(f"| changes never served | {summary['not_served']} | 0 | {ok(summary['not_served'], 0)} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"summary": summary, "changes": rows}, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
