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
from collections.abc import Iterator
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
#: Distinct raw tokens cached: ~100 bytes each; a full cache is emptied and refills with the
#: frequent tokens at once (Zipf), which costs far less than any bookkeeping per lookup. The three
#: caches of a worker are sized to hold some 50 MB together: at 100,000 filings each worker
#: process grew to 380 MB, and caps four times larger could hold ~175 MB of that.
CACHE_RAWS = 1 << 17


def _raw_terms(raw: str) -> tuple[str, ...]:
    """The terms of one raw token, as :func:`tokens` gives them, with shortcuts for the two
    commonest shapes (a raw token is one whole match of the pattern, so either is one token):
    ASCII letters only (one word, stemmed: no apostrophe, no accent, no separator) and a token
    with a digit (one identifier)."""
    if raw.isalpha() and raw.isascii():
        term = _stem(raw.lower())
    elif _DIGIT.search(raw):
        term = normalize_identifier(raw)
    else:
        return tuple(t.term for t in tokens(raw))
    return (term,) if 0 < len(term) <= MAX_TERM else ()


class _TermCache(dict[str, tuple[str, ...]]):
    """Raw token -> its terms. A dict whose misses analyse the token, so a text's tokens are
    looked up by one C-level ``map`` (no set of the text's tokens, no Python step per token)."""

    def __missing__(self, raw: str) -> tuple[str, ...]:
        if len(self) >= CACHE_RAWS:
            self.clear()
        terms = self[raw] = _raw_terms(raw)
        return terms


_TERMS = _TermCache()


def terms_with_cuts(text: str, every: int) -> tuple[list[str], list[int]]:
    """The terms of ``text`` (as :func:`tokens` gives them) and the start offset of every
    ``every``-th term, for the index build (~90 M terms at 10,000 filings): no object and no
    Python step per term. Each distinct raw token is analysed once and cached."""
    parts = _SPLIT.split(text)  # [gap, token, gap, token, ..., gap]
    raws = parts[1::2]
    groups = list(map(_TERMS.__getitem__, raws))
    terms = list(itertools.chain.from_iterable(groups))
    if not terms:
        return terms, []
    sizes = list(map(len, groups))  # small ints: no allocation
    cuts, r, t, start = [], 0, 0, len(parts[0])
    for i in range(0, len(terms), every):
        r, t, start = _seek(i, sizes, parts, r, t, start)
        cuts.append(start + _term_offsets(raws[r])[i - t])
    return terms, cuts


def _seek(i: int, sizes: list[int], parts: list[str], r: int, t: int, start: int) -> tuple[int, int, int]:
    """The raw token holding term ``i``, searched from raw ``r`` (whose first term is ``t`` and
    which starts at ``start`` in the text) on: (its index, its first term, its start). Skips
    ``k`` raws at a time with C-level sums over slices, ``k = i - t`` (one term a raw, the
    common case) halved while that would pass term ``i``: no Python step per raw token."""
    k = i - t
    while k or not sizes[r]:  # an empty raw (a part too long to index) is skipped too
        k = max(k, 1)
        n = sum(sizes[r : r + k])
        if t + n > i:
            k //= 2
        else:
            start += sum(map(len, parts[2 * r + 1 : 2 * (r + k) + 1]))  # raws r.. and gaps after
            r, t, k = r + k, t + n, i - t - n
    return r, t, start


def _term_offsets(raw: str) -> list[int]:
    """Where each term of a raw token starts in it (needed once per cut: not cached)."""
    return [t.start for t in tokens(raw)]


def analyze(text: str) -> list[str]:
    """The terms of ``text`` in order (what a field indexes and what a query word looks up)."""
    return [t.term for t in tokens(text)]


def is_identifier(term: str) -> bool:
    """Identifiers (terms with a digit) match exactly and are never expanded as prefixes."""
    return bool(_DIGIT.search(term))
