"""Parse stage, uuencode: a document body with a ``begin`` line -> (file name, bytes).

Uses ``binascii.a2b_uu`` line by line (the ``uu`` module is gone in Python 3.13). Also holds
:func:`safe_filename`, because both ``<FILENAME>`` values and ``begin`` lines carry names chosen by
the filer, and neither may ever reach the disk or a URL as written.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

#: A ``begin`` line near the top of a body (EDGAR puts it first, sometimes after a <PDF> tag).
# Line starts and ends are spelled out because some files end lines with a bare CR.
_BEGIN = re.compile(rb"(?:^|(?<=[\r\n]))[ \t]*begin[ \t]+([0-7]{3,4})[ \t]+([^\r\n]*?)[ \t]*(?=[\r\n]|\Z)")
_BEGIN_WINDOW = 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._+()~,@=-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Long enough for any real EDGAR name; short enough that the site's decoded-file name (this plus
#: ".bin", cut to its last 120 characters) never starts inside the name, where a "." would make
#: a hidden file.
_MAX_NAME = 115


@dataclass(frozen=True, slots=True)
class UUFile:
    """One decoded uuencoded file. ``name`` is the begin line's name as written (unsanitised)."""

    name: str
    mode: str
    data: bytes
    declared_size: int
    problems: tuple[str, ...] = ()


def find_begin(body: bytes) -> re.Match[bytes] | None:
    """The ``begin NNN name`` line, when one opens the body (within its first KB)."""
    return _BEGIN.search(body, 0, _BEGIN_WINDOW)


def _decode_line(line: bytes) -> bytes:
    """One uu line. Encoders that strip trailing spaces leave lines short (a2b_uu pads them); some
    add garbage after the last group, which we cut at the length the first character declares."""
    try:
        return binascii.a2b_uu(line)
    except binascii.Error:
        nbytes = (((line[0] - 32) & 63) * 4 + 5) // 3
        return binascii.a2b_uu(line[:nbytes])


def decode_uu(body: bytes) -> UUFile | None:
    """Decode the uuencoded block of a body; None when there is no ``begin`` line.

    Never raises: a missing ``end``, undecodable lines (skipped) and trailing garbage are reported
    in ``problems``. ``declared_size`` sums the length characters of the data lines, so a caller
    can check that nothing was lost.
    """
    begin = find_begin(body)
    if begin is None:
        return None
    name = begin.group(2).decode("latin-1")
    chunks: list[bytes] = []
    declared, bad, ended, done = 0, 0, False, False
    for line in body[begin.end() :].splitlines():
        line = line.rstrip(b" \t")  # padding spaces are zero bits: a2b_uu restores them
        if not line:
            continue
        if line == b"end" or done:  # after the zero-length line only 'end' may follow
            ended = line == b"end"
            break
        length = (line[0] - 32) & 63
        done = length == 0
        declared += length
        try:
            chunks.append(_decode_line(line))
        except binascii.Error:
            bad += 1
    problems = []
    if bad:
        problems.append(f"uudecode: {bad} undecodable line(s) skipped in {name!r}")
    if not ended:
        problems.append(f"uudecode: no 'end' line after 'begin' of {name!r}")
    mode = begin.group(1).decode("ascii")
    return UUFile(name, mode, b"".join(chunks), declared, tuple(problems))


def safe_filename(name: str | None) -> str | None:
    """A file name that is safe to write and to link: a single path component of plain characters.

    Drops directories (``../../x``, ``/etc/passwd``, ``C:\\x``), control characters and NULs,
    leading dots (no hidden files, never ``.`` or ``..``) and anything outside a conservative
    character set. Returns None when nothing usable is left.
    """
    if not name:
        return None
    name = _CONTROL.sub("", name).replace("\\", "/")
    parts = [p for p in name.split("/") if p.strip()]
    base = parts[-1].strip() if parts else ""
    base = _UNSAFE.sub("_", base).lstrip(".")
    if len(base) > _MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = stem[: _MAX_NAME - len(ext) - 1] + "." + ext if dot and len(ext) <= 10 else base[:_MAX_NAME]
    return base if base not in ("", ".", "..") else None
