"""Parse stage, cover page: the primary document's plain text -> CoverPage.

For a headerless document the cover page is the only source of facts, so this reads what a person
reads: the form name, "Date of Report", the registrant's name above "(Exact name of registrant
...)", the state / commission file number / IRS number row, the address and telephone.
Pure: no I/O. Returns ``None`` fields for anything it cannot read with confidence (never a guess).
"""

from __future__ import annotations

from generator.model import CoverPage


def read_cover_page(text: str) -> CoverPage:
    raise NotImplementedError
