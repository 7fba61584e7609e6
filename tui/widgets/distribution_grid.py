"""A distribution plan as a keyboard grid: schools as rows, roles (and blank forms) as columns.

Each count is a small Input that takes digits only (0-999; empty means 0). Tab and Enter move
to the next cell, Up and Down to the same column in the row above or below; totals follow
as you type. Column headings are the key's role digits and labels, never a school name.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label

from tui.domain.instrument import ParticipantKey
from tui.domain.paper import MAX_FORMS_PER_CELL, DistributionPlan

DIGITS = len(str(MAX_FORMS_PER_CELL))


class DistributionGrid(VerticalScroll, can_focus=False):
    BINDINGS = [
        Binding("up", "move_row(-1)", "Row above", show=False),
        Binding("down", "move_row(1)", "Row below", show=False),
    ]

    class Changed(Message):
        """A person changed a count; ``plan`` is the grid's plan now (not posted by ``set_plan``)."""

        def __init__(self, grid: DistributionGrid, plan: DistributionPlan):
            super().__init__()
            self.grid = grid
            self.plan = plan

        @property
        def control(self) -> DistributionGrid:
            return self.grid

    def __init__(self, key: ParticipantKey, plan: DistributionPlan | None = None, **kwargs):
        super().__init__(**kwargs)
        self.key = key
        self._initial = plan or DistributionPlan()

    @property
    def columns(self) -> tuple[int | None, ...]:
        """Role digits, then None for the blank-forms column."""
        return (*self.key.role_digits, None)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="grid-row grid-head"):
            yield Label("School", classes="grid-school")
            for heading in self.key.roles:
                yield Label(f"{heading.digit} {heading.label}", classes="grid-heading")
            yield Label("Blank", classes="grid-heading")
            yield Label("Total", classes="grid-total")
        for school in self.key.school_letters:
            with Horizontal(classes="grid-row"):
                yield Label(school, classes="grid-school")
                for role in self.columns:
                    count = self._initial.count(school, role)
                    what = f"role {role}" if role is not None else "blank forms"
                    yield Input(str(count) if count else "", restrict=rf"[0-9]{{0,{DIGITS}}}", max_length=DIGITS,
                                compact=True, placeholder="0", id=self.cell_id(school, role),
                                classes="grid-cell", tooltip=f"School {school}, {what}")
                yield Label("", id=f"total-{school}", classes="grid-total")
        with Horizontal(classes="grid-row grid-foot"):
            yield Label("Total", classes="grid-school")
            for role in self.columns:
                yield Label("", id=f"total-col-{self._column_name(role)}", classes="grid-heading")
            yield Label("", id="total-all", classes="grid-total")

    def on_mount(self) -> None:
        self._show_totals(self.plan())

    @staticmethod
    def _column_name(role: int | None) -> str:
        return "blank" if role is None else str(role)

    @classmethod
    def cell_id(cls, school: str, role: int | None) -> str:
        return f"cell-{school}-{cls._column_name(role)}"

    def cell(self, school: str, role: int | None) -> Input:
        return self.query_one(f"#{self.cell_id(school, role)}", Input)

    def plan(self) -> DistributionPlan:
        coded: dict[tuple[str, int], int] = {}
        blank: dict[str | None, int] = {}
        for school in self.key.school_letters:
            for role in self.columns:
                count = int(self.cell(school, role).value or 0)
                if not count:
                    continue
                if role is None:
                    blank[school] = count
                else:
                    coded[(school, role)] = count
        return DistributionPlan(coded, blank)

    def set_plan(self, plan: DistributionPlan) -> None:
        """Show ``plan`` (counts for schools or roles not in the key are not shown)."""
        with self.prevent(Input.Changed):
            for school in self.key.school_letters:
                for role in self.columns:
                    count = plan.count(school, role)
                    self.cell(school, role).value = str(count) if count else ""
        self._show_totals(self.plan())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        plan = self.plan()
        self._show_totals(plan)
        self.post_message(self.Changed(self, plan))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next(".grid-cell")

    def _show_totals(self, plan: DistributionPlan) -> None:
        for school in self.key.school_letters:
            self.query_one(f"#total-{school}", Label).update(str(plan.school_total(school)))
        for role in self.columns:
            column = sum(plan.count(school, role) for school in self.key.school_letters)
            self.query_one(f"#total-col-{self._column_name(role)}", Label).update(str(column))
        self.query_one("#total-all", Label).update(str(plan.total))

    def action_move_row(self, step: int) -> None:
        focused = self.screen.focused
        if not isinstance(focused, Input) or not focused.has_class("grid-cell") or self not in focused.ancestors:
            return
        letters = self.key.school_letters
        _, school, column = (focused.id or "").split("-", 2)
        row = letters.index(school) + step
        if 0 <= row < len(letters):
            role = None if column == "blank" else int(column)
            self.cell(letters[row], role).focus()
