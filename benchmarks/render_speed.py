"""How fast the render stage turns parsed filings into pages, and how many bytes a filing costs.

Parses the whole shared corpus (../shared/corpus/full/ and headerless/) once, as a build does,
then times only rendering: every filing page, document page, decoded file, filing.json and
original copy (``render_filing``), then the browse pages and markdown pages. Nothing is written
to disk, so disk speed does not count. Reports:

- rendering speed: HTML pages per second (filing pages + document pages), one core;
- output bytes per filing: all bytes the filings produce / number of filings, split by kind
  (filing pages, document pages, original submissions, decoded files, JSON).

Not a test: run it by hand,

    python3 benchmarks/render_speed.py [--repeat N]
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.build import make_units, parse_units, resolve_duplicates  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.discover import discover  # noqa: E402
from generator.render import make_env, render_filing  # noqa: E402
from generator.site import Site, assemble_site  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def parse_corpus(source: Path) -> tuple[Site, dict[str, bytes]]:
    """The assembled Site of ``source`` and each filing's original bytes (read before timing)."""
    with tempfile.TemporaryDirectory() as out:
        cfg = load_config(None, source=source, output=Path(out), progress=False)
        sources, _ = discover(cfg.source, exclude=cfg.output)
        results = parse_units(make_units([s for s in sources if s.kind != "page"]), cfg)
    filings, _ = resolve_duplicates(results)
    by_path = {s.path: s for s in sources}
    originals = {f.id: Path(by_path[f.source.path].abspath).read_bytes() for f in filings}
    return assemble_site("Benchmark", filings, []), originals


def kind_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name == "index.html":
        return "filing pages"
    if name.endswith(".html"):
        return "document pages"
    if name == "filing.json":
        return "filing.json"
    return "originals and decoded files"


def render_all(site: Site, originals: dict[str, bytes]) -> tuple[float, Counter, Counter]:
    env = make_env()
    sizes: Counter = Counter()
    counts: Counter = Counter()
    start = time.perf_counter()
    for filing in site.filings:
        for out in render_filing(filing, site, env, originals[filing.id]):
            sizes[kind_of(out.path)] += len(out.data)
            counts[kind_of(out.path)] += 1
    return time.perf_counter() - start, sizes, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the median is reported")
    args = parser.parse_args()
    if not (CORPUS / "full").is_dir():
        print(f"shared corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    print("$", shlex.join(["python3", *sys.argv]))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "corpus"
        source.mkdir()
        for part in ("full", "headerless"):  # copied: discover does not follow symlinked folders
            shutil.copytree(CORPUS / part, source / part)
        site, originals = parse_corpus(source)
    runs = [render_all(site, originals) for _ in range(args.repeat)]
    seconds = statistics.median(r[0] for r in runs)
    _, sizes, counts = runs[0]
    pages = counts["filing pages"] + counts["document pages"]
    n = len(site.filings)
    print(
        f"filings: {n}; HTML pages: {pages} ({counts['filing pages']} filing, {counts['document pages']} document)"
    )
    print(
        f"render: {seconds:.2f} s (median of {args.repeat}) = {pages / seconds:.0f} pages/s, {n / seconds:.1f} filings/s"
    )
    total = sum(sizes.values())
    print(f"output: {total / 1e6:.1f} MB = {total / n / 1024:.0f} KB per filing")
    for kind, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:28} {size / n / 1024:8.1f} KB per filing")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
