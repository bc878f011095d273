"""How fast the parse stage reads real submissions: MB/s and filings/s on one core.

Reads every file of the shared corpus (../shared/corpus/full/) into memory once, then times N passes
over all of them, so disk speed does not count, for two stages:

- split: ``read_submission`` alone (header, documents, uudecode);
- parse: ``parse_filing``, the whole parse stage (split + HTML to text + cover page, items,
  exhibits, signatures + assembly): what a build's workers run per file.

Not a test: run it by hand,

    python benchmarks/parse_speed.py [--repeat N]

and compare with the target in the brief (>= 20 MB/s of submission text per core).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.parse.filing import parse_filing  # noqa: E402
from generator.parse.sgml import read_submission  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "full"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()} on {platform.system()}"


STAGES = {
    "split": lambda data: read_submission(data),
    "parse": lambda data: parse_filing(data, "bench.txt"),
}


def one_pass(files: list[bytes], stage: str = "split") -> float:
    run = STAGES[stage]
    start = time.perf_counter()
    for data in files:
        run(data)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the corpus [5]")
    args = parser.parse_args()
    paths = sorted(CORPUS.glob("*.txt"))
    if not paths:
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 1
    files = [p.read_bytes() for p in paths]
    total = sum(map(len, files))
    print(f"machine:  {machine()}")
    print(f"corpus:   {len(files)} submissions, {total / 1e6:.1f} MB ({CORPUS})")
    for stage in STAGES:
        one_pass(files, stage)  # warm-up: imports, regex compilation, caches
        times = [one_pass(files, stage) for _ in range(args.repeat)]
        best, median = min(times), statistics.median(times)
        print(f"{stage}:    {args.repeat} passes; best {best:.3f} s, median {median:.3f} s per pass")
        print(f"          {total / 1e6 / best:.1f} MB/s, {len(files) / best:.0f} filings/s (best pass)")
        print(f"          {total / 1e6 / median:.1f} MB/s, {len(files) / median:.0f} filings/s (median pass)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
