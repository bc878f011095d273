"""Parse stage, active content: which kinds of runnable or fetching markup a document carries.

EDGAR itself refuses active content, so a filing that carries a ``<script>``, an event handler or
a ``javascript:`` URL is either forged or damaged. The sanitiser (``generator.sanitize``) removes
all of it whatever this module says; this only names what was there, so the build report can
say "this filing carried a script" instead of dropping it silently. Pure: text in, names out.

One linear scan: every pattern is anchored on a fixed prefix and bounded, so a megabyte of
unclosed ``<`` costs no more than a megabyte of prose.
"""

from __future__ import annotations

import re

# Each pattern runs over the lower-cased text and starts with a literal, which the regex engine
# finds with a fast scan: one pattern with a leading alternation cost half the parse stage.
_CHECKS = (
    (
        re.compile(
            r"<(script|iframe|frame|frameset|object|embed|applet|svg|math|form|base|link|portal)[\s/>]"
        ),
        None,
    ),
    (re.compile(r"<meta[^<>]{0,300}?http-equiv\s*=\s*[\"']?\s*refresh"), "meta refresh"),
    (re.compile(r"script\s*:"), "javascript: URL"),
    (re.compile(r"data:"), "data: URL"),
    (re.compile(r"expression\s*\("), "CSS expression"),
    (re.compile(r"url\s*\(\s*[\"']?\s*(?:javascript|vbscript|data|https?:|//)"), "CSS url()"),
    # ``[\s/"']on...``: the character before "on" is checked per match (:func:`_confirmed`), as a
    # leading class made the engine try every blank of the text (half of this module's time)
    (re.compile(r"on[a-z]{3,30}\s*="), "event handler"),
)
_HANDLER_BEFORE = re.compile(r"[\s/\"']")
_SCHEME_BEFORE = re.compile(r"(?:java|vb|live)\Z")
_ATTRIBUTE_BEFORE = re.compile(r"(?:href|src|action|formaction|data|poster|background)\s*=\s*[\"']?\s*\Z")
_IN_TAG = {"event handler", "data: URL"}
#: Decoded files whose bytes a browser would run if it opened them as what they say they are.
_ACTIVE_FILE = re.compile(rb"<(?:script|svg|html|iframe|object|embed)\b|<\?xml-stylesheet", re.I)


def active_content(markup: str) -> list[str]:
    """The kinds of active content in HTML/XML ``markup``, sorted: ``["<script>", "event handler"]``."""
    low = markup.lower()
    found: set[str] = set()
    for pattern, label in _CHECKS:
        for m in pattern.finditer(low):
            if label is None:
                found.add(f"<{m.group(1)}>")
                continue
            at = m.start() - 1 if label == "event handler" else m.start()
            if at >= 0 and _confirmed(low, at, label):
                found.add(label)
                break
    return sorted(found)


def _confirmed(low: str, at: int, label: str) -> bool:
    """Rule out prose: a scheme needs its prefix, a data: URL an attribute, a handler a tag."""
    if label == "javascript: URL":
        return _SCHEME_BEFORE.search(low, max(0, at - 4), at) is not None
    if label == "data: URL" and not _ATTRIBUTE_BEFORE.search(low, max(0, at - 40), at):
        return False
    if label == "event handler" and not _HANDLER_BEFORE.match(low, at):
        return False  # ``at`` is the character before "on"
    if label in _IN_TAG:
        return low.rfind("<", max(0, at - 4000), at) > low.rfind(">", max(0, at - 4000), at)
    return True


def active_file(data: bytes) -> bool:
    """True when decoded bytes (a uuencoded .svg, .htm, ...) hold markup a browser could run."""
    return _ACTIVE_FILE.search(data, 0, 1024 * 1024) is not None


# --- nesting depth ------------------------------------------------------------------------------
#: Chromium's HTML parser stops nesting at 512 levels (deeper elements become siblings); beyond that
#: depth html5ever (inside nh3) walks the whole stack of open elements for every block tag it opens,
#: so 200,000 nested ``<div>`` (1 MB) took minutes to sanitise. Tags deeper than this are dropped
#: (their text is kept), which is what a browser would show anyway.
MAX_DEPTH = 512
_TAG_SPELLING = re.compile(r"<(/?[A-Za-z][A-Za-z0-9]{0,30})(?=[\s/>])")  # "div", "/DIV"
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,30})(?=[\s/>])(?:[^<>]{0,4000}>)?")
#: Elements that never stay open around their successors: void ones and those a sibling closes.
#: (``<div/>`` is an open ``<div>`` to an HTML parser, so a trailing slash changes nothing.)
_FLAT = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen basefont bgsound "
    "frame image isindex spacer p li dt dd tr td th option optgroup rb rt rp caption colgroup".split()
)


def max_depth(html: str) -> int:
    """How deep elements nest, counted as :func:`flatten_deep` counts (a cheap first pass that
    lets the usual shallow document go through untouched). Each distinct tag spelling is looked
    at once; the loop over the tags only counts."""
    tags = _TAG_SPELLING.findall(html)
    kinds: dict[str, tuple[bool, str] | None] = {}
    for tag in set(tags):
        name = tag.lstrip("/").lower()
        kinds[tag] = None if name in _FLAT else (tag[0] == "/", name)
    open_by_name = {kind[1]: 0 for kind in kinds.values() if kind}
    depth = deepest = 0
    for tag in tags:
        kind = kinds[tag]
        if kind is None:
            continue
        if kind[0]:
            if open_by_name[kind[1]]:
                open_by_name[kind[1]] -= 1
                depth -= 1
        else:
            depth += 1
            open_by_name[kind[1]] += 1
            if depth > deepest:
                deepest = depth
    return deepest


def flatten_deep(html: str, limit: int = MAX_DEPTH) -> tuple[str, int]:
    """``html`` with every tag that would open (or close) an element deeper than ``limit`` removed,
    and how many were. Linear: one pass over the tags, a counter per element name (a closing tag
    counts only when one of its name is open, as a parser ignores a stray one)."""
    if html.count("<") <= limit or max_depth(html) <= limit:
        return html, 0
    depth, open_by_name, dropped = 0, dict[str, int](), 0
    keep: list[str] = []
    last = 0
    for m in _TAG_TOKEN.finditer(html):
        name = m.group(2).lower()
        if name in _FLAT:
            continue
        if m.group(1):
            if not open_by_name.get(name):
                continue
            open_by_name[name] -= 1
            depth -= 1
            drop = depth >= limit
        else:
            depth += 1
            open_by_name[name] = open_by_name.get(name, 0) + 1
            drop = depth > limit
        if drop:
            keep.append(html[last : m.start()])
            last = m.end()
            dropped += 1
    if not dropped:
        return html, 0
    keep.append(html[last:])
    return "".join(keep), dropped
