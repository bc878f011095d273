"""Cover-page facts from inline XBRL tags (parse.cover_xbrl): a real 2025 8-K's primary document
(site_src/, EDGAR Archives folder) read alone, the rules that keep a tag from giving a wrong fact,
a header that disagrees, hostile markup, and every tagged primary document of the shared corpus
against its header truth."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Address, CoverPage
from generator.parse.cover_xbrl import merge, read_tagged_cover
from generator.parse.filing import parse_filing
from generator.parse.sgml import read_submission
from generator.search.encode import read_data_file
from tests.conftest import ROOT, read_json, run_build, shared_corpus

ACORN = ROOT / "site_src" / "edgar" / "data" / "880984" / "000149315225001317" / "form8-k.htm"
ABVC = ROOT / "site_src" / "filings" / "2020s" / "0001213900-25-032135.txt"


def _fact(name: str, value: str, context: str = "c1", extra: str = "") -> str:
    return f'<ix:nonNumeric name="dei:{name}" contextRef="{context}"{extra}>{value}</ix:nonNumeric>'


def _context(cid: str, segment: bool = False) -> str:
    seg = "<xbrli:segment><xbrldi:explicitMember dimension='dei:LegalEntityAxis'>x:Sub</xbrldi:explicitMember></xbrli:segment>"
    return (f'<xbrli:context id="{cid}"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">1'
            f"</xbrli:identifier>{seg if segment else ''}</xbrli:entity></xbrli:context>")  # fmt: skip


# --- a real document -----------------------------------------------------------------------------


def test_a_real_8k_primary_document_gives_its_tagged_cover() -> None:
    cover = read_tagged_cover(ACORN.read_text(encoding="utf-8"))
    assert cover is not None
    assert cover.cik == "0000880984"
    assert cover.form == "8-K"
    assert cover.company_name == "ACORN ENERGY, INC."  # the tag spans a line break: blanks collapse
    assert cover.period == "2025-01-06"  # filed as a date of report by merge(), knowing the form
    assert (cover.irs_number, cover.state_of_incorporation, cover.file_number) == ("222786081", "DE", "001-33886")
    assert cover.address == Address("1000 N West St.", "Suite 1200", "Wilmington", "DE", "19801", "4106543315")
    assert set(cover.tagged) >= {"cik", "form", "company_name", "period", "address"}


def test_a_headerless_modern_document_states_the_cik_from_its_tags(tmp_path: Path) -> None:
    """The primary document alone (no header, no accession folder): before, its CIK was not stated.
    Now the CIK, and the facts the printed cover also gives, come out and are marked as tags."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ACORN, src / "form8-k.htm")
    out = tmp_path / "out"
    run_build(src, out, jobs=1)
    filing = read_json(out / "filings" / "form8-k" / "filing.json")
    filer = filing["filers"][0]
    assert filer["cik"] == "0000880984"
    assert filing["form"] == "8-K" and filing["date_of_report"] == "2025-01-06" and filing["period"] is None
    assert filing["provenance"]["filers[0].cik"] == "cover page"
    assert "cik" in filing["cover_page"]["tagged"]
    page = (out / "filings" / "form8-k" / "index.html").read_text(encoding="utf-8")
    cik_row = re.search(r"<dt>CIK</dt><dd>(.*?)</dd>", page).group(1)
    assert "0000880984" in cik_row and "cover page, XBRL" in cik_row
    assert "from its inline XBRL tags" in page
    catalog = read_json(out / "catalog.json")["filings"]
    assert catalog[0]["cik"] == "0000880984"  # and so its company is the CIK's, not a name's
    assert any(p.name == "0000880984" for p in (out / "companies").iterdir())


def test_a_header_is_still_the_record_and_a_disagreeing_tag_is_shown(tmp_path: Path) -> None:
    data = ABVC.read_bytes()
    assert b">0001173313<" in data
    filing = parse_filing(data.replace(b">0001173313<", b">0009999999<"), "x.txt")
    assert filing.filers[0].cik == "0001173313"  # the header's
    assert [(d.field, d.header, d.cover_page) for d in filing.discrepancies] == [
        ("filers[0].cik", "0001173313", "0009999999")
    ]
    assert parse_filing(data, "x.txt").discrepancies == ()  # the real filing: they agree


# --- rules ---------------------------------------------------------------------------------------


def test_facts_of_a_dimension_are_not_the_entitys() -> None:
    """A co-registrant's CIK sits in a context with a segment: the parent's is the one read."""
    markup = (_context("c1") + _context("c2", segment=True)
              + _fact("EntityCentralIndexKey", "0000000002", "c2") + _fact("EntityCentralIndexKey", "0000000001", "c1"))  # fmt: skip
    assert read_tagged_cover(markup).cik == "0000000001"  # type: ignore[union-attr]


def test_two_values_for_one_fact_state_nothing() -> None:
    markup = _fact("EntityCentralIndexKey", "0000000001") + _fact("EntityCentralIndexKey", "0000000002", "c9")
    markup += _fact("DocumentType", "10-K")
    cover = read_tagged_cover(markup)
    assert cover is not None and cover.cik is None and cover.form == "10-K"


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("EntityCentralIndexKey", "880984", "cik"),  # not ten digits
        ("EntityCentralIndexKey", "0000000000", "cik"),
        ("EntityTaxIdentificationNumber", "00-0000000", "irs_number"),
        ("EntityTaxIdentificationNumber", "Not applicable", "irs_number"),
        ("DocumentType", "Other", "form"),
        ("EntityIncorporationStateCountryCode", "XX", "state_of_incorporation"),  # EDGAR's "unknown"
        ("EntityIncorporationStateCountryCode", "Z9", "state_of_incorporation"),  # no such code
        ("EntityFileNumber", "see below", "file_number"),
        ("DocumentPeriodEndDate", "2025-02-30", "period"),
    ],
)
def test_a_value_of_the_wrong_shape_is_not_stated(name: str, value: str, field: str) -> None:
    cover = read_tagged_cover(_fact(name, value) + _fact("EntityRegistrantName", "Acme"))
    assert cover is not None and getattr(cover, field) is None and cover.company_name == "Acme"


def test_values_are_normalised_as_the_header_states_them() -> None:
    markup = "".join([
        _fact("DocumentType", "10-q"), _fact("DocumentPeriodEndDate", "March 31, 2024", extra=' format="ixt:date-monthname-day-year-en"'),
        _fact("EntityRegistrantName", "Acme <span>Widgets</span>\n  &amp; Co."),
        _fact("EntityIncorporationStateCountryCode", "Maryland"), _fact("EntityTaxIdentificationNumber", "12-3456789"),
        _fact("CityAreaCode", "(212)"), _fact("LocalPhoneNumber", "555-0100"), _fact("EntityAddressStateOrProvince", "Ontario"),
    ])  # fmt: skip
    cover = read_tagged_cover(markup)
    assert cover == CoverPage(
        form="10-Q", company_name="Acme Widgets & Co.", period="2024-03-31", state_of_incorporation="MD",
        irs_number="123456789", address=Address(state="ON", phone="2125550100"),
        tagged=("address", "company_name", "form", "irs_number", "period", "state_of_incorporation"),
    )  # fmt: skip


def test_nested_continued_and_unclosed_facts_are_skipped() -> None:
    nested = '<ix:nonNumeric name="dei:EntityRegistrantName" contextRef="c1">A <ix:nonNumeric name="x:y">B</ix:nonNumeric> C</ix:nonNumeric>'
    continued = _fact("EntityFileNumber", "1-234", extra=' continuedAt="k1"')
    unclosed = '<ix:nonNumeric name="dei:DocumentType" contextRef="c1">8-K' + " x" * 5000
    assert read_tagged_cover(nested + continued + unclosed) is None


def test_an_xbrl_instance_document_is_read_too() -> None:
    instance = ('<xbrli:xbrl>' + _context("D") + '<dei:DocumentType contextRef="D">10-Q</dei:DocumentType>'
                '<dei:EntityCentralIndexKey contextRef="D">0000320193</dei:EntityCentralIndexKey>'
                '<dei:DocumentPeriodEndDate contextRef="D">2018-12-29</dei:DocumentPeriodEndDate></xbrli:xbrl>')  # fmt: skip
    cover = read_tagged_cover(instance)
    assert cover is not None and (cover.cik, cover.form, cover.period) == ("0000320193", "10-Q", "2018-12-29")


def test_merge_puts_tags_over_the_text_reading_and_files_the_date_by_form() -> None:
    read = CoverPage(form="8-K", company_name="ACME", date_of_report="2025-01-01", address=Address(city="X", phone="1"))
    tagged = CoverPage(cik="0000000001", period="2025-01-06", address=Address(street1="1 Main"), tagged=("address", "cik", "period"))
    merged = merge(tagged, read)
    assert merged.cik == "0000000001" and merged.company_name == "ACME"
    assert merged.date_of_report == "2025-01-06" and merged.period is None  # an 8-K's date is its date of report
    assert merged.address == Address(street1="1 Main", city="X", phone="1")
    assert merged.tagged == ("address", "cik", "date_of_report")
    assert merge(None, read) is read


def test_many_unclosed_facts_cost_a_bounded_look_each(tmp_path: Path) -> None:
    """500,000 fact start tags with no end (8 MB): only the first few hundred are looked into."""
    markup = '<ix:nonNumeric name="dei:EntityCentralIndexKey" contextRef="c1">0' * 500_000
    assert read_tagged_cover(markup) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    _fact("EntityCentralIndexKey", "0000320193"), _fact("DocumentType", "8-K"), "<ix:nonNumeric ", "</ix:nonNumeric>",
    ' name="dei:EntityRegistrantName"', ' contextRef="c1"', ">", "<", "dei:", _context("c1"), _context("c1", True),
    "<dei:DocumentType>", "</dei:DocumentType>", "&amp;", "\u00e9", "0000000001", "March 3, 2024",
]), max_size=30).map("".join))  # fmt: skip
def test_any_markup_gives_well_formed_facts(markup: str) -> None:
    cover = read_tagged_cover(markup)
    if cover is None:
        return
    assert cover.cik is None or re.fullmatch(r"[0-9]{10}", cover.cik)
    assert cover.irs_number is None or re.fullmatch(r"[0-9]{9}", cover.irs_number)
    assert cover.period is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", cover.period)
    assert set(cover.tagged) == {k for k in ("cik", "form", "company_name", "period", "state_of_incorporation",
                                             "file_number", "irs_number", "address", "fiscal_year_end") if getattr(cover, k) is not None}  # fmt: skip


# --- the shared corpus ---------------------------------------------------------------------------


def test_every_tagged_primary_document_of_the_corpus_agrees_with_its_header() -> None:
    """Each full submission whose primary document has inline XBRL, read as a headerless document:
    every fact its tags give equals what its EDGAR header states (scored and printed)."""
    corpus = shared_corpus()
    right, wrong, checked = 0, [], 0
    for path in sorted((corpus / "full").glob("*.txt")):
        documents = read_submission(path.read_bytes()).documents
        html = documents[0].text if documents else ""
        if "dei:EntityCentralIndexKey" not in html:
            continue
        checked += 1
        truth = json.loads((corpus / "truth" / f"{path.stem}.json").read_text(encoding="utf-8"))
        filer = truth["filers"][0]
        cover = read_tagged_cover(html)
        assert cover is not None
        expect = {
            "cik": filer["cik"]["value"],
            "form": truth["form_type"]["value"],
            "period": truth["period_of_report"]["value"],
            "irs_number": (filer.get("irs_number") or {}).get("value"),
            "state_of_incorporation": (filer.get("state_of_incorporation") or {}).get("value"),
        }
        for field, value in expect.items():
            got = getattr(cover, field)
            if got is None or value is None or set(value) == {"0"}:
                continue  # a header's IRS number of zeros: not stated
            if got == value:
                right += 1
            else:
                wrong.append((path.stem, field, value, got))
    print(f"\ninline XBRL cover facts vs header: {checked} documents, {right} right, {len(wrong)} wrong: {wrong}")
    assert checked >= 3 and right >= 4 * checked  # CIK, form, date and state at least, each
    assert wrong == []


@pytest.mark.parametrize(
    ("flag", "form"),
    [
        (_fact("AmendmentFlag", "true"), "10-K/A"),
        (_fact("AmendmentFlag", "", extra=' format="ixt:fixed-true"'), "10-K/A"),
        (_fact("AmendmentFlag", "No", extra=' format="ixt:fixed-false"'), "10-K"),
        (_fact("AmendmentFlag", "false"), "10-K"),
        ("", "10-K"),
    ],
)
def test_an_amendment_is_tagged_with_its_originals_type_and_a_flag(flag: str, form: str) -> None:
    """EDGAR's 10-K/A tags dei:DocumentType 10-K and dei:AmendmentFlag true: the form is 10-K/A."""
    assert read_tagged_cover(_fact("DocumentType", "10-K") + flag).form == form  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "mmdd"),
    [("--12-31", "1231"), ("--06-30", "0630"), ("September 28", "0928"), ("Sept. 30", "0930"),
     ("--02-30", None), ("--13-01", None), ("Smarch 3", None), ("2024-12-31", None)],
)  # fmt: skip
def test_the_fiscal_year_end_is_read_as_the_header_states_it(value: str, mmdd: str | None) -> None:
    cover = read_tagged_cover(_fact("CurrentFiscalYearEndDate", value) + _fact("DocumentType", "10-K"))
    assert cover is not None and cover.fiscal_year_end == mmdd


def test_an_empty_fact_takes_nothing_from_the_next_one() -> None:
    markup = ('<ix:nonNumeric name="dei:EntityAddressAddressLine2" contextRef="c1" xsi:nil="true"/>'
              + _fact("EntityAddressCityOrTown", "Greenfield") + '<dei:EntityFileNumber contextRef="c1"/>'
              + '<dei:DocumentType contextRef="c1">10-K</dei:DocumentType>')  # fmt: skip
    cover = read_tagged_cover(markup)
    assert cover is not None and cover.address == Address(city="Greenfield") and cover.file_number is None


def test_digits_of_other_scripts_are_not_a_cik() -> None:
    cover = read_tagged_cover(_fact("EntityCentralIndexKey", "\u0660" * 10) + _fact("DocumentType", "8-K"))
    assert cover is not None and cover.cik is None


# --- a modern filing as EDGAR's Archives folder holds it -----------------------------------------


def test_a_modern_archives_folder_reads_its_primary_document_not_filingsummary(tmp_path: Path) -> None:
    """The files of a 2025 8-K as EDGAR's Archives folder serves them (no full submission, no
    header): R1.htm, FilingSummary.xml and MetaLinks.json sort before the 8-K by name. The 8-K,
    whose cover is tagged dei:DocumentType, is the primary document; the XBRL files come last and
    are not searched. Before, FilingSummary.xml was read as the filing: no form, no company."""
    full = parse_filing(ABVC.read_bytes(), ABVC.name)
    folder = tmp_path / "src" / "edgar" / "data" / "1173313" / "000121390025032135"
    folder.mkdir(parents=True)
    for d in full.documents:
        (folder / (d.data_filename or d.filename)).write_bytes(d.data if d.data is not None else d.text.encode())
    out = tmp_path / "out"
    run_build(tmp_path / "src", out, jobs=1)
    [record] = [read_json(p) for p in (out / "filings").glob("*/filing.json")]
    assert (record["form"], record["date_of_report"]) == ("8-K", "2025-04-15")
    assert (record["filers"][0]["cik"], record["filers"][0]["name"]) == ("0001173313", "ABVC BIOPHARMA, INC.")
    names = [d["filename"] for d in record["documents"]]
    assert names[:3] == ["ea0238372-8k_abvcbio.htm", "ea023837201ex99-1_abvcbio.htm", "ex99-1_001.jpg"]
    assert {"R1.htm", "FilingSummary.xml", "MetaLinks.json", "abvc-20250415_lab.xml", "report.css"} <= set(names[3:])
    report = read_json(out / "build-report.json")  # every file of the folder is one of the filing's
    assert {i["outcome"] for i in report["inputs"]} == {"built"} and len(names) == len(report["inputs"])
    chunks = [read_data_file(p.read_bytes()) for p in (out / "search" / "x").glob("*/*.js")]
    searched = {c["u"].rsplit("/", 1)[1].split("-", 1)[0] for c in chunks}
    assert searched == {"1", "2"}  # the 8-K and its exhibit only


# --- trading symbols -----------------------------------------------------------------------------


def test_every_class_of_securitys_ticker_is_read_and_searchable(demo_site) -> None:
    """Tickers sit in a context per class of security (a segment): all are read, "None" is not a
    ticker. The demo's 2024 8-K (headerless) is found by its ticker, as a user would type it."""
    markup = (_context("c1") + _context("a", segment=True) + _context("b", segment=True)
              + _fact("TradingSymbol", "brk.a", "a") + _fact("TradingSymbol", "BRK.B", "b")
              + _fact("TradingSymbol", "None", "c1") + _fact("DocumentType", "10-K"))  # fmt: skip
    assert read_tagged_cover(markup).trading_symbols == ("BRK.A", "BRK.B")  # type: ignore[union-attr]
    assert read_tagged_cover(ACORN.read_text(encoding="utf-8")).trading_symbols == ()  # type: ignore[union-attr]
    assert parse_filing(ABVC.read_bytes(), "x.txt").cover_page.trading_symbols == ("ABVC",)  # type: ignore[union-attr]
    from site_search import search_site

    found = search_site(demo_site, ["bcow", "abvc"])
    assert [r[0] for r in found["bcow"]] == ["0000943374-24-000509"]  # named by its folder
    assert [r[0] for r in found["abvc"]][:1] == ["0001213900-25-032135"]
    page = (demo_site / "filings" / "0000943374-24-000509" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<dt>Trading symbols</dt><dd>BCOW <span class=\"mark mark-cover\"[^>]*>cover page, XBRL", page)


def test_a_folder_of_only_edgars_xbrl_files_is_reported_not_made_a_filing(tmp_path: Path) -> None:
    folder = tmp_path / "src" / "edgar" / "data" / "1173313" / "000121390025032135"
    folder.mkdir(parents=True)
    (folder / "report.css").write_text("body { color: black; }\n")
    (folder / "FilingSummary.xml").write_text("<?xml version='1.0'?><FilingSummary></FilingSummary>\n")
    report, lines = run_build(tmp_path / "src", tmp_path / "out", jobs=1)
    inputs = read_json(tmp_path / "out" / "build-report.json")["inputs"]
    outcomes = {i["path"].rsplit("/", 1)[1]: (i["outcome"], i["reason"]) for i in inputs}
    assert {o for o, _ in outcomes.values()} == {"failed"}
    assert all("only EDGAR's XBRL and rendering files" in r for _, r in outcomes.values())
    assert report.failed and any("FilingSummary.xml" in line or "report.css" in line for line in lines)


@pytest.mark.parametrize(("value", "code"), [("E9", "E9"), ("1T", "1T"), ("A6", "A6"), ("de", "DE"), ("Delaware", "DE")])
def test_incorporation_abroad_is_read_as_edgars_code(value: str, code: str) -> None:
    """``dei:EntityIncorporationStateCountryCode`` takes EDGAR's code list, whose codes for other
    countries the header uses too: a Cayman Islands company (E9), a Marshall Islands shipper (1T),
    an Ontario one (A6). They were not stated, as no table of EDGAR's codes was kept."""
    cover = read_tagged_cover(_fact("EntityIncorporationStateCountryCode", value) + _fact("EntityRegistrantName", "Acme"))
    assert cover is not None and cover.state_of_incorporation == code
