"""Assemble stage, companies: Filings -> one Company per CIK (or per name when no CIK is stated).

A company gathers every filing where it appears in any role (filer, subject company, filed by,
reporting owner, issuer, ...). The key is the 10-digit CIK when the filing states it (its header,
or a modern cover page's inline XBRL tag); a filing that states no CIK has its companies keyed by a
slug of the name, never merged with a CIK by guesswork. Identifiers shown are the latest each filing states ("latest" = newest
filed date), because EDGAR headers repeat the company's data as it was on the day of filing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from generator.model import Address, Filer, Filing, FormerName

_NAME_SLUG_LIMIT = 60
_NON_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class NameUse:
    """A conformed name and the first and last filed dates of the filings that used it."""

    name: str
    first_filed: str | None
    last_filed: str | None


@dataclass(frozen=True, slots=True)
class CompanyFiling:
    """One filing of a company and the company's roles in it (one company can hold several)."""

    filing: Filing
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Company:
    key: str
    cik: str | None
    name: str
    names: tuple[NameUse, ...]  # most recently used first
    former_names: tuple[FormerName, ...]  # from headers, latest change first
    irs_number: str | None
    state_of_incorporation: str | None
    sic: str | None
    sic_description: str | None
    fiscal_year_end: str | None
    file_numbers: tuple[str, ...]
    business_address: Address | None
    mail_address: Address | None
    filings: tuple[CompanyFiling, ...]  # newest first, undated last

    @property
    def url(self) -> str:
        return company_url(self.key)


def company_url(key: str) -> str:
    return f"companies/{key}/index.html"


def company_key(filer: Filer) -> str | None:
    """The CIK when stated, else "name-" + a slug of the name; None for a filer with neither."""
    if filer.cik:
        return filer.cik
    if filer.name and filer.name.strip():
        return name_key(filer.name)
    return None


def name_key(name: str) -> str:
    """A stable key for a company known only by name; a hash keeps long or non-Latin names apart."""
    full = _NON_SLUG.sub("-", name.lower()).strip("-")
    slug = full[:_NAME_SLUG_LIMIT].strip("-")
    if slug != full or not slug:
        digest = hashlib.sha256(" ".join(name.upper().split()).encode()).hexdigest()[:8]
        slug = f"{slug}-{digest}".strip("-")
    return f"name-{slug}"


def sic_table(filings: Iterable[Filing]) -> dict[str, str]:
    """SIC code -> the description headers give it (the most common wording, then alphabetical)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for f in filings:
        for x in f.filers:
            if x.sic and x.sic_description:
                seen[x.sic][x.sic_description] += 1
    return {code: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for code, c in sorted(seen.items())}


def build_companies(ordered: Iterable[Filing], sics: dict[str, str],
                    memo: dict[str, tuple[list, Company]] | None = None) -> dict[str, Company]:  # fmt: skip
    """Every company of the archive by key; ``ordered`` is newest first, undated last.

    ``memo`` (kept by a process that builds again and again, for one SIC table) holds each
    company with what it was made from: a company whose filings are the same objects in the same
    order is not made again (the list comparison finds them identical at once)."""
    appearances: dict[str, list[tuple[Filing, Filer]]] = defaultdict(list)
    for f in ordered:
        for x in f.filers:
            key = company_key(x)
            if key:
                appearances[key].append((f, x))
    if memo is None:
        return {key: _company(key, appearances[key], sics) for key in sorted(appearances)}
    out = {}
    for key in sorted(appearances):
        seen = appearances[key]
        hit = memo.get(key)
        out[key] = hit[1] if hit is not None and hit[0] == seen else _company(key, seen, sics)
        memo[key] = (seen, out[key])
    for key in set(memo) - set(out):
        del memo[key]
    return out


def _company(key: str, seen: list[tuple[Filing, Filer]], sics: dict[str, str]) -> Company:
    filers = [x for _, x in seen]
    sic = _latest(x.sic for x in filers)
    names = _names(seen)
    return Company(
        key=key,
        cik=key if not key.startswith("name-") else None,
        name=names[0].name if names else f"CIK {key}",
        names=names,
        former_names=_former_names(filers),
        irs_number=_latest(x.irs_number for x in filers),
        state_of_incorporation=_latest(x.state_of_incorporation for x in filers),
        sic=sic,
        sic_description=_latest(x.sic_description for x in filers if x.sic == sic) or sics.get(sic or ""),
        fiscal_year_end=_latest(x.fiscal_year_end for x in filers),
        file_numbers=tuple(dict.fromkeys(x.file_number for x in filers if x.file_number)),
        business_address=_latest(a for x in filers if (a := x.business_address) and not a.is_empty()),
        mail_address=_latest(a for x in filers if (a := x.mail_address) and not a.is_empty()),
        filings=_filings(seen),
    )


def _latest(values: Iterable):
    """The first stated value; the caller passes values newest first."""
    return next((v for v in values if v), None)


def _names(seen: list[tuple[Filing, Filer]]) -> tuple[NameUse, ...]:
    dates: dict[str, list[str]] = {}
    for f, x in seen:
        if x.name:
            dates.setdefault(x.name, [])
            if f.filed:
                dates[x.name].append(f.filed)
    uses = [NameUse(n, min(d) if d else None, max(d) if d else None) for n, d in dates.items()]
    # newest last use first; names only seen in undated filings after the dated ones
    uses.sort(key=lambda u: u.name)
    uses.sort(key=lambda u: u.last_filed or "", reverse=True)
    return tuple(uses)


def _former_names(filers: list[Filer]) -> tuple[FormerName, ...]:
    """Every former name any header lists: latest change first, undated ones after."""
    unique = {(n.name, n.date_changed): n for x in filers for n in x.former_names}
    dated = sorted((n for n in unique.values() if n.date_changed), key=lambda n: (n.date_changed, n.name))
    undated = sorted((n for n in unique.values() if not n.date_changed), key=lambda n: n.name)
    return tuple(dated[::-1] + undated)


def _filings(seen: list[tuple[Filing, Filer]]) -> tuple[CompanyFiling, ...]:
    roles: dict[str, list[str]] = {}
    by_id: dict[str, Filing] = {}
    for f, x in seen:
        by_id[f.id] = f
        got = roles.setdefault(f.id, [])
        if x.role not in got:
            got.append(x.role)
    return tuple(CompanyFiling(by_id[i], tuple(r)) for i, r in roles.items())
