"""Render stage, filing HTML -> safe HTML (nh3, the Ammonia sanitiser).

Filings are untrusted. What survives: structure, tables and the inline styles their layout needs
(an allow-list of CSS properties that cannot load anything), links to http(s)/mailto, and images
that resolve to a file decoded from the same filing. What never survives: scripts, event handlers,
forms, iframes, objects, SVG, ``javascript:`` URLs, external images, style sheets.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Callable

import nh3

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


def sanitize_html(html: str, resolve_image: Callable[[str], str | None]) -> str:
    """Clean filing HTML. ``resolve_image(src)`` returns a page-relative URL for an image the
    filing carries, or None to drop the image (external or missing)."""

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            return resolve_image(value)
        if attr == "href" and value.lower().startswith(("data:", "vbscript:", "javascript:")):
            return None
        if attr == "style" and "expression(" in value.lower():
            return None  # old IE CSS expressions; other url()-taking properties are filtered out
        return value

    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={
            "script",
            "style",
            "iframe",
            "object",
            "embed",
            "noscript",
            "svg",
            "math",
            "template",
        },
        attributes=_ATTRS,
        attribute_filter=keep,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto"},
        filter_style_properties=_STYLE_PROPERTIES,
    )


def image_resolver(files: dict[str, str], page_url: str) -> Callable[[str], str | None]:
    """Map an <img src> to a decoded file of the filing by its base name (case-insensitive)."""
    lowered = {name.lower(): url for name, url in files.items()}

    def resolve(src: str) -> str | None:
        name = src.strip().replace("\\", "/").rsplit("/", 1)[-1].split("?", 1)[0].lower()
        target = lowered.get(name)
        if target is None:
            return None
        return posixpath.relpath(target, posixpath.dirname(page_url) or ".")

    return resolve
