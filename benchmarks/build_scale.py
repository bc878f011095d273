"""Issue 6's measurement: whole-build throughput and memory, and rebuilds, at archive scale.

For each ``--count`` (default 10,000; 100,000 needs ~12 GB of input and ~40 GB of output), makes
the deterministic corpus with ``../shared/bench/make_corpus.py`` (the same one search_scale.py
uses), then runs ``filing-archive build`` as a subprocess three times into one output folder:

The code run is a copy of ``generator/`` and ``templates/`` taken at the start (``WORK/code``,
as benchmarks/incremental.py does): the build digests its own code, so an edit in the checkout
during a long run would make the no-change build render everything.

1. **full**: a fresh output folder (wall time, filings/s, peak RSS of the whole process tree:
   the build and its worker processes, sampled from /proc every 0.1 s), with the build's own phase
   timings (``FILING_ARCHIVE_TIMINGS=1``). The previous run's site is moved aside and deleted only
   after the timed builds (``set_aside``; ``--delete-first`` deletes it before, as sessions 2-7 did);
2. **no change**: the same command again (nothing to read or write);
3. **one change**: one filing edited (a word added, saved with a new mtime), then the command again.

Not a test: run by hand, numbers go to docs/benchmarks.md (``--json`` keeps the raw measures)::

    python3 benchmarks/build_scale.py --count 10000 --json docs/benchmarks/build_scale_10000.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from incremental import snapshot_code  # noqa: E402
from search_scale import make_corpus, measure, remove_set_aside, set_aside  # noqa: E402


def _edit_one(corpus: Path) -> Path:
    """Add a word to the last document of the first filing that has a <TEXT> block."""
    for path in sorted(corpus.glob("*.txt")):
        text = path.read_text(encoding="latin-1")
        if "</TEXT>" in text:
            cut = text.rindex("</TEXT>")
            path.write_text(text[:cut] + "\nzebrafishcanary\n" + text[cut:], encoding="latin-1")
            os.utime(path, ns=(time.time_ns(), time.time_ns()))
            return path
    raise SystemExit(f"{corpus}: no filing to edit")


def _timings(log: Path) -> dict[str, float]:
    found: dict[str, float] = {}
    for m in re.finditer(r"^timing: (\S+) ([\d.]+) s$", log.read_text(), re.M):
        found[m.group(1)] = found.get(m.group(1), 0.0) + float(m.group(2))
    return found


def _memory(log: Path) -> dict[str, int]:
    """The build process's own resident memory after each phase (MB), as it prints it."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^memory: (\S+) (\d+) MB$", log.read_text(), re.M)}


def _cpu(log: Path) -> dict[str, float]:
    """The build process's own CPU seconds in each phase (its workers' not counted)."""
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^cpu: (\S+) ([\d.]+) s$", log.read_text(), re.M)}


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(work: Path, count: int, jobs: int | None, delete_first: bool = False) -> dict:
    corpus = make_corpus(work, count)
    site = work / f"build-site-{count}"
    set_aside(site, delete_first)
    code = snapshot_code(work)
    cmd = [sys.executable, "-m", "generator", "build", "--source", str(corpus), "--output", str(site), "-q"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    env = dict(os.environ, FILING_ARCHIVE_TIMINGS="1")
    results: dict = {"count": count, "jobs": jobs or os.cpu_count(), "deleted_first": delete_first}
    for step in ("full", "no change", "one change"):
        if step == "one change":
            results["edited"] = _edit_one(corpus).name
        log = work / f"build-scale-{count}-{step.replace(' ', '-')}.log"
        res = measure(cmd, log, env=env, cwd=code)
        res["summary"] = log.read_text().strip().splitlines()[-1]
        res["phases"] = _timings(log)
        res["build_process_mb"] = _memory(log)
        res["build_process_cpu_s"] = _cpu(log)
        res["filings_per_s"] = round(count / res["seconds"], 1) if res["seconds"] else None
        results[step] = res
        print(f"{count:>7} {step:<10} {res['seconds']:>8.1f} s {res['peak_tree_mb']:>6} MB RSS "
              f"{res['peak_tree_pss_mb']:>6} MB PSS  {res['summary']}")  # fmt: skip
    results["output_mb"] = round(_du(site) / 2**20)
    if results.get("edited"):
        original = corpus / results["edited"]
        text = original.read_text(encoding="latin-1").replace("\nzebrafishcanary\n", "", 1)
        original.write_text(text, encoding="latin-1")  # leave the corpus as make_corpus made it
    remove_set_aside(site)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, action="append", help="filings (repeatable) [10000]")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fa-bench"))
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--json", type=Path, help="write the raw measures here")
    ap.add_argument(
        "--delete-first",
        action="store_true",
        help="delete the previous site before the full build, not after (see set_aside)",
    )
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    runs = [run(args.work, n, args.jobs, args.delete_first) for n in (args.count or [10000])]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(runs, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
