"""Parse stage, items: 8-K (and 10-K) item codes and titles.

Two sources: the header's ITEM INFORMATION titles (mapped to codes with the numbering in force on
the filing date: the pre-August-2004 numbering "1".."12", the current "1.01".."9.01"), and the
body's headings such as "ITEM 5. OTHER EVENTS." or "Item 2.02 Results of Operations ...".
"""

from __future__ import annotations

from generator.model import Item


def items_from_header(titles: tuple[str, ...], codes: tuple[str, ...], filed: str | None) -> tuple[Item, ...]:
    raise NotImplementedError


def find_items(text: str, form: str | None, filed: str | None) -> tuple[Item, ...]:
    raise NotImplementedError
