"""Small modal dialogs of the entry screen: pick from a list, type one line of text.

Each can be cancelled with Esc or ctrl+g (Esc alone is delayed in some terminals, more so under
tmux), and each says so in its footer line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

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
            self.then(result)

    def action_cancel(self) -> None:
        self.finish(None)


class PickModal(_Modal):
    """Choose one item from a list. Dismisses with ("pick", id), (extra action name, id) or None."""

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
            yield OptionList(*[Option(label, id=key) for key, label in self.options], id="pick-list")
            keys = "↑↓ choose · Enter open · "
            if self.extra:
                keys += f"{self.extra[0].capitalize()} {self.extra[2].lower()} · "
            yield Static(Text(self.hint + ("\n" if self.hint else "") + keys + "Esc or ctrl+g cancel",
                              style="dim"), classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        if self.extra and event.key == self.extra[0]:
            event.stop()
            self.action_extra()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.finish(("pick", event.option.id or ""))

    def action_extra(self) -> None:
        option_list = self.query_one(OptionList)
        if self.extra and option_list.highlighted is not None:
            self.finish((self.extra[1], option_list.get_option_at_index(option_list.highlighted).id or ""))


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
