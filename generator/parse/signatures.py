"""Parse stage, signatures: signer, title and date from the SIGNATURE(S) block."""

from __future__ import annotations

from generator.model import Signature


def find_signatures(text: str) -> tuple[Signature, ...]:
    raise NotImplementedError
