"""Coverage-guided fuzzing of what follows the parser (render and search) with atheris, time-boxed.

Not a test and not a dependency: ``pip install atheris==3.0.0``, then, on one core,

    python3 benchmarks/fuzz_render.py -max_total_time=1500 -rss_limit_mb=3000 -timeout=10 [CORPUS_DIR]

``fuzz_atheris.py`` drives the parser alone; this drives one filing the way a build does after
it: ``parse_filing`` (a ``ParseError`` is the documented refusal and ends the input), the light
filing pass 1 keeps (its ``repr`` digest), the whole one it spills (a pickle round trip), the
documents pass 2 reads again (``read_documents``: they must be the ones pass 1 saw), a Site
assembled from the light filing, the filing's context, ``render_filing`` with the shipped theme's
Jinja environment (made once), the listings that show the filing (``render_browse``), and
search: ``search_doc``, ``analyse``, its chunk files and an in-memory ``IndexUpdate``.

Seeds are the real filings of ``site_src/`` and ``tests/fixtures/`` (heads of at most 64 KB),
as for the parser. Any exception but ``ParseError`` is a crash (libFuzzer writes ``crash-<sha1>``
and prints the traceback), and so is a slow input (``-timeout=N`` seconds, default 10 here). So
is a filing page that could run something: each filing and document page holds exactly the one
script its template loads, and no event handler, ``javascript:`` URL or frame. Crashes found this
way belong in ``tests/test_fuzz.py`` as regressions. The path and its checks are
``tests/fuzz_support.render_and_index``, which ``test_fuzz.py`` runs with hypothesis too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

with atheris.instrument_imports(include=["generator"]):  # coverage of the generator only
    import generator.parse.filing
    import generator.render
    import generator.render_browse
    import generator.search.fields
    import generator.search.update
    import generator.site
    import generator.tasks  # noqa: F401

# after the instrumented imports, on purpose: they use the modules imported above
from fuzz_atheris import fuzz  # noqa: E402
from fuzz_support import render_and_index  # noqa: E402


def one_input(data: bytes) -> None:
    render_and_index(data)


def main() -> None:
    fuzz(one_input, "atheris-render-")


if __name__ == "__main__":
    main()
