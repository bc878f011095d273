"""The command line stays thin and documented."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_every_command_is_in_the_readme():
    from generator.cli import cli

    readme = (ROOT / "README.md").read_text()
    for name in cli.commands:
        assert f"filing-archive {name}" in readme, name


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "pip install" in block and "filing-archive build" in block and "pytest" in block
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 -m pytest" in ci and "python3 -m pytest" in block


def test_python_dash_m_generator(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert res.returncode == 0 and "build" in res.stdout
