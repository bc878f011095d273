"""Give the C heap's free memory back to the system (glibc's ``malloc_trim``).

A worker renders filing after filing: each holds a filing's text, its pages and its analysed
terms for a moment, then frees them. CPython's large strings come from the C allocator, and
glibc keeps what a process freed in its heap (fragmented between live blocks) instead of
returning it: at 100,000 filings each worker held ~90 MB of such free memory after half an
hour, measured by calling ``malloc_trim`` in a running worker (its private memory went from 254
to 166 MB). Trimming after every task of 64 filings doubled the system time of a 10,000-filing
build (46 -> 93 s: pages given back are faulted in again by the next filings), so a worker trims
only when its resident memory has grown enough since its last trim to be worth it.

On a system without glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable


def _libc_function(name: str) -> Callable[..., int] | None:
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_trim = _libc_function("malloc_trim")
_mallopt = _libc_function("mallopt")
_M_MMAP_THRESHOLD = -3
#: Blocks this big or bigger get their own mapping, given back to the system when freed.
MMAP_THRESHOLD = 512 << 10
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_resident_after_trim = 0


def resident_bytes() -> int | None:
    """This process's resident memory (Linux ``/proc/self/statm``); None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def release_free_memory(grown_by: int = 0) -> None:
    """Return the free memory at the top and inside the C heap to the system (Linux/glibc).
    With ``grown_by``: only once the process's resident memory has grown by that many bytes
    since the last trim (glibc's own count of free bytes does not drop when a trim gives their
    pages back, so it cannot tell a heap already trimmed from one full of freed pages)."""
    global _resident_after_trim
    if _trim is None:
        return
    if grown_by:
        now = resident_bytes()
        if now is not None and now - _resident_after_trim < grown_by:
            return
    _trim(0)
    _resident_after_trim = resident_bytes() or 0


def fix_mmap_threshold(nbytes: int = MMAP_THRESHOLD) -> None:
    """Serve every block of ``nbytes`` or more from its own mapping, for the life of the process.

    glibc starts at 128 KB but raises the threshold to the size of each mapped block it frees
    (up to 32 MB): after the first multi-megabyte filing text is freed, the next ones come from
    the heap, between small long-lived objects, and stay there as holes when freed. Fixed at
    512 KB, a document's text, its rendered page and its term lists go back to the system as
    soon as they are freed: at 10,000 filings the largest worker peaked at 134 MB instead of
    161 MB. Costs page faults on each big block (a few percent of system time)."""
    if _mallopt is not None:
        _mallopt(_M_MMAP_THRESHOLD, nbytes)
