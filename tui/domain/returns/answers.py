"""What a return says: per bank, whether the page came back and which statements are highlighted.

A missing page is *missing*, not "nothing highlighted". Statements are held as running numbers
within their bank (``JPD 8``), which are stable for a wave because a wave keeps a frozen copy of
its instrument.

Stored form (one text field per return or entry pass): one token per bank in the instrument's
order, each a decimal bit mask of the highlighted running numbers (bit 0 = statement 1), or
``-`` for a missing page. ``"8191 0 - 12 3"`` is five banks, the third page missing. The mask
keeps the store small and lets polars decode 100,000 returns with a handful of bit operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import Instrument

MISSING = "-"
# Values of one statement in a return, as compared between entry passes and shown to people.
HIGHLIGHTED, NOT_HIGHLIGHTED, PAGE_MISSING = "1", "0", "M"


class AnswerError(SurveyDeskError):
    """Answers that do not fit the wave's instrument; the message names the bank or statement."""


@dataclass(frozen=True)
class BankAnswer:
    present: bool = True
    marked: frozenset[int] = field(default_factory=frozenset)  # running numbers within the bank

    @staticmethod
    def missing() -> BankAnswer:
        return BankAnswer(present=False)


Answers = Mapping[str, BankAnswer]  # bank id -> answer


def blank_answers(instrument: Instrument) -> dict[str, BankAnswer]:
    return {bank.id: BankAnswer() for bank in instrument.banks}


def check_answers(instrument: Instrument, answers: Answers) -> None:
    """Every bank answered, no unknown bank, every statement number inside its bank."""
    known = {bank.id: bank for bank in instrument.banks}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise AnswerError(f"bank id(s) {', '.join(unknown)} not in {instrument.id} {instrument.version}")
    missing = [bank.abbreviation for bank in instrument.banks if bank.id not in answers]
    if missing:
        raise AnswerError(f"no answer given for bank(s) {', '.join(missing)} (a missing page must be marked missing)")
    for bank_id, answer in answers.items():
        bank = known[bank_id]
        if not answer.present and answer.marked:
            raise AnswerError(f"{bank.abbreviation}: a missing page cannot have highlighted statements")
        bad = sorted(n for n in answer.marked if not 1 <= n <= bank.statement_count)
        if bad:
            raise AnswerError(
                f"{bank.abbreviation} {bad[0]} is not a statement of {instrument.id} {instrument.version} "
                f"({bank.abbreviation} has {bank.statement_count})"
            )


def encode(instrument: Instrument, answers: Answers) -> str:
    check_answers(instrument, answers)
    tokens = []
    for bank in instrument.banks:
        answer = answers[bank.id]
        tokens.append(str(sum(1 << (n - 1) for n in answer.marked)) if answer.present else MISSING)
    return " ".join(tokens)


def decode(instrument: Instrument, text: str) -> dict[str, BankAnswer]:
    tokens = text.split()
    if len(tokens) != len(instrument.banks):
        raise AnswerError(f"stored answers {text!r} do not fit {len(instrument.banks)} banks")
    out: dict[str, BankAnswer] = {}
    for bank, token in zip(instrument.banks, tokens, strict=True):
        if token == MISSING:
            out[bank.id] = BankAnswer.missing()
            continue
        mask = int(token)
        out[bank.id] = BankAnswer(True, frozenset(i + 1 for i in range(bank.statement_count) if mask >> i & 1))
    return out


def from_codes(instrument: Instrument, highlighted: Iterable[str], missing_banks: Iterable[str] = ()) -> dict[str, BankAnswer]:
    """Answers from statement codes (``JPD C2`` or ``JPD 8``) and abbreviations of missing banks."""
    marked: dict[str, set[int]] = {bank.id: set() for bank in instrument.banks}
    missing: set[str] = set()
    for abbreviation in missing_banks:
        try:
            missing.add(instrument.bank(abbreviation).id)
        except KeyError as exc:
            raise AnswerError(str(exc.args[0])) from None
    for code in highlighted:
        try:
            ref = instrument.find(code)
        except KeyError as exc:
            raise AnswerError(f"{exc.args[0]} ({instrument.id} {instrument.version})") from None
        if ref.bank.id in missing:
            raise AnswerError(f"{ref.code} is highlighted but its page ({ref.bank.abbreviation}) is marked missing")
        marked[ref.bank.id].add(ref.running)
    return {bid: (BankAnswer.missing() if bid in missing else BankAnswer(True, frozenset(m)))
            for bid, m in marked.items()}


def statement_values(instrument: Instrument, answers: Answers) -> dict[str, str]:
    """Statement code -> '1' highlighted, '0' not, 'M' page missing (printed order)."""
    values: dict[str, str] = {}
    for ref in instrument.refs():
        answer = answers[ref.bank.id]
        if not answer.present:
            values[ref.code] = PAGE_MISSING
        else:
            values[ref.code] = HIGHLIGHTED if ref.running in answer.marked else NOT_HIGHLIGHTED
    return values


def highlighted_codes(instrument: Instrument, answers: Answers) -> list[str]:
    return [code for code, value in statement_values(instrument, answers).items() if value == HIGHLIGHTED]


def summary(instrument: Instrument, answers: Answers) -> dict[str, str]:
    """Per bank abbreviation: the count highlighted, or 'missing' (for messages and the audit)."""
    return {
        bank.abbreviation: (str(len(answers[bank.id].marked)) if answers[bank.id].present else "missing")
        for bank in instrument.banks
    }


class DiscrepancyKind(StrEnum):
    PAGE = "page"  # one pass has a bank's page, the other marks it missing
    STATEMENT = "statement"  # the passes disagree on one statement


@dataclass(frozen=True)
class Difference:
    """One place where two entry passes of the same paper disagree."""

    kind: DiscrepancyKind
    bank_id: str
    code: str  # statement code, or the bank abbreviation for a page difference
    statement_id: str  # "" for a page difference
    first: str  # '1', '0', 'M' (statement) or 'present'/'missing' (page)
    second: str


def compare(instrument: Instrument, first: Answers, second: Answers) -> list[Difference]:
    """Statement-by-statement differences; a page present in one pass and missing in the other is
    one page difference (its statements are then judged by that page's resolution)."""
    diffs: list[Difference] = []
    for bank in instrument.banks:
        a, b = first[bank.id], second[bank.id]
        if a.present != b.present:
            diffs.append(Difference(DiscrepancyKind.PAGE, bank.id, bank.abbreviation, "",
                                    "present" if a.present else "missing",
                                    "present" if b.present else "missing"))
            continue
        if not a.present:
            continue
        for ref in instrument.bank_refs(bank):
            in_a, in_b = ref.running in a.marked, ref.running in b.marked
            if in_a != in_b:
                diffs.append(Difference(DiscrepancyKind.STATEMENT, bank.id, ref.code, ref.statement.id,
                                        HIGHLIGHTED if in_a else NOT_HIGHLIGHTED,
                                        HIGHLIGHTED if in_b else NOT_HIGHLIGHTED))
    return diffs
