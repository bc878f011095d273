"""Watch stage: file-system events on the source, the templates and site.toml -> one build at a time.

Input: watchdog events from a recursive observer. Output: calls to ``build()`` and a
:class:`BuildResult` for each, handed to listeners (the console, the preview server's live reload).

Why it is shaped this way (details in docs/watch.md):

- **Events are hints, the build is the truth.** An event only says "look again soon"; the build
  rescans. So lost, doubled or reordered events cost at most an extra build, never a wrong site.
- **Debounce.** Editors and copies produce bursts (an atomic save is create + write + close +
  rename; ``cp -r`` of a thousand files is thousands of events). A batch is taken only after
  ``debounce`` seconds with no new event, or after ``max_delay`` of continuous events.
- **Settle.** A file still being written must not be built half-way: a file that was created or
  modified and not yet closed (inotify's IN_CLOSE_WRITE) holds the batch back, and so does one
  whose size or mtime moved since its last event. ``settle_timeout`` bounds the wait, for writers
  that never close (or a close event lost to an overflow).
- **One build at a time.** A single builder thread runs builds; events that arrive meanwhile
  accumulate and become the next batch, however many there are.
- **Overflow.** When the kernel drops events, watchdog logs "Inotify queue overflowed" (it has no
  event for it) and re-adds its watches; a log handler turns that into a full rescan build.
- **Never die.** An exception in a build is printed and the watcher goes on; Ctrl-C and SIGTERM
  stop the observer and join it (see :func:`stop_signals`).
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import logging
import os
import re
import signal
import stat
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from generator.config import ConfigError, SiteConfig
from generator.model import BuildReport

if TYPE_CHECKING:
    from generator.build import Session

Echo = Callable[[str], None]
BuildFn = Callable[..., BuildReport]

#: Only events that can change what a build reads. Opened/closed-without-write events are left
#: out of the kernel mask: the build itself reads every source file and would wake us up.
EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent, DirCreatedEvent, FileModifiedEvent, FileDeletedEvent, DirDeletedEvent,
    FileMovedEvent, DirMovedEvent, FileClosedEvent,
]  # fmt: skip

#: Editor and downloader scratch files: vim swap files and its "4913" write test, Emacs lock and
#: auto-save files, backups ending in "~", JetBrains safe-write, GNOME and browser partial files.
_SCRATCH = re.compile(
    r"(^4913$|~$|^#.*#$|\.sw[a-p]$|\.sw[x-z]$|\.tmp$|\.temp$|\.part$|\.crdownload$|\.download$"
    r"|___jb_(tmp|old|bak)___$|^\.goutputstream-|^Thumbs\.db$|^desktop\.ini$)",
    re.I,
)
OVERFLOW_LOGGER = "watchdog.observers.inotify_c"


def is_scratch(name: str) -> bool:
    """True for a file name an editor or a copy tool uses for a moment: never an input.

    Hidden names (``.foo``) count too: discovery never reads them, and atomic savers write
    ``.name.tmp`` before renaming it over ``name`` (the rename's destination is what we see)."""
    return name.startswith(".") or bool(_SCRATCH.search(name))


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What one build started by the watcher gave: for the console and the preview overlay.

    ``failures`` are (input path, reason) pairs of the inputs the build could not use; ``error``
    is set when the build itself raised (then nothing else is known)."""

    number: int
    changed: tuple[str, ...]
    full: bool
    seconds: float
    failures: tuple[tuple[str, str], ...] = ()
    written: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failures

    def as_json(self) -> dict:
        return {
            "build": self.number,
            "ok": self.ok,
            "full": self.full,
            "changed": list(self.changed),
            "seconds": round(self.seconds, 3),
            "written": self.written,
            "error": self.error,
            "failures": [{"path": p, "reason": r} for p, r in self.failures],
        }


@dataclass
class _Pending:
    """Changes seen since the last batch was taken (guarded by Watcher._cond)."""

    paths: dict[str, tuple[int, int] | None] = field(default_factory=dict)  # path -> stat at event
    writing: dict[str, float] = field(default_factory=dict)  # modified, no close yet: last event time
    full: bool = False
    config: bool = False
    first: float = 0.0
    last: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.paths) or self.full or self.config


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def dispatch(self, event: FileSystemEvent) -> None:
        try:
            self.watcher._on_event(event)
        except Exception:  # noqa: BLE001 - an odd event must never kill the observer thread
            self.watcher._echo("warning: watch: could not handle an event:\n" + traceback.format_exc())


class _OverflowLog(logging.Handler):
    """watchdog reports a kernel queue overflow only as a log line: turn it into a rescan."""

    def __init__(self, watcher: Watcher) -> None:
        super().__init__(logging.WARNING)
        self.watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.watcher.request_rescan("the kernel's event queue overflowed; events were lost")


class Watcher:
    """Watch the source folder, the templates folder and site.toml; rebuild on change.

    ``load_config`` is called at start and again whenever site.toml changes (a broken
    site.toml is reported and the last good configuration kept). ``build`` defaults to
    ``generator.build.build``; when it accepts ``changed``, the changed paths are passed on.
    """

    def __init__(
        self,
        load_config: Callable[[], SiteConfig],
        *,
        config_file: Path | None = None,
        echo: Echo = print,
        build: BuildFn | None = None,
        debounce: float = 0.1,
        max_delay: float = 10.0,
        settle_timeout: float = 30.0,
        poll: float = 0.05,
    ) -> None:
        self._load_config = load_config
        self.cfg = load_config()
        self.config_file = (config_file or Path("site.toml")).absolute()
        self._echo = _never_raises(echo)
        self._build = build
        self.debounce, self.max_delay = debounce, max_delay
        self.settle_timeout, self.poll = settle_timeout, poll
        self._cond = threading.Condition()
        self._pending = _Pending()
        self._stopping = threading.Event()
        self._observer: BaseObserver | None = None
        self._closes = False  # the observer reports IN_CLOSE_WRITE
        self._thread: threading.Thread | None = None
        self._overflow = _OverflowLog(self)
        self._listeners: list[Callable[[BuildResult], None]] = []
        self._roots: dict[str, str] = {}
        self._config_path = ""
        self._resolve_roots()
        self.builds = 0
        self._session: Session | None = None  # generator.build.Session, made by the first build
        self._collect_after: float | None = None  # when idle past this, collect garbage (monotonic)
        self._froze = False  # gc.freeze() was called (undone when the builder stops)
        self.building = threading.Event()
        self.last: BuildResult | None = None

    # ---- life cycle
    def add_listener(self, listener: Callable[[BuildResult], None]) -> None:
        """Call ``listener(result)`` after each build (from the builder thread)."""
        self._listeners.append(listener)

    def start(self, initial_build: bool = True) -> None:
        """Start watching; with ``initial_build`` the first batch is a full build, so the site is
        current before any event arrives."""
        logging.getLogger(OVERFLOW_LOGGER).addHandler(self._overflow)
        self._schedule()
        if initial_build:
            self.request_rescan(None)
        self._thread = threading.Thread(target=self._run, name="filing-archive-builder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop the observer (joined) and the builder; a build in progress is allowed to finish.
        Returns False when the builder is still busy after ``timeout`` seconds."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        self._unschedule()
        logging.getLogger(OVERFLOW_LOGGER).removeHandler(self._overflow)
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def request_rescan(self, why: str | None) -> None:
        """Ask for a full build (startup, overflow, a folder that came back)."""
        if why:
            self._echo(f"watch: {why}: rescanning everything")
        with self._cond:
            self._touch()
            self._pending.full = True
            self._pending.writing.clear()  # close events may have been among the lost ones
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """True once nothing is pending and no build runs (tests and benchmarks use it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                if not self._pending and not self.building.is_set():
                    return True
            time.sleep(self.poll)
        return False

    def _schedule(self) -> None:
        """(Re)start the observer on the current source, templates and site.toml folder.

        inotify runs out of watches on very large trees (``fs.inotify.max_user_watches``): then
        we fall back to polling, which is slower but sees everything."""
        self._unschedule()
        if self._stopping.is_set():
            return  # stop() ran meanwhile (a site.toml change raced with Ctrl-C)
        self._resolve_roots()
        roots = [(Path(self._roots["source"]), True)]
        if "templates" in self._roots:
            roots.append((Path(self._roots["templates"]), True))
        if self.config_file.parent.is_dir():
            roots.append((self.config_file.parent, False))
        kinds: list[Callable[[], BaseObserver]] = [Observer, PollingObserver]
        for kind in kinds:
            observer = kind()
            try:
                for path, recursive in roots:
                    observer.schedule(
                        _Handler(self), str(path), recursive=recursive, event_filter=EVENT_FILTER
                    )
                observer.start()
            except OSError as exc:
                self._echo(f"warning: watch: {exc}; falling back to polling the folders")
                observer.stop()
                continue
            self._observer = observer
            # Only inotify reports closes; elsewhere (polling, FSEvents) a written file would wait
            # for settle_timeout, so the settle check (size and mtime) is all there is.
            self._closes = type(observer).__name__ == "InotifyObserver"
            return

    def _unschedule(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            if observer.is_alive():
                observer.join()

    # ---- events (observer thread)
    def _on_event(self, event: FileSystemEvent) -> None:
        src = os.fsdecode(event.src_path)
        dest = os.fsdecode(event.dest_path) if event.dest_path else ""
        paths = [p for p in (src, dest) if p and self._relevant(p)]
        if not paths:
            return
        with self._cond:
            self._touch()
            for p in paths:
                if self._is_config(p):
                    self._pending.config = True
                    continue
                self._pending.paths[p] = _stat(p)
            self._track_writer(event, src, dest)
            self._cond.notify_all()

    def _track_writer(self, event: FileSystemEvent, src: str, dest: str) -> None:
        """Remember files open for writing: written to (IN_MODIFY) and not closed since.

        Creation alone does not count: for a folder that appears, watchdog reports the files
        already in it as created (their writes and closes happened before it could watch them),
        and a close would never follow."""
        if event.is_directory or event.is_synthetic or not self._closes:
            return  # synthetic: files of a folder moved in, finished already
        writing = self._pending.writing
        if isinstance(event, FileModifiedEvent):
            writing[src] = time.monotonic()
        elif isinstance(event, (FileClosedEvent, FileDeletedEvent)):
            writing.pop(src, None)
        elif isinstance(event, FileMovedEvent):
            writing.pop(src, None)  # a rename delivers a finished file
            writing.pop(dest, None)

    def _touch(self) -> None:
        now = time.monotonic()
        if not self._pending:
            self._pending.first = now
        self._pending.last = now

    def _relevant(self, path: str) -> bool:
        """Plain string tests on roots resolved once: a burst is tens of thousands of events."""
        if path == self._config_path:
            return True
        out = self._roots["output"]
        if path == out or path.startswith(out + os.sep):
            return False  # the build's own writes (output may sit inside the source)
        for key in ("source", "templates"):
            root = self._roots.get(key)
            if root and (path == root or path.startswith(root + os.sep)):
                rel = path[len(root) + 1 :]
                return not any(is_scratch(part) for part in rel.split(os.sep) if part)
        return False

    def _is_config(self, path: str) -> bool:
        return path == self._config_path

    def _resolve_roots(self) -> None:
        """The watched roots as real paths (inotify reports paths under the real folder)."""
        self._roots = {
            "source": os.path.realpath(self.cfg.source),
            "output": os.path.realpath(self.cfg.output),
        }
        if self.cfg.templates is not None:
            self._roots["templates"] = os.path.realpath(self.cfg.templates)
        self._config_path = str(self.config_file)

    # ---- batches and builds (builder thread)
    def _run(self) -> None:
        """The builder loop. SIGINT/SIGTERM are blocked in this thread, and so in the parse
        workers it forks: Ctrl-C reaches the main thread only, which stops us cleanly."""
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            while not self._stopping.is_set():
                batch = self._next_batch()
                if batch is None:
                    return
                try:
                    self._run_batch(batch)
                except Exception:  # noqa: BLE001 - the watcher outlives any one build
                    self._echo("error: watch: unexpected error:\n" + traceback.format_exc())
        finally:
            if self._session is not None:  # its database belongs to this thread
                self._session.close()
            if self._froze:  # the process lives on (a test, an embedding): collectable again
                gc.unfreeze()

    def _next_batch(self) -> _Pending | None:
        """Wait for changes, then for quiet (debounce) and for writers to finish; take them."""
        with self._cond:
            while True:
                if self._stopping.is_set():
                    return None
                if self._pending and self._ready(time.monotonic()):
                    moved = self._unsettled()
                    if not moved:
                        batch, self._pending = self._pending, _Pending()
                        return batch
                    for p in moved:
                        self._pending.paths[p] = _stat(p)
                    self._touch()
                if not self._cond.wait(self.poll if self._pending else 1.0) and not self._pending:
                    self._check_source()
                    self._idle_collect()

    def _idle_collect(self) -> None:
        """The full garbage collection the builds put off (see _run_batch), once idle."""
        if self._collect_after is not None and time.monotonic() >= self._collect_after:
            self._collect_after = None
            gc.unfreeze()
            gc.collect()
            gc.freeze()

    def _check_source(self) -> None:
        """inotify says nothing when the watched folder itself is moved away or unmounted
        (watchdog ignores IN_MOVE_SELF): look once a second while idle."""
        if not os.path.isdir(self._roots["source"]):
            self._touch()
            self._pending.full = True

    def _ready(self, now: float) -> bool:
        p = self._pending
        # A writer quiet for settle_timeout is taken as done: a hard link, a writer that never
        # closes, a close event lost to an overflow must not hold the watcher forever.
        if any(now - t < self.settle_timeout for t in p.writing.values()):
            return False
        return now - p.last >= self.debounce or now - p.first >= self.max_delay

    def _unsettled(self) -> list[str]:
        """Files whose size or mtime moved since their last event (a writer with no events)."""
        return [p for p, st in self._pending.paths.items() if _stat(p) != st]

    def _run_batch(self, batch: _Pending) -> None:
        if batch.config and not self._reload_config():
            if not batch.paths and not batch.full:
                return
        if not self.cfg.source.is_dir():
            self._echo(f"error: watch: source folder {self.cfg.source} is missing; waiting for it")
            self._wait_for_source()
            return
        changed = tuple(sorted(batch.paths))
        full = batch.full or batch.config or any(self._outside_source(p) for p in changed)
        self.builds += 1
        result = self._build_once(self.builds, changed, full)
        self.last = result
        for listener in list(self._listeners):
            try:
                listener(result)
            except Exception:  # noqa: BLE001 - a listener (a closed browser) must not stop builds
                self._echo("warning: watch: a build listener failed:\n" + traceback.format_exc())
        # The build pauses the garbage collector (build.py). What the session keeps (millions of
        # objects at 10,000 filings) is frozen: an automatic full collection would walk it all,
        # 0.2 s holding the interpreter while the preview serves the rebuilt pages or the next
        # save waits. The full collection runs when the watcher has been idle a while instead.
        gc.freeze()
        self._froze = True
        self._collect_after = time.monotonic() + IDLE_COLLECT

    def _outside_source(self, path: str) -> bool:
        src = self._roots["source"]
        return not (path == src or path.startswith(src + os.sep))

    def _reload_config(self) -> bool:
        """Read site.toml again; keep the old configuration when the new one is broken."""
        try:
            cfg = self._load_config()
        except ConfigError as exc:
            self._echo(f"error: {exc} (keeping the previous configuration)")
            return False
        roots_moved = (cfg.source, cfg.output, cfg.templates) != (
            self.cfg.source, self.cfg.output, self.cfg.templates,
        )  # fmt: skip
        self.cfg = cfg
        if roots_moved:
            self._schedule()
        return True

    def _wait_for_source(self) -> None:
        """A missing source (unmounted, moved away) would make a build prune the whole site:
        wait for it to come back, then watch it again and rebuild everything."""
        while not self._stopping.wait(0.5):
            if self.cfg.source.is_dir():
                self._schedule()
                self.request_rescan("the source folder is back")
                return

    def _build_once(self, number: int, changed: tuple[str, ...], full: bool) -> BuildResult:
        what = "everything" if full and not changed else _describe(changed)
        self._echo(f"watch: build {number}: {what}")
        started = time.monotonic()
        self.building.set()
        try:
            report = self._call_build(changed, full)
        except Exception as exc:  # noqa: BLE001 - report it, keep watching
            self._echo(f"error: build {number} failed: {type(exc).__name__}: {exc}")
            self._echo(traceback.format_exc().rstrip())
            return BuildResult(number, changed, full, time.monotonic() - started,
                               error=f"{type(exc).__name__}: {exc}")  # fmt: skip
        finally:
            self.building.clear()
        failures = tuple((i.path, i.reason or "failed") for i in report.inputs if i.outcome == "failed")
        return BuildResult(number, changed, full, time.monotonic() - started, failures, report.written)

    def _call_build(self, changed: tuple[str, ...], full: bool) -> BuildReport:
        if self._build is not None:
            build: BuildFn = self._build
        else:
            from generator.build import build
        kwargs: dict = {}
        if _accepts(build, "session"):  # the real build: keep what it can reuse between builds
            if self._session is None:
                from generator.build import Session

                self._session = Session()
            kwargs["session"] = self._session
        if not full and _accepts(build, "changed"):
            kwargs["changed"] = [Path(p) for p in changed]
        return build(self.cfg, echo=self._echo, **kwargs)


#: Seconds of quiet after a build before the watcher runs the full garbage collection.
IDLE_COLLECT = 5.0


def _never_raises(echo: Echo) -> Echo:
    """A console that went away (a closed pipe, a closed terminal) must not stop the builder."""

    def safe(line: str) -> None:
        with contextlib.suppress(Exception):
            try:
                echo(line)
            except UnicodeEncodeError:  # a file name that is not UTF-8 (surrogate escapes)
                echo(line.encode("utf-8", "backslashreplace").decode("utf-8"))

    return safe


def _accepts(fn: Callable[..., object], name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _stat(path: str) -> tuple[int, int] | None:
    """(size, mtime) of a regular file; None for anything else. A folder's mtime moves with every
    file added to it, which says nothing about whether those files are complete."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def _describe(changed: Iterable[str]) -> str:
    names = [os.path.basename(p) or p for p in changed]
    shown = ", ".join(names[:3])
    return f"{len(names)} changed ({shown}{', ...' if len(names) > 3 else ''})"


@contextlib.contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM, for the ``with`` block; the old handlers come back after.

    Installed before anything starts, so no ``KeyboardInterrupt`` can land in the middle of
    something and print a traceback: the main thread waits on the event and stops things in order.
    (Parse workers forked meanwhile inherit this handler and the builder thread's blocked mask, so
    a Ctrl-C sent to the whole process group does not kill them half-way either.)"""
    stop = threading.Event()

    def handler(_signum: int, _frame: object) -> None:
        stop.set()

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def wait(stop: threading.Event) -> None:
    while not stop.wait(0.5):
        pass


def stop_cleanly(watcher: Watcher, echo: Echo) -> None:
    """Stop after a signal: wait for a running build; a second Ctrl-C quits at once."""
    if watcher.building.is_set():
        echo("watch: stopping after the current build (Ctrl-C again to quit now)")
    done = threading.Event()

    def second(_signum: int, _frame: object) -> None:
        echo("watch: quitting now")
        os._exit(130)  # the build's worker pool would otherwise be joined at exit

    old = {s: signal.signal(s, second) for s in (signal.SIGINT, signal.SIGTERM)}
    try:

        def stop() -> None:
            watcher.stop()
            done.set()

        threading.Thread(target=stop, daemon=True).start()
        while not done.wait(0.2):
            pass
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def run(watcher: Watcher, echo: Echo) -> int:
    """``filing-archive watch``: build, watch until Ctrl-C/SIGTERM, stop cleanly; exit 0."""
    watcher.add_listener(lambda r: echo(summary(r)))
    with stop_signals() as stop:
        watcher.start()
        echo(f"watch: watching {watcher.cfg.source} (Ctrl-C to stop)")
        wait(stop)
        stop_cleanly(watcher, echo)
    echo("watch: stopped")
    return 0


def summary(result: BuildResult) -> str:
    if result.error:
        return f"watch: build {result.number} crashed; still watching"
    state = f"{len(result.failures)} failed" if result.failures else "ok"
    return f"watch: build {result.number} done in {result.seconds:.1f} s ({state}); watching"
