"""Search stage, analysis: text -> terms with positions. The one definition both sides share.

The browser's ``client/analysis.mjs`` is this module's twin, line for line; the shared cases in
``tests/contract/analysis.json`` run against both, so an index written here is read correctly
there. Rules (docs/search.md says why):

- Tokens are found with :data:`TOKEN_PATTERN`, an explicit regular expression over the original
  text (no lower-casing first, so character offsets stay valid for highlighting).
- A token with a digit is an *identifier* (``99.1``, ``0000320193``, ``0000914760-99-000124``,
  ``10-K``, ``2002-07-29``): kept whole, lower-cased, never stemmed, never a prefix.
- Any other token is split at ``.``, ``-`` and ``/`` into words; each word is lower-cased, loses a
  trailing possessive ``'s`` and its apostrophes, has accents folded and, when it is plain ASCII
  letters, is stemmed with Porter2 (whoosh's, twin of the vendored wink-porter2-stemmer).
- No stopwords: phrases such as "bank of america" need every position, and very common words are
  handled by capped postings in the index, not by dropping them.
- Parts longer than :data:`MAX_TERM` characters (base64 runs, rules of dashes) are dropped and
  take no position.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from whoosh.lang.porter2 import stem as _porter2

#: Letters and digits a token is made of: ASCII plus the Latin-1 and Latin Extended-A/B letters.
WORD_CHARS = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
#: A run of word characters, possibly joined by . - / or an apostrophe to more runs.
TOKEN_PATTERN = f"[{WORD_CHARS}]+(?:[.\\-/'\u2019][{WORD_CHARS}]+)*"
#: The words of a token without digits: runs between . - / (apostrophes stay inside a word).
PART_PATTERN = f"[{WORD_CHARS}'\u2019]+"
MAX_TERM = 40
#: Bumped whenever a rule above changes: the index's manifest carries it, the client checks it.
ANALYSIS_VERSION = 1

_TOKEN = re.compile(TOKEN_PATTERN)
_PART = re.compile(PART_PATTERN)
_DIGIT = re.compile("[0-9]")
_ASCII_WORD = re.compile("[a-z]+")
_COMBINING = re.compile("[\u0300-\u036f]")


class Token(NamedTuple):
    """One indexed term, its position (word count) and its span in the original text."""

    term: str
    position: int
    start: int
    end: int
    head: bool = True  # first term of its match: text may be cut before it without changing terms


def fold(text: str) -> str:
    """Lower case without accents (``Société`` -> ``societe``), the same as the client's fold()."""
    low = text.lower().replace("\u2019", "'")
    if low.isascii():
        return low
    return _COMBINING.sub("", unicodedata.normalize("NFKD", low))


@functools.lru_cache(maxsize=1 << 16)
def normalize_word(part: str) -> str:
    """One word of a token without digits -> its term (possessive and apostrophes gone, stemmed).
    Cached: words follow Zipf's law and Porter2 in Python was 3/4 of the index build's time."""
    word = _unpossessive(fold(part)).replace("'", "")
    if _ASCII_WORD.fullmatch(word):
        return _stem(word)
    return word


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Porter2 of a lower-case ASCII word, cached (``The`` and ``the`` share one entry)."""
    return _porter2(word)


def _unpossessive(word: str) -> str:
    """Without a trailing ``'s`` (a token holds no newline, so this is the regex ``'s$``)."""
    return word[:-2] if word.endswith("'s") else word


def normalize_identifier(token: str) -> str:
    """A token with a digit -> its term: folded and whole (no stemming, no splitting)."""
    return _unpossessive(fold(token))


def tokens(text: str, first_position: int = 0) -> Iterator[Token]:
    """Every term of ``text`` in order, with positions counted from ``first_position``."""
    position = first_position
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if _DIGIT.search(raw):
            term = normalize_identifier(raw)
            if 0 < len(term) <= MAX_TERM:
                yield Token(term, position, match.start(), match.end(), True)
                position += 1
            continue
        head = True
        for part in _PART.finditer(raw):
            term = normalize_word(part.group())
            if 0 < len(term) <= MAX_TERM:
                start = match.start() + part.start()
                yield Token(term, position, start, start + len(part.group()), head)
                position += 1
                head = False


#: ``TOKEN_PATTERN`` with possessive quantifiers (the same matches: a run of word characters can
#: only end at a separator or a non-word character, so giving some back never helps), ~15% faster.
_SPLIT = re.compile(f"([{WORD_CHARS}]++(?:[.\\-/'\u2019][{WORD_CHARS}]++)*+)")
#: Every ASCII character that is in no token (neither a word character nor a joiner) -> a space.
#: A token never holds one, so an ASCII text with these turned into spaces splits at whitespace
#: into *pieces* (runs of word characters and joiners) whose tokens are the text's tokens.
_GAPS = str.maketrans({c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) in ".-/'")})
#: Distinct pieces cached: ~100 bytes each; a full cache is emptied and refills with the
#: frequent pieces at once (Zipf), which costs far less than any bookkeeping per lookup. The
#: caches of a worker are sized to hold some 50 MB together: at 100,000 filings each worker
#: process grew to 380 MB, and caps four times larger could hold ~175 MB of that.
CACHE_RAWS = 1 << 17
#: What :data:`_PIECES` holds for a piece with other than one term (no term is a control char).
_MANY = "\x00"


def _piece_terms(piece: str) -> tuple[str, ...]:
    """The terms of a piece (a string of word characters and joiners: a raw token, or a few
    joined by separators, like ``Inc.`` or ``'the``), as :func:`tokens` gives them, with
    shortcuts for the two commonest shapes: ASCII letters only (one word, stemmed) and one whole
    token with a digit (one identifier)."""
    if piece.isalpha() and piece.isascii():
        term = _stem(piece.lower())
    elif _DIGIT.search(piece) and _SPLIT.fullmatch(piece):
        term = normalize_identifier(piece)
    else:
        return tuple(t.term for t in tokens(piece))
    return (term,) if 0 < len(term) <= MAX_TERM else ()


class _PieceCache(dict[str, str]):
    """Piece -> its one term, or :data:`_MANY` (99% of pieces have exactly one term). A dict
    whose misses analyse the piece, so a text's pieces are looked up by one C-level ``map`` that
    gives the text's terms themselves: no tuple per piece to chain, no list of sizes."""

    def __missing__(self, piece: str) -> str:
        if len(self) >= CACHE_RAWS:
            self.clear()
        terms = _piece_terms(piece)
        term = self[piece] = terms[0] if len(terms) == 1 else _MANY
        return term


class _ManyCache(dict[str, tuple[str, ...]]):
    """Piece -> its terms, for the pieces :data:`_PIECES` marks :data:`_MANY` (its own cache:
    either may be emptied when full without the other)."""

    def __missing__(self, piece: str) -> tuple[str, ...]:
        if len(self) >= CACHE_RAWS:
            self.clear()
        terms = self[piece] = _piece_terms(piece)
        return terms


_PIECES = _PieceCache()
_MULTI = _ManyCache()


def terms_with_cuts(text: str, every: int) -> tuple[list[str], list[int]]:
    """The terms of ``text`` (as :func:`tokens` gives them) and the start offset of every
    ``every``-th term, for the index build (~90 M terms at 10,000 filings): no object and no
    Python step per term. Each distinct piece is analysed once and cached.

    An ASCII text (95% of them) is cut into pieces by ``translate`` and ``split``, twice as fast
    as the regular expression, whose cost is per match; any other text by :data:`_SPLIT`."""
    if text.isascii():
        spaced = text.translate(_GAPS)
        pieces = spaced.split()
        seek = _space_seeker(spaced, pieces)
    else:
        parts = _SPLIT.split(text)  # [gap, token, gap, token, ..., gap]
        pieces = parts[1::2]
        seek = _gap_seeker(parts)
    terms, many = _expand(list(map(_PIECES.__getitem__, pieces)), pieces)
    cuts = [seek(q) + _term_start(pieces[q], within) for q, within in _cut_pieces(len(terms), every, many)]
    return terms, cuts


def _expand(terms: list[str], pieces: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """``terms`` (one per piece, :data:`_MANY` for the others) with each marked piece's terms in
    its place, and (piece, number of terms) of every marked piece. ``list.index`` finds the
    marks (~60 a filing) in C; pieces between them are copied as slices."""
    many: list[tuple[int, int]] = []
    runs: list[Sequence[str]] = []
    at = 0
    for q in _marks(terms):
        group = _MULTI[pieces[q]]
        many.append((q, len(group)))
        runs += (terms[at:q], group)
        at = q + 1
    if not many:
        return terms, many
    runs.append(terms[at:])
    return list(itertools.chain.from_iterable(runs)), many


def _marks(terms: list[str]) -> Iterator[int]:
    """Where :data:`_MANY` is in ``terms``."""
    q = -1
    while True:
        try:
            q = terms.index(_MANY, q + 1)
        except ValueError:
            return
        yield q


def _cut_pieces(n: int, every: int, many: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(piece, term within it) of terms 0, ``every``, 2 ``every``... of ``n``: a piece not in
    ``many`` holds one term, so term ``i`` is in piece ``i - shift``, where ``shift`` counts the
    extra terms (or missing ones) of the marked pieces before it."""
    shift, m = 0, 0
    for i in range(0, n, every):
        while m < len(many) and many[m][0] + shift + many[m][1] <= i:
            shift += many[m][1] - 1
            m += 1
        if m < len(many) and many[m][0] + shift <= i:
            yield many[m][0], i - many[m][0] - shift
        else:
            yield i - shift, 0


def _space_seeker(spaced: str, pieces: list[str]) -> Callable[[int], int]:
    """Start offset of piece ``q`` (asked in ascending order) in ``spaced`` (pieces between runs
    of spaces): from the last piece found, pass as many non-space characters as the pieces in
    between hold, counting the spaces met with ``str.count`` (C); then only spaces are left
    before piece ``q``, so ``str.find`` of the piece is its start."""
    state = [0, 0]  # a piece, its start

    def seek(q: int) -> int:
        at, p = state
        need = len("".join(pieces[at:q]))
        while need:
            end = p + need
            need = spaced.count(" ", p, end)
            p = end
        p = spaced.find(pieces[q], p)
        state[:] = q, p
        return p

    return seek


def _gap_seeker(parts: list[str]) -> Callable[[int], int]:
    """Start offset of raw token ``q`` (asked in ascending order) of ``parts`` (gap, token, gap,
    ..., gap): the length of the parts before it, joined (C), from the last one found on."""
    state = [0, len(parts[0])]

    def seek(q: int) -> int:
        at, p = state
        p += len("".join(parts[2 * at + 1 : 2 * q + 1]))
        state[:] = q, p
        return p

    return seek


def _term_start(piece: str, k: int) -> int:
    """Where term ``k`` of a piece starts in it (needed once per cut: not cached). A piece
    without joiners is one token of one part: its only term starts at 0."""
    if k == 0 and piece.isalnum():
        return 0
    return [t.start for t in tokens(piece)][k]


def analyze(text: str) -> list[str]:
    """The terms of ``text`` in order (what a field indexes and what a query word looks up)."""
    return [t.term for t in tokens(text)]


def is_identifier(term: str) -> bool:
    """Identifiers (terms with a digit) match exactly and are never expanded as prefixes."""
    return bool(_DIGIT.search(term))
