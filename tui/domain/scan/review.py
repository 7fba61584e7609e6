"""The clerk's review of scanned papers: only the statements the reader was unsure of, one key each.

A scanned paper that was not fully confident waits as a draft (operator ``scan``) holding the
reader's answers and its uncertain statements. The clerk, with the paper in hand, answers each
with one key (ticked or not); every answer is kept in the draft at once, so leaving half way
loses nothing. When all are answered the paper is saved as a first pass by ``scan`` (the audit
entry says who checked it), and a second keying of a sample then measures the reader's real
error rate like any operator's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.domain.instrument import Instrument
from tui.domain.returns import BankAnswer
from tui.domain.scan.batch import SCAN_OPERATOR
from tui.domain.store import Draft, SavedReturn, Study

TICKED, NOT_TICKED = True, False


@dataclass(frozen=True)
class Question:
    """One uncertain statement of a paper, and the clerk's answer so far (None: not yet)."""

    bank_id: str
    statement_id: str
    code: str
    position: int
    read: str
    confidence: float
    why: str
    answer: bool | None


def scan_drafts(study: Study, wave: str | None = None) -> list[Draft]:
    """Scanned papers waiting for the clerk, oldest first."""
    return [d for d in study.drafts(wave=wave) if d.operator == SCAN_OPERATOR and "scan" in (d.state or {})]


class PaperReview:
    """One scanned paper under review."""

    def __init__(self, study: Study, draft: Draft):
        self.study = study
        self.draft = draft
        self.instrument: Instrument = study.wave(draft.wave).instrument
        self.index = 0  # the question on screen; == len(questions) on the summary
        decided = self.scan.setdefault("decisions", {})
        self.index = next((k for k, q in enumerate(self.questions) if q.statement_id not in decided),
                          len(self.questions))

    @property
    def scan(self) -> dict[str, Any]:
        scan: dict[str, Any] = self.draft.state["scan"]
        return scan

    @property
    def questions(self) -> list[Question]:
        decided = self.scan.get("decisions", {})
        return [Question(u["bank_id"], u["statement_id"], u["code"], u["position"], u["read"], u["confidence"],
                         u["why"], decided.get(u["statement_id"])) for u in self.scan["uncertain"]]

    @property
    def current(self) -> Question | None:
        questions = self.questions
        return questions[self.index] if self.index < len(questions) else None

    @property
    def missing_pages(self) -> list[int]:
        return list(self.scan.get("missing_pages", []))

    def answer(self, ticked: bool) -> int:
        """The clerk's answer to the question on screen; kept in the draft at once. Returns how
        many questions it added: a tick on a 1-bit page the reader saw blank says its ticks were
        lost, not left out, so every box of the paper read empty in 1 bit is asked too."""
        question = self.current
        if question is None:
            return 0
        self.scan["decisions"][question.statement_id] = ticked
        added = 0
        if ticked and self._on_blank_page(question.statement_id):
            asked = {u["statement_id"] for u in self.scan["uncertain"]}
            more = [u for u in self.scan.pop("if_ticks_found", []) if u["statement_id"] not in asked]
            self.scan["uncertain"].extend(more)
            added = len(more)
        self.study.save_draft(self.draft)
        self.index += 1
        return added

    def _on_blank_page(self, statement_id: str) -> bool:
        return any(u["statement_id"] == statement_id and u.get("blank_page") for u in self.scan["uncertain"])

    def back(self) -> bool:
        if self.index == 0:
            return False
        self.index -= 1
        return True

    def answers(self) -> dict[str, BankAnswer]:
        """The reader's answers with the clerk's applied."""
        out: dict[str, BankAnswer] = {}
        for bank_id, value in self.scan["answers"].items():
            out[bank_id] = BankAnswer(value["present"], frozenset(value["marked"]))
        for question in self.questions:
            if question.answer is None:
                continue
            running = self.instrument.ref_by_id(question.statement_id).running
            bank = out[question.bank_id]
            marked = set(bank.marked) | {running} if question.answer else set(bank.marked) - {running}
            out[question.bank_id] = BankAnswer(bank.present, frozenset(marked))
        return out

    @property
    def complete(self) -> bool:
        return all(q.answer is not None for q in self.questions)

    def save(self, clerk: str) -> SavedReturn:
        """Save the paper as a first pass by ``scan``; the audit entry names the clerk."""
        if not self.complete:
            raise ValueError("some uncertain statements are not answered yet")
        checked = len(self.questions)
        reason = f"{self.scan.get('from', 'read from scans')}; {checked} statement{'s' if checked != 1 else ''} " \
                 f"checked by {clerk}"
        if self.missing_pages:
            reason += f"; page{'s' if len(self.missing_pages) > 1 else ''} " \
                      f"{', '.join(map(str, self.missing_pages))} not in the scans, confirmed missing by {clerk}"
        return self.study.save_return(self.draft.wave, self.draft.participant_code, self.answers(),
                                      operator=SCAN_OPERATOR, serial=self.draft.serial, draft_id=self.draft.id,
                                      reason=reason)
