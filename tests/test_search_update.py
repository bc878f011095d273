"""The incremental browser index (IndexUpdate): a no-change update writes nothing, a changed
filing rewrites only its part, deletions hide documents, merged segments are byte-identical to
segments built fresh from the same filings, and a segment reads back into what it was made of."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_support import by_date, demo_filings, update_site

from generator.search import store
from generator.search.encode import read_data_file
from generator.search.fields import BodyPart, SearchDoc, search_doc
from generator.search.query import parse_query
from generator.search.segment import SegmentBuilder, SegmentSource, Settings
from generator.search.update import IndexUpdate, analyse

SMALL = {"segment_docs": 6, "merge_factor": 3}


@pytest.fixture(scope="module")
def docs():
    return by_date([search_doc(f) for f in demo_filings()])


def _manifest(root):
    return read_data_file((root / "search" / "manifest.js").read_bytes())


def _tree(root):
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "search").rglob("*")) if p.is_file()
    }


def changed_doc(doc: SearchDoc) -> SearchDoc:
    return dataclasses.replace(doc, body=(*doc.body, BodyPart(doc.url, "a new paragraph on zyxwv quotas")))


def incremental(root, docs):
    """Five updates: adds over several runs (filling and merging segments), a changed filing, two
    removals. Returns the final set of documents."""
    update_site(root, docs[:4], **SMALL)
    update_site(root, docs[4:8], **SMALL)
    update_site(root, [*docs[8:14], changed_doc(docs[1])], [docs[5].id], **SMALL)
    update_site(root, docs[14:18], **SMALL)
    update_site(root, docs[18:], [docs[9].id], **SMALL)
    gone = {docs[5].id, docs[9].id, docs[1].id}
    return [d for d in docs if d.id not in gone] + [changed_doc(docs[1])]


def test_an_update_without_changes_writes_nothing(tmp_path, docs):
    assert update_site(tmp_path, docs, **SMALL)
    before = _tree(tmp_path)
    assert update_site(tmp_path, docs, **SMALL) == []  # every filing added again, unchanged
    assert update_site(tmp_path, [], **SMALL) == []
    assert _tree(tmp_path) == before


def test_a_changed_filing_rewrites_its_chunks_a_small_segment_and_the_manifest(tmp_path, docs):
    few = {"segment_docs": 6, "merge_factor": 8}  # four segments: no tier has 8
    update_site(tmp_path, docs, **few)
    names = {s["name"] for s in _manifest(tmp_path)["segments"]}
    written = update_site(tmp_path, [changed_doc(docs[3])], **few)
    new = [s for s in _manifest(tmp_path)["segments"] if s["name"] not in names]
    assert len(new) == 1 and new[0]["docs"] == 1
    old = [s for s in _manifest(tmp_path)["segments"] if s["deleted"]]
    assert len(old) == 1 and old[0]["deleted"] == [old[0]["deleted"][0]]
    assert {p.split("/")[1] for p in written} == {"seg", "x", "manifest.js"}
    assert all(p.startswith(f"search/seg/{new[0]['name']}/") for p in written if "/seg/" in p)


def test_a_segment_made_by_merging_is_the_segment_a_fresh_build_makes(tmp_path, docs):
    for i in range(3):  # three segments of three: one size tier, merged by the third update
        update_site(tmp_path, docs[3 * i : 3 * i + 3], segment_docs=100, merge_factor=3)
    segments = _manifest(tmp_path)["segments"]
    assert [s["docs"] for s in segments] == [9]
    fresh = tmp_path / "fresh"
    update_site(fresh, docs[:9], segment_docs=100, merge_factor=3)
    assert _tree(fresh) == _tree(tmp_path)
    # a segment over half deleted is rewritten without its deleted documents
    update_site(tmp_path, [], [d.id for d in docs[:4]], segment_docs=100, merge_factor=3)
    assert [(s["docs"], s["deleted"]) for s in _manifest(tmp_path)["segments"]] == [(9, [0, 1, 1, 1])]
    update_site(tmp_path, [], [docs[4].id], segment_docs=100, merge_factor=3)
    assert [(s["docs"], s["deleted"]) for s in _manifest(tmp_path)["segments"]] == [(4, [])]


def test_full_segments_are_not_merged_for_their_tier_only_when_half_deleted(tmp_path, docs):
    """A one-filing update must not merge the full segments a big build wrote (at 100,000
    filings: 40 segments, minutes): only small segments merge by tier; a full one when half of
    it is deleted."""
    update_site(tmp_path, docs[:16], segment_docs=4, merge_factor=4)  # four full segments
    assert [s["docs"] for s in _manifest(tmp_path)["segments"]] == [4, 4, 4, 4]
    update_site(tmp_path, docs[16:17], segment_docs=4, merge_factor=4)  # tier 1 has 4: not merged
    assert [s["docs"] for s in _manifest(tmp_path)["segments"]] == [4, 4, 4, 4, 1]
    update_site(tmp_path, [], [d.id for d in docs[:3]], segment_docs=4, merge_factor=4)
    assert sorted(s["docs"] for s in _manifest(tmp_path)["segments"]) == [1, 1, 4, 4, 4], "half deleted: merged"
    for root in (tmp_path,):
        store.sync(root)
    fresh = tmp_path / "fresh"
    update_site(fresh, docs[3:17], segment_docs=100)
    store.sync(fresh)
    for q in ["the company", "form:8-K", "", "report*"]:
        assert store.search(tmp_path, parse_query(q), limit=1000) == store.search(fresh, parse_query(q), limit=1000), q


def test_incremental_updates_search_like_a_fresh_build_on_the_command_line(tmp_path, docs):
    final = incremental(tmp_path / "inc", docs)
    fresh = tmp_path / "fresh"
    update_site(fresh, by_date(final), **SMALL)
    manifest = _manifest(tmp_path / "inc")
    assert manifest["docs"] == len(final) == len(docs) - 2
    assert len(manifest["segments"]) > 1
    for root in (tmp_path / "inc", fresh):
        store.sync(root)
    for q in ["the company", "zyxwv", '"securities and exchange"', "form:8-K", "", "report*"]:
        a = store.search(tmp_path / "inc", parse_query(q), limit=1000)
        b = store.search(fresh, parse_query(q), limit=1000)
        assert a == b, q
    assert store.search(tmp_path / "inc", parse_query("zyxwv"))["total"] == 1
    hits = store.search(tmp_path / "inc", parse_query(""), limit=1000)["results"]
    assert docs[5].id not in {h["id"] for h in hits}


def test_an_index_of_other_settings_is_replaced_whole(tmp_path, docs):
    update_site(tmp_path, docs[:5])
    old = {p.relative_to(tmp_path).as_posix() for p in (tmp_path / "search").rglob("*") if p.is_file()}
    update = IndexUpdate(tmp_path, cap=7)
    assert update.ids() == {}
    outputs = [o for d in docs[:5] for o in update.add(analyse(d))]
    rest, stale = update.finish()
    assert outputs and stale, "the old index's files go"
    written = {o.path for o in outputs + rest}  # the build never removes what it wrote
    assert stale - written == {p for p in old if p.startswith(("search/seg/", "search/x/"))} - written


_words = st.sampled_from("alpha beta gamma delta the of company 99.1 8-k ünïcode".split())
_texts = st.lists(_words, max_size=30).map(" ".join)
_docs = st.lists(
    st.builds(
        lambda i, filed, company, body: SearchDoc(
            id=f"f{i}",
            url=f"filings/f{i}/index.html",
            title=company,
            company=company,
            form="8-K",
            filed=filed,
            names=(company,),
            ciks=("0000000001",),
            items=(),
            exhibits=(),
            state=None,
            company_text=company,
            form_text="8-K",
            body=(BodyPart("a.html", body),),
        ),  # fmt: skip
        st.integers(0, 50),
        st.sampled_from([None, "2001-02-03", "1999-12-31"]),
        _texts,
        _texts,
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda d: d.id,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_docs, st.integers(1, 4), st.sampled_from([None, 40]))
def test_a_segment_reads_back_into_the_same_segment(docs, cap, position_bytes):
    s = Settings(cap=cap, position_bytes=position_bytes, shard_bytes=200)
    builder = SegmentBuilder()
    for d in docs:
        a = analyse(d)
        builder.add_postings(builder.add_doc(a.info), a.terms, a.tf, a.first, a.positions)
    writer = builder.write(s)
    files = {o.path: o.data for o in writer.files()}
    prefix = f"search/seg/{writer.name}/"

    def load(rel):
        return read_data_file(files[f"{prefix}{rel}.js"])

    second = SegmentBuilder().write(s, [SegmentSource(writer.name, load, set(range(len(docs))))])
    assert second.name == writer.name
    assert {o.path: o.data for o in second.files()} == files



def test_a_segment_is_also_cut_by_its_positions_and_such_a_segment_is_full(tmp_path, docs):
    """The open segment is capped by positions as well as by filings (its memory follows its
    positions: long 1990s filings have twice those of recent ones). A segment cut by positions
    is full: like one cut by filings, a one-filing update does not merge it for its tier."""
    sizes = [sum(analyse(d).info.lengths) for d in docs[:12]]
    cap = sorted(sizes)[6] * 2  # two or three of these filings fill a segment
    cuts, open_ = [], 0
    for n, size in enumerate(sizes):  # where the cap cuts: after the filing that reaches it
        open_ += size
        if open_ >= cap:
            cuts.append(n + 1 - sum(cuts))
            open_ = 0
    few = {"segment_docs": 100, "segment_positions": cap, "merge_factor": 2}
    update_site(tmp_path, docs[: sum(cuts)], **few)  # only full segments
    segments = _manifest(tmp_path)["segments"]
    assert [s["docs"] for s in segments] == cuts and len(cuts) >= 3
    update_site(tmp_path, docs[sum(cuts) : sum(cuts) + 1], **few)  # merge factor 2: a tier of two merges
    after = [s["name"] for s in _manifest(tmp_path)["segments"]]
    assert after[:-1] == [s["name"] for s in segments], "a segment full by positions was merged for its tier"
