"""Plain-English names for EDGAR form types, for listings and filing pages ("8-K: Current report").

The names paraphrase the SEC's own descriptions of its forms. The table holds only forms whose
meaning is certain; any other code gets ``None`` and pages show the code alone, because a wrong
name on a legal record is worse than none. An amendment ("8-K/A") is named after its base form.
"""

from __future__ import annotations

import functools

_REPORTS = {
    "10-K": "Annual report",
    "10-K405": "Annual report (Item 405 box checked)",
    "10-KSB": "Annual report of a small business issuer",
    "10-KT": "Transition report on Form 10-K",
    "10-Q": "Quarterly report",
    "10-QSB": "Quarterly report of a small business issuer",
    "10-QT": "Transition report on Form 10-Q",
    "8-K": "Current report",
    "8-K12B": "Notification that securities of a successor issuer are registered under Section 12(b)",
    "8-K12G3": "Notification that securities of a successor issuer are registered under Section 12(g)",
    "8-K15D5": "Notification of a successor issuer's duty to report under Section 15(d)",
    "10-D": "Distribution report of an asset-backed issuer",
    "11-K": "Annual report of an employee stock purchase, savings or similar plan",
    "20-F": "Annual report of a foreign private issuer",
    "40-F": "Annual report of a Canadian issuer (multijurisdictional disclosure system)",
    "6-K": "Current report of a foreign private issuer",
    "NT 10-K": "Notification of late filing of an annual report",
    "NT 10-Q": "Notification of late filing of a quarterly report",
    "ARS": "Annual report to security holders",
    "SD": "Specialized disclosure report",
    "ABS-15G": "Asset-backed securitizer report (Section 15G)",
}

_OWNERSHIP = {
    "3": "Initial statement of beneficial ownership",
    "4": "Statement of changes in beneficial ownership",
    "5": "Annual statement of changes in beneficial ownership",
    "144": "Notice of proposed sale of securities (Rule 144)",
    "SC 13D": "Statement of beneficial ownership of more than 5% of a class of equity securities",
    "SC 13G": "Short-form statement of beneficial ownership of more than 5% of a class of equity securities",
    "13F-HR": "Quarterly holdings report of an institutional investment manager",
    "13F-NT": "Quarterly notice of an institutional investment manager whose holdings another manager reports",
}

_TRANSACTIONS = {
    "SC TO-T": "Tender offer statement by a third party",
    "SC TO-I": "Issuer tender offer statement",
    "SC TO-C": "Written communication about a tender offer",
    "SC 14D9": "Solicitation/recommendation statement about a tender offer",
    "SC 13E3": "Going-private transaction statement",
    "DEF 14A": "Definitive proxy statement",
    "PRE 14A": "Preliminary proxy statement",
    "DEFA14A": "Additional definitive proxy soliciting materials",
    "DEFM14A": "Definitive proxy statement about a merger or acquisition",
    "425": "Prospectus or communication about a business combination (Rule 425)",
}

_REGISTRATION = {
    "S-1": "Registration statement (general form)",
    "S-3": "Registration statement (short form)",
    "S-4": "Registration statement for securities issued in a business combination",
    "S-8": "Registration statement for securities offered to employees under benefit plans",
    "S-11": "Registration statement of a real estate company",
    "F-1": "Registration statement of a foreign private issuer",
    "POS AM": "Post-effective amendment to a registration statement",
    "FWP": "Free writing prospectus",
    "D": "Notice of exempt offering of securities",
    "1-A": "Offering statement under Regulation A",
    "8-A12B": "Registration of a class of securities on a national securities exchange (Section 12(b))",
    "8-A12G": "Registration of a class of securities under Section 12(g)",
    "15-12G": "Notice of termination of registration of a class of securities under Section 12(g)",
    "EFFECT": "Notice of effectiveness",
    "CORRESP": "Correspondence from the filer to the SEC staff",
    "UPLOAD": "Letter from the SEC staff",
    **{f"424B{n}": f"Prospectus (Rule 424(b)({n}))" for n in range(1, 9)},
}

_FUNDS = {
    "N-CSR": "Certified annual shareholder report of a registered management investment company",
    "N-CSRS": "Certified semi-annual shareholder report of a registered management investment company",
    "N-Q": "Quarterly schedule of portfolio holdings of a registered management investment company",
    "N-PX": "Annual report of the proxy voting record of a registered management investment company",
    "N-1A": "Registration statement of an open-end management investment company",
    "N-2": "Registration statement of a closed-end management investment company",
    "24F-2NT": "Annual notice of securities sold by an investment company (Rule 24f-2)",
    "485APOS": "Post-effective amendment to an investment company registration statement (Rule 485(a))",
    "485BPOS": "Post-effective amendment to an investment company registration statement (Rule 485(b))",
    "497": "Definitive prospectus or other materials of an investment company (Rule 497)",
    "497K": "Summary prospectus of an open-end fund",
    "NSAR-A": "Semi-annual report of a registered investment company (Form N-SAR)",
    "NSAR-B": "Annual report of a registered investment company (Form N-SAR)",
}

FORM_NAMES: dict[str, str] = {**_REPORTS, **_OWNERSHIP, **_TRANSACTIONS, **_REGISTRATION, **_FUNDS}


@functools.lru_cache(maxsize=4096)  # an archive has a few hundred distinct form codes
def normalise(form: str) -> str:
    """The form code as EDGAR writes it: upper case, single spaces."""
    return " ".join(form.split()).upper()


@functools.lru_cache(maxsize=4096)
def base_form(form: str) -> str:
    """The form an amendment amends: "8-K/A" -> "8-K"; any other form is its own base."""
    form = normalise(form)
    return form[:-2] if form.endswith("/A") else form


@functools.lru_cache(maxsize=4096)
def is_amendment(form: str | None) -> bool:
    return bool(form) and normalise(form or "").endswith("/A") and len(normalise(form or "")) > 2


def form_name(form: str | None) -> str | None:
    """The plain-English name: "8-K" -> "Current report", "8-K/A" -> "Amendment to current report";
    a form not in the table -> None."""
    if not form:
        return None
    if is_amendment(form):
        name = FORM_NAMES.get(base_form(form))
        return f"Amendment to {_lower_first(name)}" if name else None
    return FORM_NAMES.get(normalise(form))


def _lower_first(name: str) -> str:
    """Lower-case the first letter unless the first word is an acronym ("ABS-15G ...")."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]
