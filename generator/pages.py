"""Parse stage, pages: a markdown file (optional front matter) -> Page.

Front matter is the simple ``key: value`` block between two ``---`` lines (no YAML library for
that). Markdown runs through Python-Markdown with toc, tables and fenced code; raw HTML in the
markdown is escaped-by-sanitising with nh3 so a page can never carry a script either.
"""

from __future__ import annotations

import re

import markdown
import nh3

from generator.model import Page
from generator.parse.text import decode
from generator.site import slugify

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def parse_page(data: bytes, path: str) -> Page:
    text = decode(data).lstrip("\ufeff")
    meta: dict[str, str] = {}
    m = _FRONT.match(text)
    if m:
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip():
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[m.end() :]
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    h1 = _H1.search(text)
    title = meta.get("title") or (h1.group(1) if h1 else stem.replace("-", " ").title())
    slug = slugify(meta.get("slug") or path.rsplit(".", 1)[0].replace("/", "-")) or "page"
    md = markdown.Markdown(extensions=["toc", "tables", "fenced_code"], output_format="html")
    body = nh3.clean(
        md.convert(text),
        attributes={"*": {"id", "class"}, "a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
    )
    return Page(
        slug=slug,
        title=title,
        html=body,
        source_path=path,
        meta=tuple(sorted(meta.items())),
        toc=getattr(md, "toc", ""),
    )
