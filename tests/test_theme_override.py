"""A user overrides any theme file by putting one of the same name in their templates folder,
given with --templates or in site.toml; pages rebuilt with it use it, and nothing else changes."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from conftest import ROOT, run_build

from generator.cli import cli

GOOD = ROOT / "site_src" / "filings" / "1990s" / "0000914760-99-000124.txt"


def _source(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(GOOD, src)
    return src


def test_templates_folder_overrides_a_template_and_the_css(tmp_path):
    src = _source(tmp_path)
    theme = tmp_path / "theme"
    theme.mkdir()
    base = (ROOT / "templates" / "base.html").read_text()
    (theme / "base.html").write_text(base.replace('<main id="main">', '<main id="main" data-theme="mine">'))
    (theme / "style.css").write_text("body { color: rebeccapurple; }\n")
    (theme / "extra.css").write_text(".mine { color: red; }\n")
    out = tmp_path / "out"
    report, _ = run_build(src, out, jobs=1, templates=theme)
    assert report.failed == 0
    page = (out / "filings" / "0000914760-99-000124" / "index.html").read_text()
    assert 'data-theme="mine"' in page
    assert (out / "static" / "style.css").read_text() == "body { color: rebeccapurple; }\n"
    assert (out / "static" / "extra.css").exists(), "a user's own style sheet is published too"
    assert (out / "static" / "browse.css").read_text() == (ROOT / "templates" / "browse.css").read_text()


def test_site_toml_names_the_templates_folder(tmp_path, monkeypatch):
    _source(tmp_path)
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "style.css").write_text("/* from site.toml */\n")
    (tmp_path / "site.toml").write_text(
        '[site]\nsource = "src"\noutput = "out"\ntemplates = "theme"\ntitle = "Our filings"\n'
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "static" / "style.css").read_text() == "/* from site.toml */\n"
    assert "Our filings" in (tmp_path / "out" / "index.html").read_text()


def test_unknown_setting_in_site_toml_is_a_usage_error(tmp_path, monkeypatch):
    (tmp_path / "site_src").mkdir()
    (tmp_path / "site.toml").write_text('[site]\ncolour = "blue"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", "-q"])
    assert result.exit_code == 2 and "unknown setting 'colour'" in result.output
