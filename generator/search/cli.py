"""Search stage, the ``filing-archive search`` command's work (cli.py only parses arguments).

Exit status: 0 results printed (even none); 2 the folder is not a built site with a search index.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from generator.search import store
from generator.search.encode import FORMAT_VERSION, ROOT, read_data_file
from generator.search.query import parse_query


def run(query: str, site: Path, limit: int, sort: str, as_json: bool, echo: Callable[..., None]) -> int:
    manifest = site / ROOT / "manifest.js"
    if not manifest.is_file():
        echo(f"error: {site}/ has no search index: run `filing-archive build` first", err=True)
        return 2
    version = read_data_file(manifest.read_bytes()).get("format")
    if version != FORMAT_VERSION:
        echo(
            f"error: {site}/ has search index format {version}, this version reads {FORMAT_VERSION}: rebuild",
            err=True,
        )
        return 2
    updated, deleted = store.sync(site)
    if updated or deleted:
        echo(f"search index: {updated} filings indexed, {deleted} removed", err=True)
    found = store.search(site, parse_query(query), limit=limit, sort=sort)
    if as_json:
        echo(json.dumps(found, indent=1, ensure_ascii=False, sort_keys=True))
        return 0
    shown = len(found["results"])
    total = found["total"]
    matches = "1 filing matches" if total == 1 else f"{total} filings match"
    echo(f"{matches}{f'; the first {shown}' if shown < total else ''}{':' if shown else '.'}")
    for r in found["results"]:
        echo(f"{r['filed'] or 'no date':10}  {r['form']:10}  {r['company']}  {r['url']}")
    return 0
