"""The XML reader's loop (each match's groups in one call, the open element at hand) builds the
same tree as the former loop, kept here as the oracle, or refuses the same documents."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from generator import render_xml as X


def reference_parse(text: str) -> X.Node | None:
    stack: list[X.Node] = [X.Node("#document")]
    for count, m in enumerate(X._TOKEN_RE.finditer(text)):
        if count > X._MAX_ELEMENTS:
            return None
        if m.group("name"):
            name = m.group("name").rsplit(":", 1)[-1]
            if m.group("close"):
                if len(stack) < 2 or stack[-1].name != name:
                    return None
                stack.pop()
            else:
                node = X.Node(name)
                stack[-1].children.append(node)
                if not m.group("empty"):
                    stack.append(node)
        elif (value := m.group("cdata") or m.group("text")) and value.strip():
            stack[-1].text += html.unescape(value.strip()) if m.group("text") else value.strip()
    roots = stack[0].children
    return roots[0] if len(stack) == 1 and len(roots) == 1 else None


_PIECES = st.sampled_from(
    ["<a>", "</a>", "<b>", "</b>", "<ns:a>", "</ns:a>", "<c/>", "<d x='1'/>", "<a x=\">\">", "text",
     " ", "\n  ", "&amp;", "&lt;x&gt;", "&", "<![CDATA[ raw <a> ]]>", "<![CDATA[]]>", "<![CDATA[  ]]>",
     "<!-- c -->", "<?xml version='1.0'?>", "<!DOCTYPE x>", "<", ">", "</>", "é"]
)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_parse_equals_the_reference(text: str) -> None:
    assert X.parse(text) == reference_parse(text)


def test_the_element_limit_is_the_same() -> None:
    many = "<r>" + "<x/>" * (X._MAX_ELEMENTS + 5) + "</r>"
    assert X.parse(many) is None and reference_parse(many) is None
    edge = "<r>" + "<x/>" * (X._MAX_ELEMENTS - 1) + "</r>"
    assert X.parse(edge) == reference_parse(edge) and X.parse(edge) is not None
