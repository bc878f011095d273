"""Discovery recognises files by content and groups the folders of one accession."""

from __future__ import annotations

import gzip

from hypothesis import given
from hypothesis import strategies as st

from generator.build import make_units
from generator.discover import discover, folder_hints, sniff
from generator.parse.filing import folder_accession, slug_id


def test_sniff_by_content_not_name():
    assert sniff(b"<SEC-DOCUMENT>x\n<SEC-HEADER>") == "submission"
    assert sniff(b"-----BEGIN PRIVACY-ENHANCED MESSAGE-----\n<SEC-DOCUMENT>") == "submission"
    assert sniff(b"<SUBMISSION>\n<ACCESSION-NUMBER>0001193125-10-145855") == "submission"
    assert sniff(b"<html><body><p>FORM 8-K</p></body></html>") == "html"
    assert sniff(b'<?xml version="1.0"?><edgarSubmission/>') == "xml"
    assert sniff(b"  SECURITIES AND EXCHANGE COMMISSION\n  FORM 8-K\n") == "text"
    assert sniff(b"\xff\xd8\xff\xe0JFIF") == "binary"
    assert sniff(b"milk, eggs\n") is None
    assert sniff(b"") is None
    assert sniff(b"\x00\x01\x02" * 100) is None


@given(st.binary(max_size=4096))
def test_sniff_never_raises(data):
    assert sniff(data) in (None, "submission", "html", "xml", "text", "binary")


def test_layout_hints():
    assert folder_hints("edgar/data/320193/000032019397000011/d10q.htm") == (
        "archives",
        "0000320193-97-000011",
        "0000320193",
    )
    assert folder_hints("sec-edgar-filings/AAPL/10-Q/0000320193-97-000011/full-submission.txt")[:2] == (
        "downloader",
        "0000320193-97-000011",
    )
    assert folder_hints("x/0000320193-97-000011.txt") == ("flat", "0000320193-97-000011", None)


def test_a_headerless_filing_is_named_by_its_accession_folder_only():
    """The id a filing without a header gets (``slug_id``): its folder's accession number when
    the folder is named like one, else its file name; never a number from elsewhere in the path."""
    assert slug_id("edgar/data/320193/000032019397000011/d10q.htm") == "0000320193-97-000011"
    assert slug_id("sec-edgar-filings/AAPL/10-Q/0000320193-97-000011/primary-document.html") == (
        "0000320193-97-000011"
    )
    assert slug_id("0000320193-97-000011/sub/d10q.htm") == "d10q"
    assert slug_id("2024/8-K Report.txt") == "8-k-report"
    assert folder_accession("d10q.htm") is None and folder_accession("1234567890123/x.htm") is None


def test_folders_group_into_units(tmp_path):
    acc = tmp_path / "sec-edgar-filings" / "AAPL" / "8-K" / "0000320193-99-000010"
    acc.mkdir(parents=True)
    (acc / "full-submission.txt").write_text("<SEC-DOCUMENT>\n<SEC-HEADER>\n</SEC-HEADER>\n")
    (acc / "primary-document.html").write_text("<html><body>FORM 8-K</body></html>")
    (tmp_path / "other.txt.gz").write_bytes(gzip.compress(b"<SEC-DOCUMENT>\n<SEC-HEADER>\n"))
    (tmp_path / ".hidden.txt").write_text("x")
    found, skipped = discover(tmp_path)
    assert [s.kind for s in found] == ["submission", "submission", "html"]
    units = make_units(found)
    assert [len(u) for u in units] == [1, 2]
    assert [s.path for s in skipped] == [".hidden.txt"]


# --- discover_changed: the watcher's paths instead of a walk --------------------------------

_FILING = b"SECURITIES AND EXCHANGE COMMISSION\nFORM 8-K\nCURRENT REPORT\n"
_NAMES = ["a.txt", "b.txt", "notes.md", "sub/c.txt", "sub/d.txt", "0000320193-97-000011/e.txt",
          ".hidden.txt", "sub/.x", "readme.txt"]  # fmt: skip
_ops = st.lists(
    st.tuples(st.sampled_from(["write", "filing", "delete", "rmdir", "link", "mkdir"]), st.sampled_from(_NAMES)),
    min_size=1,
    max_size=6,
)


def _apply(root, op: str, name: str) -> str:
    """One file operation as a user or an editor makes it; returns the path a watcher reports."""
    import os
    import shutil

    path = root / name
    if op in ("write", "filing"):
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() and path.is_file():  # writing through a link changes its target, and
            target = path.resolve()  # the target is what a watcher reports (the link is untouched)
            target.write_bytes(_FILING + name.encode() if op == "filing" else b"just notes\n")
            return str(target)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        if path.is_symlink() and not path.exists():  # a dangling link or a loop ("link a.txt" to
            path.unlink()  # itself): an editor saving there replaces it (writing through it fails)
        path.write_bytes(_FILING + name.encode() if op == "filing" else b"just notes\n")
    elif op == "delete":
        if path.is_symlink() or path.is_file():
            path.unlink()
    elif op == "rmdir":
        shutil.rmtree(path.parent, ignore_errors=True) if path.parent != root else None
        return str(path.parent)
    elif op == "link":
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() and not path.is_symlink():
            os.symlink(root / "a.txt", path)
    elif op == "mkdir":
        if not path.exists() and not path.is_symlink():  # a dangling link is there, as for "link"
            path.mkdir(parents=True)
    return str(path)


@given(_ops)
def test_discover_changed_equals_a_walk_or_declines(tmp_path_factory, ops):
    """For any operations, the walk's result updated by the paths they touched is exactly what a
    fresh walk finds, or None (the caller then walks)."""
    from generator.discover import discover_cached, discover_changed

    root = tmp_path_factory.mktemp("src").resolve()
    for name in ("a.txt", "sub/c.txt", "notes.md"):
        _apply(root, "filing", name)
    last = discover_cached(root, None, {})
    touched = [_apply(root, op, name) for op, name in ops]
    got = discover_changed(root, None, last, touched)
    fresh = discover_cached(root, None, last[2])
    if got is not None:
        assert got == fresh


def test_discover_changed_takes_edits_new_and_deleted_files_without_a_walk(tmp_path):
    from generator.discover import discover_cached, discover_changed

    root = tmp_path.resolve()
    for name in ("a.txt", "sub/c.txt", "notes.md"):
        _apply(root, "filing", name)
    last = discover_cached(root, None, {})
    touched = [_apply(root, "filing", "a.txt"), _apply(root, "filing", "sub/d.txt"),
               _apply(root, "delete", "sub/c.txt"), _apply(root, "write", "readme.txt")]  # fmt: skip
    got = discover_changed(root, None, last, touched)
    assert got is not None, "plain file changes need no walk"
    assert got == discover_cached(root, None, last[2])
    assert [s.path for s in got[0]] == ["a.txt", "notes.md", "sub/d.txt"]
    assert [k.path for k in got[1]] == ["readme.txt"]
    assert discover_changed(root, None, got, [_apply(root, "mkdir", "new/x")]) is None, "a folder: walk"
    assert discover_changed(root, None, got, [str(tmp_path.parent / "elsewhere.txt")]) is None
