"""Search a built site the way the browser does: its own ``search/search.js`` in node, reading
the index files from disk. Tests use it to compare what two builds *find*, when their index files
may differ in how filings fell into segments."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

_SCRIPT = r"""
import { readFile } from 'node:fs/promises';
const [site, queries] = [process.argv[1], JSON.parse(process.argv[2])];
const { search } = await import(site + '/search/search.js');
const loader = async (name) => {
  const text = await readFile(`${site}/search/${name}.js`, 'utf8');
  return JSON.parse(text.slice(text.indexOf(',') + 1, text.lastIndexOf(')')));
};
const out = {};
for (const q of queries) {
  const r = await search(q, { loader, limit: 1000, facets: false });
  out[q] = r.results.map((x) => [x.id, x.score, x.url]);
}
console.log(JSON.stringify(out));
"""

QUERIES = ["company", "the", "zebrafishcanary", '"press release"', "form:8-K", "secur*", "apple", "year:1999"]


def search_site(site: Path, queries: list[str] = QUERIES) -> dict[str, list]:
    """query -> [[filing id, score, url], ...] over every result, as the site's own engine ranks them."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the site's search engine cannot be run")
    done = subprocess.run(
        ["node", "--input-type=module", "-e", _SCRIPT, str(site.resolve()), json.dumps(queries)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def site_bytes_outside_search(tree: dict[str, bytes]) -> dict[str, bytes]:
    """A site's files but its search index (whose segmentation depends on build history)."""
    return {p: b for p, b in tree.items() if not p.startswith("search/") or p == "search/index.html"}
