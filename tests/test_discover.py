"""Discovery recognises files by content and groups the folders of one accession."""

from __future__ import annotations

import gzip

from hypothesis import given
from hypothesis import strategies as st

from generator.build import make_units
from generator.discover import discover, folder_hints, sniff


def test_sniff_by_content_not_name():
    assert sniff(b"<SEC-DOCUMENT>x\n<SEC-HEADER>") == "submission"
    assert sniff(b"-----BEGIN PRIVACY-ENHANCED MESSAGE-----\n<SEC-DOCUMENT>") == "submission"
    assert sniff(b"<SUBMISSION>\n<ACCESSION-NUMBER>0001193125-10-145855") == "submission"
    assert sniff(b"<html><body><p>FORM 8-K</p></body></html>") == "html"
    assert sniff(b'<?xml version="1.0"?><edgarSubmission/>') == "xml"
    assert sniff(b"  SECURITIES AND EXCHANGE COMMISSION\n  FORM 8-K\n") == "text"
    assert sniff(b"\xff\xd8\xff\xe0JFIF") == "binary"
    assert sniff(b"milk, eggs\n") is None
    assert sniff(b"") is None
    assert sniff(b"\x00\x01\x02" * 100) is None


@given(st.binary(max_size=4096))
def test_sniff_never_raises(data):
    assert sniff(data) in (None, "submission", "html", "xml", "text", "binary")


def test_layout_hints():
    assert folder_hints("edgar/data/320193/000032019397000011/d10q.htm") == (
        "archives",
        "0000320193-97-000011",
        "0000320193",
    )
    assert folder_hints("sec-edgar-filings/AAPL/10-Q/0000320193-97-000011/full-submission.txt")[:2] == (
        "downloader",
        "0000320193-97-000011",
    )
    assert folder_hints("x/0000320193-97-000011.txt") == ("flat", "0000320193-97-000011", None)


def test_folders_group_into_units(tmp_path):
    acc = tmp_path / "sec-edgar-filings" / "AAPL" / "8-K" / "0000320193-99-000010"
    acc.mkdir(parents=True)
    (acc / "full-submission.txt").write_text("<SEC-DOCUMENT>\n<SEC-HEADER>\n</SEC-HEADER>\n")
    (acc / "primary-document.html").write_text("<html><body>FORM 8-K</body></html>")
    (tmp_path / "other.txt.gz").write_bytes(gzip.compress(b"<SEC-DOCUMENT>\n<SEC-HEADER>\n"))
    (tmp_path / ".hidden.txt").write_text("x")
    found, skipped = discover(tmp_path)
    assert [s.kind for s in found] == ["submission", "submission", "html"]
    units = make_units(found)
    assert [len(u) for u in units] == [1, 2]
    assert [s.path for s in skipped] == [".hidden.txt"]
