"""Score the cover, item and exhibit readers on the shared corpus's header-stripped documents.

For every ``stripped/<ACC>.txt`` the truth file says, per field, the header's value and whether it
(or an obvious variant) appears in the text (``in_text``). Only fields that are in the text are
scored. Each scored field is right, wrong (we said something else) or missing (we said None); a
wrong value is worse than a missing one, so both are printed, and the wrong ones listed.

Truth, per field: form type; company name (``filers[0]``, except that for Forms 3/4/5, whose
header lists the reporting owner and the issuer in an order that changed over the years, either
party counts); period of report (against our date of report or period); IRS number, state of
incorporation and commission file number of ``filers[0]``; item codes (``item_codes``, else the
header titles mapped by ``items_from_header``; a filing counts only when every item is in the
text); exhibit references (each exhibit document marked ``referenced_in_primary`` must be found).

Two tables are printed. "strict" is exactly the measure above. "as stated" differs in two ways,
both about what the truth (the EDGAR header) can be compared with, not about our answers:

- a cover fact counts only when the truth's matched text is on the cover page (before the first
  item heading, within the first 15 KB that ``read_cover_page`` reads): a header period of
  "1996-07-31" that the document only mentions in its body ("for the month ended July 31, 1996")
  while the cover says "AUGUST 23, 1996 (Date of Report)" is a header/cover disagreement, not a
  reading error;
- before 2004-08-23 the header's ITEM INFORMATION vocabulary had only the original items 1-9, so
  body items 10-12 of those filings are left out of the comparison with header titles.

The targets are asserted on "as stated"; both tables and every wrong or missing value are printed
(run with ``-s``). Skipped, saying so, when the shared corpus is absent.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.parse.cover import read_cover_page
from generator.parse.exhibits import find_exhibit_references, matches_document_type
from generator.parse.filing import primary_text
from generator.parse.item_tables import MODERN_8K_FROM
from generator.parse.items import find_items, items_from_header
from generator.parse.sgml import read_submission

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "stripped").is_dir(), reason=f"shared corpus not present at {CORPUS}: corpus score skipped"
)

TARGETS = {
    "form type": 0.98,
    "company name": 0.95,
    "date of report or period": 0.95,
    "IRS number": 0.95,
    "state of incorporation": 0.90,
    "commission file number": 0.95,
    "item codes": 0.90,
    "exhibit references": 0.95,
}
_OWNERSHIP_FORMS = {"3", "4", "5", "3/A", "4/A", "5/A"}
_SUFFIXES = {"INCORPORATED": "INC", "CORPORATION": "CORP", "COMPANY": "CO", "LIMITED": "LTD"}


@dataclass
class Score:
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def scored(self) -> int:
        return self.right + len(self.wrong) + len(self.missing)

    @property
    def rate(self) -> float:
        return self.right / self.scored if self.scored else 1.0

    def add(self, acc: str, truth: object, ours: object, same: bool) -> None:
        if same:
            self.right += 1
        elif ours is None or ours == set() or ours == ():
            self.missing.append(f"{acc}: truth {truth!r}")
        else:
            self.wrong.append(f"{acc}: truth {truth!r}, ours {ours!r}")


@dataclass
class Scores:
    """The strict measure and the "as stated" one, field by field."""

    strict: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    stated: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))

    def add(self, name: str, acc: str, truth: object, ours: object, same: bool, stated: bool = True) -> None:
        self.strict[name].add(acc, truth, ours, same)
        if stated:
            self.stated[name].add(acc, truth, ours, same)


_FIRST_ITEM_RE = re.compile(r"^[ \t]*ITEMS?[ \t]*\d", re.IGNORECASE | re.MULTILINE)


def cover_region(text: str) -> str:
    """The cover page: text before the first item heading, within what read_cover_page reads."""
    head = text[:15_000]
    m = _FIRST_ITEM_RE.search(head)
    return head[: m.start()] if m else head


def _plain(text: str) -> str:
    """Upper-case words without punctuation, legal suffixes spelled one way, space-delimited."""
    words = re.sub(r"[^A-Z0-9]+", " ", text.upper()).split()
    return " " + " ".join(_SUFFIXES.get(w, w) for w in words) + " "


def on_cover(fact: object, cover: str) -> bool:
    """Whether the truth's matched text is on the cover page, punctuation aside (True if unknown)."""
    matched = fact.get("matched") if isinstance(fact, dict) else None
    return not matched or _plain(matched) in cover


def norm_form(form: str) -> str:
    return re.sub(r"\s*/\s*", "/", form.strip().upper())


def norm_name(name: str) -> str:
    """Company names compared without case, punctuation, legal-suffix spelling, "THE" or /DE/ tags."""
    name = re.sub(r"\s*/[A-Z]{0,3}/?\s*$", "", name.strip().upper())  # "INC /MD/", "CORP /"
    words = re.sub(r"[^A-Z0-9& ]", "", name.replace("&", " AND ")).split()
    words = [_SUFFIXES.get(w, w) for w in words]
    return " ".join(words[1:] if words[:1] == ["THE"] else words)


def norm_file_number(number: str) -> list[str]:
    return [part.lstrip("0") or "0" for part in re.split(r"[-\s]+", number.strip()) if part]


def _checked(fact: object) -> str | None:
    """A truth value that is stated in the text, else None (not scored)."""
    if isinstance(fact, dict) and fact.get("in_text") and fact.get("value") not in (None, ""):
        return str(fact["value"])
    return None


def _truth_items(truth: dict) -> tuple[set[str | None], bool] | None:
    """(expected codes, whether they come from header titles), or None when not scored."""
    codes, titles = truth.get("item_codes") or [], truth.get("item_information") or []
    facts = codes or titles
    if not facts or not all(f.get("in_text") for f in facts):
        return None
    if codes:
        return {c["value"] for c in codes}, False
    filed = (truth.get("filed_date") or {}).get("value")
    return {i.code for i in items_from_header(tuple(t["value"] for t in titles), (), filed)}, True


def _score_cover(acc: str, truth: dict, text: str, cover, scores: Scores) -> None:
    region = _plain(cover_region(text))
    filers = truth.get("filers") or []
    filer = filers[0] if filers else {}
    form = _checked(truth.get("form_type"))
    if form:
        same = norm_form(form) == norm_form(cover.form or "")
        scores.add("form type", acc, form, cover.form, same, on_cover(truth["form_type"], region))
    name = _checked(filer.get("company_conformed_name"))
    if name:
        parties = filers if (truth.get("form_type") or {}).get("value") in _OWNERSHIP_FORMS else [filer]
        names = {
            norm_name(f["company_conformed_name"]["value"])
            for f in parties
            if f.get("company_conformed_name")
        }
        same = norm_name(cover.company_name or "-") in names
        scores.add(
            "company name",
            acc,
            name,
            cover.company_name,
            same,
            on_cover(filer["company_conformed_name"], region),
        )
    period = _checked(truth.get("period_of_report"))
    if period:
        same = period in (cover.date_of_report, cover.period)
        stated = on_cover(truth["period_of_report"], region)
        scores.add(
            "date of report or period", acc, period, cover.date_of_report or cover.period, same, stated
        )
    for label, key, value in (
        ("IRS number", "irs_number", cover.irs_number),
        ("state of incorporation", "state_of_incorporation", cover.state_of_incorporation),
    ):
        fact = _checked(filer.get(key))
        if fact:
            scores.add(label, acc, fact, value, fact == value, on_cover(filer[key], region))
    number = _checked(filer.get("sec_file_number"))
    if number:
        same = cover.file_number is not None and norm_file_number(number) == norm_file_number(
            cover.file_number
        )
        stated = on_cover(filer["sec_file_number"], region)
        scores.add("commission file number", acc, number, cover.file_number, same, stated)


def _score_items(acc: str, truth: dict, text: str, form: str | None, scores: Scores) -> None:
    expected = _truth_items(truth)
    if expected is None:
        return
    codes, from_titles = expected
    filed = (truth.get("filed_date") or {}).get("value")
    found = {i.code for i in find_items(text, form, filed)}
    truth_codes = sorted(codes, key=str)
    scores.strict["item codes"].add(acc, truth_codes, found or None, found == codes)
    if from_titles and filed and filed < MODERN_8K_FROM:
        found = found - {"10", "11", "12"}  # the old header vocabulary had items 1-9 only
    scores.stated["item codes"].add(acc, truth_codes, found or None, found == codes)


def _score_exhibits(acc: str, truth: dict, text: str, scores: Scores) -> None:
    refs = [r.number for r in find_exhibit_references(text)]
    for doc in truth.get("documents") or []:
        if doc.get("referenced_in_primary"):
            hit = any(matches_document_type(n, doc["type"]) for n in refs)
            scores.add("exhibit references", acc, doc["type"], None, hit)


def _pipeline_text(acc: str) -> str:
    """The primary document's text as a build reads it: split from the full submission by
    read_submission, HTML turned to text by our own html_to_text (not the corpus's stripper)."""
    sub = read_submission((CORPUS / "full" / f"{acc}.txt").read_bytes())
    return primary_text(sub.documents[0] if sub.documents else None)


def score_corpus(source: str = "stripped") -> Scores:
    scores = Scores()
    for path in sorted((CORPUS / "stripped").glob("*.txt")):
        acc = path.stem
        truth = json.loads((CORPUS / "truth" / f"{acc}.json").read_text(encoding="utf-8"))
        if source == "pipeline":
            text = _pipeline_text(acc)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
        cover = read_cover_page(text)
        _score_cover(acc, truth, text, cover, scores)
        _score_items(acc, truth, text, cover.form or (truth.get("form_type") or {}).get("value"), scores)
        _score_exhibits(acc, truth, text, scores)
    return scores


def _table(title: str, table: dict[str, Score]) -> list[str]:
    lines = [f"{title:<26} {'scored':>6} {'right':>6} {'wrong':>6} {'missing':>7} {'score':>7} {'target':>7}"]
    for name, target in TARGETS.items():
        s = table[name]
        lines.append(
            f"{name:<26} {s.scored:>6} {s.right:>6} {len(s.wrong):>6} {len(s.missing):>7} {s.rate:>7.1%} {target:>7.0%}"
        )
    return lines


def _report(scores: Scores) -> list[str]:
    lines = _table("strict", scores.strict) + [""] + _table("as stated", scores.stated) + [""]
    for name in TARGETS:
        stated_wrong = set(scores.stated[name].wrong) | set(scores.stated[name].missing)
        for kind, values in (("WRONG", scores.strict[name].wrong), ("MISSING", scores.strict[name].missing)):
            for v in values:
                note = (
                    ""
                    if v in stated_wrong
                    else "  [not on the cover / header cannot say: not in 'as stated']"
                )
                lines.append(f"  {kind:<7} {name}: {v}{note}")
    return lines


@pytest.mark.slow
def test_stripped_corpus_scores() -> None:
    scores = score_corpus()
    print("\n" + "\n".join(_report(scores)))
    below = {
        name: f"{scores.stated[name].right}/{scores.stated[name].scored}"
        for name, target in TARGETS.items()
        if scores.stated[name].rate < target
    }
    assert not below, f"below target: {below}"
    # The strict measure must not regress either. Two fields sit a hair under the target there, in
    # both cases because the EDGAR header disagrees with what the document itself states (listed
    # above, and in the docstring); the floors are today's strict numbers.
    floors = dict(TARGETS, **{"date of report or period": 0.947, "item codes": 0.896})
    strict_below = {n: scores.strict[n].rate for n, f in floors.items() if scores.strict[n].rate < f}
    assert not strict_below, f"strict score regressed: {strict_below}"
    wrong = sum(len(s.wrong) for s in scores.stated.values())
    assert wrong <= 3, f"{wrong} wrong values"


@pytest.mark.slow
def test_pipeline_scores() -> None:
    """The same measure with the text a real build reads from the full submissions, so that the
    build's own HTML-to-text conversion is scored too, not only the readers."""
    scores = score_corpus("pipeline")
    print("\n" + "\n".join(_report(scores)))
    below = {n: scores.stated[n].rate for n, t in TARGETS.items() if scores.stated[n].rate < t}
    assert not below, f"below target: {below}"


def test_scoring_normalisation() -> None:
    assert norm_name("1895 Bancorp of Wisconsin, Inc. /MD/") == norm_name("1895 BANCORP OF WISCONSIN, INC.")
    assert norm_name("PRODUCTIVITY TECHNOLOGIES CORP /") == norm_name("Productivity Technologies Corp.")
    assert norm_name("THE LOEWS CORPORATION") == norm_name("LOEWS CORP")
    assert norm_form("13F-HR / A") == "13F-HR/A"
    assert norm_file_number("000-26906") == norm_file_number("0-26906")
    assert norm_file_number("028-04545") == norm_file_number("28- 4545")
