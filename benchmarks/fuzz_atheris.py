"""Coverage-guided fuzzing of the whole-file parser with atheris (libFuzzer), time-boxed.

Not a test and not a dependency: ``pip install atheris==3.0.0``, then

    python3 benchmarks/fuzz_atheris.py -max_total_time=600 -rss_limit_mb=2048 [CORPUS_DIR]

Seeds are the real filings of ``site_src/`` and ``tests/fixtures/`` (heads of at most 64 KB);
libFuzzer mutates them, guided by the branches of ``generator.parse`` it reaches. Any exception but
the documented ``ParseError`` is a crash: libFuzzer stops, writes the input to ``crash-<sha1>``
and prints the traceback. A slow input (``-timeout=N`` seconds, default 10 here) is reported the
same way. Crashes found this way belong in ``tests/test_fuzz.py`` as ``@example`` regressions.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports():
    from generator.parse.filing import ParseError, parse_filing


def seeds(folder: Path) -> None:
    """Write the seed corpus (real filings, decompressed, cut to 64 KB) into ``folder``."""
    sources = [*(ROOT / "site_src").rglob("*"), *(ROOT / "tests" / "fixtures").rglob("*")]
    for i, p in enumerate(sorted(s for s in sources if s.is_file() and s.suffix not in (".md", ".json"))):
        data = p.read_bytes()
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error):
                pass  # the hostile fixtures' broken gzip files are seeds as they are
        (folder / f"seed-{i:03d}").write_bytes(data[:65536])


def one_input(data: bytes) -> None:
    try:
        parse_filing(data, "fuzz.txt")
    except ParseError:
        pass


def main() -> None:
    fuzz(one_input, "atheris-corpus-")


def fuzz(target: Callable[[bytes], None], prefix: str) -> None:
    """Run libFuzzer on ``target`` with this command line's flags and corpus folder (a new one
    named ``prefix...`` if none is given), seeded when empty, with this file's defaults."""
    args = [a for a in sys.argv if not a.startswith("-")][1:]
    corpus = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix=prefix))
    corpus.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        seeds(corpus)
    flags = [a for a in sys.argv[1:] if a.startswith("-")]
    if not any(f.startswith("-timeout=") for f in flags):
        flags.append("-timeout=10")
    if not any(f.startswith("-max_len=") for f in flags):
        flags.append("-max_len=65536")
    atheris.Setup([sys.argv[0], *flags, str(corpus)], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
