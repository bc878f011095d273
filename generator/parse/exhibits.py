"""Parse stage, exhibits: "Exhibit 99.1" references and exhibit-index rows in the primary text."""

from __future__ import annotations

from generator.model import ExhibitReference


def find_exhibit_references(text: str) -> tuple[ExhibitReference, ...]:
    raise NotImplementedError
