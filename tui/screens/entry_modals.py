"""Small modal dialogs of the entry screen: pick from a list, type one line of text.

Each can be cancelled with Esc or ctrl+g (Esc alone is delayed in some terminals, more so under
tmux), and each says so in its footer line.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.widgets import plain

CANCEL = Binding("escape,ctrl+g", "cancel", "Cancel", key_display="Esc/^g")


class _Modal(ModalScreen):
    BINDINGS = [CANCEL]

    def __init__(self, title: str, id: str | None = None):
        super().__init__(id=id)
        self.title_text = title

    def title_widget(self) -> Static:
        return Static(Text(self.title_text, style="bold"), classes="modal-title")

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickModal(_Modal):
    """Choose one item from a list. Dismisses with ("pick", id), (extra action name, id) or None."""

    def __init__(self, title: str, options: list[tuple[str, Text | str]], *, hint: str = "",
                 extra: tuple[str, str, str] | None = None, id: str | None = None):
        """``extra`` = (key, action name, description), e.g. ("delete", "discard", "Discard draft")."""
        super().__init__(title, id)
        self.options = options
        self.hint = hint
        self.extra = extra

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield self.title_widget()
            yield OptionList(*[Option(plain(label) if isinstance(label, str) else label, id=key)
                               for key, label in self.options], id="pick-list")
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
        self.dismiss(("pick", event.option.id or ""))

    def action_extra(self) -> None:
        option_list = self.query_one(OptionList)
        if self.extra and option_list.highlighted is not None:
            self.dismiss((self.extra[1], option_list.get_option_at_index(option_list.highlighted).id or ""))


class TextModal(_Modal):
    """One line of text (a reason, a wave name, an operator). Enter accepts, Esc/ctrl+g cancels.
    ``check`` returns a message when the text cannot be accepted."""

    def __init__(self, title: str, prompt: str, *, value: str = "", placeholder: str = "",
                 check: Callable[[str], str | None] | None = None, id: str | None = None):
        super().__init__(title, id)
        self.prompt = prompt
        self.value = value
        self.placeholder = placeholder
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield self.title_widget()
            yield Static(self.prompt, classes="modal-prompt", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="modal-input")
            yield Static("", id="modal-error", classes="modal-error")
            yield Static(Text("Enter accept · Esc or ctrl+g cancel", style="dim"), classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        problem = self.check(text) if self.check else None
        if problem:
            self.app.bell()
            self.query_one("#modal-error", Static).update(Text(problem, style="bold red"))
            return
        self.dismiss(text)
