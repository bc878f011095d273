"""Search stage, client files: generator/search/client/*.mjs -> search/search.js and friends.

No bundler: the client is two small ES modules and a vendored stemmer, joined here by plain text
rules. Two builds come from the same source:

- ``search/search.js``: an ES module exporting ``search(query, options)`` (for importers and
  any page served over http);
- ``search/search.classic.js``: the same code as a classic script defining ``FilingSearch``,
  because Chrome refuses module scripts (and fetch) on ``file://`` pages but runs classic ones.

``search/page.js`` (the search page's UI) is a classic script and is copied as is.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.model import Output

CLIENT_DIR = Path(__file__).resolve().parent / "client"
STEMMER = "wink-porter2-stemmer.js"
MODULES = ("analysis.mjs", "query.mjs", "engine.mjs")
_IMPORT = re.compile(r"^import [^;]+ from '\./[^']+';\n", re.M)
_EXPORT = re.compile(r"^export (?=(?:async )?function|const|let|class)", re.M)
_HEADER = (
    "// filing-archive search client (generated from generator/search/client/; do not edit).\n"
    "// Includes wink-porter2-stemmer 2.0.1, (C) GRAYPE Systems Private Limited, MIT licence:\n"
    "// see search/LICENSE-wink-porter2-stemmer.\n"
)


def _read(name: str) -> str:
    return (CLIENT_DIR / name).read_text(encoding="utf-8")


def _stemmer() -> str:
    """The vendored CommonJS stemmer, verbatim, inside a function that returns its export."""
    return f"const stem = (function () {{\n  const module = {{ exports: {{}} }};\n{_read(STEMMER)}\n  return module.exports;\n}})();\n"


def _body() -> str:
    return _stemmer() + "".join(_IMPORT.sub("", _read(m)) for m in MODULES)


def module_source() -> str:
    """The ES module: its default index location is the folder the module was loaded from."""
    footer = "setDefaultBase(new URL('./', import.meta.url).href);\n"
    return _HEADER + _body() + footer


def classic_source() -> str:
    """The classic script: no import/export, one global, base taken from its own script tag."""
    body = _EXPORT.sub("", _body())
    names = "search, parseQuery, tokens, analyze, loadManifest, FORMAT_VERSION"
    return (
        _HEADER
        + "(function () {\n'use strict';\n"
        + body
        + "if (document.currentScript) setDefaultBase(new URL('./', document.currentScript.src).href);\n"
        + f"globalThis.FilingSearch = {{ {names} }};\n}})();\n"
    )


def client_files() -> list[Output]:
    return [
        Output("search/LICENSE-wink-porter2-stemmer", _read("LICENSE-wink-porter2-stemmer").encode()),
        Output("search/page.js", _read("page.js").encode("utf-8")),
        Output("search/search.classic.js", classic_source().encode("utf-8")),
        Output("search/search.js", module_source().encode("utf-8")),
    ]
