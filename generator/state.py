"""Build state: what the last build read and wrote, so the next one redoes only what changed.

One SQLite file, ``<output>/.filing-archive/state.sqlite`` (stdlib, transactional: a killed build
leaves the previous state whole). Four tables:

- ``units``: per input unit (a file, or the files of one accession folder) its stat signature and
  the parse result with the document bodies left out (:func:`generator.parse.filing.light`): an
  unchanged unit is never read or parsed again.
- ``owners``: per owner of output files (``filing:<id>``, ``browse``, ``search``, ``pages``,
  ``static``, ``catalog``) the key its outputs were made from and the paths it wrote, so a filing
  whose key is unchanged is not rendered, and the files of an owner that disappears are pruned
  without keeping a list of every file of the site in memory.
- ``meta``: the digest of all inputs of the last complete build and its report, which makes a
  rebuild with no change at all a matter of walking the source folder.
- ``files``: what discover made of each source file (stat signature, classification), so an
  unchanged file is not opened to be classified again.

The Lucene-like rule: state rows are committed only after every output of the build is staged and
the commit journal is written (see :class:`generator.write.Stage`), so state never claims an
output that a crash could lose.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

STATE_FILE = ".filing-archive/state.sqlite"
#: Bump when the meaning of a stored row changes: an old state is then ignored (a full build).
STATE_VERSION = "8"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS units (key TEXT PRIMARY KEY, sig TEXT NOT NULL, result BLOB);
CREATE TABLE IF NOT EXISTS owners (owner TEXT PRIMARY KEY, key TEXT NOT NULL, deps TEXT NOT NULL, paths BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, entry BLOB NOT NULL);
"""


def _names(templates: list[str]) -> list[str]:
    """Template names as one string object each, whoever holds them: every owner's record lists
    the few templates its files loaded, and separate copies of the same half-dozen names for
    100,000 filings would be some 40 MB (an estimate: ~6 names of ~70 bytes an owner)."""
    return list(map(sys.intern, templates))


def pack(value: Any) -> bytes:
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack(blob: bytes) -> Any:
    return pickle.loads(zlib.decompress(blob))


class BuildState:
    """The state of one output folder. Writes wait for :meth:`commit`.

    Rows are read from SQLite once and then kept in memory (and every write goes to both), so a
    process that builds the same folder again and again (the watcher) reads nothing back: at
    10,000 filings reading the unit rows alone was half a second of every rebuild. The mirror is
    trusted only while the file's ``generation`` is the one this object last committed: a build
    run meanwhile by another process makes :meth:`refresh` drop it. After a failed build,
    :meth:`rollback` drops it with the uncommitted writes."""

    def __init__(self, out: Path) -> None:
        self._forget()
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
            self.db.execute("DELETE FROM files")
            self.set_meta("version", STATE_VERSION)
            self.db.commit()
        self._generation = self._read_generation()

    def _forget(self) -> None:
        self._meta: dict[str, Any] = {}
        self._sigs: dict[str, str] | None = None
        self._results: dict[str, tuple[str, Any]] = {}  # unit key -> (sig, result) read or put
        self._records: dict[str, tuple[str, list[str]]] | None = None
        self._files: dict[str, Any] | None = None

    def _read_generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return 0 if row is None else unpack(row[0])

    def refresh(self) -> None:
        """Before a build on a kept state: drop the mirror if someone else changed the file."""
        if self._read_generation() != self._generation:
            self._forget()
            self._generation = self._read_generation()

    # --- meta ---
    def get_meta(self, key: str) -> Any:
        if key not in self._meta:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            self._meta[key] = None if row is None else unpack(row[0])
        return self._meta[key]

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, pack(value)))
        self._meta[key] = value

    # --- files ---
    def discovered(self) -> dict[str, Any]:
        """What discover saw of every source file (path -> (stat signature, classification)),
        for :func:`generator.discover.discover_cached`. A row per file: a build writes the rows
        of the files that changed, not the whole map."""
        if self._files is None:
            self._files = {rel: unpack(blob) for rel, blob in self.db.execute("SELECT rel, entry FROM files")}
        return self._files

    def put_discovered(self, seen: dict[str, Any]) -> None:
        old = self.discovered()
        changed = [(rel, pack(v)) for rel, v in seen.items() if old.get(rel) != v]
        gone = [(rel,) for rel in old if rel not in seen]
        self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?)", changed)
        self.db.executemany("DELETE FROM files WHERE rel = ?", gone)
        self._files = dict(seen)

    def forget_reads_unless(self, code: str) -> None:
        """Forget what discover and the parser made of the source files (``files``, ``units``)
        unless the code that made it is ``code`` (``build.generator_digest``). A unit's signature
        is its files' stat, which says nothing of the parser: without this, a release that reads
        a fact better (a CIK from inline XBRL) would leave every unchanged file's page with the old
        facts. The next build then reads everything again; owners stay, so what the old code
        wrote is replaced or pruned as usual. Uncommitted until the build commits, like the rest."""
        if self.get_meta("code") == code:
            return
        self.db.execute("DELETE FROM units")
        self.db.execute("DELETE FROM files")
        self._sigs, self._results, self._files = {}, {}, {}
        self.set_meta("code", code)

    # --- units ---
    def unit_sigs(self) -> dict[str, str]:
        if self._sigs is None:
            self._sigs = dict(self.db.execute("SELECT key, sig FROM units"))
        return self._sigs

    def unit_results(self, keys: Iterable[str]) -> Iterator[tuple[str, str, Any]]:
        """(key, sig, result) for the given unit keys that have a stored result."""
        wanted = []
        for key in keys:
            if key in self._results:
                sig, result = self._results[key]
                yield key, sig, result
            else:
                wanted.append(key)
        for i in range(0, len(wanted), 500):
            batch = wanted[i : i + 500]
            marks = ",".join("?" * len(batch))
            for key, sig, blob in self.db.execute(
                f"SELECT key, sig, result FROM units WHERE key IN ({marks})", batch
            ):
                result = unpack(blob)
                self._results[key] = (sig, result)
                yield key, sig, result

    def put_unit(self, key: str, sig: str, result: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO units VALUES (?, ?, ?)", (key, sig, pack(result)))
        self.unit_sigs()[key] = sig
        self._results[key] = (sig, result)

    def drop_units(self, keep: set[str]) -> None:
        sigs = self.unit_sigs()
        gone = [k for k in sigs if k not in keep]
        self.db.executemany("DELETE FROM units WHERE key = ?", [(k,) for k in gone])
        for k in gone:
            del sigs[k]
            self._results.pop(k, None)

    # --- owners ---
    def owner_keys(self) -> dict[str, str]:
        return {o: k for o, (k, _) in self._live_records().items()}

    def owner_records(self) -> dict[str, tuple[str, list[str]]]:
        """owner -> (key, templates its files loaded), for every owner, in one read."""
        return dict(self._live_records())  # a copy: callers drop owners while they go through it

    def _live_records(self) -> dict[str, tuple[str, list[str]]]:
        if self._records is None:
            rows = self.db.execute("SELECT owner, key, deps FROM owners")
            self._records = {o: (k, _names(d.split("\n")) if d else []) for o, k, d in rows}
        return self._records

    def owner_paths(self, owner: str) -> list[str]:
        """Every file the owner wrote (read when needed: a build needs the lists of the owners it
        renders again, and at 100,000 filings all of them would be millions of strings)."""
        row = self.db.execute("SELECT paths FROM owners WHERE owner = ?", (owner,)).fetchone()
        return [] if row is None else json.loads(zlib.decompress(row[0]))

    def put_owner(self, owner: str, key: str, paths: Iterable[str], deps: Iterable[str] = ()) -> None:
        listed = sorted(set(paths))
        blob = zlib.compress(json.dumps(listed, separators=(",", ":")).encode(), 1)
        dep_list = _names(sorted(set(deps)))
        row = (owner, key, "\n".join(dep_list), blob)
        self.db.execute("INSERT OR REPLACE INTO owners VALUES (?, ?, ?, ?)", row)
        self._live_records()[owner] = (key, dep_list)

    def drop_owner(self, owner: str) -> None:
        self.db.execute("DELETE FROM owners WHERE owner = ?", (owner,))
        self._live_records().pop(owner, None)

    def commit(self) -> None:
        self._generation += 1
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (pack(self._generation),))
        self.db.commit()

    def rollback(self) -> None:
        """Undo what this build wrote (it failed): the file and the mirror are the last commit's."""
        self.db.rollback()
        self._forget()
        self._generation = self._read_generation()

    def close(self) -> None:
        self.db.close()
