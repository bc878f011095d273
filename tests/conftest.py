"""Shared fixtures: where the shared corpus is (tests over it are skipped, saying so, when it is
absent), a build runner, and ``--update-golden``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def shared_corpus() -> Path:
    """The shared corpus, or skip the calling test with a message that says why."""
    if not (SHARED_CORPUS / "full").is_dir():
        pytest.skip(f"shared corpus not present at {SHARED_CORPUS}: corpus-wide test skipped")
    return SHARED_CORPUS


def run_build(source: Path, output: Path, **kw):
    """Build ``source`` into ``output`` in-process; returns (report, printed lines)."""
    from generator.build import build
    from generator.config import load_config

    lines: list[str] = []
    cfg = load_config(None, source=source, output=output, progress=False, **kw)
    report = build(cfg, echo=lines.append)
    return report, lines


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file of a built site, by path; the build's private state (``.filing-archive/``: a
    SQLite file with stat signatures) is not part of the site and is left out."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith(".filing-archive/")
    }


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site (site_src/) built once for the whole run. Read it, never write to it: tests
    that change a site build their own."""
    out = tmp_path_factory.mktemp("demo-site") / "output"
    report, lines = run_build(ROOT / "site_src", out, jobs=1)
    assert report.failed == 0, lines
    return out
