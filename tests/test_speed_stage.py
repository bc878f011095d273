"""Staging remembers, per stage, the folders it made and the folders the site lacks; it stages
exactly what the former staging (which looked at the site and the stage for every file) staged,
refuses exactly the same paths, and never writes outside the stage."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import write
from generator.model import Output
from generator.write import UnsafePath, _check_folder, _same_bytes

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links")


# --- the former implementation, verbatim (_same_bytes and _check_folder are unchanged; the former
# write_file(atomic=False), which only staging used, is _old_write_in_place) ---


def _old_safe_path(root_s: str, rel: str) -> str:
    """:func:`safe_target` as a string (building a Path per file cost more than the check)."""
    if not rel or rel.startswith("/") or "\\" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise UnsafePath(f"refusing to write outside the output folder: {rel!r}")
    if "\x00" in rel:
        raise UnsafePath(f"refusing a path with a NUL byte: {rel!r}")
    folder = rel.rpartition("/")[0]
    if (root_s, folder) not in write._CHECKED:
        _check_folder(root_s, folder, rel)
    return root_s + "/" + rel


def _old_write_in_place(root: Path, output: Output) -> None:
    root_s = str(root)
    target = _old_safe_path(root_s, output.path)
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        os.makedirs(parent, exist_ok=True)
        _old_safe_path(root_s, output.path)  # re-check: mkdir may have met a link planted meanwhile
    with open(target, "wb") as fh:
        fh.write(output.data)


def old_stage_file(out: Path, stage_root: Path, output: Output) -> bool | None:
    same = _same_bytes(_old_safe_path(str(out), output.path), output.data)
    if same:
        return None
    _old_write_in_place(stage_root, output)
    return same is None


# --- a site with folders, files and links of every kind ---------------------------------------------

_FOLDERS = ["", "filings/a", "filings/b", "filings/a/deep", "new", "new/sub", "out", "out/sub", "inside",
            "dangling", "file", "loop", "search/x/1"]  # fmt: skip
_NAMES = ["index.html", "f.json", "0.js"]
_BAD = ["", "/abs.html", "../up.html", "filings/../x.html", "filings//x.html", "a\\b.html", "nul\x00.html", "./x.html"]


def _site(tmp: Path) -> Path:
    site = tmp / "site"
    (site / "filings" / "a" / "deep").mkdir(parents=True)
    (site / "real").mkdir()
    (site / "search" / "x").mkdir(parents=True)
    elsewhere = tmp / "elsewhere"
    (elsewhere / "sub").mkdir(parents=True)
    (site / "out").symlink_to(elsewhere)
    (site / "inside").symlink_to(site / "real")
    (site / "dangling").symlink_to(tmp / "nothing")
    (site / "file").write_bytes(b"x")
    (site / "loop").symlink_to(site / "loop")
    (site / "index.html").write_bytes(b"same")
    (site / "filings" / "a" / "index.html").write_bytes(b"same")
    (site / "filings" / "a" / "f.json").write_bytes(b"other")
    (site / "real" / "0.js").write_bytes(b"same")
    (elsewhere / "index.html").write_bytes(b"same")
    return site


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _outcome(stage, site: Path, root: Path, output: Output):
    try:
        return stage(site, root, output)
    except UnsafePath as exc:
        return ("refused", str(exc))
    except OSError as exc:
        return ("error", type(exc).__name__)


_path = st.one_of(
    st.builds(lambda f, n: f"{f}/{n}" if f else n, st.sampled_from(_FOLDERS), st.sampled_from(_NAMES)),
    st.sampled_from(_BAD),
)
_outputs = st.lists(st.tuples(_path, st.sampled_from([b"same", b"other", b"", b"longer bytes"])), max_size=25)


@settings(max_examples=150, deadline=None)
@given(_outputs)
def test_stage_file_agrees_with_the_former_staging(outputs):
    with tempfile.TemporaryDirectory() as tmp:
        site = _site(Path(tmp))
        before = _tree(Path(tmp))
        results = []
        for stage, name in ((old_stage_file, "old"), (write.stage_file, "new")):
            write.forget_checked_folders()
            write.forget_stage_folders()
            root = site / ".filing-archive" / "stage" / name
            root.mkdir(parents=True)
            results.append(([_outcome(stage, site, root, Output(p, d)) for p, d in outputs], _tree(root)))
        assert results[0] == results[1]
        # nothing but the two stages was written, inside the site or outside it
        after = {k: v for k, v in _tree(Path(tmp)).items() if "/.filing-archive/" not in k}
        assert after == before
    write.forget_checked_folders()
    write.forget_stage_folders()


def test_what_a_stage_learnt_does_not_outlive_it(tmp_path):
    """A folder the site lacked while one stage filled may exist for the next (that stage was
    applied): the next stage compares bytes there again."""
    site = tmp_path / "site"
    site.mkdir()
    first, second = site / "stage-1", site / "stage-2"
    assert write.stage_file(site, first, Output("filings/a/index.html", b"page")) is True
    assert write.stage_file(site, first, Output("filings/a/f.json", b"{}")) is True
    (site / "filings").mkdir()
    os.replace(first / "filings" / "a", site / "filings" / "a")  # as applying the stage does
    assert write.stage_file(site, second, Output("filings/a/index.html", b"page")) is None
    assert write.stage_file(site, second, Output("filings/a/f.json", b"{ }")) is False
    assert not (second / "filings" / "a" / "index.html").exists()
    assert (second / "filings" / "a" / "f.json").read_bytes() == b"{ }"
    write.forget_stage_folders()


def test_a_link_in_the_site_is_refused_for_every_file_of_its_folder(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / "filings").symlink_to(elsewhere)
    write.forget_checked_folders()
    for name in ("a/index.html", "a/f.json", "index.html"):
        with pytest.raises(UnsafePath):
            write.stage_file(site, site / "stage", Output(f"filings/{name}", b"x"))
    assert list(elsewhere.iterdir()) == []
    write.forget_checked_folders()
    write.forget_stage_folders()


def test_the_remembered_folders_are_capped(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(write, "_CHECKED_MAX", 3)
    for n in range(10):
        assert write.stage_file(site, tmp_path / "stage", Output(f"f{n}/index.html", b"x")) is True
        seen = write._stage_folders(str(tmp_path / "stage"))
        assert len(seen.made) <= 3 and len(seen.site_lacks) <= 3
    assert len(_tree(tmp_path / "stage")) == 10
    write.forget_stage_folders()


def test_a_large_file_is_staged_whole(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    data = os.urandom(1 << 20) * 5
    assert write.stage_file(site, tmp_path / "stage", Output("filings/a/big.txt", data)) is True
    assert (tmp_path / "stage" / "filings" / "a" / "big.txt").read_bytes() == data
    assert write.stage_file(site, tmp_path / "stage", Output("filings/a/big.txt", b"short")) is True
    assert (tmp_path / "stage" / "filings" / "a" / "big.txt").read_bytes() == b"short"  # truncated
    write.forget_stage_folders()
