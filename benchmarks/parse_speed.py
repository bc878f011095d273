"""How fast read_submission splits real submissions: MB/s and filings/s on one core.

Reads every file of the shared corpus (../shared/corpus/full/) into memory once, then times N passes
of read_submission over all of them, so disk speed does not count. Not a test: run it by hand,

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


def one_pass(files: list[bytes]) -> float:
    start = time.perf_counter()
    for data in files:
        read_submission(data)
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
    one_pass(files)  # warm-up: imports, regex compilation, caches
    times = [one_pass(files) for _ in range(args.repeat)]
    best, median = min(times), statistics.median(times)
    print(f"machine:  {machine()}")
    print(f"corpus:   {len(files)} submissions, {total / 1e6:.1f} MB ({CORPUS})")
    print(f"passes:   {args.repeat}; best {best:.3f} s, median {median:.3f} s per pass")
    print(f"speed:    {total / 1e6 / best:.1f} MB/s, {len(files) / best:.0f} filings/s (best pass)")
    print(f"          {total / 1e6 / median:.1f} MB/s, {len(files) / median:.0f} filings/s (median pass)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
