"""Small modal dialogs, all usable by keyboard alone: confirm, ask for a value, choose, read text.

Escape cancels (it is delayed in terminals), so every dialog also has a Cancel button
reachable with Tab and a letter key where it makes sense.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; No is focused, so Enter alone never discards anything."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Yes", no: str = "No", id: str | None = None):
        super().__init__(classes="dialog", id=id)
        self.question, self.detail, self.yes, self.no = question, detail, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.question, classes="dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="dialog-detail", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button(f"{self.no} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class PromptDialog(ModalScreen[str | None]):
    """Ask for one value. ``check`` returns an error message to keep the dialog open, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", *, detail: str = "", placeholder: str = "",
                 check: Callable[[str], str | None] | None = None, restrict: str | None = None):
        super().__init__(classes="dialog")
        self.title_text, self.value, self.detail = title, value, detail
        self.placeholder, self.check, self.restrict = placeholder, check, restrict

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="dialog-detail", markup=False)
            yield Input(self.value, placeholder=self.placeholder, restrict=self.restrict, id="prompt-input")
            yield Static("", id="prompt-error", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK (enter)", id="ok", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        value = self.query_one(Input).value.strip()
        problem = self.check(value) if self.check else None
        if problem:
            self.query_one("#prompt-error", Static).update(problem)
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    help: str = ""


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of a few choices with the arrow keys and Enter (or the choice's number)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")] + [
        Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)
    ]

    def __init__(self, title: str, choices: list[Choice], detail: str = ""):
        super().__init__(classes="dialog")
        self.title_text, self.choices, self.detail = title, choices, detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="dialog-detail", markup=False)
            yield OptionList(*[
                Option(Text.assemble((f"{n}  ", "dim"), (c.label, "bold"), (f"  {c.help}" if c.help else "", "dim")),
                       id=c.key)
                for n, c in enumerate(self.choices, start=1)
            ], id="choices")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_pick(self, index: int) -> None:
        if index < len(self.choices):
            self.dismiss(self.choices[index].key)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


Page = tuple[str, "str | Callable[[int], str]"]


class TextViewer(ModalScreen[None]):
    """Read a text (a preview, a list of changes); left/right page through several. A page's
    text may be a function of the width, so a preview fills the dialog exactly."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        # Priority: the focused scroll area would otherwise take left/right for scrolling sideways.
        Binding("left", "page(-1)", "Previous", priority=True),
        Binding("right", "page(1)", "Next", priority=True),
    ]

    def __init__(self, pages: list[Page], start: int = 0):
        super().__init__(classes="dialog")
        self.pages = pages
        self.at = max(0, min(start, len(pages) - 1))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box viewer-box"):
            yield Label("", id="viewer-title", classes="dialog-title", markup=False)
            with VerticalScroll(id="viewer-scroll"):
                yield Static("", id="viewer-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#viewer-scroll").focus()
        self.call_after_refresh(self.show)  # the width is known once laid out

    def on_resize(self) -> None:
        self.call_after_refresh(self.show)

    def show(self) -> None:
        title, text = self.pages[self.at]
        paging = f"   ({self.at + 1} of {len(self.pages)}, left/right for others)" if len(self.pages) > 1 else ""
        self.query_one("#viewer-title", Label).update(title + paging)
        if callable(text):
            scroll = self.query_one("#viewer-scroll", VerticalScroll)
            text = text(max(20, scroll.scrollable_content_region.width - 2))
        self.query_one("#viewer-text", Static).update(text)

    def action_page(self, delta: int) -> None:
        self.at = (self.at + delta) % len(self.pages)
        self.show()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
