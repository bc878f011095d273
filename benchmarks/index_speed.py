"""How much CPU the search index costs per filing, without the rest of the build (issue 4).

Parses every submission of a corpus once (not timed), then times, on one core, N passes of the
index work a build does per filing:

- doc:     ``fields.search_doc`` (Filing -> SearchDoc, runs in the build's workers);
- analyse: ``update.analyse`` (SearchDoc -> AnalysedDoc, in the workers);
- write:   ``IndexUpdate(None)`` ``add`` of every analysed filing, then ``finish`` (the segment
  files, in the build's main process).

Each pass starts with the analysis caches empty, as a fresh worker process does (``--warm``: as
full as a long build's, if the corpus is representative). It prints the
CPU time per filing of each phase and a sha256 of every index file (path and bytes): a speed-up
must leave that digest unchanged (byte-identical index). Not a test; run it by hand, e.g.

    python3 benchmarks/index_speed.py /tmp/fa-bench-inc/corpus-200 --repeat 5
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.parse.filing import parse_filing  # noqa: E402
from generator.search import analysis  # noqa: E402
from generator.search.fields import search_doc  # noqa: E402
from generator.search.update import IndexUpdate, analyse  # noqa: E402


def load(corpus: Path) -> list:
    """Every filing of ``corpus`` that parses, in path order (ids made unique like a build's)."""
    filings, seen = [], set()
    for path in sorted(corpus.rglob("*.txt")):
        try:
            filing = parse_filing(path.read_bytes(), str(path))
        except Exception:  # noqa: BLE001 - a benchmark skips what the build would report
            continue
        if filing.id not in seen:
            seen.add(filing.id)
            filings.append(filing)
    return filings


def empty_caches() -> None:
    """The analysis caches as a fresh worker process has them (whichever this version has)."""
    for name in ("_TERMS", "_OFFSETS", "_PIECES", "_MULTI", "normalize_word", "_stem"):
        cache = getattr(analysis, name, None)
        if cache is not None:
            getattr(cache, "cache_clear", getattr(cache, "clear", None))()


def one_pass(filings: list) -> tuple[dict[str, float], str]:
    """CPU seconds of each phase over all ``filings`` and the digest of the index's files."""
    times = {}
    t = time.process_time()
    docs = [search_doc(f) for f in filings]
    times["doc"], t = time.process_time() - t, time.process_time()
    analysed = [analyse(d) for d in docs]
    times["analyse"], t = time.process_time() - t, time.process_time()
    update, outputs = IndexUpdate(None), []
    for a in analysed:
        outputs.extend(update.add(a))
    outputs.extend(update.finish()[0])
    times["write"] = time.process_time() - t
    h = hashlib.sha256()
    for o in sorted(outputs, key=lambda o: o.path):
        h.update(o.path.encode() + b"\0" + o.data + b"\0")
    return times, h.hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder of submissions (*.txt)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes [5]")
    parser.add_argument("--warm", action="store_true", help="keep the analysis caches between passes")
    args = parser.parse_args()
    filings = load(args.corpus)
    if not filings:
        print(f"no filings in {args.corpus}", file=sys.stderr)
        return 1
    one_pass(filings)  # warm-up: imports, regular expressions
    runs = []
    for _ in range(args.repeat):
        if not args.warm:
            empty_caches()
        runs.append(one_pass(filings))
    digests = {d for _t, d in runs}
    print(f"{len(filings)} filings, {args.repeat} passes; index digest {', '.join(sorted(digests))}")
    for phase in ("doc", "analyse", "write"):
        values = [t[phase] * 1000 / len(filings) for t, _d in runs]
        print(f"{phase:8} {min(values):6.2f} ms/filing best, {statistics.median(values):6.2f} median")
    totals = [sum(t.values()) * 1000 / len(filings) for t, _d in runs]
    print(f"{'total':8} {min(totals):6.2f} ms/filing best, {statistics.median(totals):6.2f} median")
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
