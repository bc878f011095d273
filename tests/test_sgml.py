"""Unit tests of the SGML stage (read_submission), uudecoding and the text helpers, on small inline
inputs and the trimmed real filings in tests/fixtures/sgml/ (see its README)."""

from __future__ import annotations

import binascii
import hashlib
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Address, FormerName
from generator.parse.sgml import looks_like_submission, read_submission
from generator.parse.text import detect_format, html_to_text
from generator.parse.uu import decode_uu, safe_filename

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sgml"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sec_header(count: int | str = 1, extra: str = "") -> str:
    return (
        "<SEC-DOCUMENT>0000000001-99-000001.txt : 19990101\n"
        "<SEC-HEADER>0000000001-99-000001.hdr.sgml : 19990101\n"
        "ACCESSION NUMBER:\t\t0000000001-99-000001\nCONFORMED SUBMISSION TYPE:\t8-K\n"
        f"PUBLIC DOCUMENT COUNT:\t\t{count}\nFILED AS OF DATE:\t\t19990101\n{extra}\n"
        "FILER:\n\n\tCOMPANY DATA:\t\n\t\tCOMPANY CONFORMED NAME:\t\t\tTEST CO\n"
        "\t\tCENTRAL INDEX KEY:\t\t\t1234\n</SEC-HEADER>\n"
    )


def doc(seq: int, body: str, name: str = "a.txt", close: bool = True) -> str:
    end = "</TEXT>\n</DOCUMENT>\n" if close else ""
    return f"<DOCUMENT>\n<TYPE>EX-99\n<SEQUENCE>{seq}\n<FILENAME>{name}\n<TEXT>\n{body}{end}"


# --- header styles ----------------------------------------------------------------------------------
def test_ims_header_in_pem_wrapper() -> None:
    sub = read_submission(fixture("ims-header-pem-1994.txt"))
    h = sub.header
    assert h is not None and h.format == "ims-header" and h.pem_wrapped
    assert (h.accession_no, h.form, h.filed, h.period) == (
        "0000320193-94-000016",
        "10-K",
        "1994-12-13",
        "1994-09-30",
    )
    (apple,) = h.filers
    assert (apple.role, apple.name, apple.cik, apple.irs_number) == (
        "filer",
        "APPLE COMPUTER INC",
        "0000320193",
        "942404110",
    )
    assert (apple.sic, apple.sic_description, apple.fiscal_year_end) == (
        "3571",
        "ELECTRONIC COMPUTERS",
        "0930",
    )
    assert apple.file_number == "000-10030" and apple.mail_address is None
    assert apple.business_address == Address(
        "20525 MARIANI AVE", None, "CUPERTINO", "CA", "95014", "4089961010"
    )
    assert [d.type for d in sub.documents] == ["10-K", "EX-10"]
    assert sub.diagnostics == ("PUBLIC DOCUMENT COUNT 5 but 2 <DOCUMENT> blocks",)  # the fixture was cut


def test_reporting_owner_tag_section_inside_sec_header() -> None:
    h = read_submission(fixture("sec-header-reporting-owner-2000.txt")).header
    assert h is not None and h.format == "sec-header"
    subject, owner = h.filers
    assert subject.role == "subject company" and subject.former_names == (
        FormerName("PRODUCTIVITY TECHNOLOGIES CORP /DE", "1996-06-07"),
    )
    assert (owner.role, owner.name, owner.cik, owner.sic) == (
        "reporting owner",
        "FOSTER ALAN H",
        "0001050609",
        None,
    )
    assert owner.mail_address == Address(
        "PRODUCTIVITY TECHNOLOGIES CORP", "509 MADISON AVE", "NEW YORK", "NY", "10022"
    )


def test_tag_style_submission() -> None:
    sub = read_submission(fixture("submission-serial-company-2010.nc"))
    h = sub.header
    assert h is not None and h.format == "submission" and not h.pem_wrapped
    assert (h.accession_no, h.form, h.filed, h.declared_document_count) == (
        "0001193125-10-145855",
        "424B5",
        "2010-06-24",
        5,
    )
    filer, serial = h.filers
    assert (filer.role, filer.sic, filer.sic_description, filer.irs_number) == (
        "filer",
        "6189",
        None,
        "010794037",
    )
    assert (serial.role, serial.name, serial.file_number) == (
        "serial company",
        "CarMax Auto Owner Trust 2010-2",
        "333-149075-05",
    )
    assert sub.documents[0].format == "html" and sub.documents[0].filename == "d424b5.htm"


def collapse(data: bytes) -> bytes:
    """The header of a tag-style file with every newline removed (documents left as they are)."""
    at = data.find(b"<DOCUMENT>")
    return data[:at].replace(b"\r", b"").replace(b"\n", b"") + data[at:]


@pytest.mark.parametrize("name", ["submission-serial-company-2010.nc", "submission-cr-line-ends-2025.nc"])
def test_header_collapsed_onto_one_line_reads_the_same(name: str) -> None:
    data = fixture(name)
    one_line = collapse(data)
    assert one_line.count(b"\n", 0, one_line.find(b"<DOCUMENT>")) == 0
    assert read_submission(one_line) == read_submission(data)


def test_bare_cr_line_ends() -> None:
    sub = read_submission(fixture("submission-cr-line-ends-2025.nc"))
    owner, issuer = sub.header.filers if sub.header else ()
    assert (owner.role, owner.name, owner.cik, owner.file_number) == (
        "reporting owner",
        "Snow Jessica",
        "0002009134",
        "001-40791",
    )
    assert owner.mail_address == Address(
        "C/O 2SEVENTY BIO, INC.", "60 BINNEY STREET", "CAMBRIDGE", "MA", "02210"
    )
    assert (issuer.role, issuer.sic, issuer.business_address.phone) == ("issuer", "2834", "339-499-9300")  # type: ignore[union-attr]
    (form4,) = sub.documents
    assert form4.format == "xml" and form4.text.startswith("\r<XML>\r<?xml")  # a bare CR is not dropped


def test_messy_header_lines() -> None:
    extra = "ITEM INFORMATION:\t\tOther Events\nITEM INFORMATION:\t\tFinancial Statements and Exhibits\n"
    extra += "GROUP MEMBERS:\t\tA CORP\n"
    body = sec_header(extra=extra).replace(
        "CENTRAL INDEX KEY:\t\t\t1234\n",
        "CENTRAL INDEX KEY:\t\t\t1234\n\t\tSTANDARD INDUSTRIAL CLASSIFICATION:\t [3571\n"
        "]\t\tIRS NUMBER:\t\t94-2404110\n"
        "\t\tSTATE OF INCORPORATION:\tCA\n\tFORMER COMPANY:\n\t\tFORMER CONFORMED NAME:\tOLD CO\n"
        "\t\tDATE OF NAME CHANGE:\t19991399\n",
    )
    h = read_submission((body + doc(1, "x\n")).encode()).header
    assert h is not None
    assert h.item_titles == ("Other Events", "Financial Statements and Exhibits") and h.group_members == (
        "A CORP",
    )
    (f,) = h.filers
    assert (f.cik, f.sic, f.sic_description, f.irs_number, f.state_of_incorporation) == (
        "0000001234",
        "3571",
        None,
        "942404110",
        "CA",
    )
    assert f.former_names == (FormerName("OLD CO", None),)  # 1999-13-99 is no date


def test_acceptance_datetime_and_items() -> None:
    data = b"<SUBMISSION>\n<ACCESSION-NUMBER>000092963825000114\n<TYPE>ABS-15G\n<ITEMS>2.01\n<ITEMS>9.01\n"
    data += b"<ACCEPTANCE-DATETIME>20250110171538\n<FILING-DATE>20250230\n"
    h = read_submission(data).header
    assert h is not None and h.accession_no == "0000929638-25-000114"
    assert (h.item_codes, h.acceptance_datetime, h.filed) == (("2.01", "9.01"), "2025-01-10T17:15:38", None)


def test_unclosed_header() -> None:
    sub = read_submission(
        b"<SEC-HEADER>\nACCESSION NUMBER: 0000000001-99-000003\n<DOCUMENT>\n<TYPE>8-K\n<TEXT>\nhi"
    )
    assert sub.header is not None and sub.header.accession_no == "0000000001-99-000003"
    assert "<SEC-HEADER> is not closed before the first document" in sub.diagnostics
    assert sub.documents[0].text == "hi"


# --- documents ------------------------------------------------------------------------------------
def test_sizes_are_bytes_after_the_one_newline_after_text() -> None:
    body = "caf\u00e9\r\nline 2\r\n"
    data = (sec_header() + doc(1, "")).replace("<TEXT>\n", "<TEXT>\r\n" + body).encode("cp1252")
    (d,) = read_submission(data).documents
    raw = body.encode("cp1252")
    assert (d.size, d.sha256, d.text, d.format) == (len(raw), hashlib.sha256(raw).hexdigest(), body, "plain")


def test_truncated_document_ends_at_the_next_document_or_the_end() -> None:
    data = (
        sec_header(3)
        + doc(1, "one\n")
        + doc(2, "cut off\n", close=False)
        + doc(3, "three\n")
        + doc(4, "tail", close=False)
    )
    sub = read_submission(data.encode())
    assert [d.text for d in sub.documents] == ["one\n", "cut off\n", "three\n", "tail"]
    assert (
        "document 2 has no </TEXT>" in sub.diagnostics and "document 4 has no </DOCUMENT>" in sub.diagnostics
    )
    assert sub.diagnostics[0] == "PUBLIC DOCUMENT COUNT 3 but 4 <DOCUMENT> blocks"


def test_quoted_document_tag_inside_a_body_is_text() -> None:
    body = "The EDGAR format opens each block with\n<DOCUMENT>\nand closes it.\n"
    (d,) = read_submission((sec_header() + doc(1, body)).encode()).documents
    assert d.text == body


def test_declared_count_mismatch() -> None:
    sub = read_submission((sec_header(5) + doc(1, "x\n")).encode())
    assert sub.header is not None and sub.header.declared_document_count == 5
    assert sub.diagnostics == ("PUBLIC DOCUMENT COUNT 5 but 1 <DOCUMENT> blocks",)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [("../../escape.txt", "escape.txt"), ("/etc/passwd", "passwd"), ("C:\\x\\win.txt", "win.txt"),
     ("C:evil.txt", "C_evil.txt"), ("a\x00b\x07.htm", "ab.htm"), ("..", None), (".", None), ("", None),
     ("/", None), (".htaccess", "htaccess"), ("ex 99?.htm", "ex_99_.htm"), ("d424b5.htm", "d424b5.htm")],
)  # fmt: skip
def test_safe_filename(raw: str, safe: str | None) -> None:
    assert safe_filename(raw) == safe


def test_unsafe_names_are_replaced_and_reported() -> None:
    jpg = b"\xff\xd8\xff\xe0 jpeg bytes"
    uu = "begin 644 ../../../tmp/x.jpg\n" + binascii.b2a_uu(jpg).decode() + "`\nend\n"
    data = (
        sec_header(3) + doc(1, "a\n", "../../escape.txt") + doc(2, "b\n", "/etc/passwd") + doc(3, uu, "x.jpg")
    )
    sub = read_submission(data.encode())
    assert [d.filename for d in sub.documents] == ["escape.txt", "passwd", "x.jpg"]
    assert sub.documents[2].data == jpg and sub.documents[2].data_filename == "x.jpg"
    assert sum("unsafe file name" in m for m in sub.diagnostics) == 3
    assert any("'../../escape.txt'" in m for m in sub.diagnostics)


def test_headerless_documents() -> None:
    sub = read_submission(b"<DOCUMENT>\n<TYPE>S-3/A\n<SEQUENCE>1\n<TEXT>\nAs filed\n</TEXT>\n</DOCUMENT>\n")
    assert sub.header is None and sub.diagnostics == ("no recognised header",)
    assert [(d.type, d.sequence, d.text) for d in sub.documents] == [("S-3/A", 1, "As filed\n")]


@pytest.mark.parametrize(
    "data", [b"", b"\x00" * 10, b"<DOCUMENT>", b"<SEC-HEADER>", b"<SUBMISSION><TYPE>", b"<TEXT>"]
)
def test_degenerate_inputs(data: bytes) -> None:
    sub = read_submission(data)
    assert all(isinstance(m, str) for m in sub.diagnostics)


def test_pdf_and_uuencoded_pdf_bodies() -> None:
    pdf = b"%PDF-1.4\n% tiny\n"
    uu = "<PDF>\nbegin 644 doc.pdf\n" + binascii.b2a_uu(pdf).decode() + "`\nend\n</PDF>\n"
    raw = "<PDF>\n%PDF-1.4 raw\n</PDF>\n"
    a, b = read_submission((sec_header(2) + doc(1, uu) + doc(2, raw)).encode()).documents
    assert (a.format, a.data, a.data_filename) == ("uuencoded", pdf, "doc.pdf")
    assert (b.format, b.data, b.text) == ("pdf", b"%PDF-1.4 raw\n", "")


def test_looks_like_submission() -> None:
    for name in [p.name for p in FIXTURES.iterdir() if p.suffix in (".txt", ".nc")]:
        assert looks_like_submission(fixture(name))
    assert looks_like_submission(
        b"-----BEGIN PRIVACY-ENHANCED MESSAGE-----\nProc-Type: 2001\n\n<SEC-DOCUMENT>x"
    )
    assert not looks_like_submission(b"<html><body>8-K</body></html>")
    assert not looks_like_submission(b"x" * 70000 + b"<DOCUMENT>")


# --- uudecode -------------------------------------------------------------------------------------
@given(st.binary(max_size=3000), st.booleans())
def test_uu_round_trip(payload: bytes, backtick: bool) -> None:
    lines = [binascii.b2a_uu(payload[i : i + 45], backtick=backtick) for i in range(0, len(payload), 45)]
    body = b"begin 644 f.bin\n" + b"".join(lines) + (b"`\n" if backtick else b" \n") + b"end\n"
    uu = decode_uu(body)
    assert uu is not None and (uu.name, uu.mode, uu.data, uu.problems) == ("f.bin", "644", payload, ())
    stripped = body.replace(b"\n", b"\r").replace(b" \r", b"\r")  # bare CRs, trailing spaces dropped
    assert decode_uu(stripped).data == payload  # type: ignore[union-attr]


def test_uu_damage_is_reported_not_raised() -> None:
    good = binascii.b2a_uu(b"hello world")
    uu = decode_uu(b"begin 644 a.bin\n" + good.rstrip(b"\n") + b"garbage!!\n" + b"Mlowercase!\n")
    assert uu is not None and uu.data.startswith(b"hello world")
    assert len(uu.problems) == 2  # one undecodable line, no 'end'
    assert decode_uu(b"no begin line here") is None


# --- robustness -----------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    read_submission(data)
    read_submission(b"<SUBMISSION>\n<DOCUMENT>\n<TYPE>X\n<TEXT>\n" + data)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_never_raises_on_mutated_real_headers(data: st.DataObject) -> None:
    name = data.draw(
        st.sampled_from(sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".txt", ".nc")))
    )
    raw = bytearray(fixture(name))
    for _ in range(data.draw(st.integers(1, 20))):
        at = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(["flip", "cut", "dup", "insert"]))
        if op == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[at : at + data.draw(st.integers(1, 200))]
        elif op == "dup":
            raw[at:at] = raw[at : at + data.draw(st.integers(1, 200))]
        else:
            raw[at:at] = data.draw(
                st.sampled_from([b"<DOCUMENT>", b"</TEXT>", b"<TEXT>", b"\r", b":", b"<", b"begin 644 x\n"])
            )
        if not raw:
            break
    read_submission(bytes(raw))


@pytest.mark.slow
def test_large_input_is_linear() -> None:
    """200 MB in a few seconds, and time grows with size, not faster."""
    unit = (sec_header(1) + doc(1, ("x" * 70 + "\n") * 10_000)).encode()
    small, large = unit * 30, unit * 300  # ~21 MB and ~213 MB
    timings = []
    for data in (small, large):
        start = time.process_time()
        sub = read_submission(data)
        timings.append(time.process_time() - start)
        assert len(sub.documents) == data.count(b"<DOCUMENT>")
    assert timings[1] < 20 * timings[0] + 1.0 and timings[1] < 60


def test_pathological_markup_is_fast() -> None:
    """Inputs that would make a backtracking regex or a rescan per block quadratic."""
    for data in (b"<DOCUMENT>" * 200_000, b"<DOCUMENT><TYPE>" * 100_000, b"<TEXT>" * 200_000,
                 b"<" * 2_000_000, b"<SEC-HEADER>" + b"A" * 2_000_000, b"\r" * 2_000_000,
                 b"<SUBMISSION>" + b"<A>" * 300_000, b"<SEC-HEADER>\n" + b"FILER:\n" * 300_000):  # fmt: skip
        start = time.process_time()  # CPU time: a busy machine must not fail a test of complexity
        read_submission(data)
        assert time.process_time() - start < 5, data[:20]


# --- text helpers ----------------------------------------------------------------------------------
def test_html_to_text_keeps_cover_page_lines() -> None:
    html = (
        "<html><head><title>t</title><style>p{}</style><script>var x;</script></head><body>"
        "<div style='display:none'><ix:header><ix:hidden>HIDDEN</ix:hidden></ix:header></div>"
        "<p align=center>FORM&nbsp;8-K</p>"
        "<p>ACME   CORP<br>(Exact name of registrant as specified in its charter)</p>"
        "<table><tr><td><p>Delaware</p></td><td></td><td>001-12345</td><td>12-3456789</td></tr>"
        "<tr><td>(State)</td><td>(Commission File Number)</td>"
        "<td>(IRS Employer<br>Identification No.)</td></tr></table>"
        "<pre>Line one\n  indented    two\n\nafter a blank</pre></body></html>"
    )
    assert html_to_text(html) == (
        "FORM 8-K\n\nACME CORP\n(Exact name of registrant as specified in its charter)\n\n"
        "Delaware\t001-12345\t12-3456789\n"
        "(State)\t(Commission File Number)\t(IRS Employer Identification No.)\n\n"
        "Line one\nindented two\n\nafter a blank"
    )
    assert html_to_text("") == ""
    assert html_to_text("<div>" * 5000 + "deep" + "</div>" * 5000) == "deep"


@pytest.mark.parametrize(
    ("body", "fmt"),
    [("<HTML><BODY>x", "html"), ("\n<XBRL>\n<?xml version='1.0'?>\n<html xmlns='x'>", "html"),
     ("<XML>\n<?xml version='1.0'?>\n<edgarSubmission>", "xml"),
     ("<XML>\n<informationTable xmlns='x'>", "xml"),
     ("<?xml version='1.0'?>\n<ownershipDocument>", "xml"), ("<ownershipDocument>", "xml"),
     ("<XBRL>\n<?xml version='1.0'?>\n<xs:schema>", "xml"), ("Text\n<TABLE> <S> <C>\n<PAGE>", "plain"),
     ("\n<TABLE> <S> <C>\n<ARTICLE> 5\n<CASH> 1,203", "plain"),
     ("Intro\n<P>para<FONT size=2>x</FONT>", "html"), ("plain words only", "plain"), ("", "plain")],
)  # fmt: skip
def test_detect_format(body: str, fmt: str) -> None:
    assert detect_format(body) == fmt


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("<>/=\"' \n\t\r&;abpdivtrhml\x00\ue000\ue001\xa0")), max_size=400)
)
def test_text_helpers_never_raise(markup: str) -> None:
    text = html_to_text(markup)
    assert "\ue000" not in text and "\ue001" not in text and "  " not in text
    assert detect_format(markup) in ("html", "xml", "plain")
