"""Query syntax: the shared trees, and the command line's whoosh search against naive scans."""

from __future__ import annotations

import dataclasses
import json

import pytest
from conftest import ROOT, run_build
from search_support import SITE_SRC, by_date, naive_all_words, naive_phrase, update_site

from generator.search import store
from generator.search.fields import BodyPart, search_doc
from generator.search.query import parse_query

CONTRACT = json.loads((ROOT / "tests" / "contract" / "query.json").read_text(encoding="utf-8"))


def test_contract_trees():
    assert len(CONTRACT["cases"]) > 20
    for case in CONTRACT["cases"]:
        assert parse_query(case["query"]) == case["tree"], case["query"]


def test_identifiers_never_become_prefixes():
    assert parse_query("99.1*")["must"] == [{"term": "99.1"}]
    assert parse_query("0000320193*")["must"] == [{"term": "0000320193"}]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    run_build(SITE_SRC, out, jobs=1)
    store.sync(out)
    return out


@pytest.fixture(scope="module")
def docs():
    from search_support import demo_filings

    return [search_doc(f) for f in demo_filings()]


def _ids(site, query, **kw):
    return {r["id"] for r in store.search(site, parse_query(query), limit=1000, **kw)["results"]}


@pytest.mark.parametrize("phrase", ["securities and exchange commission", "press release", "exhibit 99.1"])
def test_whoosh_phrase_equals_naive_scan(site, docs, phrase):
    from generator.search.analysis import analyze

    expected = naive_phrase(docs, analyze(phrase))
    assert expected, "the phrase occurs in the demo"
    assert _ids(site, f'"{phrase}"') == expected


def test_whoosh_words_and_filters_equal_naive_scan(site, docs):
    assert _ids(site, "pericom semiconductor") == naive_all_words(docs, ["pericom", "semiconductor"])
    assert _ids(site, "form:13F-HR") == {d.id for d in docs if d.form.lower() == "13f-hr"}
    in_range = {d.id for d in docs if d.filed and "2001-01" <= d.filed[:7] <= "2005-06"}
    assert _ids(site, "filed:2001-01..2005-06") == in_range
    assert _ids(site, "-form:8-K") == {d.id for d in docs if d.form.lower() != "8-k"}


def test_sync_reindexes_only_what_changed(tmp_path, docs):
    update_site(tmp_path, by_date(docs))
    assert store.sync(tmp_path) == (len(docs), 0)
    assert store.sync(tmp_path) == (0, 0)
    changed = dataclasses.replace(docs[2], body=(*docs[2].body, BodyPart("x.html", "zyxwv qrstu")))
    update_site(tmp_path, [changed], [docs[3].id])
    assert store.sync(tmp_path) == (1, 1)
    assert _ids(tmp_path, "zyxwv") == {docs[2].id}
    assert _ids(tmp_path, "") == {d.id for d in docs} - {docs[3].id}
    assert store.sync(tmp_path) == (0, 0)


def test_the_command_line_finds_a_filing_by_its_archives_number_and_says_so_in_words(site):
    from click.testing import CliRunner

    from generator.cli import cli

    one = CliRunner().invoke(cli, ["search", "000032019397000014", "--output", str(site)])
    assert one.exit_code == 0 and one.output.splitlines()[0] == "1 filing matches:", one.output
    assert "filings/0000320193-97-000014/index.html" in one.output
    none = CliRunner().invoke(cli, ["search", "zzqqxxnothing", "--output", str(site)])
    assert none.output.splitlines()[-1] == "0 filings match."
