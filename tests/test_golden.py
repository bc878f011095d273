"""Golden files from real filings: the filing.json record of a varied set of real submissions.

A change in what the parser reads shows up here as a diff to read. ``pytest --update-golden``
rewrites tests/golden/ from the current output; review the diff before committing it.
"""

from __future__ import annotations

import json

import pytest
from conftest import GOLDEN, ROOT

from generator.export import filing_record
from generator.parse.filing import parse_filing

SITE_SRC = ROOT / "site_src"
CASES = [
    "filings/000_fafeb7603bdfca6a.txt",  # headerless 8-K: every fact from the cover page
    "filings/1990s/0000914760-99-000124.txt",  # PEM wrapper, 8-K with an exhibit
    "filings/1990s/0000320193-94-000016.txt",  # 1994 IMS-HEADER 10-K
    "filings/1990s/0000320193-97-000014.txt",  # 10-Q
    "filings/1990s/0000899681-95-000096.txt",  # no header at all but <DOCUMENT> blocks
    "filings/2000s/0000060086-03-000046.txt",  # plain-text 13F-HR
    "filings/2000s/0000939057-08-000221.txt.gz",  # gzip-compressed 8-K
    "filings/2020s/0000950123-24-002518.txt",  # XML 13F-HR
    "filings/2020s/0001213900-25-032135.txt",  # HTML 8-K with uuencoded images, count mismatch
    "dissemination/0001127602-25-004598.nc",  # tag-style Form 4, person filer
    "dissemination/0000929638-25-000114.nc",  # ABS-15G: depositor, securitizer roles
]


@pytest.mark.parametrize("rel", CASES)
def test_filing_record_matches_golden(rel: str, update_golden: bool) -> None:
    filing = parse_filing((SITE_SRC / rel).read_bytes(), rel)
    record = filing_record(filing)
    golden = GOLDEN / f"{filing.id}.json"
    text = json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if update_golden or not golden.exists():
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"{golden} did not exist: written now, review it and commit it")
    assert json.loads(golden.read_text(encoding="utf-8")) == record
