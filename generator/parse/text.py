"""Parse stage, text helpers: bytes -> str, and HTML -> plain text.

Decoding is strict UTF-8, else cp1252 (with the five bytes cp1252 leaves undefined mapped as
latin-1), which is exact on the real old filings in our corpus; charset guessers did worse.
"""

from __future__ import annotations

import codecs


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: keep them as latin-1 code points."""
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start : err.end]
    return bytes(bad).decode("latin-1"), err.end


codecs.register_error("filing_archive_latin1", _latin1_fallback)


def decode(data: bytes) -> str:
    """Decode filing bytes: strict UTF-8 first, then cp1252; never raises."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="filing_archive_latin1")
