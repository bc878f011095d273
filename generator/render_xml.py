"""Render stage, XML documents -> HTML a person can read.

EDGAR's structured documents (13F information tables, the 13F/Form D ``edgarSubmission``, Forms
3/4/5 ``ownershipDocument``) are data, not prose. A run of sibling records (the ``infoTable``s of
a 13F) becomes one table, a column per field; the rest becomes nested definition lists with the
element names spelled out ("nameOfIssuer" -> "Name of issuer"). Anything else (XBRL instances,
schemas, linkbases: machine documents, often huge) is shown as its source, like plain text.

The reader is a small regex tokenizer: no DTDs, no entities beyond the predefined ones, nothing
fetched, so a hostile document can neither expand nor reach out. Nothing here trusts the input:
every name and value is escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from generator.render_text import render_plain

#: Roots shown as data; every other XML document is shown as its source.
STRUCTURED_ROOTS = frozenset({"informationtable", "edgarsubmission", "ownershipdocument"})
_MAX_ELEMENTS = 200_000
#: Deepest element shown as data (EDGAR's structured documents nest under ten deep); rendering
#: recurses once or twice per level, and 600 levels of a hostile document passed Python's limit.
_MAX_DEPTH = 100
_TOKEN_RE = re.compile(
    r"<!\[CDATA\[(?P<cdata>.*?)\]\]>|<!--.*?-->|<\?.*?\?>|<![^>]*>"
    r"|<(?P<close>/)?(?P<name>[\w.:-]+)(?:\s[^>]*?)?(?P<empty>/)?>|(?P<text>[^<]+)",
    re.S,
)
_ROOT_RE = re.compile(r"<([A-Za-z_][\w.:-]*)")
_WRAPPER_RE = re.compile(r"^\s*<XML>|</XML>\s*$", re.I)
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
#: The 13F information table's abbreviated names, as the form's instructions word them.
_LABELS = {
    "cusip": "CUSIP", "sshPrnamt": "Shares or principal", "sshPrnamtType": "SH/PRN", "putCall": "Put/call",
    "figi": "FIGI", "Sole": "Voting: sole", "Shared": "Voting: shared", "None": "Voting: none",
    "investmentDiscretion": "Discretion", "otherManager": "Other managers", "value": "Value",
}  # fmt: skip
#: Amounts of the 13F information table: right-aligned, digits grouped.
_AMOUNTS = frozenset({"value", "sshPrnamt", "Sole", "Shared", "None"})
_AMOUNT_RE = re.compile(r"[0-9]{1,100}")  # ASCII digits only; no real amount is near 100 long


@dataclass
class Node:
    name: str
    children: list[Node] = field(default_factory=list)
    text: str = ""


def render_xml(text: str) -> str:
    """A structured document as tables and lists; any other XML as its source text."""
    body = _WRAPPER_RE.sub("", text)
    first = _ROOT_RE.search(body[:4096])  # look before reading: XBRL instances run to megabytes
    if first is None or first.group(1).rsplit(":", 1)[-1].lower() not in STRUCTURED_ROOTS:
        return render_plain(text)
    root = parse(body)
    if root is None:
        return render_plain(text)
    return f'<div class="xml-doc">{_render(root, 2)}</div>'


def parse(text: str) -> Node | None:
    """The element tree (local names, text trimmed); None when the text is not one tidy tree.

    The loop runs once per token of a document that can hold thousands of records: each match
    gives its groups in one call, and the open element is kept at hand. Each open element's text
    is kept as pieces and joined when it closes: ``text +=`` copied the text so far at every
    piece, and an element of 90,000 pieces (a 5 MB hostile document) took 5 s. A tree deeper
    than :data:`_MAX_DEPTH` is refused too (rendering it recursed past Python's limit)."""
    stack: list[Node] = [Node("#document")]
    pieces: list[list[str]] = [[]]
    top, text_of_top = stack[0], pieces[0]
    tokens = map(re.Match.groups, _TOKEN_RE.finditer(text))  # cdata, close, name, empty, text
    for count, (cdata, close, name, empty, chars) in enumerate(tokens):
        if count > _MAX_ELEMENTS:
            return None
        if name:
            name = name.rsplit(":", 1)[-1]
            if close:
                if len(stack) < 2 or top.name != name:
                    return None
                top.text = "".join(pieces.pop())
                stack.pop()
                top, text_of_top = stack[-1], pieces[-1]
            else:
                node = Node(name)
                top.children.append(node)
                if not empty:
                    if len(stack) > _MAX_DEPTH:
                        return None
                    stack.append(node)
                    pieces.append([])
                    top, text_of_top = node, pieces[-1]
        elif chars:
            if value := chars.strip():
                text_of_top.append(html.unescape(value))
        elif cdata and (value := cdata.strip()):
            text_of_top.append(value)
    roots = stack[0].children
    return roots[0] if len(stack) == 1 and len(roots) == 1 else None


def label(name: str) -> str:
    """ "nameOfIssuer" -> "Name of issuer"."""
    if name in _LABELS:
        return _LABELS[name]
    words = _CAMEL_RE.sub(" ", name).replace("_", " ").split()
    return (
        " ".join([words[0].capitalize(), *(w if w.isupper() else w.lower() for w in words[1:])])
        if words
        else name
    )


def _render(node: Node, depth: int) -> str:
    """A node's children: runs of same-named records as tables, the others as a <dl>."""
    out: list[str] = []
    items: list[str] = []
    i = 0
    kids = node.children
    while i < len(kids):
        j = i
        while j < len(kids) and kids[j].name == kids[i].name:
            j += 1
        if j - i >= 2 and kids[i].children:
            if items:
                out.append(f"<dl>{''.join(items)}</dl>")
                items = []
            out.append(_table(kids[i].name, kids[i:j]))
        else:
            items += [_item(k, depth) for k in kids[i:j]]
        i = j
    if items:
        out.append(f"<dl>{''.join(items)}</dl>")
    return "".join(out)


def _item(node: Node, depth: int) -> str:
    value = _render(node, depth + 1) if node.children else html.escape(node.text)
    return f"<dt>{html.escape(label(node.name))}</dt><dd>{value}</dd>"


def _leaves(node: Node, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = []
    for k in node.children:
        path = (*prefix, k.name)
        out += _leaves(k, path) if k.children else [(path, k.text)]
    return out


def _cell(path: tuple[str, ...], value: str) -> str:
    """An amount with its digits grouped when it is ASCII digits of a sane length; anything else
    as written (``str.isdigit`` accepts "²", which ``int`` refuses, and ``int`` refuses over 4,300
    digits: both raised and the filing failed to render)."""
    if path[-1] in _AMOUNTS and _AMOUNT_RE.fullmatch(value):
        return f'<td class="n">{int(value):,}</td>'
    return f"<td>{html.escape(value)}</td>"


def _table(name: str, records: list[Node]) -> str:
    """Records as rows, one column per leaf path (in first-seen order)."""
    rows = [dict(_leaves(r)) for r in records]
    columns = list(dict.fromkeys(path for row in rows for path in row))
    head = "".join(
        f'<th scope="col"{" class=n" if path[-1] in _AMOUNTS else ""}>{html.escape(label(path[-1]))}</th>'
        for path in columns
    )
    body = "".join(
        "<tr>" + "".join(_cell(path, row.get(path, "")) for path in columns) + "</tr>\n" for row in rows
    )
    caption = f"<caption>{html.escape(label(name))}: {len(records)} rows</caption>"
    return f'<div class="table-scroll"><table class="data">{caption}<thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table></div>'
