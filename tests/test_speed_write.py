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


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_cached_check_agrees_with_realpath(tmp_path, order):
    root = _tree(tmp_path)
    write.forget_checked_folders()
    paths = _PATHS if order == "forward" else _PATHS[::-1]
    for _ in range(2):  # cold, then with every folder the first round remembered
        for rel in paths:
            try:
                write.safe_target(root, rel)
                ok = True
            except UnsafePath:
                ok = False
            assert ok == _resolved_verdict(root, rel), rel
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
