"""Parse stage, items: the official Form 8-K (and ABS-15G) item tables, and title matching.

Form 8-K was renumbered on 2004-08-23 (SEC Release 33-8400): before it items were "1".."12",
after it "1.01".."9.01". The same event may carry a different number in each era ("Other Events"
is "5" then "8.01"), so a title maps to a code only together with a filing date.

EDGAR header titles are typed by filers and truncated or reworded ("Financial statements and
exhibits", "Departure of Directors or Principal Officers; ..."), so matching compares normalised
words: case, punctuation and "&"/"and" do not count, a truncated title matches the official one it
starts, older official wordings are kept as aliases.
"""

from __future__ import annotations

import re

#: The day the current 8-K item numbering took effect.
MODERN_8K_FROM = "2004-08-23"

OLD_8K: dict[str, str] = {
    "1": "Changes in Control of Registrant",
    "2": "Acquisition or Disposition of Assets",
    "3": "Bankruptcy or Receivership",
    "4": "Changes in Registrant's Certifying Accountant",
    "5": "Other Events",
    "6": "Resignations of Registrant's Directors",
    "7": "Financial Statements, Pro Forma Financial Information and Exhibits",
    "8": "Change in Fiscal Year",
    "9": "Regulation FD Disclosure",
    "10": "Amendments to the Registrant's Code of Ethics, or Waiver of a Provision of the Code of Ethics",
    "11": "Temporary Suspension of Trading Under Registrant's Employee Benefit Plans",
    "12": "Results of Operations and Financial Condition",
}

MODERN_8K: dict[str, str] = {
    "1.01": "Entry into a Material Definitive Agreement",
    "1.02": "Termination of a Material Definitive Agreement",
    "1.03": "Bankruptcy or Receivership",
    "1.04": "Mine Safety - Reporting of Shutdowns and Patterns of Violations",
    "1.05": "Material Cybersecurity Incidents",
    "2.01": "Completion of Acquisition or Disposition of Assets",
    "2.02": "Results of Operations and Financial Condition",
    "2.03": "Creation of a Direct Financial Obligation or an Obligation under an Off-Balance Sheet "
    "Arrangement of a Registrant",
    "2.04": "Triggering Events That Accelerate or Increase a Direct Financial Obligation or an Obligation "
    "under an Off-Balance Sheet Arrangement",
    "2.05": "Costs Associated with Exit or Disposal Activities",
    "2.06": "Material Impairments",
    "3.01": "Notice of Delisting or Failure to Satisfy a Continued Listing Rule or Standard; Transfer of Listing",
    "3.02": "Unregistered Sales of Equity Securities",
    "3.03": "Material Modification to Rights of Security Holders",
    "4.01": "Changes in Registrant's Certifying Accountant",
    "4.02": "Non-Reliance on Previously Issued Financial Statements or a Related Audit Report or Completed "
    "Interim Review",
    "5.01": "Changes in Control of Registrant",
    "5.02": "Departure of Directors or Certain Officers; Election of Directors; Appointment of Certain "
    "Officers; Compensatory Arrangements of Certain Officers",
    "5.03": "Amendments to Articles of Incorporation or Bylaws; Change in Fiscal Year",
    "5.04": "Temporary Suspension of Trading Under Registrant's Employee Benefit Plans",
    "5.05": "Amendments to the Registrant's Code of Ethics, or Waiver of a Provision of the Code of Ethics",
    "5.06": "Change in Shell Company Status",
    "5.07": "Submission of Matters to a Vote of Security Holders",
    "5.08": "Shareholder Director Nominations",
    "6.01": "ABS Informational and Computational Material",
    "6.02": "Change of Servicer or Trustee",
    "6.03": "Change in Credit Enhancement or Other External Support",
    "6.04": "Failure to Make a Required Distribution",
    "6.05": "Securities Act Updating Disclosure",
    "6.06": "Static Pool",
    "6.10": "Alternative Filings of Asset-Backed Issuers",
    "7.01": "Regulation FD Disclosure",
    "8.01": "Other Events",
    "9.01": "Financial Statements and Exhibits",
}

ABS_15G: dict[str, str] = {
    "1.01": "Initial Filing of Rule 15Ga-1 Representations and Warranties Disclosure",
    "1.02": "Periodic Filing of Rule 15Ga-1 Representations and Warranties Disclosure",
    "1.03": "Mortgage Securitizations Subject to Rule 15Ga-1",
    "2.01": "Findings and Conclusions of a Third Party Due Diligence Report Obtained by the Issuer",
    "2.02": "Findings and Conclusions of a Third Party Due Diligence Report Obtained by the Underwriter",
}

# Wordings used by filers or by earlier versions of the form, per era.
_OLD_ALIASES = {
    "Financial Statements and Exhibits": "7",
    "Sales of Equity Securities Pursuant to Regulation S": "9",
    "Other Events and Regulation FD Disclosure": "5",
    "Disclosure of Results of Operations and Financial Condition": "12",
    "Amendments to the Registrant's Code of Ethics": "10",
}
_MODERN_ALIASES = {
    "Departure of Directors or Principal Officers; Election of Directors; Appointment of Principal Officers": (
        "5.02"
    ),
    "Cost Associated with Exit or Disposal Activities": "2.05",
    "Acquisition or Disposition of Assets": "2.01",
    "Mine Safety Disclosure": "1.04",
}

_WORD_RE = re.compile(r"[a-z0-9]+")
_SMALL = {"a", "an", "the", "of", "or", "and", "to", "in", "for", "on", "under", "by", "with", "s"}


def normalize_title(title: str) -> tuple[str, ...]:
    """The words of a title, lower case, "&" read as "and", possessive "'s" dropped."""
    title = title.lower().replace("&", " and ").replace("'s", "").replace("\u2019s", "")
    return tuple(_WORD_RE.findall(title))


def _index(table: dict[str, str], aliases: dict[str, str]) -> list[tuple[tuple[str, ...], str]]:
    rows = [(normalize_title(t), code) for code, t in table.items()]
    return rows + [(normalize_title(t), code) for t, code in aliases.items()]


_OLD_INDEX = _index(OLD_8K, _OLD_ALIASES)
_MODERN_INDEX = _index(MODERN_8K, _MODERN_ALIASES)
_ABS_INDEX = _index(ABS_15G, {})


def is_modern(filed: str | None) -> bool | None:
    """Whether ``filed`` (ISO) is under the current numbering; None when the date is unknown."""
    if not filed or not re.match(r"\d{4}-\d{2}-\d{2}", filed):
        return None
    return filed >= MODERN_8K_FROM


def _similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Share of the content words the two titles have in common."""
    wa, wb = set(a) - _SMALL, set(b) - _SMALL
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / max(len(wa), len(wb))


def _match(words: tuple[str, ...], index: list[tuple[tuple[str, ...], str]]) -> str | None:
    """The code whose title equals ``words``, or that they start (truncation), or a close match."""
    if len(words) < 2 and words not in [w for w, _ in index]:
        return None
    for title, code in index:
        if words == title:
            return code
    prefixes = {code for title, code in index if len(words) >= 3 and title[: len(words)] == words}
    if len(prefixes) == 1:
        return prefixes.pop()
    scored = sorted(((_similarity(words, title), code) for title, code in index), reverse=True)
    if scored and scored[0][0] >= 0.75 and (len(scored) < 2 or scored[1][0] < scored[0][0]):
        return scored[0][1]
    return None


def code_for_title(title: str, filed: str | None, form: str | None = None) -> str | None:
    """The item code a title stands for in the numbering in force on ``filed``; None if unsure."""
    words = normalize_title(title)
    if not words:
        return None
    if form and form.upper().startswith("ABS-15G"):
        return _match(words, _ABS_INDEX)
    modern = is_modern(filed)
    if modern is not None:
        return _match(words, _MODERN_INDEX if modern else _OLD_INDEX)
    old, new = _match(words, _OLD_INDEX), _match(words, _MODERN_INDEX)
    return new if old is None else old if new is None else None


def official_title(code: str, form: str | None = None) -> str | None:
    """The official title of an item code; the code's own shape tells the era."""
    if form and form.upper().startswith("ABS-15G"):
        return ABS_15G.get(code)
    return (MODERN_8K if "." in code else OLD_8K).get(code)
