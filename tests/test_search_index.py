"""The browser index (format 3): deterministic, complete (every term of a document finds it),
capped, segmented; segments read back into exactly the postings they were written from."""

from __future__ import annotations

import math

import pytest
from search_support import demo_filings

from generator.search import analysis
from generator.search.encode import FORMAT_VERSION, read_data_file, undeltas
from generator.search.fields import search_doc
from generator.search.index import build_index


def _build(**kw):
    return {o.path: o.data for o in build_index(demo_filings(), **kw)}


@pytest.fixture(scope="module")
def index():
    return _build()


def _load(index, name):
    return read_data_file(index[f"search/{name}.js"])


def _segments(index):
    return [s["name"] for s in _load(index, "manifest")["segments"]]


def _postings(index, seg, term):
    meta = _load(index, f"seg/{seg}/meta")
    k = max(i for i, first in enumerate(meta["shards"]) if first <= term)
    return _load(index, f"seg/{seg}/t/{k}").get(term)


def _rows(index):
    """(segment, number, row) of every document."""
    return [
        (seg, n, _load(index, f"seg/{seg}/d/{n}"))
        for seg in _segments(index)
        for n in range(_load(index, f"seg/{seg}/meta")["docs"])
    ]


def test_two_builds_give_identical_bytes(index):
    again = {o.path: o.data for o in build_index(reversed(demo_filings()))}
    assert again == index


def test_manifest_carries_the_format_and_analysis_versions(index):
    m = _load(index, "manifest")
    assert (m["format"], m["analysis"], m["docs"]) == (FORMAT_VERSION, analysis.ANALYSIS_VERSION, len(demo_filings()))
    meta = _load(index, f"seg/{_segments(index)[0]}/meta")
    assert meta["shards"] == sorted(meta["shards"]) and len(meta["shards"]) > 1


def test_every_term_of_every_document_finds_it():
    index = _build(segment_docs=6)
    assert len(_segments(index)) == 4
    by_id = {f.id: search_doc(f) for f in demo_filings()}
    rows = _rows(index)
    assert sorted(r["id"] for _s, _n, r in rows) == sorted(by_id)
    for seg, n, row in rows:
        d = by_id[row["id"]]
        terms = set(analysis.analyze(d.company_text + "\n" + d.form_text))
        terms |= {t for p in d.body for t in analysis.analyze(p.text)}
        for term in sorted(terms)[::7]:  # a seventh of each vocabulary keeps the test quick
            assert n in undeltas(_postings(index, seg, term)["d"]), (row["id"], term)


def test_documents_of_a_segment_are_numbered_by_filing_date():
    index = _build(segment_docs=6)
    for seg in _segments(index):
        meta = _load(index, f"seg/{seg}/meta")
        rows = [_load(index, f"seg/{seg}/d/{n}") for n in range(meta["docs"])]
        keys = [(r["filed"] is not None, r["filed"] or "", r["id"]) for r in rows]
        assert keys == sorted(keys)
        assert sum(1 for r in rows if r["filed"] is None) == meta["undated"]


def test_common_terms_keep_their_best_documents_and_a_tail():
    capped = _build(cap=3)
    seg = _segments(capped)[0]
    entry = _postings(capped, seg, "the")
    everyone = undeltas(entry["a"])
    assert len(everyone) > 3 and len(undeltas(entry["d"])) == 3 and len(entry["f"]) == 3
    assert set(undeltas(entry["d"])) < set(everyone) and len(entry["r"]) == 3
    # the frequencies of the documents outside the top go to the tail (read by merges only)
    meta = _load(capped, f"seg/{seg}/meta")
    k = max(i for i, first in enumerate(meta["shards"]) if first <= "the")
    tail = _load(capped, f"seg/{seg}/r/{k}")["the"]
    assert len(tail["f"]) == len(everyone) - 3 and len(tail["s"][2]) == len(everyone) - 3
    # the kept documents are the three best by BM25F over this segment (recomputed here)
    full = _build()
    fseg = _segments(full)[0]
    e, lengths = _postings(full, fseg, "the"), _load(full, f"seg/{fseg}/len")
    docs, n = undeltas(e["d"]), len(lengths) // 3
    avg = [sum(lengths[f::3]) / n for f in range(3)]
    idf = [math.log(n / (df + 1)) + 1 for df in e["n"]]

    def score(i):
        tf = [col[i] if col else 0 for col in e["s"]]
        norm = [1.2 * (0.25 + 0.75 * lengths[3 * docs[i] + f] / avg[f]) for f in range(3)]
        return sum(w * idf[f] * tf[f] * 2.2 / (tf[f] + norm[f]) for f, w in enumerate((3, 2, 1)) if tf[f])

    best = sorted(range(len(docs)), key=lambda i: (-score(i), docs[i]))[:3]
    assert undeltas(entry["d"]) == sorted(docs[i] for i in best)


def test_text_chunks_rebuild_each_document_from_its_first_term(index):
    by_id = {f.id: search_doc(f) for f in demo_filings()}
    for _seg, _n, row in _rows(index):
        chunks = [_load(index, f"x/{row['h']}/{k}") for k in range(len(row["chunks"]))]
        assert [c["p"] for c in chunks] == row["chunks"]
        got = [t for c in chunks for t in analysis.analyze(c["t"])]
        want = [t for p in by_id[row["id"]].body for t in analysis.analyze(p.text)]
        assert got == want, row["id"]


def test_large_positions_entries_are_split_into_blocks_that_rebuild_them(index):
    blocked = _build(position_bytes=200)
    unsplit = _build(position_bytes=None)
    seg = _segments(blocked)[0]
    assert _segments(unsplit) != [seg]  # the settings are part of a segment's name
    useg = _segments(unsplit)[0]
    whole = {}
    for k in range(len(_load(unsplit, f"seg/{useg}/meta")["shards"])):
        whole |= _load(unsplit, f"seg/{useg}/p/{k}")
    split = 0
    for k in range(len(_load(blocked, f"seg/{seg}/meta")["shards"])):
        shard, positions = _load(blocked, f"seg/{seg}/t/{k}"), _load(blocked, f"seg/{seg}/p/{k}")
        for term, entry in shard.items():
            if "b" not in entry:
                assert positions[term] == whole[term]
                continue
            j, per = entry["b"]
            assert sorted(shard)[j] == term and term not in positions
            n = len(undeltas(entry.get("a", entry["d"])))
            lists = [x for b in range(-(-n // per)) for x in _load(blocked, f"seg/{seg}/p/{k}-{j}-{b}")]
            assert lists == whole[term], term
            split += 1
    assert split > 10
    assert {p: d for p, d in blocked.items() if p.startswith("search/x/")} == {
        p: d for p, d in index.items() if p.startswith("search/x/")
    }


def test_xbrl_files_and_what_edgar_renders_from_them_are_not_searched(demo_site):
    """A 2025 8-K's primary document and its press release are searched; its linkbases, schema,
    instance and EDGAR's rendering files (R1.htm, Show.js, report.css, MetaLinks.json) are not,
    though each still has its page. They were 80% of the filing's searchable text."""
    filing = next(f for f in demo_filings() if f.id == "0001213900-25-032135")
    types = [d.type for d in filing.documents]
    assert {"EX-101.LAB", "EX-101.SCH", "XML", "JSON"} <= set(types)
    doc = search_doc(filing)
    assert [b.url.rsplit("/", 1)[1] for b in doc.body] == ["1-8-k.html", "2-ex-99-1.html"]
    label = "Document Transition Report"  # a label of the label linkbase
    assert label in next(d.text for d in filing.documents if d.type == "EX-101.LAB")
    assert not any(label in b.text for b in doc.body)
    pages = {p.name for p in (demo_site / "filings" / filing.id).glob("*.html")}
    assert {"6-ex-101-lab.html", "8-xml.html", "15-json.html"} <= pages  # the linkbase, R1.htm, MetaLinks


def test_a_filing_is_found_by_the_numbers_its_urls_show(demo_site):
    """An accession number as EDGAR's Archives URLs write it (18 digits, pasted from
    ``.../edgar/data/320193/000032019397000014/``) and the id of a filing without one (its
    folder's number, shown in its URL and the listings) find the filing, as the dashed number of
    a filing with a header always did."""
    from site_search import search_site

    queries = ["0000320193-97-000014", "000032019397000014", "0000943374-24-000509", "000-fafeb7603bdfca6a"]
    found = search_site(demo_site, queries)
    assert [r[0] for r in found["0000320193-97-000014"]] == ["0000320193-97-000014"]
    assert [r[0] for r in found["000032019397000014"]] == ["0000320193-97-000014"]
    assert [r[0] for r in found["0000943374-24-000509"]] == ["0000943374-24-000509"]
    assert [r[0] for r in found["000-fafeb7603bdfca6a"]] == ["000-fafeb7603bdfca6a"]
    doc = next(search_doc(f) for f in demo_filings() if f.id == "0000320193-97-000014")
    assert "000032019397000014" in doc.form_text.split("\n")
