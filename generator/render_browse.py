"""Render stage, browse pages: Site -> the home page and the listings (by form, by date, companies).

Everything here reads the assembled Site only, never raw filing bytes. A listing longer than
``PER_PAGE`` rows is split into numbered pages (``…/index.html``, ``…/page-2.html``, ...) so that
no page of a 100,000-filing archive is too heavy to open; the split depends only on the sorted
rows, so it is the same on every build.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from generator import site as urls
from generator.companies import Company
from generator.forms import form_name
from generator.model import Output
from generator.render import render_template
from generator.site import Site
from generator.svg import filings_by_year

PER_PAGE = 500
LATEST = 25
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def register(env: jinja2.Environment) -> None:
    """Template globals of the browse pages that filing pages use too (``form_name``)."""
    env.globals.update(
        form_name=form_name,
        month_name=lambda mm: MONTHS[int(mm) - 1],
        year_url=urls.year_url,
        letter_anchor=letter_anchor,
    )


@dataclass(frozen=True, slots=True)
class Pager:
    """Page ``number`` of ``count`` of a listing whose first page is ``first``."""

    number: int
    count: int
    first: str
    total: int  # rows in the whole listing

    @property
    def url(self) -> str:
        return self.at(self.number)

    def at(self, number: int) -> str:
        return urls.numbered_page_url(self.first, number)

    @property
    def first_row(self) -> int:
        return (self.number - 1) * PER_PAGE + 1

    @property
    def last_row(self) -> int:
        return min(self.number * PER_PAGE, self.total)

    @property
    def prev_url(self) -> str | None:
        return self.at(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.at(self.number + 1) if self.number < self.count else None

    def window(self) -> list[int | None]:
        """Page numbers to link: the first, the last and two either side of this one (None = gap)."""
        keep = {1, self.count, *range(self.number - 2, self.number + 3)}
        out: list[int | None] = []
        for n in range(1, self.count + 1):
            if n in keep:
                out.append(n)
            elif out and out[-1] is not None:
                out.append(None)
        return out


@dataclass(frozen=True, slots=True)
class Group:
    """Rows of one month (or letter) on one page; ``starts`` is False when the group began on an
    earlier page (its heading then says "continued" and carries no anchor)."""

    key: str
    rows: list
    starts: bool


def paginate(rows: Sequence, first: str) -> list[tuple[Pager, Sequence]]:
    count = max(1, -(-len(rows) // PER_PAGE))
    return [
        (Pager(n, count, first, len(rows)), rows[(n - 1) * PER_PAGE : n * PER_PAGE])
        for n in range(1, count + 1)
    ]


def grouped_pages(rows: Sequence, key: Callable[[Any], str], first: str):
    """Paginate ``rows`` (already in order) and split each page into groups by ``key``; also
    returns where each group starts: key -> the URL of its first page."""
    pages = []
    starts: dict[str, str] = {}
    for pager, chunk in paginate(rows, first):
        groups: list[Group] = []
        for row in chunk:
            k = key(row)
            if not groups or groups[-1].key != k:
                groups.append(Group(k, [], k not in starts))
                starts.setdefault(k, pager.url)
            groups[-1].rows.append(row)
        pages.append((pager, groups))
    return pages, starts


@dataclass(frozen=True)
class BrowseGroup:
    """Listing pages rendered together, and what they show: ``material`` holds everything of the
    site the pages read (filing fingerprints, counts, neighbours), so an incremental build renders
    the group again only when it changed (or a template it loaded did)."""

    owner: str
    material: tuple
    make: Callable[[], list[Output]]


def render_browse(site: Site, env: jinja2.Environment) -> list[Output]:
    """The home page and every listing page."""
    return [o for g in browse_groups(site, env, lambda f: repr(f)) for o in g.make()]


#: What a company page shows of the company besides its filings (compared, not printed: the
#: build compares a group's material with the last build's and digests it only when it changed).
_COMPANY_FACTS = tuple(f.name for f in dataclasses.fields(Company) if f.name != "filings")


def browse_groups(site: Site, env: jinja2.Environment, fingerprint: Callable[[Any], str]) -> list[BrowseGroup]:
    """Every listing page, in groups: the overviews (home, forms, dates, companies A-Z), each page
    of a form's, a year's and the undated listing on its own, and one group per company.
    ``fingerprint(filing)`` names a filing's state.

    A page of a long listing is its own group: a changed filing renders again the one page of
    the 8-K listing that shows it, not the twenty others (unless the rows moved)."""
    register(env)
    fps = lambda filings: tuple(fingerprint(f) for f in filings)  # noqa: E731
    overview = (tuple((f.id, f.form, f.filed) for f in site.filings), fps(site.filings[:LATEST]),
                tuple((c.key, c.name) for c in site.companies_az))  # fmt: skip
    groups = [
        BrowseGroup("browse:overview", overview, lambda: [_home(site, env), _forms_index(site, env),
                    _dates_index(site, env), *_companies_index(site, env)]),  # fmt: skip
    ]
    for form, filings in site.by_form.items():
        for pager, chunk in paginate(filings, site.form_url(form)):
            groups.append(BrowseGroup(f"browse:form:{form}:{pager.number}", (pager, fps(chunk)),
                                      functools.partial(_form_page, site, env, form, chunk, pager)))  # fmt: skip
    years = sorted(y for y in site.by_year if y != "unknown")
    for i, year in enumerate(years):
        prev_year, later = years[i - 1] if i else None, years[i + 1 : i + 2]
        groups += _year_groups(site, env, year, site.by_year[year], prev_year, later, fps)
    for pager, chunk in paginate(site.by_year.get("unknown", []), urls.UNDATED_URL):
        groups.append(BrowseGroup(f"browse:undated:{pager.number}", (pager, fps(chunk)),
                                  functools.partial(_undated_page, site, env, chunk, pager)))  # fmt: skip
    for company in site.companies.values():
        material = (tuple(getattr(company, f) for f in _COMPANY_FACTS),
                    tuple((fingerprint(cf.filing), cf.roles) for cf in company.filings))  # fmt: skip
        groups.append(BrowseGroup(f"browse:company:{company.key}", material,
                                  functools.partial(_company, site, env, company)))  # fmt: skip
    return groups


def _home(site: Site, env: jinja2.Environment) -> Output:
    chart = filings_by_year(site.filings, "chart-years", "Filings per year, by form")
    forms = sorted(site.by_form.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return render_template(
        env,
        "index.html",
        "index.html",
        site,
        chart=chart,
        forms=forms[:12],
        latest=[f for f in site.filings[:LATEST] if f.filed],
    )


def _forms_index(site: Site, env: jinja2.Environment) -> Output:
    return render_template(env, "forms.html", urls.FORMS_URL, site, forms=list(site.by_form.items()))


def _form_page(site: Site, env: jinja2.Environment, form: str, chunk: Sequence, pager: Pager) -> list[Output]:
    return [render_template(env, "form.html", pager.url, site, form=form, filings=chunk, pager=pager)]


def _dates_index(site: Site, env: jinja2.Environment) -> Output:
    years = {y: fs for y, fs in site.by_year.items() if y != "unknown"}
    undated = site.by_year.get("unknown", [])
    chart = filings_by_year(site.filings, "chart-dates", "Filings per year, by form")
    return render_template(env, "dates.html", urls.DATES_URL, site, years=years, undated=undated, chart=chart)


def _undated_page(site: Site, env: jinja2.Environment, chunk: Sequence, pager: Pager) -> list[Output]:
    return [render_template(env, "undated.html", pager.url, site, filings=chunk, pager=pager)]


def _year_groups(site: Site, env: jinja2.Environment, year: str, filings: list, prev_year: str | None,
                 later: list[str], fps: Callable) -> list[BrowseGroup]:  # fmt: skip
    """One year's pages: its filings oldest first, in one section per month (anchors #m01..#m12);
    each page a group whose material is its rows and what every page of the year shows."""
    in_order = sorted(filings, key=urls.chronological)
    pages, starts = grouped_pages(in_order, lambda f: f.filed[5:7], urls.year_url(year))
    months = {f"{m:02d}": 0 for m in range(1, 13)}
    for f in filings:
        months[f.filed[5:7]] += 1
    context = dict(
        year=year, months=months, starts=starts, prev_year=prev_year, next_year=later[0] if later else None
    )
    shared = (prev_year, tuple(later), tuple(months.items()), tuple(starts.items()))
    return [
        BrowseGroup(
            f"browse:year:{year}:{pager.number}",
            (shared, pager, tuple((g.key, g.starts, fps(g.rows)) for g in groups)),
            functools.partial(_year_page, site, env, pager, groups, context),
        )
        for pager, groups in pages
    ]


def _year_page(site: Site, env: jinja2.Environment, pager: Pager, groups: list, context: dict) -> list[Output]:
    return [render_template(env, "year.html", pager.url, site, groups=groups, pager=pager, **context)]


def _companies_index(site: Site, env: jinja2.Environment) -> list[Output]:
    pages, starts = grouped_pages(site.companies_az, letter, urls.COMPANIES_URL)
    return [
        render_template(env, "companies.html", pager.url, site, groups=groups, pager=pager, starts=starts)
        for pager, groups in pages
    ]


def _company(site: Site, env: jinja2.Environment, company: Company) -> list[Output]:
    years = {cf.filing.filed[:4] for cf in company.filings if cf.filing.filed}
    chart = None  # one year's bar says nothing the table of filings does not
    if len(years) > 1:
        chart = filings_by_year(
            (cf.filing for cf in company.filings), "chart-company", "Filings per year", top=4
        )
    return [
        render_template(
            env, "company.html", pager.url, site, company=company, rows=chunk, pager=pager, chart=chart
        )
        for pager, chunk in paginate(company.filings, company.url)
    ]


def letter_anchor(key: str) -> str:
    return "letter-other" if key == "#" else f"letter-{key.lower()}"


def letter(company: Company) -> str:
    """The A-Z section of a company: its first letter, or "#" for digits and anything else."""
    first = company.name[:1].upper()
    return first if "A" <= first <= "Z" else "#"
