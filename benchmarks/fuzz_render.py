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
way belong in ``tests/test_fuzz.py`` as regressions.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import atheris
import jinja2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

with atheris.instrument_imports(include=["generator"]):  # coverage of the generator only
    from generator.parse.filing import ParseError, parse_filing, read_documents
    from generator.render import make_env, render_filing
    from generator.render_browse import render_browse
    from generator.search.fields import search_doc
    from generator.search.update import IndexUpdate, analyse, chunk_files, without_chunks
    from generator.site import assemble_site
    from generator.tasks import _bare

from fuzz_atheris import seeds  # noqa: E402 - after the instrumented imports, on purpose

ENV: jinja2.Environment = make_env()

_FRAMES = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base"})
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data"})
_SCHEMES = ("javascript:", "vbscript:")
_NOT_IN_URL = re.compile(r"[\x00-\x20]")


class PageCheck(HTMLParser):
    """The elements and attributes a page holds as a browser tokenizes them (text inside an
    attribute value, such as ``title="&lt;img onerror=x&gt;"``, is not a tag)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        if tag in _FRAMES:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            runs = name in _URL_ATTRS and _NOT_IN_URL.sub("", value or "").lower().startswith(_SCHEMES)
            if name.startswith("on") or runs:
                self.bad.append(f"<{tag} {name}={value!r}>")


def check_page(path: str, html: str) -> None:
    """A filing or document page runs only its template's one script."""
    page = PageCheck()
    page.feed(html)
    page.close()
    if page.scripts != 1 or page.bad:
        raise AssertionError(f"{path} could run something: {page.scripts} scripts, {page.bad}")


def render_and_index(data: bytes, path: str = "fuzz.txt") -> None:
    """The per-filing work of a build after parsing (module docstring); raises what it meets."""
    try:
        filing = parse_filing(data, path)
    except ParseError:
        return
    light = filing.light()
    hashlib.sha256(repr(light).encode("utf-8", "surrogatepass")).hexdigest()
    filing = pickle.loads(pickle.dumps(filing, protocol=pickle.HIGHEST_PROTOCOL))
    again = read_documents(data, path)  # pass 2 takes these when they are the ones pass 1 saw
    if tuple(map(_bare, again)) != tuple(map(_bare, filing.documents)):
        raise AssertionError("read_documents read other documents than parse_filing")
    site = assemble_site("Fuzz", [light], [])
    for out in render_filing(filing, site.context_for(light), ENV, data):
        if out.path.endswith(".html"):
            check_page(out.path, out.data.decode("utf-8"))
    render_browse(site, ENV)
    analysed = analyse(search_doc(filing))
    chunk_files(analysed)
    update = IndexUpdate(None)
    for _ in update.add(without_chunks(analysed)):
        pass
    update.finish()


def one_input(data: bytes) -> None:
    render_and_index(data)


def main() -> None:
    args = [a for a in sys.argv if not a.startswith("-")][1:]
    corpus = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="atheris-render-"))
    corpus.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        seeds(corpus)
    flags = [a for a in sys.argv[1:] if a.startswith("-")]
    if not any(f.startswith("-timeout=") for f in flags):
        flags.append("-timeout=10")
    if not any(f.startswith("-max_len=") for f in flags):
        flags.append("-max_len=65536")
    atheris.Setup([sys.argv[0], *flags, str(corpus)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
