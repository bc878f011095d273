"""Render stage, charts: filings -> an inline SVG bar chart drawn at build time.

No script and no chart library: a page must work from ``file://`` under a strict
Content-Security-Policy and look the same in print. One horizontal bar per year, split by the
most common forms plus "other", with a legend inside the image. Coordinates are written with one
fixed format so two builds give the same bytes. The SVG has ``role="img"``, a ``<title>`` and a
``<desc>``; pages also show the same numbers as a table (:attr:`BarChart.rows`), for screen
readers and print.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from generator.model import Filing

#: Bar colours, each at least 4.5:1 against white (WCAG asks 3:1 for graphics); "other" is grey.
PALETTE = ("#0b5cad", "#a34700", "#1a7f37", "#8250df", "#b3246f")
OTHER_COLOUR = "#59636e"
TEXT_COLOUR = "#1b1f24"
WIDTH = 360
_LABEL_W = 64  # year labels, "2009–2023" included
GAP = 3
_COUNT_W = 36  # the total written after each bar
_ROW = 16
_BAR = 12
_FONT = 11
_CHAR_W = 6.4  # a generous average glyph width at _FONT, to lay the legend out without a font


@dataclass(frozen=True, slots=True)
class BarChart:
    """A chart and its numbers: ``rows`` are (year, counts per series, total), oldest first; a
    label "2009–2023" stands for a run of years with no filing."""

    svg: str
    series: tuple[str, ...]
    colours: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...], int], ...]
    undated: int


def filings_by_year(filings: Iterable[Filing], chart_id: str, title: str, top: int = 5) -> BarChart | None:
    """Filings per filed year, split by the ``top`` most common forms and "other"; None when no
    filing has a filed date (there is nothing to draw)."""
    filings = list(filings)
    dated = [(f.filed[:4], f.form or "not stated") for f in filings if f.filed]
    if not dated:
        return None
    labels, rows = _count(dated, top)
    colours = tuple(PALETTE[: len(labels)])
    if labels[-1] == "other":
        colours = colours[:-1] + (OTHER_COLOUR,)
    undated = len(filings) - len(dated)
    svg = _draw(chart_id, title, _describe(labels, rows, undated), labels, colours, rows)
    return BarChart(svg, labels, colours, rows, undated)


def _count(dated: list[tuple[str, str]], top: int) -> tuple[tuple[str, ...], tuple]:
    """(series labels, rows) for (year, form) pairs; every year from the first to the last is a row,
    so gaps in the archive show as empty rows."""
    forms = Counter(form for _, form in dated)
    ranked = [form for form, _ in sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))]
    series = ranked[:top] if len(ranked) <= top else ranked[: top - 1]
    labels = tuple(series) + (("other",) if len(ranked) > len(series) else ())
    per_year: dict[str, Counter[str]] = {}
    for year, form in dated:
        per_year.setdefault(year, Counter())[form if form in series else "other"] += 1
    rows = []
    for y in range(int(min(per_year)), int(max(per_year)) + 1):
        counts = tuple(per_year.get(str(y), Counter())[s] for s in labels)
        rows.append((str(y), counts, sum(counts)))
    return labels, _collapse_gaps(rows)


def _collapse_gaps(rows: list) -> tuple:
    """Runs of ``GAP`` or more years with no filing become one row ("2009–2023"), so a company
    with two filings 25 years apart does not get 25 empty rows."""
    out: list = []
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j][2] == 0:
            j += 1
        if j - i >= GAP:
            out.append((f"{rows[i][0]}–{rows[j - 1][0]}", rows[i][1], 0))
            i = j
        else:
            out.append(rows[i])
            i += 1
    return tuple(out)


def _describe(labels: tuple[str, ...], rows: tuple, undated: int) -> str:
    """The chart in one sentence, for the SVG's <desc>."""
    total = sum(r[2] for r in rows)
    by_series = ", ".join(f"{s} {sum(r[1][i] for r in rows)}" for i, s in enumerate(labels))
    peak = max(rows, key=lambda r: (r[2], r[0]))
    first, last = rows[0][0][:4], rows[-1][0][-4:]
    gaps = " (a run of years with none shares one row)" if any("–" in r[0] for r in rows) else ""
    text = (
        f"Horizontal bars, one per year from {first} to {last}{gaps}, {total} filings in all, "
        f"split by form: {by_series}. Most filings in {peak[0]}: {peak[2]}."
    )
    if undated:
        text += f" {undated} filings with no filed date are not shown."
    return text


def _draw(
    chart_id: str, title: str, desc: str, labels: tuple[str, ...], colours: tuple[str, ...], rows
) -> str:
    legend, legend_h = _legend(labels, colours)
    top = legend_h + 6
    height = top + _ROW * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif" '
        f'font-size="{_FONT}" fill="{TEXT_COLOUR}">',
        f'<title id="{chart_id}-title">{_esc(title)}</title>',
        f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>',
        *legend,
    ]
    scale = (WIDTH - _LABEL_W - _COUNT_W) / max(max(r[2] for r in rows), 1)
    for i, (year, counts, total) in enumerate(rows):
        parts += _bar(top + i * _ROW, year, counts, total, colours, scale)
    parts.append(
        f'<line x1="{_LABEL_W}" y1="{top - 2}" x2="{_LABEL_W}" y2="{height - 2}" stroke="{TEXT_COLOUR}" '
        'stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _bar(y: int, year: str, counts: tuple[int, ...], total: int, colours: tuple[str, ...], scale: float):
    """One row: the year, a stacked bar (white gaps between parts), the total after it."""
    out = [f'<text x="0" y="{y + _BAR - 2}">{year}</text>']
    x = float(_LABEL_W)
    for count, colour in zip(counts, colours, strict=True):
        if count:
            w = count * scale
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_BAR}" fill="{colour}" '
                'stroke="#ffffff" stroke-width="1"/>'
            )
            x += w
    if total:
        out.append(f'<text x="{x + 4:.1f}" y="{y + _BAR - 2}">{total}</text>')
    return out


def _legend(labels: tuple[str, ...], colours: tuple[str, ...]) -> tuple[list[str], int]:
    """Swatch + label items laid out left to right, wrapping at the chart's width."""
    out: list[str] = []
    x, y = 0.0, 0
    for label, colour in zip(labels, colours, strict=True):
        w = 16 + len(label) * _CHAR_W + 12
        if x and x + w > WIDTH:
            x, y = 0.0, y + _ROW
        out.append(f'<rect x="{x:.1f}" y="{y + 2}" width="11" height="11" fill="{colour}"/>')
        out.append(f'<text x="{x + 15:.1f}" y="{y + 12}">{_esc(label)}</text>')
        x += w
    return out, y + _ROW


def _esc(text: str) -> str:
    return html.escape(text, quote=True)
