"""The browser index: deterministic, complete (every term of a document finds it), capped."""

from __future__ import annotations

import pytest
from search_support import demo_filings

from generator.search import analysis
from generator.search.encode import FORMAT_VERSION, read_data_file, undeltas
from generator.search.fields import search_doc
from generator.search.index import build_index


@pytest.fixture(scope="module")
def index():
    return {o.path: o.data for o in build_index(demo_filings())}


def _load(index, name):
    return read_data_file(index[f"search/{name}.js"])


def _postings(index, term):
    manifest = _load(index, "manifest")
    k = max(i for i, first in enumerate(manifest["shards"]) if first <= term)
    return _load(index, f"t/{k}").get(term)


def test_two_builds_give_identical_bytes(index):
    again = {o.path: o.data for o in build_index(reversed(demo_filings()))}
    assert again == index


def test_manifest_carries_the_format_and_analysis_versions(index):
    m = _load(index, "manifest")
    assert (m["format"], m["analysis"], m["docs"]) == (FORMAT_VERSION, analysis.ANALYSIS_VERSION, 22)
    assert m["shards"] == sorted(m["shards"]) and len(m["shards"]) > 1


def test_every_term_of_every_document_finds_it(index):
    docs = _load(index, "manifest")["docs"]
    ids = [_load(index, f"d/{n}")["id"] for n in range(docs)]
    by_id = {f.id: search_doc(f) for f in demo_filings()}
    for n, doc_id in enumerate(ids):
        d = by_id[doc_id]
        terms = set(analysis.analyze(d.company_text + "\n" + d.form_text))
        terms |= {t for p in d.body for t in analysis.analyze(p.text)}
        for term in sorted(terms)[::7]:  # a seventh of each vocabulary keeps the test quick
            assert n in undeltas(_postings(index, term)["d"]), (doc_id, term)


def test_documents_are_numbered_by_filing_date(index):
    m = _load(index, "manifest")
    filed = [_load(index, f"d/{n}")["filed"] for n in range(m["docs"])]
    assert filed[: m["undated"]] == [None] * m["undated"]
    assert filed[m["undated"] :] == sorted(filed[m["undated"] :])


def test_common_terms_are_capped_to_their_best_impacts():
    capped = {o.path: o.data for o in build_index(demo_filings(), cap=3)}
    entry = _postings(capped, "the")
    assert entry["n"] > 3 and len(entry["d"]) == 3 and len(undeltas(entry["a"])) == entry["n"]
    full = _postings({o.path: o.data for o in build_index(demo_filings())}, "the")
    best = sorted(zip(full["s"], undeltas(full["d"]), strict=True), key=lambda x: (-x[0], x[1]))[:3]
    assert sorted(d for _s, d in best) == undeltas(entry["d"])


def test_text_chunks_rebuild_each_document_from_its_first_term(index):
    by_id = {f.id: search_doc(f) for f in demo_filings()}
    for n in range(_load(index, "manifest")["docs"]):
        row = _load(index, f"d/{n}")
        chunks = [_load(index, f"x/{n}/{k}") for k in range(len(row["chunks"]))]
        assert [c["p"] for c in chunks] == row["chunks"]
        got = [t for c in chunks for t in analysis.analyze(c["t"])]
        want = [t for p in by_id[row["id"]].body for t in analysis.analyze(p.text)]
        assert got == want, row["id"]


def test_large_positions_entries_are_split_into_blocks_that_rebuild_them(index):
    blocked = {o.path: o.data for o in build_index(demo_filings(), position_bytes=200)}
    manifest = _load(blocked, "manifest")
    unsplit = {o.path: o.data for o in build_index(demo_filings(), position_bytes=None)}
    whole = {}
    for k in range(len(_load(unsplit, "manifest")["shards"])):
        whole |= _load(unsplit, f"p/{k}")
    split = 0
    for k in range(len(manifest["shards"])):
        shard, positions = _load(blocked, f"t/{k}"), _load(blocked, f"p/{k}")
        for term, entry in shard.items():
            if "b" not in entry:
                assert positions[term] == whole[term]
                continue
            j, per = entry["b"]
            assert sorted(shard)[j] == term and term not in positions
            lists = [x for b in range(-(-entry["n"] // per)) for x in _load(blocked, f"p/{k}-{j}-{b}")]
            assert lists == whole[term], term
            split += 1
    assert split > 10
    unchanged = ("search/d/", "search/x/", "search/m/")
    assert {p: d for p, d in blocked.items() if p.startswith(unchanged)} == {
        p: d for p, d in index.items() if p.startswith(unchanged)
    }
