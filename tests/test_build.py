"""End-to-end builds of the demo site: every input accounted for, the JSON contract, determinism,
idempotence."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import ROOT, read_json, run_build, tree_bytes

SITE_SRC = ROOT / "site_src"
FIXTURES = ROOT / "tests" / "fixtures"
ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "output"
    report, lines = run_build(SITE_SRC, out, jobs=1)
    return out, report, lines


def test_demo_builds_every_input(demo):
    out, report, lines = demo
    assert report.failed == 0, lines
    listed = {i.path for i in report.inputs}
    on_disk = {p.relative_to(SITE_SRC).as_posix() for p in SITE_SRC.rglob("*") if p.is_file()}
    assert listed == on_disk, "every input file has a line in the build report"
    record = read_json(out / "build-report.json")
    assert {i["path"] for i in record["inputs"]} == on_disk
    assert lines[-1].startswith("Built ")


def test_demo_filing_records_follow_the_contract(demo):
    out, report, _ = demo
    catalog = read_json(out / "catalog.json")["filings"]
    assert len(catalog) == report.filings >= 20
    for entry in catalog:
        rec = read_json(out / "filings" / entry["id"] / "filing.json")
        assert rec["id"] == entry["id"] and (out / rec["url"]).is_file()
        if rec["accession_no"]:
            assert ACCESSION.match(rec["accession_no"]) and rec["id"] == rec["accession_no"]
        for key in ("filed", "period", "date_of_report"):
            assert rec[key] is None or ISO.match(rec[key]), (entry["id"], key, rec[key])
        for f in rec["filers"]:
            assert f["cik"] is None or re.fullmatch(r"\d{10}", f["cik"])
            assert f["irs_number"] is None or re.fullmatch(r"\d{9}", f["irs_number"])
            assert f["state_of_incorporation"] is None or re.fullmatch(
                r"[A-Z][A-Z0-9]", f["state_of_incorporation"]
            )
        for d in rec["documents"]:
            assert (out / d["url"]).is_file(), d["url"]
            assert d["file_url"] is None or (out / d["file_url"]).is_file()
        for r in rec["exhibit_references"]:
            assert r["document_url"] is None or (out / r["document_url"]).is_file()
        assert set(rec["provenance"].values()) <= {"header", "cover page"}
        assert (out / rec["source"]["original_url"]).is_file()


def test_seed_headerless_filing(demo):
    out, _, _ = demo
    rec = read_json(out / "filings" / "000-fafeb7603bdfca6a" / "filing.json")
    assert rec["accession_no"] is None and rec["filed"] is None  # not stated: never guessed
    assert rec["form"] == "8-K" and rec["date_of_report"] == "2002-07-29"
    filer = rec["filers"][0]
    assert filer["name"] == "APARTMENT INVESTMENT AND MANAGEMENT COMPANY"
    assert (filer["irs_number"], filer["state_of_incorporation"], filer["file_number"]) == (
        "841259577",
        "MD",
        "1-13232",
    )
    assert filer["cik"] is None
    assert [i["code"] for i in rec["items"]] == ["5", "7"]
    assert [(r["number"], r["document_url"]) for r in rec["exhibit_references"]] == [("99.1", None)]
    assert rec["provenance"]["form"] == "cover page"
    assert rec["source"]["format"] == "headerless"


def test_uuencoded_images_are_decoded_files(demo):
    out, _, _ = demo
    rec = read_json(out / "filings" / "0001213900-25-032135" / "filing.json")
    images = [d for d in rec["documents"] if d["format"] == "uuencoded"]
    assert images
    magic = {
        "jpg": b"\xff\xd8\xff",
        "jpeg": b"\xff\xd8\xff",
        "gif": b"GIF8",
        "pdf": b"%PDF",
        "zip": b"PK\x03\x04",
        "xlsx": b"PK\x03\x04",
    }
    assert any(d["file_url"].endswith(".jpg") for d in images)
    for d in images:
        data = (out / d["file_url"]).read_bytes()
        assert data.startswith(magic[d["file_url"].rsplit(".", 1)[-1].lower()]), d


def test_archives_folder_is_one_filing(demo):
    out, report, _ = demo
    rec = read_json(out / "filings" / "0001493152-25-001317" / "filing.json")
    assert rec["form"] == "8-K" and rec["filers"][0]["cik"] == "0000880984"
    assert [d["filename"] for d in rec["documents"]][:2] == ["form8-k.htm", "ex10-1.htm"]
    outcomes = {i.path: i for i in report.inputs if "000149315225001317" in i.path}
    assert all(o.id == "0001493152-25-001317" for o in outcomes.values())


def test_markdown_page_is_rendered_and_linked(demo):
    out, _, _ = demo
    page = (out / "about" / "index.html").read_text()
    assert "<table>" in page and "About this archive" in page
    assert 'href="about/index.html"' in (out / "index.html").read_text()


def test_two_builds_are_byte_identical_and_second_writes_nothing(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    run_build(SITE_SRC, a, jobs=1)
    report, _ = run_build(SITE_SRC, b, jobs=2)
    assert tree_bytes(a) == tree_bytes(b)
    again, _ = run_build(SITE_SRC, b, jobs=2)
    assert again.written == 0


def test_removed_input_is_pruned(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SITE_SRC, src)
    out = tmp_path / "out"
    run_build(src, out, jobs=1)
    assert (out / "filings" / "0000914760-99-000124" / "filing.json").exists()
    (src / "filings" / "1990s" / "0000914760-99-000124.txt").unlink()
    (out / "my-notes.txt").write_text("not the build's file")
    run_build(src, out, jobs=1)
    assert not (out / "filings" / "0000914760-99-000124").exists()
    assert (out / "my-notes.txt").exists(), "files the build never wrote are left alone"
    assert "0000914760-99-000124" not in (out / "catalog.json").read_text()


def test_same_filing_in_two_forms_is_one_filing(tmp_path):
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    full = SITE_SRC / "filings" / "1990s" / "0000914760-99-000124.txt"
    shutil.copy(full, src / "a" / "0000914760-99-000124.txt")
    shutil.copy(full, src / "b" / "copy.txt")  # the same accession again, under another name
    report, _ = run_build(src, tmp_path / "out", jobs=1)
    outcomes = sorted((i.path, i.outcome, i.id) for i in report.inputs)
    assert outcomes == [
        ("a/0000914760-99-000124.txt", "built", "0000914760-99-000124"),
        ("b/copy.txt", "duplicate", "0000914760-99-000124"),
    ]
    rec = read_json(tmp_path / "out" / "filings" / "0000914760-99-000124" / "filing.json")
    assert rec["duplicates"] == ["b/copy.txt"]


def test_headerless_documents_in_accession_folders_are_named_by_the_folder(tmp_path):
    """sec-edgar-downloader names every document ``primary-document.html``: named by the file,
    all but one would get a hashed id, and a folder added later that sorts first would take the
    plain id (and its URL) from another filing. Named by the folder, each keeps its own."""
    src, out = tmp_path / "src", tmp_path / "out"

    def add(folder: str, text: str) -> None:
        path = src / folder / "primary-document.html"
        path.parent.mkdir(parents=True)
        path.write_text(f"<html><body><p>FORM 8-K</p><p>{text}</p></body></html>")

    add("sec-edgar-filings/0000000002/8-K/0000000002-24-000007", "the second company's report")
    add("sec-edgar-filings/0000000003/8-K/0000000003-24-000009", "the third company's report")
    add("edgar/data/4/000000000424000011", "the fourth company's report")
    report, lines = run_build(src, out, jobs=1)
    assert report.failed == 0, lines
    ids = sorted(e["id"] for e in read_json(out / "catalog.json")["filings"])
    assert ids == ["0000000002-24-000007", "0000000003-24-000009", "0000000004-24-000011"]
    first = (out / "filings" / "0000000002-24-000007" / "index.html").read_bytes()
    assert b"No accession number stated (the page is named after its folder" in first

    add("sec-edgar-filings/0000000001/8-K/0000000001-24-000005", "a company that sorts first")
    report, lines = run_build(src, out, jobs=1)
    assert report.failed == 0, lines
    ids = sorted(e["id"] for e in read_json(out / "catalog.json")["filings"])
    assert ids[0] == "0000000001-24-000005" and len(ids) == 4
    assert b"the second company" in (out / "filings" / "0000000002-24-000007" / "index.html").read_bytes()
    assert b"the second company" in first
    for rec in map(read_json, (out / "filings").glob("*/filing.json")):
        assert rec["accession_no"] is None, "the folder's number names the page; it is not a fact"


def test_a_foreign_filer_shows_its_places_by_name_beside_edgars_codes(tmp_path):
    """EDGAR codes other countries and Canada's provinces ("E9", "K3", "A6"). The record keeps the
    code as the header states it; the pages add the place's name, where they showed a bare "E9"."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    shutil.copy(FIXTURES / "foreign-6-k.txt", src / "0000000009-24-000001.txt")
    report, lines = run_build(src, out, jobs=1)
    assert report.failed == 0, lines
    rec = read_json(out / "filings" / "0000000009-24-000001" / "filing.json")
    assert rec["filers"][0]["state_of_incorporation"] == "E9"
    assert rec["filers"][0]["business_address"]["state"] == "K3"
    page = (out / "filings" / "0000000009-24-000001" / "index.html").read_text(encoding="utf-8")
    assert "<dd>Cayman Islands (E9)" in page
    assert "HONG KONG, Hong Kong (K3)" in page
    company = next((out / "companies").glob("*/index.html")).read_text(encoding="utf-8")
    assert "Cayman Islands (E9)" in company and "TORONTO, Ontario, Canada (A6)" in company


def test_the_filing_that_states_an_accession_number_keeps_its_url(tmp_path):
    """A headerless document named by its folder's number that is not a copy of the filing with
    that number (another text) gets a suffixed id; the filing whose header states the number
    keeps the plain one, whatever the order of their paths."""
    src, out = tmp_path / "src", tmp_path / "out"
    folder = src / "a" / "sec-edgar-filings" / "0000914760" / "8-K" / "0000914760-99-000124"
    folder.mkdir(parents=True)
    (folder / "primary-document.html").write_text("<html><body><p>FORM 8-K</p><p>another text</p></body></html>")
    shutil.copy(SITE_SRC / "filings" / "1990s" / "0000914760-99-000124.txt", src / "z-0000914760-99-000124.txt")
    report, lines = run_build(src, out, jobs=1)
    assert report.failed == 0, lines
    by_path = {i.path: i.id for i in report.inputs}
    assert by_path["z-0000914760-99-000124.txt"] == "0000914760-99-000124"
    headerless = by_path[str((folder / "primary-document.html").relative_to(src))]
    assert headerless.startswith("0000914760-99-000124-") and headerless != "0000914760-99-000124"


def test_a_page_named_by_a_number_that_is_no_stated_fact_says_where_it_comes_from(demo):
    """A headerless filing whose id reads like an accession number (its file's or its folder's
    name) says so beside "No accession number stated"; one named by another file name does not."""
    out, _, _ = demo
    page = (out / "filings" / "0000899681-95-000096" / "index.html").read_text(encoding="utf-8")
    assert 'No accession number stated (the page is named after its file, <span class="mono">0000899681-95-000096' in page
    page = (out / "filings" / "0000943374-24-000509" / "index.html").read_text(encoding="utf-8")
    assert "No accession number stated (the page is named after its folder" in page
    page = (out / "filings" / "000-fafeb7603bdfca6a" / "index.html").read_text(encoding="utf-8")
    assert "No accession number stated ·" in page
