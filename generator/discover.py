"""Discover stage: walk the source folder -> sorted SourceFile[] and the inputs it passed over.

Files are recognised by content, not by name: the first 64 KB tell an SGML submission from an
HTML/XML primary document, a plain-text filing, a binary (an image or PDF beside its filing) or
something else. Folder conventions only group files that belong to one filing:

- EDGAR Archives: ``edgar/data/<CIK>/<ACCESSION 18 digits>/`` with the original file names;
- sec-edgar-downloader: ``sec-edgar-filings/<TICKER or CIK>/<FORM>/<ACCESSION>/``;
- any folder named like an accession number.

Nothing is dropped without a word: every file passed over comes back as a ``(path, reason)``
pair for the build report. Symbolic links are followed only when they stay inside the source.
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

from generator.model import SourceFile
from generator.parse.filing import ACCESSION_NAME
from generator.parse.folder import xbrl_file_name

SNIFF_BYTES = 65536
_ACC_FILE = re.compile(r"^(\d{10}-\d{2}-\d{6})(?:\.txt|\.nc)?(?:\.gz)?$", re.I)
_SGML = re.compile(rb"<(?:SEC-DOCUMENT|SEC-HEADER|IMS-HEADER|SUBMISSION|DOCUMENT)>", re.I)
_HTML = re.compile(rb"<(?:!DOCTYPE\s+html|html|body|head|div|p|table|font)\b", re.I)
_XML = re.compile(rb"^\s*(?:<\?xml|<[A-Za-z][\w:.-]*[\s>])", re.S)
_FILING_TEXT = re.compile(
    rb"SECURITIES\s+AND\s+EXCHANGE\s+COMMISSION|\bFORM\s+(?:\d{1,2}-[A-Z]|10-?[KQ]|8-K|13[DFG]|"
    rb"N-\w|S-\d|20-F|40-F|6-K)|Commission\s+File\s+Number|\(Exact\s+name\s+of\s+registrant",
    re.I,
)
_BINARY_MAGIC = (b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x89PNG", b"PK\x03\x04")
PAGE_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str
    failed: bool = False  # True: looked like an input and could not be used (exit status 1)
    warn: bool = False  # True: say so on the console (a warning), as the user likely meant it as input


#: What a file's stat says without reading it: size, modification time, inode.
Signature = tuple[int, int, int]
Known = dict[str, tuple[Signature, "SourceFile | Skipped"]]


def discover(root: Path, exclude: Path | None = None) -> tuple[list[SourceFile], list[Skipped]]:
    """Every usable input under ``root``, sorted by relative path, and every file passed over."""
    found, skipped, _ = discover_cached(root, exclude, {})
    return found, skipped


def discover_cached(
    root: Path, exclude: Path | None, known: Known
) -> tuple[list[SourceFile], list[Skipped], Known]:
    """:func:`discover`, reusing the classification of files whose stat is unchanged since
    ``known`` was made (the incremental build keeps it): an unchanged archive is walked and
    stat-ed, never read. Returns the map to keep for next time as well."""
    root = root.resolve()
    found: list[SourceFile] = []
    skipped: list[Skipped] = []
    seen: Known = {}
    for rel, abspath, sig in _walk(root, exclude.resolve() if exclude else None, skipped):
        old = known.get(rel)
        if old is not None and old[0] == sig and _same_place(old[1], abspath):
            item = old[1]
        else:
            item = classify(rel, abspath)
        seen[rel] = (sig, item)
        if isinstance(item, Skipped):
            skipped.append(item)
        else:
            found.append(item)
    found.sort(key=lambda s: s.path)
    skipped.sort(key=lambda s: s.path)
    return found, skipped, seen


def discover_changed(
    root: Path, exclude: Path | None, last: tuple[list[SourceFile], list[Skipped], Known], changed: list[str]
) -> tuple[list[SourceFile], list[Skipped], Known] | None:
    """:func:`discover_cached` without the walk: ``last`` (a previous walk's result) updated for
    the files a watcher saw change (absolute paths). None when that cannot be done safely, and
    the caller walks: a folder, a symbolic link, a hidden or oddly named file, a path outside the
    source, a removed path that was a folder. At 10,000 files the walk was a tenth of a rebuild."""
    top = os.path.realpath(root)
    excluded = os.path.realpath(exclude) if exclude is not None else None
    _, skipped, seen = last
    seen = dict(seen)
    for path in changed:
        path = os.path.normpath(path)
        if excluded is not None and (path == excluded or path.startswith(excluded + os.sep)):
            continue  # the build's own output: the walk does not see it either
        if not path.startswith(top + os.sep):
            return None
        rel = _rel_str(top, path)
        if not rel.isprintable() or any(part.startswith(".") for part in rel.split("/")):
            return None
        folder = os.path.dirname(path)
        while folder != top:  # a linked folder on the way: the walk's rules for links decide
            if os.path.islink(folder):
                return None
            folder = os.path.dirname(folder)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if rel not in seen and any(k.startswith(rel + "/") for k in seen):
                return None  # a folder went
            seen.pop(rel, None)
            continue
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None  # a folder, a link, a pipe: the walk decides
        sig = (st.st_size, st.st_mtime_ns, st.st_ino)
        old = seen.get(rel)
        if old is None or old[0] != sig or not _same_place(old[1], path):
            seen[rel] = (sig, classify(rel, path))
    walked = [k for k in skipped if k.path not in last[2]]  # passed over by the walk itself
    items = [item for _, item in seen.values()]
    new_found = sorted((i for i in items if isinstance(i, SourceFile)), key=lambda s: s.path)
    new_skipped = sorted(walked + [i for i in items if isinstance(i, Skipped)], key=lambda s: s.path)
    return new_found, new_skipped, seen


def _same_place(item: SourceFile | Skipped, abspath: str) -> bool:
    return not isinstance(item, SourceFile) or item.abspath == abspath


def _walk(root: Path, exclude: Path | None, skipped: list[Skipped]):
    """Yield (relative posix path, absolute path, stat signature) for regular files, following
    safe symlinks.

    Plain strings and ``os.scandir``'s cached entry types, not pathlib: the walk runs on every
    build, and at 100,000 files pathlib's objects were most of a no-change rebuild."""
    seen_dirs: set[str] = set()
    top = str(root)
    excluded = str(exclude) if exclude is not None else None
    stack = [top]
    while stack:
        folder = stack.pop()
        real = os.path.realpath(folder)
        if real in seen_dirs:
            skipped.append(Skipped(_rel_str(top, folder), "symbolic link loop: folder already read"))
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(_rel_str(top, folder), f"cannot read folder: {exc.strerror}", True))
            continue
        for entry in entries:
            path = entry.path
            rel = _rel_str(top, path)
            link = entry.is_symlink()
            reason = _unsafe_link(root, Path(path)) if link else None
            if reason:
                skipped.append(Skipped(rel, reason, True))
                continue
            is_dir = entry.is_dir(follow_symlinks=True)
            # realpath, not Path.resolve: that raises on a link loop, which stopped the whole build
            if is_dir and excluded is not None and os.path.realpath(path) == excluded:
                continue
            if entry.name.startswith("."):
                skipped.append(Skipped(rel, "hidden " + ("folder" if is_dir else "file")))
            elif is_dir:
                stack.append(path)
            elif entry.is_file(follow_symlinks=True):
                try:
                    st = entry.stat(follow_symlinks=True)
                    sig = (st.st_size, st.st_mtime_ns, st.st_ino)
                except OSError:
                    sig = (-1, -1, -1)
                yield rel, path, sig
            else:
                skipped.append(Skipped(rel, "not a regular file"))


def _rel_str(top: str, path: str) -> str:
    """:func:`_rel` for a path string under ``top`` (both absolute, as the walk makes them)."""
    if path == top:
        return "."
    rel = path[len(top) + 1 :] if os.sep == "/" else Path(path).relative_to(top).as_posix()
    return rel if rel.isprintable() else _rel(Path(top), Path(path))


def _rel(root: Path, path: Path) -> str:
    """The path as reported and recorded. File names are bytes on POSIX: undecodable ones
    (``\\xff``) and control characters (a newline would forge a line of the build's output) are
    written as ``\\xNN`` escapes; the file itself is still read through its real path."""
    rel = path.relative_to(root).as_posix() if path != root else "."
    if rel.isprintable():
        return rel
    raw = rel.encode("utf-8", "surrogateescape")
    return "".join(
        c if c.isprintable() else "".join(f"\\x{b:02x}" for b in c.encode("utf-8", "surrogateescape"))
        for c in raw.decode("utf-8", "surrogateescape")
    )


def _unsafe_link(root: Path, path: Path) -> str | None:
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "broken or looping symbolic link"
    if target != root and not target.is_relative_to(root):
        return "symbolic link points outside the source folder"
    return None


def classify(rel: str, abspath: Path | str) -> SourceFile | Skipped:
    """Decide what one file is from its name (pages) and its first bytes (everything else)."""
    layout, accession, cik = folder_hints(rel)
    group = accession if layout != "flat" else None
    if rel.lower().endswith(PAGE_SUFFIXES):
        return SourceFile(rel, str(abspath), "page")
    try:
        head, compressed = read_head(abspath)
    except OSError as exc:
        return Skipped(rel, f"cannot read file: {exc.strerror or exc}", True)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return Skipped(rel, f"corrupt gzip data: {exc}", True)
    kind = sniff(head)
    if kind is None and group is not None and head.strip() and not _looks_binary(head):
        if xbrl_file_name(rel.rsplit("/", 1)[-1]):
            kind = "text"  # report.css beside R1.htm in a filing's folder: one of its documents
    if group is None and (archive := _archive_kind(head, compressed)):
        return Skipped(rel, _archive_reason(rel, archive), warn=True)
    if kind is None:
        return _unrecognised(rel, head)
    if kind == "binary" and group is None:
        return Skipped(rel, "binary file outside a filing folder (image or PDF with no submission)")
    name = rel.rsplit("/", 1)[-1].lower()
    if kind == "html" and name.endswith(("-index.htm", "-index.html", "-index-headers.html")):
        return Skipped(rel, "EDGAR filing index page (the filing is read from its documents)")
    return SourceFile(rel, str(abspath), kind, layout, accession, cik, group)


def _archive_kind(head: bytes, compressed: bool) -> str | None:
    """ "tar", "tar.gz" or "zip" when the file is an archive, as EDGAR's daily feed
    (``Feed/<year>/QTR<n>/<date>.nc.tar.gz``) and bulk downloads come. Inside a filing's folder a
    zip is one of its documents (``<ACCESSION>-xbrl.zip``) and is not asked about."""
    if head[257:262] == b"ustar":
        return "tar.gz" if compressed else "tar"
    if not compressed and head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    return None


def _archive_reason(rel: str, archive: str) -> str:
    """Filings are read as files: an archive's members are never unpacked by the build (its
    names could point anywhere, its size is unknown until read). Say how to unpack it."""
    name = rel.rsplit("/", 1)[-1]
    how = {"tar": f"tar -xf '{name}'", "tar.gz": f"tar -xzf '{name}'", "zip": f"unzip '{name}'"}[archive]
    return (
        f"an archive ({archive}), not a filing: the filings in it are not read; "
        f"unpack it into the source folder ({how}) and build again"
    )


def _unrecognised(rel: str, head: bytes) -> Skipped:
    if not head:
        return Skipped(rel, "empty file", True)
    if not head.strip():  # like an empty file: a filing that lost its content, not a README
        return Skipped(rel, "file holds only white space", True)
    if _looks_binary(head):
        return Skipped(rel, "not a filing: binary data of an unknown kind", _filing_suffix(rel))
    # Text that is not a filing (a README, notes) is skipped, not failed: it does not make the build fail.
    return Skipped(rel, "not a filing: text with no EDGAR header and no cover page")


def _filing_suffix(rel: str) -> bool:
    """A file named like a filing that turned out unusable counts as failed, not merely skipped."""
    return rel.lower().endswith((".txt", ".nc", ".gz", ".htm", ".html", ".xml", ".sgml"))


def read_head(abspath: Path | str) -> tuple[bytes, bool]:
    """The first SNIFF_BYTES of the file, decompressed when it is gzip."""
    with open(abspath, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
        if head[:2] != b"\x1f\x8b":
            return head, False
        # zlib, not gzip.open: a truncated stream gives what it holds (the parse stage says it was
        # cut) instead of an EOFError that would refuse a small filing cut short.
        gz = zlib.decompressobj(wbits=31)
        out, chunk = b"", head
        while chunk and len(out) < SNIFF_BYTES and not gz.eof:
            out += gz.decompress(chunk, SNIFF_BYTES - len(out))
            chunk = gz.unconsumed_tail or fh.read(SNIFF_BYTES)
        return out, True


def sniff(head: bytes) -> str | None:
    """ "submission" | "html" | "xml" | "text" | "binary" | None from a file's first bytes."""
    if not head.strip():
        return None
    if head.startswith(_BINARY_MAGIC):
        return "binary"
    if _SGML.search(head) and _control_share(head) <= 0.01:
        return "submission"  # a stray NUL (say in a <FILENAME>) does not make a filing binary
    if _looks_binary(head):
        return None
    if _HTML.search(head[:4096]):
        return "html"
    if _XML.match(head):
        return "xml"
    if _FILING_TEXT.search(head):
        return "text"
    return None


_CONTROL = bytes(b for b in range(32) if b < 9 or 13 < b < 32)


def _control_share(head: bytes) -> float:
    sample = head[:8192]
    return (len(sample) - len(sample.translate(None, _CONTROL))) / max(1, len(sample))


def _looks_binary(head: bytes) -> bool:
    return b"\x00" in head[:8192] or _control_share(head) > 0.01


def folder_hints(rel: str) -> tuple[str, str | None, str | None]:
    """(layout, accession, cik) that the path states; accession dashed.

    ``layout`` is "flat" unless a folder is named like an accession ("folder", or "archives" /
    "downloader" when the path also follows those conventions): only then are the files of that
    folder grouped into one filing.
    """
    parts = rel.split("/")
    lowered = [p.lower() for p in parts]
    accession = cik = None
    layout = "flat"
    for part in parts[:-1]:
        m = ACCESSION_NAME.match(part)
        if m:
            accession = f"{m[1]}-{m[2]}-{m[3]}"
            layout = "folder"
    m = _ACC_FILE.match(parts[-1])
    if m and accession is None:
        accession = m[1]
    if "sec-edgar-filings" in lowered:
        layout = "downloader" if accession and layout == "folder" else layout
    if len(parts) >= 4:
        for i in range(len(parts) - 2):
            if lowered[i] == "edgar" and lowered[i + 1] == "data" and parts[i + 2].isdigit():
                cik = parts[i + 2].zfill(10)
                layout = "archives" if layout == "folder" else layout
    return layout, accession, cik
