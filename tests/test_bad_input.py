"""Bad input: each case gives a diagnostic naming the file, the build goes on, nothing is written
outside the output folder, and every input has a line in the build report."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, read_json, run_build, tree_bytes

GOOD = ROOT / "site_src" / "filings" / "1990s" / "0000914760-99-000124.txt"

HEADER = (
    "<SEC-DOCUMENT>0000000001-99-000001.txt : 19990101\n<SEC-HEADER>0000000001-99-000001.hdr.sgml : 19990101\n"
    "ACCESSION NUMBER:\t\t0000000001-99-000001\nCONFORMED SUBMISSION TYPE:\t8-K\nPUBLIC DOCUMENT COUNT:\t\t{count}\n"
    "FILED AS OF DATE:\t\t19990101\n\nFILER:\n\n\tCOMPANY DATA:\t\n\t\tCOMPANY CONFORMED NAME:\t\t\tTEST CO\n"
    "\t\tCENTRAL INDEX KEY:\t\t\t0000000001\n</SEC-HEADER>\n"
)


def doc(seq: int, name: str, body: str, close: bool = True) -> str:
    end = "</TEXT>\n</DOCUMENT>\n" if close else ""
    return f"<DOCUMENT>\n<TYPE>EX-99.{seq}\n<SEQUENCE>{seq}\n<FILENAME>{name}\n<TEXT>\n{body}\n{end}"


def crafted(src: Path) -> dict[str, str]:
    """Write the crafted inputs; returns {relative path: expected outcome}."""
    src.mkdir(parents=True)
    shutil.copy(GOOD, src / "good.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "garbage.txt").write_bytes(bytes(range(256)) * 64)
    (src / "truncated.txt").write_text(
        HEADER.format(count=1).replace("-000001", "-000004")
        + doc(1, "a.txt", "FORM 8-K\ncut off", False)[:-1]
    )
    (src / "overclaim.txt").write_text(HEADER.format(count=5) + doc(1, "a.txt", "FORM 8-K body"))
    traversal = HEADER.format(count=3).replace("-000001", "-000002") + doc(1, "../../escape.txt", "FORM 8-K")
    traversal += doc(2, "/etc/passwd", "EXHIBIT body") + doc(3, "..\\..\\win.txt", "x")
    (src / "traversal.txt").write_text(traversal)
    (src / "unclosed.txt").write_text(
        "<SEC-HEADER>\nACCESSION NUMBER: 0000000001-99-000003\n<DOCUMENT>\n<TYPE>8-K\n<TEXT>\n<B"
    )
    (src / "notes.txt").write_text("shopping list: milk, eggs\n")
    return {
        "good.txt": "built",
        "empty.txt": "failed",
        "garbage.txt": "failed",
        "truncated.txt": "built",
        "overclaim.txt": "built",
        "traversal.txt": "built",
        "unclosed.txt": "built",
        "notes.txt": "skipped",
    }


def test_bad_inputs_are_reported_and_the_build_goes_on(tmp_path):
    src, out = tmp_path / "src", tmp_path / "site" / "output"
    expected = crafted(src)
    before = tree_bytes(tmp_path)
    report, lines = run_build(src, out, jobs=1)
    outcomes = {i.path: i for i in report.inputs}
    assert {p: o.outcome for p, o in outcomes.items()} == expected
    for path, outcome in expected.items():
        if outcome != "built":
            assert outcomes[path].reason, f"{path} has a reason"
    assert any(line.startswith("error: empty.txt: empty file") for line in lines)
    assert any("garbage.txt" in line and line.startswith("error:") for line in lines)
    assert any("overclaim.txt" in line and line.startswith("warning:") for line in lines)
    assert outcomes["truncated.txt"].diagnostics, "a truncated document is reported"
    assert report.failed == 2
    after = tree_bytes(tmp_path)
    new_outside = {p for p in after if p not in before and not p.startswith("site/output/")}
    assert not new_outside, f"written outside the output folder: {new_outside}"
    assert {p: b for p, b in after.items() if p.startswith("src/")} == {
        p: b for p, b in before.items() if p.startswith("src/")
    }, "inputs are never modified"
    rec = read_json(out / "filings" / "0000000001-99-000002" / "filing.json")
    for d in rec["documents"]:
        assert "/" not in (d["filename"] or "") and "\\" not in (d["filename"] or "")
        assert (out / d["url"]).resolve().is_relative_to(out.resolve())


def test_exit_codes(tmp_path):
    from click.testing import CliRunner

    from generator.cli import cli

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(GOOD, src / "good.txt")
    runner = CliRunner()
    ok = runner.invoke(cli, ["build", "--source", str(src), "--output", str(tmp_path / "o1"), "-q"])
    assert ok.exit_code == 0, ok.output
    (src / "empty.txt").write_bytes(b"")
    partial = runner.invoke(cli, ["build", "--source", str(src), "--output", str(tmp_path / "o2"), "-q"])
    assert partial.exit_code == 1 and "empty.txt" in partial.output
    assert (tmp_path / "o2" / "filings" / "0000914760-99-000124" / "filing.json").exists()
    missing = runner.invoke(
        cli, ["build", "--source", str(tmp_path / "nope"), "--output", str(tmp_path / "o3")]
    )
    assert missing.exit_code == 2 and "source folder not found" in missing.output
    usage = runner.invoke(cli, ["build", "--jobs", "many"])
    assert usage.exit_code == 2


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_symlinks_out_of_the_source_and_loops_are_refused(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(GOOD, src / "good.txt")
    secret = tmp_path / "secret.txt"
    shutil.copy(GOOD, secret)
    (src / "outside.txt").symlink_to(secret)
    (src / "loop").symlink_to(src)
    report, _ = run_build(src, tmp_path / "out", jobs=1)
    outcomes = {i.path: i for i in report.inputs}
    assert outcomes["outside.txt"].outcome == "failed"
    assert "outside the source" in outcomes["outside.txt"].reason
    assert outcomes["good.txt"].outcome == "built"


def test_output_through_a_planted_symlink_is_refused(tmp_path):
    from generator.model import Output
    from generator.write import UnsafePath, safe_target, write_file

    out = tmp_path / "out"
    (out / "filings").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "filings" / "x").symlink_to(elsewhere)
    for bad in ("../x", "/etc/passwd", "a/../../x", "", "a\\..\\b", "filings/x/f.html"):
        with pytest.raises(UnsafePath):
            write_file(out, Output(bad, b"x"))
    assert not any(elsewhere.iterdir())
    assert safe_target(out, "filings/y/index.html") == out / "filings" / "y" / "index.html"


@pytest.mark.slow
def test_a_200_mb_file_does_not_stop_the_build(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(GOOD, src / "good.txt")
    body = ("x" * 99 + "\n").encode() * 2_000_000  # 200 MB of text in one document
    with open(src / "huge.txt", "wb") as fh:
        fh.write(HEADER.format(count=1).replace("000001", "000009").encode())
        fh.write(b"<DOCUMENT>\n<TYPE>8-K\n<SEQUENCE>1\n<TEXT>\nFORM 8-K\n")
        fh.write(body)
        fh.write(b"</TEXT>\n</DOCUMENT>\n")
    report, lines = run_build(src, tmp_path / "out", jobs=1)
    outcomes = {i.path: i.outcome for i in report.inputs}
    assert outcomes["good.txt"] == "built"
    assert outcomes["huge.txt"] in ("built", "failed")


def test_an_archive_of_filings_is_named_as_one_with_how_to_unpack_it(tmp_path):
    """EDGAR's daily feed comes as ``<date>.nc.tar.gz``, bulk downloads as zips. The build reads
    files, never unpacks an archive (its member names could point anywhere, its size is unknown
    until read): the user gets a warning that says what the file is and how to unpack it, the
    rest is built, and a zip inside a filing's folder (``<ACCESSION>-xbrl.zip``) stays one of its
    documents."""
    import io
    import tarfile
    import zipfile

    from click.testing import CliRunner

    from generator.cli import cli

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(GOOD, src / "good.txt")
    for name, mode in (("20250110.nc.tar.gz", "w:gz"), ("plain.tar", "w")):
        with tarfile.open(src / name, mode) as tar:
            data = GOOD.read_bytes()
            info = tarfile.TarInfo("0000914760-99-000124.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(src / "bulk.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(GOOD, "0000914760-99-000124.txt")
    folder = src / "edgar" / "data" / "914760" / "000091476099000125"
    folder.mkdir(parents=True)
    (folder / "d8k.txt").write_text("FORM 8-K\nCURRENT REPORT\nItem 5. Other events. A filing in a folder.\n")
    shutil.copy(src / "bulk.zip", folder / "0000914760-99-000125-xbrl.zip")

    report, lines = run_build(src, tmp_path / "out", jobs=1)
    outcomes = {i.path: i for i in report.inputs}
    how = {"20250110.nc.tar.gz": "tar -xzf '20250110.nc.tar.gz'", "plain.tar": "tar -xf 'plain.tar'",
           "bulk.zip": "unzip 'bulk.zip'"}  # fmt: skip
    for name, command in how.items():
        assert outcomes[name].outcome == "skipped" and "an archive" in outcomes[name].reason
        assert command in outcomes[name].reason
        assert any(line.startswith(f"warning: {name}: an archive") for line in lines), lines
    assert outcomes["good.txt"].outcome == "built" and report.failed == 0
    member = "edgar/data/914760/000091476099000125/0000914760-99-000125-xbrl.zip"
    assert outcomes[member].outcome == "built" and outcomes[member].id == "0000914760-99-000125"

    strict = CliRunner().invoke(cli, ["build", "--strict", "-q", "--source", str(src), "--output", str(tmp_path / "o2")])
    assert strict.exit_code == 1 and "20250110.nc.tar.gz" in strict.output
