"""Parse stage, places: US state, territory and Canadian province names -> two-letter codes.

Cover pages write "MARYLAND", "State of Delaware" or "Washington" where the EDGAR header has "MD",
"DE", "WA". The model stores two-letter codes, so this table turns one into the other.

Canadian provinces get their Canada Post codes ("ON", "BC"), which is what an address line uses.
EDGAR's own header codes for them differ ("A6" for Ontario); :data:`EDGAR_PROVINCE_CODES` maps one
to the other for a caller comparing a cover page with a header.
"""

from __future__ import annotations

import re

US_STATES: dict[str, str] = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "district of columbia": "DC",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "puerto rico": "PR",
    "guam": "GU",
    "virgin islands": "VI",
    "u.s. virgin islands": "VI",
    "united states virgin islands": "VI",
    "american samoa": "AS",
    "northern mariana islands": "MP",
}

CANADIAN_PROVINCES: dict[str, str] = {
    "alberta": "AB",
    "british columbia": "BC",
    "manitoba": "MB",
    "new brunswick": "NB",
    "newfoundland": "NL",
    "newfoundland and labrador": "NL",
    "nova scotia": "NS",
    "ontario": "ON",
    "prince edward island": "PE",
    "quebec": "QC",
    "québec": "QC",
    "saskatchewan": "SK",
    "yukon": "YT",
    "northwest territories": "NT",
    "nunavut": "NU",
}

#: Canada Post code -> the code EDGAR headers use for the province.
EDGAR_PROVINCE_CODES: dict[str, str] = {
    "AB": "A0",
    "BC": "A1",
    "MB": "A2",
    "NB": "A3",
    "NL": "A4",
    "NS": "A5",
    "ON": "A6",
    "PE": "A7",
    "QC": "A8",
    "SK": "A9",
    "YT": "B0",
}

US_CODES = frozenset(US_STATES.values())
_ALL = US_STATES | CANADIAN_PROVINCES


def _name_pattern(names: list[str]) -> str:
    # Longest first, so "West Virginia" wins over "Virginia" and "New York" over "York".
    parts = [re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True)]
    return r"\b(?:" + "|".join(parts) + r")\b"


#: A US state or territory name anywhere in a line (case-insensitive).
US_STATE_RE = re.compile(_name_pattern(list(US_STATES)), re.IGNORECASE)
#: A US state, territory or Canadian province name.
PLACE_RE = re.compile(_name_pattern(list(_ALL)), re.IGNORECASE)


def _key(name: str) -> str:
    key = re.sub(r"\s+", " ", name.strip().lower()).strip(" .,")
    return re.sub(r"^(?:the\s+)?(?:state|commonwealth|province|territory)\s+of\s+", "", key)


def state_code(name: str | None) -> str | None:
    """The two-letter code of a US state or territory name ("MARYLAND" -> "MD"), else None.

    A two-letter code already ("md", "MD") is returned upper-cased when it is a real one.
    """
    if not name:
        return None
    key = _key(name)
    if key.upper() in US_CODES and len(key) == 2:
        return key.upper()
    return US_STATES.get(key)


def place_code(name: str | None) -> str | None:
    """Like :func:`state_code`, but Canadian provinces count too ("Ontario" -> "ON")."""
    if not name:
        return None
    key = _key(name)
    if len(key) == 2 and (key.upper() in US_CODES or key.upper() in EDGAR_PROVINCE_CODES):
        return key.upper()
    return _ALL.get(key)
