"""Write stage: Output[] -> files under the output root, atomically and only when changed.

Each file is written to a temporary name in its own folder and moved into place with
``os.replace`` (Lektor's artifact commit), so a reader or a killed build never sees half a file.
Unchanged bytes are not rewritten, which keeps a second build from touching anything. Paths are
checked so that nothing, whatever a filing calls its documents, lands outside the output root.
Files a previous build wrote and this one did not are pruned; files the build never wrote are left
alone.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from generator.model import Output

MANIFEST = ".filing-archive/outputs.json"


class UnsafePath(ValueError):
    """An output path that would escape the output root."""


def safe_target(root: Path, rel: str) -> Path:
    """The absolute path for ``rel`` under ``root``; raises UnsafePath for anything else."""
    p = PurePosixPath(rel)
    if not rel or p.is_absolute() or "\\" in rel or any(part in ("", ".", "..") for part in p.parts):
        raise UnsafePath(f"refusing to write outside the output folder: {rel!r}")
    if "\x00" in rel:
        raise UnsafePath(f"refusing a path with a NUL byte: {rel!r}")
    target = root.joinpath(*p.parts)
    real_parent = Path(os.path.realpath(target.parent))
    if not (real_parent == root.resolve() or real_parent.is_relative_to(root.resolve())):
        raise UnsafePath(f"refusing to write through a link that leaves the output folder: {rel!r}")
    return target


def write_file(root: Path, output: Output) -> bool:
    """Write one output if its bytes changed; True when the file was (re)written."""
    target = safe_target(root, output.path)
    try:
        if target.stat().st_size == len(output.data) and target.read_bytes() == output.data:
            return False
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    safe_target(root, output.path)  # re-check: mkdir may have met a link planted meanwhile
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(output.data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def previous_outputs(root: Path) -> set[str]:
    try:
        return set(json.loads((root / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return set()


def commit_manifest(root: Path, paths: Iterable[str]) -> None:
    data = json.dumps(sorted(paths), separators=(",", ":")).encode()
    write_file(root, Output(MANIFEST, data))


def prune(root: Path, stale: Iterable[str]) -> int:
    """Remove files an earlier build wrote that this build no longer produces; then empty folders."""
    removed = 0
    for rel in sorted(stale):
        try:
            target = safe_target(root, rel)
        except UnsafePath:
            continue
        try:
            target.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        _remove_empty_parents(root, target.parent)
    return removed


def _remove_empty_parents(root: Path, folder: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
