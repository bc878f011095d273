"""Where the build's tasks run: this process, local worker processes, or a Dask cluster.

The build is cut into partitions (runs of units in path order for parsing, runs of filings in the
site's date order for rendering); each partition is one task, a pure function of picklable
arguments that reads the source folder and writes into the output folder's stage. So the same
tasks run on

- nothing at all (one job, or a handful of units): in this process;
- local worker processes (the default, ``--jobs``, all cores);
- a Dask distributed cluster (``--scheduler tcp://host:8786``, or ``--scheduler local`` for a
  LocalCluster on this machine), for archives that outgrow one machine. The workers need this
  package installed and the source and output folders at the same paths (a shared file system);
  Dask is an optional extra: ``pip install 'filing-archive[distributed]'``.

Whatever runs them, results come back in task order and the main process does everything global
in that order, so the site is the same byte for byte.
"""

from __future__ import annotations

import collections
import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol


class Runner(Protocol):
    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], weight: int | None = None) -> Iterator[Any]: ...


class SchedulerError(Exception):
    """The scheduler cannot be used (Dask missing, cluster unreachable)."""


class _InProcess:
    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], weight: int | None = None) -> Iterator[Any]:
        return map(_collecting(fn), items)


def _collecting(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn``, followed by a young garbage collection when the collector is paused (the build
    pauses it, see build.py): a task run in the build process leaves reference cycles (Jinja's
    macros and contexts, which hold the rendered filing and its texts), and with no collection
    until the end of the phase they piled up: ``--jobs 1`` at 10,000 filings peaked at 3.3 GB,
    ~200 KB a filing. A young collection walks only what was made since the last one: ~4 ms a
    task of ~30 filings."""
    import gc

    def run(item: Any) -> Any:
        result = fn(item)
        if not gc.isenabled():
            gc.collect(1)
        return result

    return run


class _Pool:
    """An executor's tasks, a few at a time: ``Executor.map`` submits every task at once, and
    the results of tasks done wait in memory until the build takes them in order. A render
    result carries a filing's analysed text; at 100,000 filings the workers ran ahead of the
    main process and its memory grew past 2.7 GB. At most ``window`` tasks are out at a time
    (:data:`HELD_WINDOWS` windows while the build writes a search segment)."""

    def __init__(self, pool: Any, window: int) -> None:
        self.pool = pool
        self.window = max(1, window)

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], weight: int | None = None) -> Iterator[Any]:
        return _Ordered(self.pool, fn, iter(items), self.window)


_END = object()


class _Ordered(Iterator[Any]):
    """The results of ``fn`` over ``items`` in order, ``window`` tasks out at most; while the
    build writes a search segment (seconds in the build process alone) :meth:`keep_busy`
    replaces the tasks done: with only the window out, the workers finished their few tasks and
    then waited for the build for most of each segment."""

    def __init__(self, pool: Any, fn: Callable[[Any], Any], items: Iterator[Any], window: int) -> None:
        self.pool, self.fn, self.items, self.window = pool, fn, items, window
        self.out: collections.deque = collections.deque()

    def _submit(self) -> bool:
        item = next(self.items, _END)
        if item is _END:
            return False
        self.out.append(self.pool.submit(self.fn, item))
        return True

    def __next__(self) -> Any:
        while len(self.out) < self.window and self._submit():
            pass
        if not self.out:
            raise StopIteration
        try:
            return self.out.popleft().result()
        except BaseException:
            self.close()
            raise

    def keep_busy(self) -> None:
        """While the build is busy elsewhere and takes no result (it writes a search segment:
        ~9 s at 24 million positions beside two workers), send a task for each one done, so the
        window's worth stays ahead of the workers; at most :data:`HELD_WINDOWS` windows out in
        all (done results wait in memory). A window's worth more sent before the segment
        (session 9's ``widen``) ran dry after ~4.5 s, and a core sat idle for the rest of it."""
        cap = HELD_WINDOWS * self.window
        pending = sum(not f.done() for f in self.out)
        while pending < self.window and len(self.out) < cap and self._submit():
            pending += 1

    def close(self) -> None:
        """The build stopped taking results (an error): drop the tasks not started."""
        while self.out:
            self.out.popleft().cancel()

    def __del__(self) -> None:
        self.close()


#: Local workers run at this niceness above the build's: the build process is the serial part
#: (it takes every result and writes the search segments), so when it is busy the workers give it
#: the core, and when it waits they have every core anyway. At 10,000 filings it wrote each
#: segment in ~9 s beside two equal workers; with them at 5 a core was idle 3.7 % of the build
#: instead of 4.5 % (and 6.6 % before :meth:`_Ordered.keep_busy`).
WORKER_NICENESS = 5


def worker_init(build_pid: int | None = None) -> None:
    """Local workers die with the build: a killed build leaves no process writing. They collect
    garbage as usual (the build pauses its collector, see build.py), give big freed blocks back
    at once (generator/heap.py) and yield the processor to the build (:data:`WORKER_NICENESS`)."""
    import gc

    from generator.heap import fix_mmap_threshold

    gc.enable()
    fix_mmap_threshold()
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if build_pid is not None:
        _exit_with(build_pid)


def _exit_with(pid: int) -> None:
    """End this worker as soon as process ``pid`` (the build) ends, from a daemon thread.

    A worker forked from the fork server has the server as its parent, so the parent-death
    signal above fires only when the server ends, and the server lives as long as any worker
    does (each holds its liveness pipe): after a killed build, both would wait forever."""
    import select
    import threading
    import time

    def wait() -> None:
        try:
            fd = os.pidfd_open(pid)  # Linux 5.3+: readable when the process has ended
        except ProcessLookupError:
            os._exit(1)
        except (AttributeError, OSError):
            while True:  # elsewhere: ask every second
                time.sleep(1)
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
        else:
            select.select([fd], [], [])
        os._exit(1)

    threading.Thread(target=wait, name="exit-with-build", daemon=True).start()


def worker_context() -> Any:
    """How local workers start: forked from multiprocessing's fork server where there is one
    (Linux, macOS), else as the platform does.

    The fork server is a small process started afresh (not forked from the build) that imports
    the package once; each worker is forked from it. A worker forked from the build itself got
    the build's memory as it was at that moment: at 100,000 filings the walk of the source
    folder, ~135 MB, counted again in each worker's resident memory (and copied page by page as
    its garbage collector went through objects it never uses)."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["generator.tasks"])
    return context


#: Tasks out per worker: enough that a worker never waits for the next one, few enough that
#: finished results do not pile up (see _Pool).
WINDOW_PER_WORKER = 3

#: Tasks out at most while the build is busy elsewhere (:meth:`_Ordered.keep_busy`), in windows.
HELD_WINDOWS = 3

#: Fewer items than this run in this process: starting workers (each imports the package and
#: compiles the templates) costs more than a rebuild after one edited filing.
IN_PROCESS_BELOW = 16


class _Lazy:
    """Starts the workers (or connects to the cluster) on the first map with enough items."""

    def __init__(self, scheduler: str | None, jobs: int, stack: contextlib.ExitStack) -> None:
        self.scheduler, self.jobs, self.stack = scheduler, jobs, stack
        self.runner: Runner | None = None

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], weight: int | None = None) -> Iterator[Any]:
        """``weight``: how many units (or filings) the items hold (partitions hold several).
        With a weight, ``items`` is taken as a stream, a few ahead of the results (``_Pool``)."""
        if weight is None:
            items = list(items)
            weight = len(items)
        if weight < IN_PROCESS_BELOW and not self.scheduler:
            return _InProcess().map(fn, items)
        if self.runner is None:
            if self.scheduler:
                self.runner = self.stack.enter_context(_dask(self.scheduler, self.jobs))
            elif self.jobs <= 1:
                self.runner = _InProcess()
            else:
                context = worker_context()  # a fork server's workers watch the build (_exit_with)
                pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context, initializer=worker_init,
                                           initargs=(os.getpid(),) if context is not None else ())  # fmt: skip
                self.runner = _Pool(self.stack.enter_context(pool), WINDOW_PER_WORKER * self.jobs)
        return self.runner.map(fn, items)


@contextlib.contextmanager
def open_runner(scheduler: str | None, jobs: int, tasks: int) -> Iterator[Runner]:
    """A runner for up to ``tasks`` tasks: in process, a local pool of ``jobs`` processes, or Dask,
    started only when a map has enough work for it."""
    with contextlib.ExitStack() as stack:
        yield _Lazy(scheduler, min(jobs, max(1, tasks)), stack)


@contextlib.contextmanager
def _dask(address: str, jobs: int) -> Iterator[Runner]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise SchedulerError(
            "--scheduler needs Dask distributed: pip install 'filing-archive[distributed]'"
        ) from exc
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=max(1, jobs), threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        else:
            client = Client(address, timeout=10)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        try:
            slots = sum(client.nthreads().values())  # the cluster's workers, not this machine's
        except Exception:  # noqa: BLE001 - an older or odd scheduler: assume the local count
            slots = jobs
        yield _Pool(client.get_executor(pure=False), WINDOW_PER_WORKER * max(1, slots, jobs))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
