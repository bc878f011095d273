"""The JavaScript tests (tests/js/*.test.mjs, node's own runner) run from pytest, over indexes
built here from the demo: so `python3 -m pytest` covers both languages of the search."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from conftest import ROOT
from search_support import by_date, demo_filings, update_site, write_outputs
from test_search_update import incremental

from generator.search.fields import search_doc
from generator.search.index import build_index


def _node() -> str:
    exe = shutil.which("node")
    if exe:
        return exe
    if os.environ.get("CI"):
        pytest.fail("node is not installed: the search client's JS tests need it in CI")
    pytest.skip("node not installed: the search client's JavaScript tests were skipped")


def test_javascript_suite_passes(tmp_path):
    node = _node()
    full = write_outputs(tmp_path / "full", build_index(demo_filings()))
    capped = write_outputs(tmp_path / "capped", build_index(demo_filings(), cap=3, position_bytes=200))
    segmented = write_outputs(tmp_path / "segmented", build_index(demo_filings(), segment_docs=5))
    docs = by_date([search_doc(f) for f in demo_filings()])
    final = incremental(tmp_path / "incremental", docs)
    update_site(tmp_path / "fresh", by_date(final))
    env = os.environ | {
        "SEARCH_INDEX_DIR": str(full / "search"),
        "SEARCH_INDEX_CAPPED_DIR": str(capped / "search"),
        "SEARCH_INDEX_SEGMENTED_DIR": str(segmented / "search"),
        "SEARCH_INDEX_INCREMENTAL_DIR": str(tmp_path / "incremental" / "search"),
        "SEARCH_INDEX_FRESH_DIR": str(tmp_path / "fresh" / "search"),
        "SEARCH_DELETED_IDS": " ".join(sorted({d.id for d in docs} - {d.id for d in final})),
    }
    res = subprocess.run(
        [node, "--test", "tests/js/"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "# fail 0" in res.stdout and "# skipped 0" in res.stdout, res.stdout[-2000:]
