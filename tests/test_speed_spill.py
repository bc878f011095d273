"""Pass 1 leaves each filing in a spill file for pass 2 with the primary document's plain text:
pass 2 must not convert that HTML again (~25 ms for a large document, ~5 % of a build's CPU),
and what search reads must be exactly what a fresh conversion gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import tasks
from generator.discover import discover
from generator.parse import filing as filing_mod
from generator.parse import text as text_mod
from generator.search.fields import search_doc

SITE_SRC = Path(__file__).resolve().parent.parent / "site_src"


def _html_primary_units():
    sources, _ = discover(SITE_SRC)
    units = []
    for s in sources:
        if s.kind == "page" or s.group:
            continue
        r = tasks.parse_unit((s,))
        if r.filing is not None and r.filing.primary is not None and r.filing.primary.format == "html":
            units.append((s,))
    return units


def test_pass_two_reads_the_primary_documents_text_from_the_spill(tmp_path, monkeypatch):
    units = _html_primary_units()
    if not units:
        pytest.skip("no filing with an HTML primary document in site_src")
    unit = units[0]
    fresh = search_doc(tasks.parse_unit(unit).filing)  # converted here, from the markup
    tasks.parse_unit_light(unit, spill=str(tmp_path))
    filing_mod._TEXTS.clear()  # pass 2 runs in another process: nothing cached there
    converted = []
    real = text_mod.html_to_text
    monkeypatch.setattr(text_mod, "html_to_text", lambda html: converted.append(html) or real(html))
    back = tasks._unspill(str(tmp_path), unit)
    assert back is not None and back.filing is not None
    doc = search_doc(back.filing)
    assert doc == fresh
    assert back.filing.primary.text not in converted, "the primary document was converted again"


def test_an_unreadable_spill_means_parsing_again(tmp_path):
    units = _html_primary_units()
    if not units:
        pytest.skip("no filing with an HTML primary document in site_src")
    tasks.parse_unit_light(units[0], spill=str(tmp_path))
    Path(tasks.spill_path(str(tmp_path), units[0])).write_bytes(b"not a spill")
    assert tasks._unspill(str(tmp_path), units[0]) is None


def test_pass_one_converts_the_primary_document_once(tmp_path, monkeypatch):
    """The cover-page reader's conversion is the one the spill carries (not a second one)."""
    units = _html_primary_units()
    if not units:
        pytest.skip("no filing with an HTML primary document in site_src")
    filing_mod._TEXTS.clear()
    converted = []
    real = text_mod.html_to_text
    monkeypatch.setattr(text_mod, "html_to_text", lambda html: converted.append(html) or real(html))
    tasks.parse_unit_light(units[0], spill=str(tmp_path))
    back = tasks._unspill(str(tmp_path), units[0])
    assert back is not None and converted.count(back.filing.primary.text) == 1


def test_a_plain_text_primary_document_is_not_carried_twice(tmp_path):
    """Only a conversion is worth carrying: a plain-text primary document's text is its markup
    less a few tags, and carrying it would double the filing's spill."""
    import pickle
    import zlib

    sources, _ = discover(SITE_SRC)
    for s in sources:
        r = tasks.parse_unit((s,)) if s.kind != "page" and not s.group else None
        if r is not None and r.filing is not None and r.filing.primary is not None:
            if r.filing.primary.format == "plain" and r.filing.primary.text:
                break
    else:
        pytest.skip("no filing with a plain-text primary document in site_src")
    tasks.parse_unit_light((s,), spill=str(tmp_path))
    with open(tasks.spill_path(str(tmp_path), (s,)), "rb") as fh:
        _filing, plain, _bare = pickle.loads(zlib.decompress(fh.read()))
    assert plain == ""


def _units():
    from generator.build import make_units

    sources, _ = discover(SITE_SRC)
    return make_units([s for s in sources if s.kind != "page"])


def test_pass_two_gets_back_the_filing_pass_one_parsed(tmp_path):
    """Bare documents read again from the file, or a folder's filing kept whole: the filing pass
    2 reads back is the one pass 1 parsed, every document's text and decoded bytes included."""
    units = _units()
    assert any(len(u) > 1 or u[0].group for u in units), "site_src should hold an accession folder"
    for unit in units:
        parsed = tasks.parse_unit(unit)
        if parsed.filing is None:
            continue
        tasks.parse_unit_light(unit, spill=str(tmp_path))
        back = tasks._unspill(str(tmp_path), unit)
        assert back is not None and back.filing == parsed.filing, unit[0].path
        assert not Path(tasks.spill_path(str(tmp_path), unit)).exists()


def test_a_single_files_spill_holds_no_document_text(tmp_path):
    import pickle
    import zlib

    unit = next(u for u in _units() if len(u) == 1 and not u[0].group and u[0].path.endswith(".txt"))
    tasks.parse_unit_light(unit, spill=str(tmp_path))
    with open(tasks.spill_path(str(tmp_path), unit), "rb") as fh:
        filing, _plain, bare = pickle.loads(zlib.decompress(fh.read()))
    assert bare and filing.documents
    assert all(d.text == "" and d.data is None and d.sha256 for d in filing.documents)


def test_a_file_changed_between_the_passes_is_parsed_again(tmp_path):
    """The bare spill names its documents by their bodies' digests: if the file no longer holds
    them, pass 2 must not pair pass 1's facts with other text."""
    import shutil

    from generator.model import SourceFile

    original = next(
        u[0]
        for u in _units()
        if len(u) == 1 and not u[0].group and b"</TEXT>" in Path(u[0].abspath).read_bytes()
    )
    copy = tmp_path / "filing.txt"
    shutil.copyfile(original.abspath, copy)
    unit = (SourceFile(original.path, str(copy), original.kind),)
    spill = tmp_path / "spill"
    spill.mkdir()
    tasks.parse_unit_light(unit, spill=str(spill))
    data = copy.read_bytes()
    at = data.rindex(b"</TEXT>")
    copy.write_bytes(data[:at] + b"\nA LINE ADDED AFTER PASS 1\n" + data[at:])
    assert tasks._unspill(str(spill), unit) is None
    copy.unlink()
    assert tasks._unspill(str(spill), unit) is None
