"""Scan review (F11 on the entry screen): the statements the scan reader was unsure of, one key each.

Thin: tui.domain.scan.review decides; this shows the question and passes the keys on. The clerk
has the paper in hand: 1 = ticked, 0 = not ticked, Backspace = back; on the summary Enter saves
the return and the next paper comes up. Every answer is kept in the paper's draft at once.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from tui.domain.scan.review import PaperReview, scan_drafts
from tui.domain.store import Draft, StoreError
from tui.screens.base import StudyScreen


class ScanReviewScreen(StudyScreen):
    """Scanned papers waiting for the clerk, one uncertain statement at a time."""

    BINDINGS = [
        Binding("1,y", "answer(True)", "Ticked", key_display="1"),
        Binding("0,n", "answer(False)", "Not ticked", key_display="0"),
        Binding("backspace", "back", "Back", key_display="⌫"),
        Binding("enter", "save", "Save paper"),
        Binding("ctrl+n", "skip", "Next paper"),
        Binding("f11,escape", "close", "Close", key_display="F11/Esc"),
    ]

    def __init__(self, *, wave: str | None, operator: str):
        super().__init__(id="scan-review")
        self.wave = wave
        self.operator = operator
        self.papers: list[Draft] = []
        self.review: PaperReview | None = None
        self.saved = 0
        self.message = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="scan-review-body"):
            yield Static(id="scan-review-question")
        yield Footer()

    def on_mount(self) -> None:
        self.papers = scan_drafts(self.app.study, self.wave)
        self._next_paper()

    def _next_paper(self) -> None:
        self.review = PaperReview(self.app.study, self.papers.pop(0)) if self.papers else None
        self.show()

    def show(self) -> None:
        self.query_one("#scan-review-question", Static).update(self.describe())

    def describe(self) -> Text:
        text = Text()
        if self.message:
            text.append(self.message + "\n\n", style="green")
        r = self.review
        if r is None:
            text.append("No scanned papers are waiting for review", style="bold")
            text.append(f"{' in wave ' + self.wave if self.wave else ''}.\n\n")
            text.append(f"{self.saved} saved in this review. " if self.saved else "")
            text.append("Scan papers with `surveydesk scan FILE…`; Esc goes back to keying.")
            return text
        draft = r.draft
        questions = r.questions
        text.append(f"Paper {draft.participant_code}", style="bold")
        text.append(f"  serial {draft.serial} · wave {draft.wave} · {len(self.papers)} more after this\n", style="dim")
        if r.missing_pages:
            pages = ", ".join(map(str, r.missing_pages))
            text.append(f"Page {pages} was not among the scans: its bank is saved as page missing. If the page "
                        "is there, scan it again instead (ctrl+n leaves this paper).\n", style="yellow")
        text.append("\n")
        question = r.current
        if question is not None:
            ref = r.instrument.ref_by_id(question.statement_id)
            text.append(f"Statement {r.index + 1} of {len(questions)} to check\n\n", style="dim")
            text.append(f"{question.code}", style="bold")
            text.append(f"   section {ref.section.letter}, number {question.position}  ·  {question.why}\n\n",
                        style="dim")
            text.append(ref.statement.text + "\n\n")
            guess = {"marked": "ticked", "empty": "not ticked", "cancelled": "filled in and struck through"}
            text.append(f"The reader thinks: {guess.get(question.read, question.read)} "
                        f"({question.confidence:.0%} sure). Look at the paper.\n\n", style="dim")
            text.append("  1 ", style="bold reverse")
            text.append(" ticked     ")
            text.append("  0 ", style="bold reverse")
            text.append(" not ticked     ")
            text.append("  ⌫ ", style="bold reverse")
            text.append(" back\n")
        else:
            text.append(f"All {len(questions)} checked" if questions else "Nothing to check on this paper",
                        style="bold")
            text.append(f".  Enter saves it (operator scan, checked by {self.operator}).\n\n")
            for q in questions:
                text.append(f"  {q.code:<10}", style="bold")
                text.append("ticked\n" if q.answer else "not ticked\n")
        return text

    def action_answer(self, ticked: bool) -> None:
        if self.review is None or self.review.current is None:
            self.app.bell()
            return
        self.message = ""
        try:
            added = self.review.answer(ticked)
        except StoreError as exc:
            self.message = f"Not kept: {exc}"
        else:
            if added:
                self.message = (f"A tick on a page the 1-bit scan showed blank: its ticks were lost, so the "
                                f"paper's {added} other boxes read empty in 1 bit are to check too.")
        self.show()

    def action_back(self) -> None:
        if self.review is None or not self.review.back():
            self.app.bell()
        self.show()

    def action_save(self) -> None:
        r = self.review
        if r is None or not r.complete or r.current is not None:
            self.app.bell()
            return
        try:
            saved = r.save(self.operator)
        except StoreError as exc:
            self.message = f"Not saved: {exc}"
            self.show()
            return
        self.saved += 1
        self.message = f"Saved {r.draft.participant_code} (serial {r.draft.serial}) as return #{saved.record.id}."
        self._next_paper()

    def action_skip(self) -> None:
        if self.review is not None:
            self.message = f"Left {self.review.draft.participant_code} as a draft for later."
            self._next_paper()

    def action_close(self) -> None:
        self.dismiss(self.saved)
