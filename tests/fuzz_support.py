"""What a build does with one filing after parsing it, checked: shared by ``test_fuzz.py``
(hypothesis) and ``benchmarks/fuzz_render.py`` (atheris/libFuzzer, which imports the generator's
modules instrumented before it imports this)."""

from __future__ import annotations

import functools
import pickle
import re
from html.parser import HTMLParser

import jinja2

from generator import site
from generator.parse.filing import ParseError, parse_filing, read_documents
from generator.render import make_env, render_filing
from generator.render_browse import render_browse
from generator.search.fields import search_doc
from generator.search.update import IndexUpdate, analyse, chunk_files, without_chunks
from generator.tasks import _bare


class PageCheck(HTMLParser):
    """The elements and attributes of a page as a browser tokenizes them (text inside an attribute
    value, such as ``title="&lt;img onerror=x&gt;"``, is not a tag: a regex over the page said it
    was; ``benchmarks/fuzz_render.py`` found that)."""

    FRAMES = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base"})
    URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data"})
    SCHEMES = ("javascript:", "vbscript:")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        if tag in self.FRAMES:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or (name in self.URL_ATTRS and url.startswith(self.SCHEMES)):
                self.bad.append(f"<{tag} {name}={value!r}>")


@functools.cache
def _env() -> jinja2.Environment:
    """The shipped theme's environment, made once (compiling the templates is most of a call)."""
    return make_env()


def render_and_index(data: bytes, path: str = "fuzz.txt") -> None:
    """What a build does with one filing after parsing it (``tasks.render_unit``, and the light
    filing pass 1 keeps, the documents pass 2 reads again): its pages, the listings that show it,
    its search record and index files. A filing or document page runs only the one script its
    template loads. A ``ParseError`` (the parser's documented refusal) ends it; anything else
    it meets is raised."""
    try:
        filing = parse_filing(data, path)
    except ParseError:
        return
    light = filing.light()
    filing = pickle.loads(pickle.dumps(filing, protocol=pickle.HIGHEST_PROTOCOL))  # the spill
    bare = tuple(map(_bare, read_documents(data, path)))  # what pass 2 reads again
    assert bare == tuple(map(_bare, filing.documents)), "read_documents read other documents"
    built = site.assemble_site("Fuzz", [light], [])
    env = _env()
    for out in render_filing(filing, built.context_for(light), env, data):
        if out.path.endswith(".html"):
            page = PageCheck()
            page.feed(out.data.decode("utf-8"))
            page.close()
            assert page.scripts == 1 and not page.bad, (out.path, page.scripts, page.bad)
    render_browse(built, env)
    analysed = analyse(search_doc(filing))
    chunk_files(analysed)
    update = IndexUpdate(None)
    list(update.add(without_chunks(analysed)))
    update.finish()
