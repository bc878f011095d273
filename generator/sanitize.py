"""Render stage, filing HTML -> safe HTML (nh3, the Ammonia sanitiser), then a tidy pass.

Filings are untrusted. What survives: structure, tables and the inline styles their layout needs
(an allow-list of CSS properties that cannot load anything), links to http(s)/mailto, links to
the filing's own documents (rewritten to their pages), and images that resolve to a file decoded
from the same filing. What never survives: scripts, event handlers, forms, iframes, objects, SVG,
``javascript:`` URLs, external images, style sheets, ``<meta>`` and ``<base>``.

The filing's own ids get a prefix (``f-``) so they can never collide with the page's (``main``,
``L12``, ``page-3``), and the tidy pass turns the filing's headings into styled ``<div>``s (a page
has one outline: ours), drops in-page links whose target is gone and gives every image an alt text.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable

import nh3

from generator.parse.active import flatten_deep

#: Prefix of every id and in-page link the filing brings.
ID_PREFIX = "f-"

_TAGS = set(nh3.ALLOWED_TAGS) | {"font", "tfoot", "big"}
_ATTRS = copy.deepcopy(nh3.ALLOWED_ATTRIBUTES)
for _tag in _TAGS:
    _ATTRS.setdefault(_tag, set()).update({"style", "align", "valign", "width", "height"})
_ATTRS["a"].update({"name", "id"})
_ATTRS["font"].update({"size", "face", "color"})
_ATTRS["td"].update({"nowrap", "bgcolor"})
_ATTRS["tr"].update({"bgcolor"})
_ATTRS["table"].update({"border", "cellpadding", "cellspacing", "bgcolor"})
_ATTRS["*"] = {"id", "title", "lang", "dir"}

#: CSS properties that shape text and tables and cannot fetch anything (no url()-taking ones).
_STYLE_PROPERTIES = {
    "color", "background-color", "font", "font-family", "font-size", "font-style", "font-weight",
    "font-variant", "text-align", "text-decoration", "text-indent", "text-transform", "line-height",
    "letter-spacing", "word-spacing", "white-space", "vertical-align", "width", "min-width",
    "max-width", "height", "min-height", "margin", "margin-top", "margin-bottom", "margin-left",
    "margin-right", "padding", "padding-top", "padding-bottom", "padding-left", "padding-right",
    "border", "border-top", "border-bottom", "border-left", "border-right", "border-color",
    "border-style", "border-width", "border-collapse", "border-spacing", "border-top-width",
    "border-bottom-width", "border-left-width", "border-right-width", "border-top-style",
    "border-bottom-style", "border-left-style", "border-right-style", "border-top-color",
    "border-bottom-color", "border-left-color", "border-right-color", "display", "float", "clear",
    "page-break-before", "page-break-after", "page-break-inside", "break-before", "break-after",
    "text-underline-offset", "list-style-type", "table-layout", "overflow-wrap", "word-wrap",
}  # fmt: skip
_CLEAN_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "svg", "math", "template"}
_EXTERNAL = ("http://", "https://", "mailto:")

# nh3's output is normalised: text never holds "<" and attribute values never hold ">" or '"'
# (both escaped), so these patterns can only meet real tags and whole attributes. (The ids are
# read as the pattern ``<[a-z][^>]*?\sid="([^"]*)"`` reads them on any text: see _first_ids.)
_FIX_RE = re.compile(r"<(/?)(h[1-6]|a|img)\b([^>]*)>")
_NAME_RE = re.compile(r'<a\s[^>]*?\bname="([^"]*)"')
_ID_QUOTE_RE = re.compile(r'id="')
_SPACE_RE = re.compile(r"\s")
_TAG_START_RE = re.compile(r"<[a-z]")
_HREF_FRAGMENT_RE = re.compile(r'\shref="#([^"]*)"')
_SRC_RE = re.compile(r'\ssrc="([^"]*)"')


def sanitize_html(
    html: str,
    resolve_image: Callable[[str], str | None],
    resolve_link: Callable[[str], str | None] | None = None,
) -> str:
    """Clean filing HTML. ``resolve_image(src)`` returns a page-relative URL for an image the
    filing carries, or None to drop the image (external or missing); ``resolve_link(href)`` does
    the same for a relative link (to another document of the filing), else the link is dropped."""

    def keep(tag: str, attr: str, value: str) -> str | None:
        # called for every attribute of a filing (a million per thousand filings): the commonest,
        # style, is looked at first, and lower-cased only when it holds a "(" at all
        if attr == "style":
            # old IE CSS expressions; other url()-taking properties are filtered out
            return None if "(" in value and "expression(" in value.lower() else value
        if attr == "href":
            return _href(value, resolve_link)
        if attr == "src":
            return resolve_image(value) if tag == "img" else value
        if attr == "id" or attr == "name":
            return ID_PREFIX + value
        return value

    cleaned = nh3.clean(
        flatten_deep(html)[0],  # html5ever is quadratic in nesting depth: cap it as Chromium does
        tags=_TAGS,
        clean_content_tags=_CLEAN_CONTENT,
        attributes=_ATTRS,
        attribute_filter=keep,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto"},
        filter_style_properties=_STYLE_PROPERTIES,
    )
    return tidy(cleaned)


def _href(value: str, resolve_link: Callable[[str], str | None] | None) -> str | None:
    """Keep web and mail links, prefix in-page ones, send relative ones through ``resolve_link``.
    Everything returned here is built from a known-safe prefix: nh3 does not re-check it."""
    v = value.strip()
    if v.lower().startswith(_EXTERNAL):
        return v
    if v.startswith("#"):
        return f"#{ID_PREFIX}{v[1:]}" if len(v) > 1 else None
    if ":" in v.split("/", 1)[0] or resolve_link is None:
        return None  # any other scheme
    return resolve_link(v)


def tidy(html: str) -> str:
    """Headings -> ``<div class="fhN">``; in-page links without a target lose their href; images
    without a source are dropped, the others get an alt text (their file name) when they lack one."""
    targets = {*_first_ids(html), *_NAME_RE.findall(html)}

    def fix(m: re.Match[str]) -> str:
        close, name, attrs = m.groups()
        if name[0] == "h":
            return "</div>" if close else f'<div class="fh{name[1]}"{attrs}>'
        if name == "a" and not close and 'href="#' in attrs:
            frag = _HREF_FRAGMENT_RE.search(attrs)
            if frag and frag.group(1) not in targets:
                return f"<a{_HREF_FRAGMENT_RE.sub('', attrs)}>"
        elif name == "img":
            src = _SRC_RE.search(attrs)
            if src is None:
                return ""
            if " alt=" not in attrs:
                label = posixpath.basename(src.group(1))
                return f'<img alt="Image: {label}"{attrs}>'
        return m.group(0)

    return _FIX_RE.sub(fix, html)


def _first_ids(html: str) -> list[str]:
    """What ``re.findall(r'<[a-z][^>]*?\\sid="([^"]*)"', html)`` finds (the first id of each tag),
    read from the places ``id="`` is instead of from every tag: that pattern took a lazy step per
    character of every tag, and a filing has a million tags but few ids. Linear: each search
    goes on from where the last stopped."""
    out: list[str] = []
    pos = 0  # the next match starts here or later (after the last one)
    seen = 0  # ">" has been looked for up to here
    last_gt = -1  # the last ">" before the current place
    tag = -1  # the first "<[a-z]" after where it was last looked for (len(html) if none)
    for m in _ID_QUOTE_RE.finditer(html):
        at = m.start() - 1  # where the pattern's \s is
        if at < pos or not _SPACE_RE.match(html, at):
            continue
        gt = html.rfind(">", seen, at)
        last_gt, seen = (gt if gt != -1 else last_gt), at
        start = max(pos, last_gt + 1)  # the tag must open after the last ">" and the last match
        if tag < start:  # ``start`` never decreases: a tag found earlier still counts
            found = _TAG_START_RE.search(html, start)
            tag = found.start() if found else len(html)
        if tag + 2 > at:
            continue
        end = html.find('"', at + 5)
        if end == -1:
            break  # no closing quote: none further on either
        out.append(html[at + 5 : end])
        pos = end + 1
    return out


def image_resolver(files: dict[str, str], page_url: str) -> Callable[[str], str | None]:
    """Map an <img src> to a decoded file of the filing by its base name (case-insensitive)."""
    return _by_base_name(files, page_url)


def link_resolver(pages: dict[str, str], page_url: str) -> Callable[[str], str | None]:
    """Map a relative <a href> ("ex99.htm", "./d1.htm#x") to the page of the filing's document of
    that file name; anything else (a folder path, another filing, a missing file) resolves to None."""
    return _by_base_name(pages, page_url, same_folder=True)


def _by_base_name(
    targets: dict[str, str], page_url: str, same_folder: bool = False
) -> Callable[[str], str | None]:
    lowered = {name.lower(): url for name, url in targets.items() if name}
    start = posixpath.dirname(page_url) or "."

    def resolve(ref: str) -> str | None:
        path = ref.strip().replace("\\", "/").split("#", 1)[0].split("?", 1)[0]
        path = path[2:] if path.startswith("./") else path
        if same_folder and "/" in path:
            return None
        target = lowered.get(path.rsplit("/", 1)[-1].lower())
        return None if target is None else posixpath.relpath(target, start)

    return resolve
