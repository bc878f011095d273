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

import contextlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol


class Runner(Protocol):
    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]: ...


class SchedulerError(Exception):
    """The scheduler cannot be used (Dask missing, cluster unreachable)."""


class _InProcess:
    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        return map(fn, items)


class _Pool:
    def __init__(self, pool: Any) -> None:
        self.pool = pool

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        return self.pool.map(fn, items)


def worker_init() -> None:
    """Local workers die with the build (Linux): a killed build leaves no process writing."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextlib.contextmanager
def open_runner(scheduler: str | None, jobs: int, tasks: int) -> Iterator[Runner]:
    """A runner for ``tasks`` tasks: in process, a local pool of ``jobs`` processes, or Dask."""
    if scheduler:
        with _dask(scheduler, jobs) as runner:
            yield runner
        return
    jobs = min(jobs, tasks)
    if jobs <= 1:
        yield _InProcess()
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=worker_init) as pool:
        yield _Pool(pool)


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
        yield _Pool(client.get_executor(pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
