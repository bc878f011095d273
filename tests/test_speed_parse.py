"""The parse stage's fast paths give exactly what the plain code they replaced gives.

Each former implementation is kept here verbatim as the oracle; the cases are generated (with
the characters the fast paths treat specially) and real documents from the shared corpus."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Document
from generator.parse import cover as cover_mod
from generator.parse import cover_name
from generator.parse import filing as filing_mod
from generator.parse.cover_lines import Cover, Label
from generator.parse.filing import (
    _inline_sgml_as,
    parse_filing,
    primary_text,
    read_documents,
    text_fingerprint,
)

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _real_files(limit: int = 60) -> list[Path]:
    """Real submissions and documents: the shared corpus (when present) and the fixtures."""
    found = sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".txt", ".htm", ".html", ".xml")
    )
    found += sorted(
        p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in (".txt", ".htm", ".html", ".xml")
    )
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
    return Document(
        sequence=1, type=None, filename=None, description=None, size=len(text), format="plain", text=text
    )


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


# --- Label with a lead (cover captions that may open with a bracket and blanks) -------------------

_OLD_REPORT_DATE_RE = re.compile(
    r"(\(\s*)?Date\s+of\s+(?:Report|earliest\s+event\s+reported|Event\s+Which\s+Requires\s+Filing)",
    re.IGNORECASE,
)
_OLD_EXACT_NAME = re.compile(
    r"[(\[]?\s*Exact\s+name\s+of\s+(?:the\s+)?(?:registrant|company|small\s+business\s+issuer|issuer"
    r"|securitizer|depositor|trust)s?\b",
    re.IGNORECASE,
)
_LED = ((_OLD_REPORT_DATE_RE, cover_mod._REPORT_DATE_RE), (_OLD_EXACT_NAME, cover_name._ABOVE_LABELS[0]))

_CAPTION_PIECES = st.sampled_from(
    ["Date of Report", "date  of\nreport", "DATE OF EARLIEST EVENT REPORTED", "Date of Event Which Requires Filing",
     "Exact name of registrant", "EXACT NAME OF THE COMPANY", "exact name of issuers", "Exact Name of Trust",
     "(", "[", "{", ")", " ", "  ", "\n", "\t", "\x1c", "\xa0", "x", "AB", "Date", "Exact", "of", "\u0130",
     "\u212a", ":", "registrant", "s", "Report"]
)  # fmt: skip


def _all_matches(old: re.Pattern[str], label: Label, text: str) -> None:
    expected = [(m.span(), m.groups()) for m in old.finditer(text)]
    assert [(m.span(), m.groups()) for m in label.finditer(text)] == expected
    assert [(m.span(), m.groups()) for m in label.finditer(Cover.of(text))] == [
        (m.span(), m.groups()) for m in old.finditer(Cover.of(text).text)
    ]
    for pos in range(0, len(text) + 1, max(1, len(text) // 7)):
        for endpos in (len(text), len(text) - pos // 2, pos + 12):
            want = old.search(text, pos, endpos)
            got = label.search(text, pos, endpos)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), (
                pos,
                endpos,
            )


@settings(max_examples=400, deadline=None)
@given(st.lists(_CAPTION_PIECES, max_size=30).map("".join))
def test_a_led_label_matches_what_the_whole_pattern_matches(text):
    for old, label in _LED:
        _all_matches(old, label, text)


def test_a_led_label_on_real_covers():
    files = _real_files()
    if not files:
        pytest.skip("no real documents here")
    for path in files:
        text = primary_text(parse_filing(path.read_bytes(), path.name).primary)
        for old, label in _LED:
            cover = Cover.of(text)
            want = [(m.span(), m.groups()) for m in old.finditer(cover.text)]
            assert [(m.span(), m.groups()) for m in label.finditer(cover)] == want, path
