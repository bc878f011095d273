"""Parse stage, cover page layout: the cover as lines, and "the value that goes with this label".

A cover page is a form: a value sits above its parenthesised caption ("(Commission File Number)")
in plain-text filings, on the same line after a colon ("Commission file number 0-10030"), or, in
text converted from an HTML table, a few lines above with the other row's values in between. Every
cover reader in :mod:`generator.parse.cover_fields` asks the same question of this module: which
lines are near this label, nearest first? Pure functions over a list of lines; no regex here runs
over more than one line, so nothing can backtrack across a long document.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

#: How much of a document the cover readers look at: covers fit in the first few pages.
COVER_CHARS = 15_000

#: How many physical lines (blank ones included) a value may sit from its caption.
_REACH = 30
_RULE_RE = re.compile(r"^[\s\-=_*~.+|]*$")
#: Characters unified by :func:`normalize_text`: a chain of ``str.replace`` (each the same as the
#: ``str.translate`` it replaces, since no replacement is itself replaced) is 5x faster on long text.
_UNIFY = tuple(
    {
        "\xa0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2011": "-",
    }.items()
)
#: Lines that caption a value rather than hold one.
_CAPTION_RE = re.compile(
    r"^\s*[(\[]|identification\s+n|jurisdiction|file\s+n(?:o|umber)|exact\s+name|zip\s+code"
    r"|principal\s+executive|telephone\s+number|\bincorporation\b|\borganization\b|^\s*name\s+of\s",
    re.IGNORECASE,
)
#: The caption under the registrant's name: scanning upward for a cover value stops here.
NAME_CAPTION_RE = re.compile(r"exact\s+name\s+of|\(\s*name\s+of\s", re.IGNORECASE)


class Label:
    """A pattern matched ignoring case: a cover's captions, inline SGML tags, headings.

    On ASCII text it runs case-sensitively, with its letters lower-cased, over the text's
    lower-cased copy (a cover's :attr:`Cover.low`, made once): the same matches, but the regex
    engine can skip ahead to the letters a match starts with, which it cannot do ignoring case
    (a label that is not on the page cost a step per character of the cover; the labels were two
    thirds of the cover readers' time). Use the positions of a match only: on the copy its text
    is lower-cased."""

    __slots__ = ("any", "_ascii", "_core")

    def __init__(self, pattern: str, flags: int = 0, lead: str = "") -> None:
        """``lead``: what a match may open with before ``pattern``'s first letter, brackets and
        blanks only (``r"[(\\[]?\\s*"``). An optional opening leaves the engine no letter to skip
        ahead to (a step per character of the cover), so a match is found by ``pattern`` alone and
        then widened back (:meth:`search`)."""
        if "(?P" in pattern or "\\N" in pattern or "(?i" in pattern:
            raise ValueError("a Label's pattern has no named groups, \\N escapes or inline flags")
        if lead and not pattern[:1].isalpha():
            raise ValueError("a Label with a lead starts its pattern with a letter")
        #: The pattern ignoring case, for any text.
        self.any = re.compile(lead + pattern, flags | re.IGNORECASE)
        self._ascii = re.compile(_lowered(lead + pattern), flags)
        self._core = re.compile(_lowered(pattern), flags) if lead else None

    def finditer(self, text: Cover | str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        pattern, subject = self._on(text)
        if self._core is None or pattern is self.any:
            return pattern.finditer(subject, pos, endpos)
        return self._led_matches(subject, pos, endpos)

    def search(self, text: Cover | str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        pattern, subject = self._on(text)
        if self._core is None or pattern is self.any:
            return pattern.search(subject, pos, endpos)
        return self._led_search(subject, pos, endpos)

    def _led_search(self, low: str, pos: int, endpos: int) -> re.Match[str] | None:
        """The whole pattern's first match from ``pos``: its letters are found first, then the
        whole pattern is run from the start of the blanks and the one bracket before them. No
        match can start earlier: a lead holds only brackets and blanks, and the letters before
        are not the lead's (nor, being letters, blanks)."""
        assert self._core is not None
        core = self._core.search(low, pos, endpos)
        if core is None:
            return None
        start = core.start()
        while start > pos and low[start - 1].isspace():
            start -= 1
        if start > pos and low[start - 1] in "([{":
            start -= 1
        return self._ascii.search(low, start, endpos)

    def _led_matches(self, low: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        """``finditer`` by :meth:`_led_search` (a match is never empty: it holds a letter)."""
        while (m := self._led_search(low, pos, endpos)) is not None:
            yield m
            pos = m.end()

    def _on(self, text: Cover | str) -> tuple[re.Pattern[str], str]:
        """The compiled pattern and the string to run it over (the same offsets as ``text``)."""
        if isinstance(text, Cover):
            return (self._ascii, text.low) if text.low is not None else (self.any, text.text)
        return (self._ascii, text.lower()) if text.isascii() else (self.any, text)


def _lowered(pattern: str) -> str:
    """``pattern`` with its letters lower-cased, escapes (``\\s``, ``\\S``, ``\\b``) left alone."""
    return re.sub(
        r"\\.|[^\\]+", lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(), pattern
    )


@functools.lru_cache(maxsize=4)
def normalize_text(text: str) -> str:
    """Unify what differs between plain and HTML-derived text: spaces, quotes, dashes, CRs, tabs.

    Cached: the item, exhibit and signature readers each normalise the same primary text.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # ASCII (most filings) has nothing to compose or translate
        text = unicodedata.normalize("NFC", text)
        for char, replacement in _UNIFY:
            if char in text:
                text = text.replace(char, replacement)
    if "\t" in text:
        text = "\n".join(line.expandtabs(8) for line in text.split("\n"))
    return text


def squeeze(s: str) -> str:
    """Whitespace collapsed to single spaces, ends stripped."""
    return " ".join(s.split())


def is_rule(line: str) -> bool:
    """A separator line ("-----", "=====", "___") or a blank one."""
    return bool(_RULE_RE.match(line))


def is_caption(line: str) -> bool:
    return bool(_CAPTION_RE.search(line))


@dataclass(frozen=True, slots=True)
class Cover:
    """The head of a document as normalised text plus its lines and their start offsets."""

    text: str
    lines: tuple[str, ...]
    starts: tuple[int, ...]
    #: ``text`` lower-cased when it is ASCII (same offsets), for :class:`Label`; else None.
    low: str | None = None

    @classmethod
    def of(cls, text: str, limit: int = COVER_CHARS) -> Cover:
        head = normalize_text(text[: limit + 2000])[:limit]
        lines = head.split("\n")
        starts, pos = [], 0
        for line in lines:
            starts.append(pos)
            pos += len(line) + 1
        return cls(head, tuple(lines), tuple(starts), head.lower() if head.isascii() else None)

    def line_of(self, pos: int) -> int:
        """Index of the line holding character ``pos``."""
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def after(self, pos: int) -> str:
        """The rest of the line from ``pos``."""
        i = self.line_of(pos)
        return self.lines[i][pos - self.starts[i] :]

    def before(self, pos: int) -> str:
        """The line up to ``pos``."""
        i = self.line_of(pos)
        return self.lines[i][: pos - self.starts[i]]

    def above(self, index: int, limit: int = 6, stop: re.Pattern[str] | None = None) -> Iterator[int]:
        """Indexes of non-blank, non-rule lines above ``index``, nearest first.

        Stops after ``limit`` such lines, or at a line matching ``stop`` (not yielded).
        """
        seen = 0
        for i in range(index - 1, max(-1, index - 1 - _REACH), -1):
            line = self.lines[i]
            if is_rule(line):
                continue
            if stop is not None and stop.search(line):
                return
            yield i
            seen += 1
            if seen >= limit:
                return

    def below(self, index: int, limit: int = 3) -> Iterator[int]:
        """Indexes of non-blank, non-rule lines below ``index``, nearest first."""
        seen = 0
        for i in range(index + 1, min(len(self.lines), index + 1 + _REACH)):
            if is_rule(self.lines[i]):
                continue
            yield i
            seen += 1
            if seen >= limit:
                return
