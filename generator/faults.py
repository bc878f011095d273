"""Fault injection for the crash-safety tests: kill the build at a named point.

``FILING_ARCHIVE_CRASH_AT=<point>[:<n>]`` makes the build SIGKILL itself the ``n``-th time (from 1)
it passes ``<point>``. Points: ``parse``, ``render`` (after each filing rendered), ``globals``,
``journal`` (journal written, state not committed), ``state`` (state committed, nothing applied),
``apply`` (after each file moved into the site). Unset, :func:`crash_point` is a dictionary lookup.
A real power cut can stop a build anywhere; these points are where the build's promises change.
"""

from __future__ import annotations

import os
import signal

_SPEC = os.environ.get("FILING_ARCHIVE_CRASH_AT", "")
_POINT, _, _COUNT = _SPEC.partition(":")
_SEEN: dict[str, int] = {}


def crash_point(name: str) -> None:
    if not _POINT or name != _POINT:
        return
    _SEEN[name] = _SEEN.get(name, 0) + 1
    if _SEEN[name] >= int(_COUNT or 1):
        os.kill(os.getpid(), signal.SIGKILL)
