"""Build state: what the last build read and wrote, so the next one redoes only what changed.

One SQLite file, ``<output>/.filing-archive/state.sqlite`` (stdlib, transactional: a killed build
leaves the previous state whole). Three tables:

- ``units``: per input unit (a file, or the files of one accession folder) its stat signature and
  the parse result with the document bodies left out (:func:`generator.parse.filing.light`): an
  unchanged unit is never read or parsed again.
- ``owners``: per owner of output files (``filing:<id>``, ``browse``, ``search``, ``pages``,
  ``static``, ``catalog``) the key its outputs were made from and the paths it wrote, so a filing
  whose key is unchanged is not rendered, and the files of an owner that disappears are pruned
  without keeping a list of every file of the site in memory.
- ``meta``: the digest of all inputs of the last complete build and its report, which makes a
  rebuild with no change at all a matter of walking the source folder.

The Lucene-like rule: state rows are committed only after every output of the build is staged and
the commit journal is written (see :class:`generator.write.Stage`), so state never claims an
output that a crash could lose.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

STATE_FILE = ".filing-archive/state.sqlite"
#: Bump when the meaning of a stored row changes: an old state is then ignored (a full build).
STATE_VERSION = "7"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS units (key TEXT PRIMARY KEY, sig TEXT NOT NULL, result BLOB);
CREATE TABLE IF NOT EXISTS owners (owner TEXT PRIMARY KEY, key TEXT NOT NULL, deps TEXT NOT NULL, paths BLOB NOT NULL);
"""


def pack(value: Any) -> bytes:
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack(blob: bytes) -> Any:
    return pickle.loads(zlib.decompress(blob))


class BuildState:
    """The state of one output folder. Reads are free; writes wait for :meth:`commit`."""

    def __init__(self, out: Path) -> None:
        path = out / STATE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level="DEFERRED")
        self.db.execute("PRAGMA journal_mode=DELETE")
        try:
            self.db.executescript(_SCHEMA)
            version = self.get_meta("version")
        except sqlite3.DatabaseError:  # a damaged state file: start over, never fail the build
            self.db.close()
            path.unlink(missing_ok=True)
            self.db = sqlite3.connect(path, isolation_level="DEFERRED")
            self.db.executescript(_SCHEMA)
            version = None
        if version != STATE_VERSION:
            self.db.execute("DELETE FROM units")
            self.db.execute("DELETE FROM owners")
            self.db.execute("DELETE FROM meta")
            self.set_meta("version", STATE_VERSION)
            self.db.commit()

    # --- meta ---
    def get_meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else unpack(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, pack(value)))

    # --- units ---
    def unit_sigs(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, sig FROM units"))

    def unit_results(self, keys: Iterable[str]) -> Iterator[tuple[str, str, Any]]:
        """(key, sig, result) for the given unit keys that have a stored result."""
        wanted = list(keys)
        for i in range(0, len(wanted), 500):
            batch = wanted[i : i + 500]
            marks = ",".join("?" * len(batch))
            for key, sig, blob in self.db.execute(
                f"SELECT key, sig, result FROM units WHERE key IN ({marks})", batch
            ):
                yield key, sig, unpack(blob)

    def put_unit(self, key: str, sig: str, result: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO units VALUES (?, ?, ?)", (key, sig, pack(result)))

    def drop_units(self, keep: set[str]) -> None:
        gone = [k for (k,) in self.db.execute("SELECT key FROM units") if k not in keep]
        self.db.executemany("DELETE FROM units WHERE key = ?", [(k,) for k in gone])

    # --- owners ---
    def owner_keys(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT owner, key FROM owners"))

    def owner_records(self) -> dict[str, tuple[str, list[str]]]:
        """owner -> (key, templates its files loaded), for every owner, in one read."""
        return {o: (k, d.split("\n") if d else []) for o, k, d in self.db.execute("SELECT owner, key, deps FROM owners")}

    def owner_paths(self, owner: str) -> list[str]:
        """Every file the owner wrote."""
        row = self.db.execute("SELECT paths FROM owners WHERE owner = ?", (owner,)).fetchone()
        return [] if row is None else json.loads(zlib.decompress(row[0]))

    def owner_deps(self, owner: str) -> list[str]:
        """The templates the owner's files loaded when they were rendered."""
        row = self.db.execute("SELECT deps FROM owners WHERE owner = ?", (owner,)).fetchone()
        return row[0].split("\n") if row and row[0] else []

    def put_owner(self, owner: str, key: str, paths: Iterable[str], deps: Iterable[str] = ()) -> None:
        blob = zlib.compress(json.dumps(sorted(set(paths)), separators=(",", ":")).encode(), 1)
        row = (owner, key, "\n".join(sorted(set(deps))), blob)
        self.db.execute("INSERT OR REPLACE INTO owners VALUES (?, ?, ?, ?)", row)

    def drop_owner(self, owner: str) -> None:
        self.db.execute("DELETE FROM owners WHERE owner = ?", (owner,))

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.close()
