"""A watched archive takes a large drop of filings, as a team adds a year's download at once.

``filing-archive watch`` runs over a ``--base``-filing source (default 1,000); when its first
build is done, the ``--drop``-filing corpus (default 10,000, from ../shared/bench/make_corpus.py
as the other benchmarks make it) is copied into a subfolder in one go; when the watcher is quiet
again, one filing of the drop is edited (a word added). Reports:

- how many builds the drop caused, and the seconds from the copy to a site holding every filing;
- the watcher's peak memory over the run (its whole process tree, sampled every 0.2 s);
- the seconds from the edit to a rebuilt site, and whether search finds the added word.

Not a test: run by hand, numbers go to docs/watch.md::

    python3 benchmarks/watch_dropin.py --json docs/benchmarks/watch_dropin_session12.json
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT / "tests")]
from search_scale import _tree_rss, make_corpus  # noqa: E402
from site_search import search_site  # noqa: E402

WORD = "zebrafishquokka"
_DONE = re.compile(r"^watch: build (\d+) done in ([\d.]+) s \((\w+)\)", re.M)
_BUILT = re.compile(r"^Built (\d+) filings.*$", re.M)


class _Watcher:
    """The watch command as a subprocess, its log read as it grows, its tree's memory sampled."""

    def __init__(self, src: Path, out: Path, log: Path) -> None:
        self.log = log
        self._out = log.open("w")
        cmd = [sys.executable, "-m", "generator", "watch", "-q", "--source", str(src), "--output", str(out)]
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=subprocess.STDOUT, cwd=ROOT)
        self.peak = 0
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while self.proc.poll() is None:
            self.peak = max(self.peak, _tree_rss(self.proc.pid))
            time.sleep(0.2)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def builds_done(self) -> int:
        return len(_DONE.findall(self.text()))

    def wait_quiet(self, after: int, quiet: float = 5.0, timeout: float = 3600) -> float:
        """Wait until more than ``after`` builds are done and none starts for ``quiet`` seconds;
        the monotonic time the last one finished."""
        end = time.monotonic() + timeout
        last_done, seen = None, after
        while time.monotonic() < end:
            text = self.text()
            done = len(_DONE.findall(text))
            started = len(re.findall(r"^watch: build \d+:", text, re.M))
            if done > seen:
                seen, last_done = done, time.monotonic()
            if last_done is not None and started == done and time.monotonic() - last_done >= quiet:
                return last_done
            if self.proc.poll() is not None:
                raise SystemExit(f"the watcher stopped; see {self.log}")
            time.sleep(0.1)
        raise SystemExit(f"no quiet watcher within {timeout} s; see {self.log}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        finally:
            self._out.close()


def _edit_one(folder: Path) -> Path:
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="latin-1")
        if "</TEXT>" in text:
            cut = text.rindex("</TEXT>")
            path.write_text(text[:cut] + f"\n{WORD}\n" + text[cut:], encoding="latin-1")
            return path
    raise SystemExit(f"{folder}: no filing to edit")


def run(work: Path, base: int, drop: int) -> dict:
    base_corpus, drop_corpus = make_corpus(work, base), make_corpus(work, drop)
    src, out = work / "watch-src", work / "watch-site"
    for old in (src, out):
        shutil.rmtree(old, ignore_errors=True)
    no_manifest = shutil.ignore_patterns("manifest.jsonl", "*.params.json")
    shutil.copytree(base_corpus, src, ignore=no_manifest)
    began = time.monotonic()
    watcher = _Watcher(src, out, work / "watch-dropin.log")
    try:
        first_done = watcher.wait_quiet(0, quiet=1.0)
        first = watcher.builds_done()
        start = time.monotonic()
        shutil.copytree(drop_corpus, src / "drop", ignore=no_manifest)
        copied = time.monotonic() - start
        settled = watcher.wait_quiet(first)
        after_drop = watcher.builds_done()
        built = _BUILT.findall(watcher.text())
        edited = _edit_one(src / "drop")
        edit_start = time.monotonic()
        edit_done = watcher.wait_quiet(after_drop, quiet=2.0)
        found = search_site(out, [WORD])[WORD]
    finally:
        watcher.stop()
    return {
        "base": base,
        "drop": drop,
        "first_build_s": round(first_done - began, 1),
        "copy_s": round(copied, 1),
        "builds_for_drop": after_drop - first,
        "drop_to_site_s": round(settled - start, 1),
        "filings_after_drop": int(built[-1]) if built else None,
        "edit": edited.name,
        "edit_to_site_s": round(edit_done - edit_start, 1),
        "edit_found": [r[0] for r in found],
        "peak_tree_mb": round(watcher.peak / 2**20),
        "log_tail": watcher.text().splitlines()[-8:],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=int, default=1000, help="filings the watched archive starts with")
    ap.add_argument("--drop", type=int, default=10000, help="filings copied in at once")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fa-bench"))
    ap.add_argument("--json", type=Path, help="write the measures here")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    result = run(args.work, args.base, args.drop)
    print(json.dumps({k: v for k, v in result.items() if k != "log_tail"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
