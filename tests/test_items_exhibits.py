"""Items, exhibit references and signatures: the layouts real filings use, the header-title table,
properties over arbitrary text, and a multi-megabyte input that must not backtrack."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import ExhibitReference, Item, Signature
from generator.parse.exhibits import (
    exhibit_number_of_type,
    find_exhibit_references,
    matches_document_type,
    normalize_exhibit_number,
)
from generator.parse.item_tables import MODERN_8K, OLD_8K, code_for_title
from generator.parse.items import find_items, items_from_header
from generator.parse.signatures import find_signatures

# --- items from the header --------------------------------------------------------------------------


def test_header_titles_map_to_the_numbering_of_the_filing_date() -> None:
    titles = ("Other events", "Financial statements and exhibits")
    assert [i.code for i in items_from_header(titles, (), "2002-07-30")] == ["5", "7"]
    titles = ("Results of Operations and Financial Condition", "Financial Statements and Exhibits")
    assert [i.code for i in items_from_header(titles, (), "2005-02-11")] == ["2.02", "9.01"]
    assert [i.code for i in items_from_header(titles, (), "2004-02-11")] == ["12", "7"]


def test_header_titles_tolerate_case_punctuation_and_old_wordings() -> None:
    assert code_for_title("ENTRY INTO A MATERIAL DEFINITIVE AGREEMENT.", "2006-01-01") == "1.01"
    assert code_for_title("Results of Operations & Financial Condition", "2006-01-01") == "2.02"
    old_502 = "Departure of Directors or Principal Officers; Election of Directors; Appointment of Principal Officers"
    assert code_for_title(old_502, "2005-01-10") == "5.02"
    assert code_for_title("Cost Associated with Exit or Disposal Activities", "2005-02-23") == "2.05"
    assert (
        code_for_title("Non-Reliance on Previously Issued Financial Statements or a Related", "2006-08-16")
        == "4.02"
    )
    assert code_for_title("Other events", None) is None  # "5" or "8.01": without a date, unsure


def test_header_codes_get_official_titles_and_unknown_titles_keep_no_code() -> None:
    items = items_from_header(("Something the filer typed",), ("5.02", "9.01", "5.02"), "2025-01-08")
    assert items == (
        Item("5.02", MODERN_8K["5.02"]),
        Item("9.01", "Financial Statements and Exhibits"),
        Item(None, "Something the filer typed"),
    )
    assert items_from_header((), ("7",), None) == (Item("7", OLD_8K["7"]),)


# --- items in the body ------------------------------------------------------------------------------

PLAIN = """
ITEM 5. OTHER EVENTS.

    As described in Item 5 above, and under Item 7 below, nothing.
The information in this report is furnished pursuant to Item
12 and shall not be deemed filed.
Items 1 through 4, 6 and 8 Not Applicable.
Item 7. Financial Statements, Pro Forma Financial Information and
        Exhibits.
"""


def test_plain_headings_not_prose() -> None:
    assert find_items(PLAIN, "8-K", "2002-07-30") == (
        Item("5", "Other Events"),
        Item("7", "Financial Statements, Pro Forma Financial Information and Exhibits"),
    )


def test_modern_headings_html_split_lines_nbsp_and_table_cells() -> None:
    text = (
        "Item\u00a02.02\u00a0\u00a0Results of Operations and Financial Condition.\n"
        "Item 5.02.\n\nDeparture of Directors or Certain Officers; Election of Directors;\n"
        "Appointment of Certain Officers; Compensatory Arrangements of Certain Officers.\n\n"
        "On December 20, 2024, the Board acted.\n"
        "| Item 9.01(d) | Exhibits\n"
        "Item 2.02 of this report is incorporated by reference.\n"
    )
    assert find_items(text, "8-K", "2024-12-27") == (
        Item("2.02", "Results of Operations and Financial Condition"),
        Item("5.02", MODERN_8K["5.02"]),
        Item("9.01", "Exhibits"),
    )


def test_combined_bare_and_toc_headings() -> None:
    text = (
        "INDEX\nItem 5 - Other Events.................................. 3\n"
        "ITEMS 5 AND 7\n\nOn July 1 we did things.\n"
        "Item 2.\n   On September 30, 1996, the Company completed an acquisition.\n"
    )
    assert find_items(text, "8-K", None) == (
        Item("5", "Other Events"),
        Item("7", OLD_8K["7"]),
        Item("2", "Acquisition or Disposition of Assets"),
    )


def test_items_only_for_8k_style_forms() -> None:
    assert find_items("Item 2. Properties\nItem 5. Other Information\n", "10-Q", None) == ()
    assert find_items("CURRENT REPORT PURSUANT TO SECTION 13\nITEM 5. OTHER EVENTS\n", None, None) == (
        Item("5", "Other Events"),
    )
    abs_text = "FORM ABS-15G\nItem 2.01. Findings and Conclusions of a Third Party Due Diligence Report.\n"
    assert [i.code for i in find_items(abs_text, "ABS-15G", None)] == ["2.01"]


# --- exhibits -----------------------------------------------------------------------------------------


def test_exhibit_number_normalisation_matches_document_types() -> None:
    assert normalize_exhibit_number("Exhibit No. 99.1.") == "99.1"
    assert normalize_exhibit_number("10.2(a)") == "10.2(A)" == exhibit_number_of_type("EX-10.2(A)")
    assert normalize_exhibit_number("10.A49") == normalize_exhibit_number("10.A.49") == "10.A.49"
    assert exhibit_number_of_type("EX-10.A-49") == "10.A.49"
    assert normalize_exhibit_number("10.16a") == exhibit_number_of_type("EX-10.16A") == "10.16A"
    assert normalize_exhibit_number("99.01") == "99.1"
    assert exhibit_number_of_type("EX-101.SCH") == "101.SCH"
    assert exhibit_number_of_type("GRAPHIC") is None and exhibit_number_of_type("8-K") is None
    assert matches_document_type("10.A.5", "EX-10") and matches_document_type("99.1", "EX-99.1")
    assert not matches_document_type("99.1", "EX-99.2") and not matches_document_type("10.1", "EX-1")


def test_references_in_prose_lists_and_ranges() -> None:
    text = (
        "attached as Exhibit 99.1 and Exhibits 99.2 and 99.3, EXHIBIT 10.2(a), Exhibit No. 99,\n"
        "copies attached as Exhibits 99.4(a)-(c), and Exhibits 4.1 through 4.3. See the\n"
        "press release attached as Exhibit\n99.5 to this report.\n"
        "Incorporated by reference to Exhibit 10.22 to the Company's 1988 Form 10-K.\n"
    )
    numbers = [r.number for r in find_exhibit_references(text)]
    assert numbers == [
        "99.1", "99.2", "99.3", "10.2(A)", "99", "99.4(A)", "99.4(B)", "99.4(C)", "4.1", "4.2", "4.3", "99.5"
    ]  # fmt: skip


def test_exhibit_index_rows_with_wrapped_descriptions() -> None:
    text = """Item 9.01  Financial Statements and Exhibits
       (d)      Exhibits

       10.14    Change in Control/Severance Agreement with Greg B. Spear.

       99.1     Press Release of Horizon Financial Corp. dated October 24,
                2008.                                                       5

                                  SIGNATURES
       1.  Not an exhibit: this list is not under an exhibit heading.
"""
    assert find_exhibit_references(text) == (
        ExhibitReference("10.14", "Change in Control/Severance Agreement with Greg B. Spear."),
        ExhibitReference("99.1", "Press Release of Horizon Financial Corp. dated October 24, 2008."),
    )


def test_exhibit_index_in_html_cells() -> None:
    text = "INDEX OF EXHIBITS\nExhibit No.\nDescription\nExhibit 99.1\nReport of Independent Accountants\nSIGNATURES\n"
    assert find_exhibit_references(text) == (ExhibitReference("99.1", "Report of Independent Accountants"),)


# --- signatures -------------------------------------------------------------------------------------


def test_name_and_title_labels_in_html_text() -> None:
    text = "SIGNATURES\n\nDated: January 10, 2025\n\nEFCAR, LLC\n\n(Depositor)\n\nBy:\n\n/s/ Jason Kulas\n\n"
    text += "Name:\n\nJason Kulas\n\nTitle:\n\nChief Executive Officer & Chief Financial Officer\n"
    assert find_signatures(text) == (
        Signature("Jason Kulas", "Chief Executive Officer & Chief Financial Officer", "2025-01-10"),
    )


def test_signature_table_with_wrapped_titles() -> None:
    text = """                                   SIGNATURES
           NAME                         TITLE                      DATE
- --------------------------  ------------------------------  -------------------
                            Interim Chief Executive
    /s/ STEVEN P. JOBS        Officer and Director
- --------------------------    (Principal Executive           December 4, 1997
      STEVEN P. JOBS          Officer)
 /s/ WILLIAM V. CAMPBELL
- --------------------------  Director                         December 4, 1997
   WILLIAM V. CAMPBELL
"""
    assert find_signatures(text) == (
        Signature("STEVEN P. JOBS", "Interim Chief Executive Officer and Director (Principal Executive Officer)",
                  "1997-12-04"),
        Signature("WILLIAM V. CAMPBELL", "Director", "1997-12-04"),
    )  # fmt: skip


def test_no_signature_section_gives_nothing() -> None:
    assert find_signatures("/s/ Katherine Kwiat, power of attorney\n2025-01-10") == ()
    assert find_signatures("SIGNATURES\nPursuant to the requirements ...\nACME CORP\nBy: ____\n") == ()


# --- properties and size ------------------------------------------------------------------------------

_FRAGMENTS = [
    "ITEM 5. OTHER EVENTS.",
    "Item 2.02 Results",
    "ITEMS 5 AND 7",
    "Item 9.01(d)",
    "Exhibit 99.1",
    "Exhibits 99.4(a)-(c)",
    " through ",
    "EXHIBIT INDEX",
    "99.1   Press release",
    "(c) Exhibits",
    "SIGNATURES",
    "By: /s/ Paul J. McAuliffe",
    "Name:",
    "Title:",
    "Dated: July 30, 2002",
    "Chief Officer",
    "NAME   TITLE   DATE",
    "/s/ A B",
    "  ",
    "\n",
    "\t",
    "-----",
    "FORM 8-K",
    "\u00a0",
    "10.A-49",
    "(",
]
_doc = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=15), max_size=50).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000) | _doc, st.sampled_from([None, "8-K", "8-K/A", "ABS-15G", "10-Q"]))
def test_items_properties(text: str, form: str | None) -> None:
    items = find_items(text, form, None)
    assert isinstance(items, tuple) and all(isinstance(i, Item) for i in items)
    codes = [i.code for i in items]
    assert len(codes) == len(set(codes)) and all(c in OLD_8K or c in MODERN_8K for c in codes)
    assert all(isinstance(i.title, str) and i.title for i in items)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000) | _doc)
def test_exhibits_and_signatures_properties(text: str) -> None:
    refs = find_exhibit_references(text)
    assert isinstance(refs, tuple) and all(isinstance(r, ExhibitReference) for r in refs)
    assert len({r.number for r in refs}) == len(refs)
    assert all(r.number == normalize_exhibit_number(r.number) and r.document_sequence is None for r in refs)
    for s in find_signatures(text):
        assert isinstance(s, Signature) and s.name
        assert s.date is None or dt.date.fromisoformat(s.date).isoformat() == s.date


@given(st.text(max_size=200))
def test_header_items_properties(title: str) -> None:
    for item in items_from_header((title,), (), "2005-01-01") + items_from_header((title,), (), None):
        assert item.code is None or re.fullmatch(r"\d{1,2}(\.\d{2})?", item.code)


def test_five_megabytes_in_a_few_passes() -> None:
    """No timing assertion: a catastrophic regex would simply not finish."""
    chunk = (
        "ITEM 5. OTHER EVENTS.\n" + "Item " * 50 + "\nExhibit 99.1 and 99.2, " * 20 + "\n"
        + "(c) Exhibits\n99.1    Press release\n" + " " * 3000 + "\n" + "x" * 5000 + "\n"
        + "SIGNATURES\nBy: /s/ Paul J. McAuliffe\nChief Officer\n" + "/s/ " * 100 + "\n" + "-" * 4000 + "\n"
    )  # fmt: skip
    text = (chunk * (5_000_000 // len(chunk) + 1))[:5_000_000]
    assert find_items(text, "8-K", None)
    assert find_exhibit_references(text)
    assert find_signatures(text)
    from generator.parse.cover import read_cover_page

    read_cover_page(text)
