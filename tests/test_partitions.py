"""The build cut into partitions, run as separate tasks, gives the site one task gives.

Partitions are runs of units (parse) and of filings in date order (render); each is one task
that writes its pages into the output's stage, and the main process merges their results (pages,
search postings) in task order. Checked with two partitions on local worker processes, with one
filing per partition, and on a local Dask cluster (the engine ``--scheduler tcp://...`` uses for
a real cluster).
"""

from __future__ import annotations

import pytest
from conftest import ROOT, run_build, tree_bytes

SITE_SRC = ROOT / "site_src"


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "out"
    report, lines = run_build(SITE_SRC, out, jobs=1)
    assert report.failed == 0, lines
    return tree_bytes(out)


def test_two_partitions_on_two_workers_equal_a_single_build(single, tmp_path):
    out = tmp_path / "out"
    report, _ = run_build(SITE_SRC, out, jobs=2, partition_size=12)  # 23 filings: two tasks
    assert report.failed == 0
    assert tree_bytes(out) == single


def test_one_filing_per_partition_equals_a_single_build(single, tmp_path):
    out = tmp_path / "out"
    run_build(SITE_SRC, out, jobs=2, partition_size=1)
    assert tree_bytes(out) == single


@pytest.mark.slow
def test_a_local_dask_cluster_builds_the_same_site(single, tmp_path):
    pytest.importorskip("distributed", reason="Dask distributed is not installed (the 'distributed' extra)")
    out = tmp_path / "out"
    report, _ = run_build(SITE_SRC, out, jobs=2, scheduler="local", partition_size=6)
    assert report.failed == 0
    assert tree_bytes(out) == single


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed", reason="Dask distributed is not installed (the 'distributed' extra)")
    from generator.scheduler import SchedulerError

    with pytest.raises(SchedulerError, match="cannot reach the Dask scheduler"):
        run_build(SITE_SRC, tmp_path / "out", scheduler="tcp://127.0.0.1:9")


def test_the_pool_keeps_only_a_window_of_tasks_out_and_results_in_order():
    """Workers must not run far ahead of the build: finished results wait in memory until taken."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from generator.scheduler import _Pool

    lock, started = threading.Lock(), []

    def task(n: int) -> int:
        with lock:
            started.append(n)
        return n * n

    with ThreadPoolExecutor(max_workers=4) as executor:
        results = _Pool(executor, window=3).map(task, range(50))
        taken = []
        for r in results:
            taken.append(r)
            assert len(started) <= len(taken) + 3, "at most the window is out beyond what was taken"
    assert taken == [n * n for n in range(50)]


def test_keep_busy_replaces_done_tasks_while_no_result_is_taken_and_keeps_the_order():
    """While the build writes a segment it takes no result: each task done is replaced by a new
    one, so the workers never run dry, up to HELD_WINDOWS windows out; nothing is sent while the
    tasks out are still running, and the results come in order."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from generator.scheduler import HELD_WINDOWS, _Pool

    gates = {n: threading.Event() for n in range(40)}
    lock, started = threading.Lock(), []

    def task(n: int) -> int:
        with lock:
            started.append(n)
        gates[n].wait(10)
        return n

    with ThreadPoolExecutor(max_workers=64) as executor:
        results = _Pool(executor, window=3).map(task, range(40))
        out = results.out  # type: ignore[attr-defined]
        gates[0].set()
        assert next(results) == 0
        assert len(out) == 2
        results.keep_busy()  # type: ignore[attr-defined]
        assert len(out) == 3, "the window's worth is pending: one more, as __next__ would send"
        results.keep_busy()  # type: ignore[attr-defined]
        assert len(out) == 3, "nothing done, nothing more sent"
        for n in (1, 2):
            gates[n].set()
        out[0].result(10), out[1].result(10)
        results.keep_busy()  # type: ignore[attr-defined]
        assert len(out) == 5, "two done (not taken), two more sent"
        for n in range(3, 40):
            gates[n].set()
        for _ in range(10):  # the workers keep finishing what they are sent
            for f in list(out):
                f.result(10)
            results.keep_busy()  # type: ignore[attr-defined]
        assert len(out) == HELD_WINDOWS * 3, "at most HELD_WINDOWS windows out"
        assert list(results) == list(range(1, 40))
    assert sorted(started) == list(range(40)), "every task sent once"


def test_a_failed_task_drops_the_tasks_not_started():
    from concurrent.futures import ThreadPoolExecutor

    from generator.scheduler import _Pool

    def task(n: int) -> int:
        if n == 2:
            raise ValueError("bad partition")
        return n

    with ThreadPoolExecutor(max_workers=1) as executor:
        results = _Pool(executor, window=4).map(task, range(10))
        assert [next(results), next(results)] == [0, 1]
        with pytest.raises(ValueError, match="bad partition"):
            next(results)
        assert not results.out  # type: ignore[attr-defined]


def test_tasks_are_made_as_the_pool_takes_them(tmp_path):
    """The runner takes its items as a stream when told their weight: pass 2 makes a partition's
    tasks (each with its filing's context) only when it is handed out, so a 100,000-filing build
    never holds every task at once."""
    from generator.scheduler import WINDOW_PER_WORKER, open_runner

    made = []

    def items():
        for n in range(200):
            made.append(n)
            yield [n]

    with open_runner(None, 2, 200) as pool:
        results = pool.map(sum, items(), weight=200)
        taken = []
        for r in results:
            taken.append(r)
            assert len(made) <= len(taken) + WINDOW_PER_WORKER * 2, "made far ahead of the results"
    assert taken == list(range(200))


def test_in_process_tasks_free_their_reference_cycles_while_the_collector_is_paused():
    """``--jobs 1`` runs the tasks in the build process, whose collector is paused: a task's
    reference cycles (Jinja's macros hold the rendered filing) are freed after each task, not at
    the end of the phase (they piled up to 3.3 GB at 10,000 filings)."""
    import gc
    import weakref

    from generator.scheduler import open_runner

    class Page:
        pass

    alive = []

    def task(n: int) -> int:
        page = Page()
        page.cycle = page  # type: ignore[attr-defined]
        alive.append(weakref.ref(page))
        return n

    was = gc.isenabled()
    gc.disable()
    try:
        with open_runner(None, 1, 100) as pool:
            for n in pool.map(task, range(100), weight=100):
                assert all(ref() is None for ref in alive[:n + 1]), f"task {n}'s cycle still alive"
        with open_runner(None, 2, 3) as pool:  # too few items for workers: in this process too
            assert list(pool.map(task, range(3))) == [0, 1, 2]
            assert all(ref() is None for ref in alive)
    finally:
        if was:
            gc.enable()


def test_local_workers_yield_the_processor_to_the_build():
    """The build process is the serial part (results, segments): local workers run nicer, so it
    gets a core when it needs one."""
    import os

    from generator.scheduler import IN_PROCESS_BELOW, WORKER_NICENESS, open_runner

    n = IN_PROCESS_BELOW + 4
    with open_runner(None, 2, n) as pool:
        seen = set(pool.map(os.nice, [0] * n, weight=n))
    assert seen == {min(19, os.nice(0) + WORKER_NICENESS)}
