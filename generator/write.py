"""Write stage: Output[] -> files under the output root, atomically and only when changed.

Each file is written to a temporary name in its own folder and moved into place with
``os.replace`` (Lektor's artifact commit), so a reader or a killed build never sees half a file.
Unchanged bytes are not rewritten, which keeps a second build from touching anything. Paths are
checked so that nothing, whatever a filing calls its documents, lands outside the output root.
Files a previous build wrote and this one did not are pruned; files the build never wrote are left
alone.

Crash safety (:class:`Stage`): a build never writes into the site while it renders. Changed files
go to ``.filing-archive/stage/``; when everything is staged, a journal listing the staged files and
the files to remove is written atomically, then applied (new files first, then changed ones with
the search index's own files last, then removals). A build killed while rendering leaves the site
as it was and its stage is discarded; a build killed while applying leaves a journal that the next
build finishes before doing anything else. No manual cleanup either way.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from generator.faults import crash_point
from generator.model import Output

MANIFEST = ".filing-archive/outputs.json"


class UnsafePath(ValueError):
    """An output path that would escape the output root."""


#: Folders (root as given, folder below it) already checked to lead nowhere outside the root.
#: Resolving each file's folder with realpath was a quarter of a build's time; the cache is
#: cleared at the start of every build (:class:`Stage`), so a link planted between builds is seen.
_CHECKED: set[tuple[str, str]] = set()
_REAL_ROOTS: dict[str, str] = {}
#: At most this many remembered folders: a worker writing 50,000 filings' pages and search chunks
#: checked some 200,000 folders (~35 MB) it would never meet again. Forgetting only means checking
#: a folder again (a few ``lstat``), never trusting one unchecked.
_CHECKED_MAX = 20_000


def forget_checked_folders() -> None:
    _CHECKED.clear()
    _REAL_ROOTS.clear()


def safe_target(root: Path, rel: str) -> Path:
    """The absolute path for ``rel`` under ``root``; raises UnsafePath for anything else."""
    return Path(_safe_path(str(root), rel))


def _safe_path(root_s: str, rel: str) -> str:
    """:func:`safe_target` as a string (building a Path per file cost more than the check)."""
    if not rel or rel.startswith("/") or "\\" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise UnsafePath(f"refusing to write outside the output folder: {rel!r}")
    if "\x00" in rel:
        raise UnsafePath(f"refusing a path with a NUL byte: {rel!r}")
    folder = rel.rpartition("/")[0]
    if (root_s, folder) not in _CHECKED:
        _check_folder(root_s, folder, rel)
    return root_s + "/" + rel


def _remember(root_s: str, folder: str) -> None:
    if len(_CHECKED) >= _CHECKED_MAX:
        _CHECKED.clear()
    _CHECKED.add((root_s, folder))


def _check_folder(root_s: str, folder: str, rel: str) -> bool:
    """Raise UnsafePath if ``root/folder`` resolves outside the root; True when it is a folder
    (then it is remembered: a later link cannot hide in it). Parents first, so each level is one
    ``lstat``: a real folder under a checked folder is inside, and so is a name that does not
    exist yet (nothing to follow); only a link (or an odd file) is resolved with realpath."""
    if (root_s, folder) in _CHECKED:
        return True
    if folder:
        if not _check_folder(root_s, folder.rpartition("/")[0], rel):
            return False  # its parent is not a folder: nothing below it exists
        try:
            if stat.S_ISDIR(os.lstat(root_s + "/" + folder).st_mode):
                _remember(root_s, folder)
                return True
        except (FileNotFoundError, NotADirectoryError):
            return False
    real_root = _REAL_ROOTS.get(root_s)
    if real_root is None:
        real_root = _REAL_ROOTS[root_s] = os.path.realpath(root_s)
    real_parent = os.path.realpath(os.path.join(root_s, folder) if folder else root_s)
    if not (real_parent == real_root or real_parent.startswith(real_root.rstrip("/") + "/")):
        raise UnsafePath(f"refusing to write through a link that leaves the output folder: {rel!r}")
    if os.path.isdir(real_parent):
        _remember(root_s, folder)
        return True
    return False


def write_file(root: Path, output: Output) -> bool:
    """Write one output atomically if its bytes changed; True when the file was (re)written.
    (Files for the private stage, which a crash discards whole, go through :func:`stage_file`.)"""
    root_s = str(root)
    target = _safe_path(root_s, output.path)
    if _same_bytes(target, output.data):
        return False
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        os.makedirs(parent, exist_ok=True)
        _safe_path(root_s, output.path)  # re-check: mkdir may have met a link planted meanwhile
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(output.data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _same_bytes(path: str, data: bytes) -> bool | None:
    """Whether the file at ``path`` holds exactly ``data``; None when there is no such file."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


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


STAGE_DIR = ".filing-archive/stage"
JOURNAL = ".filing-archive/journal.json"


def _apply_order(rel: str, is_new: bool) -> tuple:
    """New files before changed ones (a changed page may link to a new one, never the reverse);
    within each, the search index last, and its top manifest very last."""
    return (not is_new, rel.startswith("search/"), rel == "search/manifest.js", rel)


def stage_file(out: Path, stage_root: Path, output: Output) -> bool | None:
    """Stage ``output`` under ``stage_root`` unless the site already has these bytes.

    Returns None (unchanged, nothing staged), True (a new file) or False (a changed file). Safe to
    call from worker processes: each output path belongs to exactly one of them.

    A file in a folder the site does not have is new without looking (no bytes to compare, and
    no path of the site is read or written: the link checks guard the site's paths when the
    stage is applied), so the site's folder is looked at once, not for each of its files."""
    rel = output.path
    folder = rel.rpartition("/")[0]
    seen = _stage_folders(str(stage_root))
    if folder in seen.site_lacks:
        same = None  # (the name is checked as the stage's path is made)
    else:
        out_s = str(out)
        same = _same_bytes(_safe_path(out_s, rel), output.data)
        if same:
            return None
        if same is None and not _check_folder(out_s, folder, rel):
            seen.note(seen.site_lacks, folder)
    _write_staged(seen, output)
    return same is None


class _StageFolders:
    """What filling one stage has learnt about folders: those made in the stage and those the
    site lacks. Staging looked at both for every file (a ``stat`` that failed, an ``lstat`` that
    failed, an ``isdir``: ~30 files a filing), though neither changes while a build renders: the
    site is not written until the stage is applied, and a stage's root names one build."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.made: set[str] = set()
        self.site_lacks: set[str] = set()

    def note(self, folders: set[str], folder: str) -> None:
        """Remember ``folder`` in ``folders``; capped like :data:`_CHECKED` (a forgotten folder
        is only looked at again)."""
        if len(folders) >= _CHECKED_MAX:
            folders.clear()
        folders.add(folder)


_STAGE_FOLDERS = _StageFolders("")


def _stage_folders(root: str) -> _StageFolders:
    """The folders learnt while filling the stage at ``root`` (a different stage starts afresh)."""
    global _STAGE_FOLDERS
    if _STAGE_FOLDERS.root != root:
        _STAGE_FOLDERS = _StageFolders(root)
    return _STAGE_FOLDERS


def forget_stage_folders() -> None:
    global _STAGE_FOLDERS
    _STAGE_FOLDERS = _StageFolders("")


def _write_staged(seen: _StageFolders, output: Output) -> None:
    """:func:`write_file` into the stage (in place: a crash discards the stage whole), making the
    file's folder only when this stage has not made it yet."""
    target = _safe_path(seen.root, output.path)
    folder = output.path.rpartition("/")[0]
    if folder not in seen.made:
        parent = os.path.dirname(target)
        if not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)
            _safe_path(seen.root, output.path)  # re-check: mkdir may have met a link planted meanwhile
        seen.note(seen.made, folder)
    _write_new(target, output.data)


#: What ``open(path, "wb")`` asks of the system; the bytes are written without its file objects
#: (an ``fstat``, a buffer and their setup, for each of the ~30 files a filing stages).
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _write_new(path: str, data: bytes) -> None:
    fd = os.open(path, _WRITE_FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class Stage:
    """Collects a build's changed files beside the site, then moves them in at once.

    ``put`` compares with the file in the site and stages only changed bytes, so a build with no
    change stages nothing and :meth:`apply` touches nothing.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        forget_checked_folders()
        forget_stage_folders()
        recover(out)
        shutil.rmtree(out / STAGE_DIR, ignore_errors=True)  # what a build killed while rendering left
        # A folder of its own: a worker of a killed build that is still finishing a task can
        # only write into the old build's folder, which is gone, never into this one.
        self.root = out / STAGE_DIR / f"{os.getpid()}-{os.urandom(4).hex()}"
        self.root.mkdir(parents=True)
        self.staged: dict[str, bool] = {}  # path -> is new, for files in folders the site has
        self.new_dirs: dict[str, int] = {}  # folder the site lacks -> how many files staged in it
        self.count = 0  # files staged
        self.removals: set[str] = set()
        self._present: dict[str, bool] = {}  # folder -> does the site have it

    def put(self, output: Output) -> bool:
        """Stage one output if it differs from the site's file; True when staged."""
        is_new = stage_file(self.out, self.root, output)
        if is_new is None:
            return False
        self._record(output.path, is_new)
        return True

    def adopt(self, paths: dict[str, bool]) -> None:
        """Record files a worker process staged directly under :attr:`root`."""
        for path, is_new in paths.items():
            self._record(path, is_new)

    def _record(self, path: str, is_new: bool) -> None:
        """A new file in a folder the site does not have goes in with that whole folder (one
        rename, one journal line): at 100,000 filings a line and a dictionary entry per file
        were some 3 million of each, most of the build's memory."""
        self.count += 1
        if is_new:
            top = self._new_top(path)
            if top is not None:
                self.new_dirs[top] = self.new_dirs.get(top, 0) + 1
                return
        self.staged[path] = is_new

    def _new_top(self, rel: str) -> str | None:
        """The highest folder above ``rel`` that the site does not have, or None."""
        parts = rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folder = "/".join(parts[:i])
            present = self._present.get(folder)
            if present is None:
                present = self._present[folder] = os.path.isdir(os.path.join(self.out, folder))
            if not present:
                return folder
        return None

    def remove_later(self, paths: Iterable[str]) -> None:
        """Files of the site to remove when the stage is applied (an earlier build wrote them)."""
        self.removals.update(paths)

    def write_journal(self) -> bool:
        """Make the stage durable: after this, the build's outcome survives a crash. False when
        there is nothing to apply (a build with no change)."""
        order = sorted(self.staged, key=lambda p: _apply_order(p, self.staged[p]))
        dirs = sorted(self.new_dirs, key=lambda p: _apply_order(p, True))
        removals = sorted(p for p in self.removals - set(self.staged) if self._new_top(p) is None)
        if not order and not dirs and not removals:
            shutil.rmtree(self.out / STAGE_DIR, ignore_errors=True)
            return False
        journal = {
            "stage": self.root.relative_to(self.out).as_posix(),
            "dirs": [[d, self.new_dirs[d]] for d in dirs],  # new folders, moved whole, first
            "apply": order,
            "remove": removals,
        }
        write_file(self.out, Output(JOURNAL, json.dumps(journal, separators=(",", ":")).encode()))
        return True

    def discard(self) -> None:
        """Remove the stage folder (a build that had nothing to apply, or has applied)."""
        forget_stage_folders()
        shutil.rmtree(self.out / STAGE_DIR, ignore_errors=True)

    def apply(self) -> tuple[int, int]:
        """Move the staged files into the site and remove the stale ones: (moved, removed)."""
        forget_stage_folders()  # its folders move into the site
        return recover(self.out)


def _ancestors(rel: str) -> list[str]:
    """"a/b/c.html" -> ["a/b", "a"]: the folders above a file, nearest first."""
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts) - 1, -1, -1)]


def recover(out: Path) -> tuple[int, int]:
    """Finish a journal left by a build (this one, or one that was killed): idempotent."""
    journal_path = out / JOURNAL
    try:
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0, 0
    except (OSError, ValueError):  # a torn journal cannot be: it is written atomically; be safe
        journal_path.unlink(missing_ok=True)
        return 0, 0
    stage = out / journal.get("stage", STAGE_DIR)
    moved = 0
    moved_dirs: set[str] = set()
    for rel, files in journal.get("dirs", []):
        try:
            src = safe_target(stage, rel)
            dst = safe_target(out, rel)
        except UnsafePath:
            continue
        if src.is_dir() and not dst.exists():  # else moved before a crash
            dst.parent.mkdir(parents=True, exist_ok=True)
            safe_target(out, rel)
            os.replace(src, dst)
            moved += files
            crash_point("apply")
    for rel in journal.get("apply", []):
        try:
            src = safe_target(stage, rel)
            dst = safe_target(out, rel)
        except UnsafePath:
            continue
        if not src.exists():
            moved += any(a in moved_dirs for a in _ancestors(rel))  # went in with its folder
            continue  # or moved before a crash
        if not dst.parent.is_dir():
            # A folder the site does not have yet (a new filing's): one rename moves it whole.
            top = next(a for a in reversed(_ancestors(rel)) if not (out / a).exists())
            if (stage / top).is_dir():
                os.replace(stage / top, out / top)
                moved_dirs.add(top)
                moved += 1
                crash_point("apply")
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            safe_target(out, rel)
        os.replace(src, dst)
        moved += 1
        crash_point("apply")
    removed = prune(out, journal.get("remove", []))
    journal_path.unlink(missing_ok=True)
    shutil.rmtree(out / STAGE_DIR, ignore_errors=True)
    return moved, removed
