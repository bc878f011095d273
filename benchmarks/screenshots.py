"""Screenshots of the demo site for review: desktop (1280 wide) and phone (390 wide) PNGs.

    python3 benchmarks/screenshots.py [--out docs/screenshots]

Builds site_src/ into a temporary folder, opens each page in Debian's Chromium (Playwright, no
browser download) and saves the top of the page, cropped, as PNG: the seed filing, a 1997 10-Q,
a 13F, an exhibit page, a headerless 2024 8-K read from its inline XBRL tags and, when the archive has company pages, the 10-Q's company. The PNGs
are committed, so they are cropped to stay small (a few hundred KB at most).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import browser_page  # noqa: E402
from conftest import run_build  # noqa: E402

PAGES = {
    "seed-filing": "filings/000-fafeb7603bdfca6a/index.html",
    "10-q": "filings/0000320193-97-000014/index.html",
    "13f": "filings/0000060086-03-000046/index.html",
    "13f-information-table": "filings/0000950123-24-002518/2-information-table.html",
    "exhibit": "filings/0001213900-25-032135/2-ex-99-1.html",
    "text-exhibit": "filings/0000320193-97-000014/3-ex-10.html",
    # a 2024 8-K's primary document alone in a sec-edgar-downloader folder: no header, facts from
    # its inline XBRL cover tags, named by its folder's accession number
    "tagged-8-k": "filings/0000943374-24-000509/index.html",
}
SIZES = {"desktop": (1280, 1100), "phone": (390, 1500)}


def company_page(out: Path) -> str | None:
    """The company page the 10-Q links to, once the browse pages exist."""
    html = (out / PAGES["10-q"]).read_text(encoding="utf-8")
    m = re.search(r'href="\.\./\.\./(companies/(?!index\.html)[^"#]+)"', html)
    return m.group(1) if m and (out / m.group(1)).is_file() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        report, _ = run_build(ROOT / "site_src", site, jobs=1)
        pages = dict(PAGES)
        if (company := company_page(site)) is not None:
            pages["company"] = company
        for kind, (width, height) in SIZES.items():
            with browser_page(width=width, height=height) as page:
                for name, rel in pages.items():
                    png = args.out / f"{name}-{kind}.png"
                    page.goto((site / rel).as_uri())
                    page.screenshot(path=str(png), clip={"x": 0, "y": 0, "width": width, "height": height})
                    print(f"{png}  {png.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
