"""Parse stage, cover page: the registrant's (or issuer's, or manager's) name.

The name is whatever sits above "(Exact name of registrant as specified in its charter)" on an
8-K, 10-Q or 10-K, above "(Name of Issuer)" on a Schedule 13G/13D or TO, after "Name:" on a 13F
cover page (or above "Name of Institutional Investment Manager" on the pre-1999 one), and below
"Issuer Name and Ticker or Trading Symbol" on a paper-style Form 4. A name that a narrow column
wrapped ("AVID BIOSERVICES," / "INC.") is joined back together.
"""

from __future__ import annotations

import re

from generator.parse.cover_lines import Cover, Label, is_caption, squeeze
from generator.parse.dates import DATE_RE

_ABOVE_LABELS = (
    Label(
        r"Exact\s+name\s+of\s+(?:the\s+)?(?:registrant|company|small\s+business\s+issuer|issuer"
        r"|securitizer|depositor|trust)s?\b",
        lead=r"[(\[]?\s*",
    ),
    Label(r"\(\s*Name\s+of\s+(?:Subject\s+Company|Issuer)\b"),
    Label(r"^[ \t]*\(?Name\s+of\s+Institutional\s+Investment\s+Manager", re.MULTILINE),
)
_13F_NAME = Label(r"Institutional\s+Investment\s+Manager\s+Filing\s+this\s+Report\s*:?\s*Name[ \t]*:")
_BELOW_LABELS = (Label(r"Issuer\s+Name\s+and\s+Ticker(?:\s+or\s+Trading)?\s+Symbol"),)
_NOT_A_NAME = re.compile(
    r"^(?:FORM|SCHEDULE)\b|CURRENT\s+REPORT|PURSUANT\s+TO|SECURITIES\s+(?:AND\s+)?EXCHANGE|"
    r"COMMISSION|WASHINGTON,?\s+D\.?\s?C|^\(?Date\s+of|^(?:N/?A|None|Not\s+Applicable)$",
    re.IGNORECASE,
)
_SUFFIX_ONLY = re.compile(
    r"^(?:INC|INCORPORATED|CORP|CORPORATION|CO|COMPANY|LLC|L\.L\.C|LP|L\.P|LTD|LIMITED|PLC|N\.A|S\.A"
    r"|TRUST|HOLDINGS?|GROUP|BANCORP|FUND)\.?,?$",
    re.IGNORECASE,
)
_CONTINUES = re.compile(r"(?:[,&]|\b(?:and|of|the|for))$", re.IGNORECASE)
_CONTINUATION = re.compile(r"^(?:and|&|of)\b", re.IGNORECASE)


def _clean(line: str) -> str | None:
    """The line as a name, or None when it cannot be one (a caption, a date, a heading)."""
    value = squeeze(line).strip(" :;_-").strip('"')
    if len(value) < 2 or len(value) > 150 or sum(c.isalpha() for c in value) < 2:
        return None
    if is_caption(value) or DATE_RE.search(value) or _NOT_A_NAME.search(value):
        return None
    return value


def _joined_upward(cover: Cover, index: int, name: str) -> str:
    """``name`` with the lines above it that it continues ("AVID BIOSERVICES," + "INC.")."""
    for _ in range(2):
        above = next(iter(cover.above(index, 1)), None)
        if above is None:
            break
        prev = _clean(cover.lines[above])
        wraps = _SUFFIX_ONLY.match(name) or _CONTINUATION.match(name)
        if prev is None or not (wraps or _CONTINUES.search(prev)):
            break
        name, index = f"{prev} {name}", above
    return name


def _above(cover: Cover, label: Label) -> str | None:
    m = label.search(cover)
    if m is None:
        return None
    inline = _clean(cover.before(m.start()))
    if inline:
        return inline
    i = cover.line_of(m.start())
    for j in cover.above(i, 1):
        name = _clean(cover.lines[j])
        return _joined_upward(cover, j, name) if name else None
    return None


def _below(cover: Cover, label: Label) -> str | None:
    m = label.search(cover)
    if m is None:
        return None
    inline = _clean(cover.after(m.end()))
    if inline:
        return inline
    for j in cover.below(cover.line_of(m.start()), 1):
        return _clean(cover.lines[j])
    return None


def read_company_name(cover: Cover) -> str | None:
    """The company the cover page is about, as written there; None when no caption names it."""
    for label in _ABOVE_LABELS:
        name = _above(cover, label)
        if name:
            return name
    m = _13F_NAME.search(cover)
    if m:
        name = _clean(cover.after(m.end()))
        if name:
            return name
    for label in _BELOW_LABELS:
        name = _below(cover, label)
        if name:
            return name
    return None
