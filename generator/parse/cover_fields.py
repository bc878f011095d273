"""Parse stage, cover page fields: IRS number, commission file number, state, address, telephone.

Each reader finds a caption ("(I.R.S. Employer Identification No.)", "Commission File Number",
"(State or other jurisdiction of incorporation)", "(Address of principal executive offices)") and
takes the value from the same line after it, else from the lines just above it (the cover layout
of plain and HTML-derived filings alike; see :mod:`generator.parse.cover_lines`). Values are
checked by shape (nine digits, "1-13232", a state name) so that a neighbouring column cannot leak
in; anything that does not fit gives ``None``.
"""

from __future__ import annotations

import re

from generator.model import Address
from generator.parse.cover_lines import NAME_CAPTION_RE, Cover, Label, is_caption, squeeze
from generator.parse.states import PLACE_RE, US_STATE_RE, place_code, state_code

IRS_RE = re.compile(r"(?<![\d-])(\d{2})-?(\d{7})(?![\d-])")
_IRS_LABEL = Label(
    r"I\.?\s?R\.?\s?S\.?\s*(?:Employer|Identification|I\.?D|No)|Employer\s+(?:Identification|I\.?D)"
    r"|Tax\s+Identification|Taxpayer\s+Identification",
)
# "1-13232", "0-27026", "333-46893-01", "28- 4545"; an IRS number (2-7 digits) never fits.
FILE_RE = re.compile(r"(?<![\w-])(\d{1,3})-[ ]?(\d{2,6})(?:-(\d{1,3}))?(?![\d-])")
_FILE_LABEL = Label(
    r"\(\s*Commission\b|Commission\s+File|File\s+N(?:o|umber)s?\b|Registration\s+(?:Statement\s+)?N(?:o|umber)",
)
_STATE_LABEL = Label(
    r"State\s+(?:or|of)\s+(?:other\s+)?juris|\(\s*State\s+(?:or|of)\s+other\b|State\s+of\s+(?:incorporation|organization)"
    r"|Jurisdiction\s+of\s+(?:incorporation|organization)",
)
_ADDRESS_LABEL = re.compile(r"[(\[]\s*Address\b[^)\]]{0,200}?principal\s+executive", re.IGNORECASE)
_13F_ADDRESS_LABEL = re.compile(r"^[ \t]*(?:Business[ \t]+)?Address[ \t]*:", re.IGNORECASE | re.MULTILINE)
_OLD_13F_ADDRESS_LABEL = re.compile(
    r"^[ \t]*Business[ \t]+Address[ \t]+\(Street\)", re.IGNORECASE | re.MULTILINE
)
_PHONE_LABEL = Label(r"telephone\s+number|Phone\s*(?:No\.?)?\s*:")
PHONE_RE = re.compile(r"(?<!\d)\(?(\d{3})\)?[ .-]{0,3}(\d{3})[ .-]{1,3}(\d{4})(?!\d)")
_ZIP_END_RE = re.compile(r"[\s,]*(\d{5}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d)\s*$")
_CODE_END_RE = re.compile(r"(?:^|[\s,])([A-Z]{2})\.?$")
_INLINE_CAPTION = re.compile(r"[(\[][^()\[\]]{0,40}(?:zip|postal)\s+code[)\]]", re.IGNORECASE)
_PLACE_LIMIT = 6


def _candidates(cover: Cover, label: Label, first_only: bool = True) -> list[tuple[int, str]]:
    """(line index, text) to search for the value of each ``label`` match: same line, then above."""
    out: list[tuple[int, str]] = []
    for m in label.finditer(cover):
        i = cover.line_of(m.start())
        out.append((i, cover.after(m.end())))
        out.extend((j, cover.lines[j]) for j in cover.above(i, _PLACE_LIMIT, stop=NAME_CAPTION_RE))
        out.extend((j, cover.lines[j]) for j in cover.below(i, 2))
        if first_only:
            break
    return out


def read_irs_number(cover: Cover) -> str | None:
    """Nine digits from the "I.R.S. Employer Identification No." box, or None."""
    for _i, text in _candidates(cover, _IRS_LABEL):
        m = IRS_RE.search(text)
        if m:
            digits = m.group(1) + m.group(2)
            return None if set(digits) == {"0"} else digits
    return None


def _file_numbers(text: str) -> list[str]:
    out = []
    for m in FILE_RE.finditer(text):
        parts = [p for p in m.groups() if p]
        out.append("-".join(parts))
    return out


def read_file_number(cover: Cover) -> str | None:
    """The commission file number as written ("1-13232"); None when the cover gives several."""
    found: list[str] = []
    first_line: int | None = None
    for m in _FILE_LABEL.finditer(cover):
        i = cover.line_of(m.start())
        if first_line is not None and i > first_line + 3:
            break
        values = _file_numbers(cover.after(m.end()))
        if not values and first_line is None:
            for j in [*cover.above(i, _PLACE_LIMIT, stop=NAME_CAPTION_RE), *cover.below(i, 2)]:
                values = _file_numbers(cover.lines[j]) if not is_caption(cover.lines[j]) else []
                if values:
                    break
        if values:
            first_line = i if first_line is None else first_line
            found.extend(v for v in values if v not in found)
    return found[0] if len(found) == 1 else None


def read_state_of_incorporation(cover: Cover) -> str | None:
    """Two-letter code of the state named in the "State or other jurisdiction" box."""
    for _i, text in _candidates(cover, _STATE_LABEL):
        m = US_STATE_RE.search(text)
        if m:
            return state_code(m.group(0))
    return None


def read_phone(cover: Cover) -> str | None:
    """Ten digits of the registrant's telephone number."""
    for _i, text in _candidates(cover, _PHONE_LABEL):
        m = PHONE_RE.search(text)
        if m:
            return "".join(m.groups())
    return None


def _split_place(rest: str) -> tuple[str, str | None]:
    """("street..., city", state code) from text that ended with a state name or code."""
    rest = rest.rstrip(" ,.")
    last = None
    for m in PLACE_RE.finditer(rest):
        last = m
    if last is not None and last.end() == len(rest):
        return rest[: last.start()].rstrip(" ,"), place_code(last.group(0))
    code = _CODE_END_RE.search(rest)
    if code and place_code(code.group(1)):
        return rest[: code.start()].rstrip(" ,"), place_code(code.group(1))
    return rest, None


def _address_parts(lines: list[str]) -> list[str]:
    """The block's comma- and column-separated parts, a lone ZIP column moved to the end."""
    parts: list[str] = []
    for line in lines:
        parts.extend(p.strip(" ,") for p in re.split(r",|\s{2,}", line.strip()))
    parts = [squeeze(p) for p in parts if p.strip(" ,")]
    zips = [p for p in parts if _ZIP_END_RE.fullmatch(p)]
    if len(zips) == 1 and not _ZIP_END_RE.fullmatch(parts[-1]):
        parts.remove(zips[0])
        parts.append(zips[0])
    return parts


def parse_address(lines: list[str], phone: str | None = None) -> Address | None:
    """An address from its lines in reading order; None unless it ends in state and ZIP code.

    Commas and column gaps both separate parts: "667 Madison Avenue    New York    New York  10021"
    reads like "667 Madison Avenue, New York, New York 10021". The part before the state is the
    city; everything before that is the street.
    """
    parts = _address_parts(lines)
    joined = ", ".join(parts)
    zm = _ZIP_END_RE.search(joined)
    if not zm:
        return None
    head, state = _split_place(joined[: zm.start()])
    if state is None or not head:
        return None
    street, _, city = head.rpartition(",")
    street, city = street.strip(" ,"), city.strip(" ,")
    return Address(street1=street or None, city=city or None, state=state, zip=zm.group(1), phone=phone)


def _lines_above_caption(cover: Cover, index: int) -> list[str]:
    """The address block: up to four value lines above its caption, in reading order."""
    picked: list[str] = []
    for j in cover.above(index, 4):
        line = _INLINE_CAPTION.sub(" ", cover.lines[j])
        if not line.strip():
            continue
        if PHONE_RE.fullmatch(line.strip()):
            # before the caption test: "(201) 342-6676" opens with a parenthesis like a caption,
            # and sits between the address and an S-3's "(Address, including zip code, and
            # telephone number ...)" caption
            continue
        if is_caption(line) or IRS_RE.search(line) or _STATE_LABEL.any.search(line):
            break
        picked.append(line)
    return picked[::-1]


def _lines_after_label(cover: Cover, pos: int) -> list[str]:
    """A 13F "Address:" value: the rest of the line and the indented lines that follow it."""
    i = cover.line_of(pos)
    picked = [cover.after(pos)]
    for j in range(i + 1, min(i + 4, len(cover.lines))):
        line = cover.lines[j]
        if not line.strip() or not line.startswith(" ") or ":" in line or is_caption(line):
            break
        picked.append(line)
    return picked


def read_address(cover: Cover) -> Address | None:
    """The principal executive offices: street, city, state code, ZIP code and telephone."""
    phone = read_phone(cover)
    blocks: list[list[str]] = []
    m = _ADDRESS_LABEL.search(cover.text)
    if m:
        blocks.append(_lines_above_caption(cover, cover.line_of(m.start())))
    m = _13F_ADDRESS_LABEL.search(cover.text)
    if m:
        blocks.append(_lines_after_label(cover, m.end()))
    m = _OLD_13F_ADDRESS_LABEL.search(cover.text)
    if m:
        blocks.append(_lines_above_caption(cover, cover.line_of(m.start())))
    for block in blocks:
        address = parse_address(block, phone)
        if address is not None:
            return address
    return Address(phone=phone) if phone else None
