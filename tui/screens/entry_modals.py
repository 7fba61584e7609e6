"""Small modal dialogs of the entry screen: pick from a list, type one line of text, yes or no.

Their keys apply in arrival order (tui/widgets/ordered_keys.py), and each hands its answer on in
the step that closes it (``then``), so keys typed ahead go where the answer leads.

Each can be cancelled with Esc or ctrl+g (Esc alone is delayed in some terminals, more so under
tmux), and each says so in its footer line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.widgets.ordered_keys import KeyTaker
from tui.widgets.pick_list import PickList
from tui.widgets.text_field import TextField

CANCEL = Binding("escape,ctrl+g", "cancel", "Cancel", key_display="Esc/^g")


class _Modal(ModalScreen):
    """``then`` gets the result in the same step that closes the dialog (push_screen's callback
    would run later, after keys typed meanwhile had gone to the screen below)."""

    BINDINGS = [CANCEL]

    def __init__(self, title: str, id: str | None = None, then: Callable[[Any], None] | None = None):
        super().__init__(id=id)
        self.title_text = title
        self.then = then

    def title_widget(self) -> Static:
        return Static(Text(self.title_text, style="bold"), classes="modal-title")

    def finish(self, result: Any) -> None:
        self.dismiss(result)
        if self.then is not None:
            # As the screen now on top (Textual names the active message pump as the requester
            # of any dialog ``then`` opens; this one is closing and would never call it back).
            with self.app.screen._context():
                self.then(result)

    def action_cancel(self) -> None:
        self.finish(None)


class PickModal(_Modal):
    """Choose one item from a list. Dismisses with ("pick", id), (extra action name, id) or None.
    The list (PickList) applies keys in arrival order: Enter closes it before the next key."""

    AUTO_FOCUS = "#pick-list"

    def __init__(self, title: str, options: list[tuple[str, Text | str]], *, hint: str = "",
                 extra: tuple[str, str, str] | None = None, id: str | None = None,
                 then: Callable[[Any], None] | None = None):
        """``extra`` = (key, action name, description), e.g. ("delete", "discard", "Discard draft")."""
        super().__init__(title, id, then)
        self.options = options
        self.hint = hint
        self.extra = extra

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield self.title_widget()
            yield PickList(self.options, on_pick=lambda key: self.finish(("pick", key)),
                           extra=self.extra[0] if self.extra else None,
                           on_extra=(lambda key: self.finish((self.extra[1], key))) if self.extra else None,
                           id="pick-list")
            keys = "↑↓ choose · Enter open · "
            if self.extra:
                keys += f"{self.extra[0].capitalize()} {self.extra[2].lower()} · "
            yield Static(Text(self.hint + ("\n" if self.hint else "") + keys + "Esc or ctrl+g cancel",
                              style="dim"), classes="modal-hint")


class ConfirmModal(_Modal):
    """A yes/no question answered by one key, in arrival order: ``y`` yes; ``n``, Enter, Esc no
    (Enter alone never does the thing asked about)."""

    AUTO_FOCUS = "#confirm-answer"

    def __init__(self, title: str, detail: str, *, yes: str, no: str, id: str | None = None,
                 then: Callable[[Any], None] | None = None):
        super().__init__(title, id, then)
        self.detail, self.yes, self.no = detail, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield self.title_widget()
            yield Static(Text(self.detail), classes="modal-prompt")
            yield _Answer(self, id="confirm-answer")
            yield Static(Text(f"y {self.yes.lower()} · n, Enter or Esc {self.no.lower()}", style="dim"),
                         classes="modal-hint")


class _Answer(KeyTaker, Static):
    def __init__(self, modal: ConfirmModal, **kwargs) -> None:
        super().__init__(Text.assemble((" y ", "bold reverse"), f" {modal.yes}   ", (" n ", "bold reverse"),
                                       f" {modal.no}"), **kwargs)
        self.modal = modal

    def take_key(self, key: str, character: str | None) -> bool:
        if key in ("y", "Y"):
            self.modal.finish(True)
        elif key in ("n", "N", "enter"):
            self.modal.finish(False)
        else:
            return False
        return True


class TextModal(_Modal):
    """One line of text (a reason, a wave name, an operator). Enter accepts, Esc/ctrl+g cancels.
    ``check`` returns a message when the text cannot be accepted. The field applies keys in arrival
    order (TextField), and Enter closes the dialog before the next key is looked at."""

    AUTO_FOCUS = "#modal-input"

    def __init__(self, title: str, prompt: str, *, value: str = "", placeholder: str = "",
                 check: Callable[[str], str | None] | None = None, id: str | None = None,
                 then: Callable[[Any], None] | None = None):
        super().__init__(title, id, then)
        self.prompt = prompt
        self.value = value
        self.placeholder = placeholder
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield self.title_widget()
            yield Static(self.prompt, classes="modal-prompt")
            yield TextField(self.value, placeholder=self.placeholder, on_submit=self.submit, id="modal-input")
            yield Static("", id="modal-error", classes="modal-error")
            yield Static(Text("Enter accept · Esc or ctrl+g cancel", style="dim"), classes="modal-hint")

    def submit(self, value: str) -> None:
        text = value.strip()
        problem = self.check(text) if self.check else None
        if problem:
            self.app.bell()
            self.query_one("#modal-error", Static).update(Text(problem, style="bold red"))
            return
        self.finish(text)
