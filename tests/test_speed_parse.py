"""The parse stage's fast paths give exactly what the plain code they replaced gives.

Each former implementation is kept here verbatim as the oracle; the cases are generated (with
the characters the fast paths treat specially) and real documents from the shared corpus."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Document
from generator.parse import filing as filing_mod
from generator.parse.filing import _inline_sgml_as, parse_filing, read_documents, text_fingerprint

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _real_files(limit: int = 60) -> list[Path]:
    """Real submissions and documents: the shared corpus (when present) and the fixtures."""
    found = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".txt", ".htm", ".html", ".xml"))
    found += sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in (".txt", ".htm", ".html", ".xml"))
    return found[:limit] + found[limit::7]


# --- text_fingerprint ----------------------------------------------------------------------------


def _old_text_fingerprint(doc: Document | None) -> str | None:
    if doc is None or not doc.text:
        return None
    words = " ".join(_inline_sgml_as(" ", doc.text).split())
    return hashlib.sha1(words.encode("utf-8", "replace")).hexdigest()


_TEXT_PIECES = st.sampled_from(
    ["word", "Word", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f",
     "\x1b", "\x00", "\x85", "\xa0", "\u2003", "\u3000", "\u2028", "\ud800", "\u00e9", "<PAGE>",
     "<S>", "</TABLE>", "<c>", "<F12>", "<p>", "<", ">", "x"]
)  # fmt: skip


def _doc(text: str) -> Document:
    return Document(sequence=1, type=None, filename=None, description=None, size=len(text), format="plain", text=text)


@settings(max_examples=500, deadline=None)
@given(st.lists(_TEXT_PIECES, max_size=40).map("".join))
def test_text_fingerprint_equals_the_split_and_join(text):
    assert text_fingerprint(_doc(text)) == _old_text_fingerprint(_doc(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_text_fingerprint_on_any_text(text):
    assert text_fingerprint(_doc(text)) == _old_text_fingerprint(_doc(text))


def test_every_ascii_blank_is_one_that_split_splits_on():
    blanks = "".join(chr(i) for i in range(128) if chr(i).isspace())
    text = "a" + blanks + "b" + "".join(chr(i) for i in range(128)) + "c"
    assert filing_mod._words(text) == " ".join(text.split()).encode()


def test_text_fingerprint_on_real_documents():
    files = _real_files()
    if not files:
        pytest.skip("no real documents here")
    for path in files:
        for doc in parse_filing(path.read_bytes(), path.name).documents:
            assert text_fingerprint(doc) == _old_text_fingerprint(doc), path


# --- read_documents (what pass 2 reads again instead of the spill carrying it) -------------------


def test_read_documents_reads_what_parse_filing_reads():
    import gzip

    files = _real_files()
    if not files:
        pytest.skip("no real documents here")
    for path in files:
        data = path.read_bytes()
        assert read_documents(data, path.name) == parse_filing(data, path.name).documents, path
        packed = gzip.compress(data, mtime=0)
        assert read_documents(packed, path.name + ".gz") == parse_filing(packed, path.name + ".gz").documents
