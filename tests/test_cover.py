"""Cover page, dates and places: the seed 8-K as a golden test, each cover layout as a unit test,
and properties that hold for any text (no exceptions, declared types, well-formed values)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Address, CoverPage, Item
from generator.parse.cover import read_cover_page
from generator.parse.dates import find_dates, iso_date, parse_date
from generator.parse.exhibits import find_exhibit_references
from generator.parse.items import find_items
from generator.parse.signatures import find_signatures
from generator.parse.states import (
    EDGAR_PLACES,
    EDGAR_PROVINCE_CODES,
    US_CODES,
    place_code,
    place_name,
    state_code,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cover"
SEED = FIXTURES / "000_fafeb7603bdfca6a.txt"


def _seed() -> tuple[str, dict]:
    return SEED.read_text(encoding="utf-8"), json.loads(SEED.with_suffix(".json").read_text(encoding="utf-8"))


# --- the seed: every hand-checked fact must come out exactly ---------------------------------------


def test_seed_cover_page() -> None:
    text, facts = _seed()
    cover = read_cover_page(text)
    address = facts["business_address"]
    assert cover.form == facts["form_type"]
    assert cover.company_name == facts["company_name"]
    assert cover.date_of_report == facts["date_of_report"]
    assert cover.state_of_incorporation == facts["state_of_incorporation"]
    assert cover.file_number == facts["commission_file_number"]
    assert cover.irs_number == facts["irs_number"]
    assert cover.address == Address(
        street1=address["street"], city=address["city"], state=address["state"], zip=address["zip"],
        phone=address["phone"],
    )  # fmt: skip


def test_seed_items_exhibits_signatures() -> None:
    text, facts = _seed()
    assert find_items(text, "8-K", None) == tuple(Item(**i) for i in facts["items"])
    refs = find_exhibit_references(text)
    assert [(r.number, r.description) for r in refs] == [
        (e["number"], e["description"]) for e in facts["exhibits_referenced"]
    ]
    assert all(r.document_sequence is None for r in refs)
    signatures = find_signatures(text)
    assert [(s.name, s.title) for s in signatures] == [(s["name"], s["title"]) for s in facts["signers"]]
    assert {s.date for s in signatures} == {facts["signature_date"]}


# --- layouts --------------------------------------------------------------------------------------

HTML_8K = """FORM 8-K

CURRENT REPORT

Date of Report (Date of earliest event reported): December 20, 2024

1895 BANCORP OF WISCONSIN, INC.

(Exact Name of Registrant as Specified in its Charter)

Maryland

001-40609

61-1993378

(State or Other Jurisdiction of Incorporation)

(Commission File No.)

(I.R.S. Employer Identification No.)

7001 West Edgerton Avenue, Greenfield, Wisconsin

53220

(Address of Principal Executive Offices)

(Zip Code)

(414) 421-8200

(Registrant\u2019s telephone number, including area code)
"""


def test_html_derived_cover_reads_values_above_their_captions() -> None:
    cover = read_cover_page(HTML_8K)
    assert cover == CoverPage(
        form="8-K",
        company_name="1895 BANCORP OF WISCONSIN, INC.",
        date_of_report="2024-12-20",
        state_of_incorporation="MD",
        file_number="001-40609",
        irs_number="611993378",
        address=Address(
            street1="7001 West Edgerton Avenue",
            city="Greenfield",
            state="WI",
            zip="53220",
            phone="4144218200",
        ),
    )


def test_report_date_and_earliest_event_in_parentheses() -> None:
    text = "FORM 8-K\nDate of Report (Date of earliest event reported): March 14, 2002 (March 6, 2002)\n"
    cover = read_cover_page(text)
    assert (cover.date_of_report, cover.period) == ("2002-03-14", "2002-03-06")


def test_date_of_report_printed_above_its_caption() -> None:
    text = "FORM 8-K\n                  AUGUST 23, 1996\n                 (Date of Report)\n"
    assert read_cover_page(text).date_of_report == "1996-08-23"


def test_blank_date_of_report_is_none() -> None:
    text = "FORM ABS-15G\nDate of Report (Date of earliest event reported): ________\nCommission File Number: ___\n"
    cover = read_cover_page(text + "On January 10, 2025 something happened.")
    assert cover.form == "ABS-15G"
    assert cover.date_of_report is None


TEN_Q = """                              Form 10-Q/A
                                Amendment No. 1 to
For the quarterly period ended March 28, 1997  OR
                        Commission file number 0-10030
                             APPLE COMPUTER, INC.
            (Exact name of Registrant as specified in its charter)
          CALIFORNIA                                 94-2404110
[State or other jurisdiction             [I.R.S. Employer Identification No.]
of incorporation or organization]
         1 Infinite Loop                                95014
       Cupertino, California                         (Zip Code)
     (Address of principal executive offices)
Registrant's telephone number, including area code: (408) 996-1010
"""


def test_quarterly_report_cover() -> None:
    cover = read_cover_page(TEN_Q)
    assert cover.form == "10-Q/A"
    assert cover.period == "1997-03-28" and cover.date_of_report is None
    assert (cover.company_name, cover.file_number, cover.irs_number) == (
        "APPLE COMPUTER, INC.",
        "0-10030",
        "942404110",
    )
    assert cover.state_of_incorporation == "CA"
    assert cover.address == Address(
        street1="1 Infinite Loop", city="Cupertino", state="CA", zip="95014", phone="4089961010"
    )


THIRTEEN_F = """                              Form 13F COVER PAGE
Report for the Calendar Year or Quarter Ended: June 30, 2009
Check here if Amendment [X]; Amendment Number: 1
This Amendment (Check only one.): [ ] is a restatement.
                                  [X] adds new holdings entries.
Institutional Investment Manager Filing this Report:
Name:     Berkshire Hathaway Inc.
Address:  667 Madison Avenue    New York     New York     10021
Form 13F File Number: 28-4545
Report Type:
[X]   13F HOLDINGS REPORT.
[ ]   13F NOTICE.
List of Other Managers Reporting for this Manager:
Form 13F File Number:  28-346
"""


def test_13f_cover_amendment_and_first_file_number() -> None:
    cover = read_cover_page(THIRTEEN_F)
    assert cover.form == "13F-HR/A"
    assert cover.period == "2009-06-30"
    assert cover.company_name == "Berkshire Hathaway Inc."
    assert cover.file_number == "28-4545"
    assert cover.address == Address(street1="667 Madison Avenue", city="New York", state="NY", zip="10021")


def test_13f_notice_and_unamended() -> None:
    text = THIRTEEN_F.replace("Amendment [X]", "Amendment [ ]").replace(
        "[X]   13F HOLDINGS", "[ ]   13F HOLDINGS"
    )
    assert read_cover_page(text.replace("[ ]   13F NOTICE", "[X]   13F NOTICE")).form == "13F-NT"


def test_two_file_numbers_are_ambiguous() -> None:
    text = "FORM N-1A\nFile Nos. 333-92935 and 811-09729\n"
    assert read_cover_page(text).file_number is None


def test_schedule_13g_issuer_name_wrapped() -> None:
    text = "SCHEDULE 13G\n(Amendment No. 2)\nAVID BIOSERVICES,\nINC.\n(Name of Issuer)\nDecember 9, 2024\n"
    text += "(Date of Event Which Requires Filing of this Statement)\n"
    cover = read_cover_page(text)
    assert (cover.form, cover.company_name, cover.date_of_report) == (
        "SC 13G/A",
        "AVID BIOSERVICES, INC.",
        "2024-12-09",
    )


def test_xml_derived_ownership_13f_and_form_d() -> None:
    four = "X0508\n4\n2025-01-10\n0000001750\nAAR CORP\nAIR\n0001806647\nGarascia Jessica A.\n1100 N. WOOD DALE\n"
    assert read_cover_page(four) == CoverPage(form="4", company_name="AAR CORP", period="2025-01-10")
    thirteen_f = (
        "X0202\n13F-HR\nLIVE\n0001994827\nXXXXXXXX\n12-31-2024\n12-31-2024\nACORN CREEK CAPITAL LLC\n"
        "215 WEST OAK STREET\n10TH FLOOR, STE 1000\nFORT COLLINS\nCO\n80521\n13F HOLDINGS REPORT\n028-23689\n"
    )
    cover = read_cover_page(thirteen_f)
    assert (cover.form, cover.company_name, cover.period, cover.file_number) == (
        "13F-HR", "ACORN CREEK CAPITAL LLC", "2024-12-31", "028-23689"
    )  # fmt: skip
    assert cover.address == Address(
        "215 WEST OAK STREET", "10TH FLOOR, STE 1000", "FORT COLLINS", "CO", "80521"
    )
    form_d = "X0708\nD\nLIVE\n0002002260\nVEPF FUND, L.P.\n4 MAIN ST\nSAN FRANCISCO\nCA\nCALIFORNIA\n94111\n"
    cover = read_cover_page(form_d + "415-765-6500\nDELAWARE\nNone\n")
    assert (cover.form, cover.company_name, cover.state_of_incorporation) == ("D", "VEPF FUND, L.P.", "DE")


def test_zero_irs_number_is_not_a_fact() -> None:
    text = "FORM 8-K\n  Delaware   1-1234   00-0000000\n(State or other jurisdiction (Commission File (IRS Employer"
    assert read_cover_page(text).irs_number is None


# --- dates and places -----------------------------------------------------------------------------


def test_date_spellings() -> None:
    for written in ("July 29, 2002", "JULY 29, 2002", "July 29,2002", "7/29/2002", "29-Jul-02", "2002-07-29",
                    "07-29-2002", "29th day of July, 2002", "Jul. 29, 2002"):  # fmt: skip
        assert parse_date(f"dated {written}.") == "2002-07-29", written
    assert parse_date("February 30, 2004") is None
    assert iso_date(2004, 13, 1) is None


def test_state_names_and_codes() -> None:
    assert state_code("MARYLAND") == "MD" and state_code("State of Delaware") == "DE"
    assert state_code("West  Virginia") == "WV" and state_code("district of columbia") == "DC"
    assert state_code("Ontario") is None and place_code("Ontario") == "ON"
    assert state_code("md") == "MD" and state_code("ZZ") is None


# --- properties -------------------------------------------------------------------------------------

_FRAGMENTS = [
    "FORM 8-K",
    "FORM 13F",
    "Amendment No. 1",
    "(Exact name of registrant as specified in its charter)",
    "Date of Report (Date of earliest event reported):",
    "July 29, 2002",
    "(March 6, 2002)",
    "MARYLAND",
    "1-13232",
    "84-1259577",
    "(State or other jurisdiction",
    "(Commission",
    "(I.R.S. Employer",
    "Name:",
    "Address:",
    "(Address of principal executive offices)",
    "(Zip Code)",
    "80222-4348",
    "CO",
    "(303) 757-8101",
    "telephone number",
    "For the quarterly period ended",
    "X0508",
    "13F-HR",
    "0000001750",
    "\n",
    "  ",
    "(",
    ")",
    "ITEM 5. OTHER EVENTS.",
    "Exhibit 99.1",
    "SIGNATURES",
    "By: /s/ A. B. Person",
    "Dated:",
    "\u00a0",
]
_coverish = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=20), max_size=40).map("".join)


def _valid_iso(value: str | None) -> bool:
    if value is None:
        return True
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000) | _coverish)
def test_cover_page_properties(text: str) -> None:
    cover = read_cover_page(text)
    assert isinstance(cover, CoverPage)
    for value in (cover.form, cover.company_name, cover.file_number):
        assert value is None or (isinstance(value, str) and value)
    assert cover.irs_number is None or re.fullmatch(r"\d{9}", cover.irs_number)
    assert cover.state_of_incorporation is None or re.fullmatch(r"[A-Z]{2}", cover.state_of_incorporation)
    assert _valid_iso(cover.date_of_report) and _valid_iso(cover.period)
    if cover.address is not None:
        assert isinstance(cover.address, Address)
        assert cover.address.state is None or re.fullmatch(r"[A-Z]{2}", cover.address.state)
        assert cover.address.phone is None or re.fullmatch(r"\d{10}", cover.address.phone)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500) | _coverish)
def test_dates_found_are_valid(text: str) -> None:
    for start, end, iso in find_dates(text):
        assert 0 <= start < end <= len(text) and _valid_iso(iso)


def test_edgars_place_codes_name_every_country_and_never_a_state() -> None:
    """The table that names EDGAR's codes for places outside the US states: two characters each,
    no US state's code among them, Canada's provinces as the header codes them."""
    assert len(EDGAR_PLACES) > 240
    assert all(re.fullmatch(r"[A-Z0-9]{2}", c) for c in EDGAR_PLACES)
    assert not set(EDGAR_PLACES) & US_CODES
    assert all(EDGAR_PLACES[code].endswith(", Canada") for code in EDGAR_PROVINCE_CODES.values())
    assert place_name("E9") == "Cayman Islands" and place_name("x0") == "United Kingdom"
    assert place_name("1T") == "Marshall Islands" and place_name("K3") == "Hong Kong"
    assert place_name("DE") is None and place_name(None) is None and place_name("Q9") is None


def test_a_registration_statements_address_block_above_its_phone_and_caption() -> None:
    """S-1/S-3 covers put the phone between the address and one caption for both ("(Address,
    including zip code, and telephone number ...)"); the phone line, "(201) 342-6676", opens with
    a parenthesis like a caption and ended the block before the address was reached."""
    text = (
        "FORM S-3\nREGISTRATION STATEMENT\n\n                    PAGE AMERICA GROUP, INC.\n"
        "     (Exact name of registrant as specified in its charter)\n\n"
        "              New York                        13-2865787\n"
        "  (State or other jurisdiction of         (I.R.S. Employer\n"
        "    incorporation or organization)        Identification No.)\n\n"
        "                        125 State Street\n                  Hackensack, New Jersey 07601\n"
        "                         (201) 342-6676\n"
        " (Address, including zip code, and telephone number, including\n"
        "     area code, of registrant's principal executive offices)\n"
    )
    cover = read_cover_page(text)
    assert cover.address == Address(
        street1="125 State Street", city="Hackensack", state="NJ", zip="07601", phone="2013426676"
    )
    assert cover.state_of_incorporation == "NY" and cover.irs_number == "132865787"
