"""Assemble stage: companies, neighbours, amendments, SIC descriptions, form names and slugs, URLs,
charts. Real filings from site_src/ (edited copies where a case needs one), parsed in-process."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from generator.build import make_units, parse_units, resolve_duplicates
from generator.companies import company_key, name_key
from generator.config import load_config
from generator.discover import discover
from generator.forms import form_name
from generator.model import Filer
from generator.site import assemble_site, form_slugs, relative
from generator.svg import filings_by_year

SITE_SRC = ROOT / "site_src"
PERICOM = SITE_SRC / "filings" / "2000s" / "0001275287-05-001389.txt"  # 8-K, period 2005-04-21


def parse_tree(root: Path) -> list:
    """Every filing under ``root``, read the way the build reads it (folders, duplicates)."""
    cfg = load_config(None, source=root, output=root.parent / "unused", progress=False, jobs=1)
    sources, _ = discover(root, exclude=cfg.output)
    units = make_units([s for s in sources if s.kind != "page"])
    filings, _ = resolve_duplicates(parse_units(units, cfg))
    return filings


@pytest.fixture(scope="module")
def demo_site():
    return assemble_site("Demo", parse_tree(SITE_SRC), [])


def edited(text: str, accession: str, form: str | None = None, **header: str) -> str:
    """A copy of a submission under a new accession number, with header lines replaced."""
    text = text.replace("0001275287-05-001389", accession)
    if form:
        text = re.sub(r"CONFORMED SUBMISSION TYPE:\t.*", f"CONFORMED SUBMISSION TYPE:\t{form}", text)
    for label, value in header.items():
        text = re.sub(rf"{label}:(\s*)\d+", rf"{label}:\g<1>{value}", text)
    return text


def site_of(tmp_path: Path, files: dict[str, str]):
    src = tmp_path / "src"
    src.mkdir()
    for name, text in files.items():
        (src / name).write_text(text, encoding="latin-1")
    filings = parse_tree(src)
    return assemble_site("T", filings, []), {f.id: f for f in filings}


# --- companies ---------------------------------------------------------------------------------


def test_companies_are_keyed_by_cik_and_gather_every_role(demo_site):
    pericom = demo_site.companies["0001001426"]
    assert pericom.name == "PERICOM SEMICONDUCTOR CORP" and pericom.cik == "0001001426"
    assert [cf.filing.filed for cf in pericom.filings] == ["2007-04-26", "2005-04-21", "2002-03-14"]
    assert pericom.names[0].first_filed == "2002-03-14" and pericom.names[0].last_filed == "2007-04-26"
    efcar = demo_site.companies["0001654238"]  # one ABS-15G names it three times
    assert efcar.filings[0].roles == ("filer", "depositor", "securitizer")
    assert efcar.file_numbers == ("025-02288", "333-268757")
    glazer, avid = demo_site.companies["0001076809"], demo_site.companies["0000704562"]
    assert glazer.filings[0].roles == ("filed by",) and avid.filings[0].roles == ("subject company",)
    assert glazer.filings[0].filing is avid.filings[0].filing
    arrow = demo_site.companies["0000007536"]  # the issuer of a Form 4
    assert arrow.filings[0].roles == ("issuer",)
    assert [n.name for n in arrow.former_names] == ["ARROW ELECTRONICS, INC", "ARROW ELECTRONICS INC"]
    assert arrow.url == "companies/0000007536/index.html"


def test_headerless_filing_company_is_keyed_by_name_never_by_a_guessed_cik(demo_site):
    key = "name-apartment-investment-and-management-company"
    company = demo_site.companies[key]
    assert company.cik is None and company.name == "APARTMENT INVESTMENT AND MANAGEMENT COMPANY"
    assert [cf.filing.id for cf in company.filings] == ["000-fafeb7603bdfca6a"]
    assert company.names[0].first_filed is None  # the filing states no filing date
    filer = company.filings[0].filing.filers[0]
    assert demo_site.company_url_for(filer) == f"companies/{key}/index.html"
    assert all(c.cik is None for c in demo_site.companies.values() if c.key.startswith("name-"))


def test_company_keys_and_urls():
    assert company_key(Filer(role="filer", cik="0000320193", name="APPLE")) == "0000320193"
    assert company_key(Filer(role="filer", name="Foo, Inc.")) == "name-foo-inc"
    assert company_key(Filer(role="filer")) is None
    long_a, long_b = "A" * 70 + " ONE", "A" * 70 + " TWO"
    assert name_key(long_a) != name_key(long_b), "truncated slugs keep a digest of the whole name"
    assert re.fullmatch(r"name-[a-z0-9-]+", name_key("株式会社")), name_key("株式会社")


def test_companies_a_to_z(demo_site):
    names = [c.name.casefold() for c in demo_site.companies_az]
    assert names == sorted(names) and len(names) == len(demo_site.companies)


# --- previous / next -------------------------------------------------------------------------------


def test_previous_next_follow_the_main_company_by_filed_date(demo_site):
    by_id = demo_site.by_id
    middle = by_id["0001275287-05-001389"]
    prev, nxt = demo_site.previous_next(middle)
    assert (prev.id, nxt.id) == ("0001012870-02-001163", "0001144204-07-020827")
    assert demo_site.previous_next(by_id["0001012870-02-001163"])[0] is None
    assert demo_site.previous_next(by_id["0001144204-07-020827"])[1] is None
    assert demo_site.previous_next(by_id["000-fafeb7603bdfca6a"]) == (None, None)


# --- amendments ------------------------------------------------------------------------------------


def test_amendment_with_same_filer_form_and_period_is_linked_both_ways(tmp_path):
    text = PERICOM.read_text(encoding="latin-1")
    site, by_id = site_of(
        tmp_path,
        {
            "original.txt": text,
            "amendment.txt": edited(
                text, "0001275287-05-001500", "8-K/A", **{"FILED AS OF DATE": "20050502"}
            ),
        },
    )
    original, amendment = by_id["0001275287-05-001389"], by_id["0001275287-05-001500"]
    assert amendment.form == "8-K/A" and amendment.period == original.period
    assert site.amends(amendment) is original
    assert site.amended_by(original) == (amendment,)
    assert site.amends(original) is None and site.amended_by(amendment) == ()


def test_amendment_is_not_linked_on_weaker_evidence(tmp_path):
    text = PERICOM.read_text(encoding="latin-1")
    other_period = edited(
        text, "0001275287-05-001501", "8-K/A", **{"CONFORMED PERIOD OF REPORT": "20050301"}
    ).replace("April 21, 2005", "March 1, 2005")
    other_filer = edited(text, "0001275287-05-001502", "8-K/A").replace("0001001426", "0001001427")
    filed_before = edited(text, "0001275287-05-001503", "8-K/A", **{"FILED AS OF DATE": "20050401"})
    site, by_id = site_of(
        tmp_path, {"o.txt": text, "p.txt": other_period, "f.txt": other_filer, "b.txt": filed_before}
    )
    for acc in ("0001275287-05-001501", "0001275287-05-001502", "0001275287-05-001503"):
        assert site.amends(by_id[acc]) is None, acc
    assert site.amended_by(by_id["0001275287-05-001389"]) == ()


def test_of_several_originals_the_latest_filed_not_after_the_amendment_is_amended(tmp_path):
    text = PERICOM.read_text(encoding="latin-1")
    refiled = edited(text, "0001275287-05-001400", **{"FILED AS OF DATE": "20050425"})
    later = edited(text, "0001275287-05-001401", **{"FILED AS OF DATE": "20050601"})
    amendment = edited(text, "0001275287-05-001500", "8-K/A", **{"FILED AS OF DATE": "20050502"})
    site, by_id = site_of(tmp_path, {"o.txt": text, "r.txt": refiled, "l.txt": later, "a.txt": amendment})
    assert site.amends(by_id["0001275287-05-001500"]).id == "0001275287-05-001400"


# --- SIC descriptions, forms ---------------------------------------------------------------------


def test_sic_description_is_learned_from_another_header_never_invented(demo_site):
    avid = demo_site.by_id["0001076809-24-000144"].filers[0]  # tag-style .nc header: code only
    assert (avid.sic, avid.sic_description) == ("2834", None)
    assert demo_site.sic_description(avid) == "PHARMACEUTICAL PREPARATIONS"  # from ABVC's header
    assert demo_site.companies["0000704562"].sic_description == "PHARMACEUTICAL PREPARATIONS"
    acorn = demo_site.by_id["0001493152-25-001317"].filers[0]
    assert acorn.sic == "8711" and demo_site.sic_description(acorn) is None  # no header names 8711


@pytest.mark.parametrize(
    ("form", "name"),
    [
        ("8-K", "Current report"),
        ("10-K", "Annual report"),
        ("10-Q", "Quarterly report"),
        ("13F-HR", "Quarterly holdings report of an institutional investment manager"),
        ("4", "Statement of changes in beneficial ownership"),
        ("D", "Notice of exempt offering of securities"),
        ("8-K/A", "Amendment to current report"),
        ("13F-HR/A", "Amendment to quarterly holdings report of an institutional investment manager"),
        ("sc  13g", form_name("SC 13G")),
        ("ABS-15G", "Asset-backed securitizer report (Section 15G)"),
        ("424B5", "Prospectus (Rule 424(b)(5))"),
        ("ZZ-99", None),
        ("ZZ-99/A", None),
        ("/A", None),
        (None, None),
    ],
)
def test_form_names(form, name):
    assert form_name(form) == name


def test_form_slugs_are_url_safe_unique_and_stable():
    slugs = form_slugs(["8-K/A", "8-K A", "SC TO-T/A", "10-K", "..", "unknown"])
    assert slugs["8-K/A"] == "8-k-a" and slugs["SC TO-T/A"] == "sc-to-t-a" and slugs["10-K"] == "10-k"
    assert len(set(slugs.values())) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", s) for s in slugs.values()), slugs
    assert form_slugs(["8-K/A", "10-K"])["8-K/A"] == "8-k-a"


# --- URLs and charts -----------------------------------------------------------------------------

_PART = st.sampled_from(["a", "b", "index.html", "companies", "0001067983", "page-2.html"])


@given(st.lists(_PART, min_size=1, max_size=4), st.lists(_PART, min_size=1, max_size=4))
def test_relative_links_match_posixpath(here, there):
    here_url, there_url = "/".join(here), "/".join(there)
    assert relative(here_url, there_url) == posixpath.relpath(there_url, posixpath.dirname(here_url) or ".")


def test_chart_is_accessible_deterministic_and_collapses_empty_years(demo_site):
    chart = filings_by_year(demo_site.filings, "c", "Filings <per> year")
    again = filings_by_year(demo_site.filings, "c", "Filings <per> year")
    assert chart is not None and chart.svg == again.svg
    assert (
        chart.svg.startswith("<svg")
        and 'role="img"' in chart.svg
        and 'aria-labelledby="c-title c-desc"' in chart.svg
    )
    assert '<title id="c-title">Filings &lt;per&gt; year</title>' in chart.svg and "<desc " in chart.svg
    assert not re.search(r"<script|href=|url\(|style=", chart.svg)
    assert sum(r[2] for r in chart.rows) == sum(1 for f in demo_site.filings if f.filed)
    undated = sum(1 for f in demo_site.filings if not f.filed)  # headerless: the seed, a 1995 S-3/A, a 2024 8-K
    assert undated == 3 and chart.undated == undated and f"{undated} filings with no filed date are not shown" in chart.svg
    assert ("2009–2023", (0,) * len(chart.series), 0) in chart.rows
    assert chart.series[-1] == "other" and len(chart.series) <= 5
    assert filings_by_year([f for f in demo_site.filings if not f.filed], "c", "t") is None
