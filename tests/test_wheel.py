"""The package works installed from a built wheel, not only in editable mode: the theme ships
inside it."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_wheel_contains_the_theme_and_builds_the_demo(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("filing_archive-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "generator/templates/base.html" in names and "generator/templates/style.css" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    subprocess.run([venv / "bin" / "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import generator.render as r; print(r.theme_dir())"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(venv)), f"the wheel's own theme is used, not the checkout's: {where}"
    out = tmp_path / "out"
    res = subprocess.run(
        [
            venv / "bin" / "filing-archive",
            "build",
            "--source",
            str(ROOT / "site_src"),
            "--output",
            str(out),
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert (out / "index.html").is_file() and (out / "static" / "style.css").is_file()
