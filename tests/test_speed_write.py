"""The cached folder check of the write stage refuses exactly what resolving every path refuses."""

from __future__ import annotations

import os

import pytest

from generator import write
from generator.model import Output
from generator.write import UnsafePath

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links")

_PATHS = [
    "index.html", "filings/a/index.html", "filings/a/deep/er/f.html", "filings/new/x.html",
    "out/f.html", "out/sub/f.html", "inside/f.html", "inside/sub/f.html", "dangling-out/f.html",
    "dangling-in/f.html", "file/f.html", "filings/a/out/f.html", "filings/a/up/f.html", "loop/f.html",
]  # fmt: skip


def _tree(tmp_path):
    root = tmp_path / "site"
    (root / "filings" / "a" / "deep").mkdir(parents=True)
    (root / "real").mkdir()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "sub").mkdir(parents=True)
    (root / "out").symlink_to(elsewhere)
    (root / "filings" / "a" / "out").symlink_to(elsewhere / "sub")
    (root / "filings" / "a" / "up").symlink_to(root / "real")
    (root / "inside").symlink_to(root / "real")
    (root / "dangling-out").symlink_to(tmp_path / "nothing")
    (root / "dangling-in").symlink_to(root / "nothing")
    (root / "file").write_bytes(b"x")
    (root / "loop").symlink_to(root / "loop")
    return root


def _resolved_verdict(root, rel):
    real_root = os.path.realpath(root)
    folder = rel.rpartition("/")[0]
    real = os.path.realpath(os.path.join(root, folder) if folder else root)
    return real == real_root or real.startswith(real_root + "/")


@pytest.mark.parametrize("order", ["forward", "backward", "forgetful"])
def test_cached_check_agrees_with_realpath(tmp_path, order, monkeypatch):
    """``forgetful``: a cache of 3 folders, cleared again and again (a worker's cache is capped)."""
    root = _tree(tmp_path)
    write.forget_checked_folders()
    if order == "forgetful":
        monkeypatch.setattr(write, "_CHECKED_MAX", 3)
    paths = _PATHS[::-1] if order == "backward" else _PATHS
    for _ in range(2):  # cold, then with every folder the first round remembered
        for rel in paths:
            try:
                write.safe_target(root, rel)
                ok = True
            except UnsafePath:
                ok = False
            assert ok == _resolved_verdict(root, rel), rel
            assert len(write._CHECKED) <= write._CHECKED_MAX
    write.forget_checked_folders()


def test_nothing_is_written_through_a_link_out(tmp_path):
    root = _tree(tmp_path)
    write.forget_checked_folders()
    for rel in _PATHS:
        try:
            write.write_file(root, Output(rel, b"data"))
        except (UnsafePath, OSError):
            pass
    assert not any(p.is_file() for p in (tmp_path / "elsewhere").rglob("*"))
    assert not (tmp_path / "nothing").exists()
    write.forget_checked_folders()


def test_a_folder_forgotten_by_the_capped_cache_is_checked_again(tmp_path, monkeypatch):
    """A folder checked, forgotten (the cache filled up), then swapped for a link out of the
    site: the next write there is refused, as for a folder never checked."""
    root = tmp_path / "site"
    (root / "a").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write.forget_checked_folders()
    monkeypatch.setattr(write, "_CHECKED_MAX", 2)
    write.write_file(root, Output("a/f.html", b"1"))
    for n in range(3):  # fills the cache: "a" is forgotten
        write.write_file(root, Output(f"b{n}/f.html", b"1"))
    assert (str(root), "a") not in write._CHECKED
    (root / "a" / "f.html").unlink()
    (root / "a").rmdir()
    (root / "a").symlink_to(elsewhere)
    with pytest.raises(UnsafePath):
        write.write_file(root, Output("a/f.html", b"2"))
    assert list(elsewhere.iterdir()) == []
    write.forget_checked_folders()


def test_release_free_memory_runs_here():
    """glibc's malloc_trim is found on this Linux (else the call does nothing, by design)."""
    import sys

    from generator import heap

    heap.release_free_memory()
    if sys.platform.startswith("linux"):
        assert heap._trim is not None


def test_free_heap_is_given_back_only_once_memory_has_grown_enough():
    """A worker trims only when its memory grew by ``grown_by`` since its last trim (trimming
    after every task doubled a build's system time); a trim gives freed heap pages back."""
    import sys

    from generator import heap

    if not sys.platform.startswith("linux") or heap._trim is None:
        pytest.skip("no glibc malloc_trim here: the call does nothing, by design")
    heap.release_free_memory()
    blocks = [bytes(50_000 + i) for i in range(2000)]  # ~100 MB in the heap (below mmap's threshold)
    del blocks[::2]  # ~50 MB freed between live blocks: glibc keeps the pages
    grown = heap.resident_bytes()
    heap.release_free_memory(grown_by=1 << 40)  # has not grown that much: no trim
    assert heap.resident_bytes() > grown - (8 << 20)
    heap.release_free_memory(grown_by=1 << 20)  # it has: the freed pages go back
    assert heap.resident_bytes() < grown - (30 << 20)
    del blocks


_MMAP_PROBE = """
import sys
from generator import heap
if sys.argv[1] == "fixed":
    heap.fix_mmap_threshold()
del bytearray(16 << 20)[:]  # freeing a big mapped block raises glibc's own threshold to its size
keep, big = [], []
for i in range(48):
    big.append(bytes(1 << 20) + bytes(i))  # 1 MB texts, with small long-lived objects between
    keep.append(bytes(1000 + i))  # a small block the C heap serves (above pymalloc's 512 bytes)
before = heap.resident_bytes()
del big
print((before - heap.resident_bytes()) >> 20)
"""


def test_big_freed_blocks_go_back_with_a_fixed_mmap_threshold():
    """A worker's filing texts (megabytes each) are given back when freed once the threshold is
    fixed; with glibc's moving threshold part of them stay in the heap (generator/heap.py)."""
    import subprocess
    import sys
    from pathlib import Path

    from generator import heap

    root = Path(__file__).resolve().parent.parent
    if not sys.platform.startswith("linux") or heap._mallopt is None:
        pytest.skip("glibc only")
    run = lambda how: int(subprocess.run([sys.executable, "-c", _MMAP_PROBE, how], capture_output=True,  # noqa: E731
                                         text=True, check=True, cwd=root).stdout)  # fmt: skip
    assert run("fixed") >= 44  # of 48 MB given back at once (with glibc 2.36's moving one: 31 MB)
