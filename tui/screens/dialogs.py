"""The dialogs of SurveyDesk, one family: confirm, ask for a line of text, choose, pick from a
list, read a text.

Every dialog is a ``Dialog``: a centred box whose buttons say their key; Esc or ctrl+g
cancels (Esc alone is delayed in some terminals, more so under tmux) and dismisses with
``None`` (``False`` for a question). Styles: tui/styles/dialogs.tcss, scoped to dialogs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.domain.errors import SurveyDeskError
from tui.styles import stylesheet
from tui.widgets import plain
from tui.widgets.ordered_keys import KeyTaker
from tui.widgets.pick_list import PickList
from tui.widgets.text_field import TextField

T = TypeVar("T")

CANCEL = Binding("escape,ctrl+g", "cancel", "Cancel", key_display="Esc/^g")


class Dialog(ModalScreen[T], Generic[T]):
    """Base of every dialog: Esc or ctrl+g answers ``CANCELLED``.

    ``then`` gets the answer in the same step that closes the dialog (push_screen's callback
    would run later, after keys typed meanwhile had gone to the screen below)."""

    DEFAULT_CSS = stylesheet("dialogs.tcss")
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [CANCEL]
    CANCELLED: ClassVar[Any] = None

    def __init__(self, id: str | None = None, then: Callable[[Any], None] | None = None):
        super().__init__(id=id)
        self.then = then

    def finish(self, answer: Any) -> None:
        self.dismiss(answer)
        if self.then is not None:
            # As the screen now on top (Textual names the active message pump as the requester
            # of any dialog ``then`` opens; this one is closing and would never call it back).
            with self.app.screen._context():
                self.then(answer)

    def action_cancel(self) -> None:
        self.finish(self.CANCELLED)

    @staticmethod
    def buttons(*buttons: Button) -> Horizontal:
        return Horizontal(*buttons, classes="dialog-buttons")


class ConfirmDialog(Dialog[bool]):
    """A yes/no question. No is focused unless ``default_yes``, so Enter alone discards nothing."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape,ctrl+g", "answer(False)", "No")]
    CANCELLED = False
    # The default answer is focused as the dialog is composed, so a key typed ahead (Enter) finds
    # it there: focusing it in on_mount happens a step later, after Textual's auto-focus had put
    # Yes first.
    AUTO_FOCUS = ".default-answer"

    def __init__(self, question: str, detail: RenderableType = "", yes: str = "Yes", no: str = "No",
                 id: str | None = None, default_yes: bool = False, then: Callable[[Any], None] | None = None):
        super().__init__(id=id, then=then)
        self.question, self.detail, self.yes, self.no = question, detail, yes, no
        self.default_yes = default_yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(plain(self.question), classes="dialog-title")
            if self.detail:
                yield Static(shown(self.detail), classes="dialog-detail")
            default = "default-answer"
            yield self.buttons(AnswerButton(f"{self.yes} (y)", id="yes", variant="warning", compact=True,
                                            classes=default if self.default_yes else ""),
                               AnswerButton(f"{self.no} (n)", id="no", variant="primary", compact=True,
                                            classes="" if self.default_yes else default))

    def action_answer(self, answer: bool) -> None:
        self.finish(answer)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.finish(event.button.id == "yes")


class AnswerButton(KeyTaker, Button):
    """A dialog button whose keys apply in arrival order: Enter or space presses it in the same
    step (a Button's press is a message, handled after keys that came later), other keys go to
    the dialog's bindings (y, n, Esc) in order too."""

    def take_key(self, key: str, character: str | None) -> bool:
        if key not in ("enter", "space"):
            return False
        dialog = self.screen
        if isinstance(dialog, ConfirmDialog):
            dialog.finish(self.id == "yes")
        return True


class PromptDialog(Dialog[Any]):
    """Ask for one line of text. Enter accepts; ``check`` returns a message that keeps the dialog
    open, and ``parse`` (e.g. normalise_serial) turns the text into the answer or raises a
    SurveyDeskError whose message is shown. What was typed stays for correcting. The field
    applies keys in arrival order (TextField), and Enter closes the dialog before the next key."""

    AUTO_FOCUS = "#prompt-input"

    def __init__(self, title: str, value: str = "", *, detail: str = "", placeholder: str = "",
                 check: Callable[[str], str | None] | None = None, parse: Callable[[str], Any] | None = None,
                 restrict: str | None = None, max_length: int = 0, ok: str = "OK", id: str | None = None,
                 then: Callable[[Any], None] | None = None):
        super().__init__(id=id, then=then)
        self.title_text, self.value, self.detail = title, value, detail
        self.placeholder, self.check, self.parse, self.restrict = placeholder, check, parse, restrict
        self.max_length, self.ok = max_length, ok

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(plain(self.title_text), classes="dialog-title")
            if self.detail:
                yield Static(shown(self.detail), classes="dialog-detail")
            yield TextField(self.value, placeholder=self.placeholder, restrict=self.restrict,
                            max_length=self.max_length, on_submit=self.submit, id="prompt-input")
            yield Static("", id="prompt-error", classes="dialog-error", markup=False)
            yield self.buttons(Button(f"{self.ok} (enter)", id="ok", variant="primary", compact=True),
                               Button("Cancel (esc)", id="cancel", compact=True))

    @on(Button.Pressed, "#ok")
    def ok_pressed(self) -> None:
        self.submit(self.query_one(TextField).value)

    def submit(self, text: str) -> None:
        value = text.strip()
        problem = self.check(value) if self.check else None
        answer: Any = value
        if problem is None and self.parse is not None:
            try:
                answer = self.parse(value)
            except SurveyDeskError as exc:
                problem = str(exc)
        if problem:
            self.app.bell()
            self.query_one("#prompt-error", Static).update(problem)
            return
        self.finish(answer)

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    help: str = ""


class ChoiceDialog(Dialog[str | None]):
    """Pick one of a few choices with the arrow keys and Enter (or the choice's number)."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        CANCEL, *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10))]

    def __init__(self, title: str, choices: list[Choice], detail: str = "", id: str | None = None,
                 then: Callable[[Any], None] | None = None):
        super().__init__(id=id, then=then)
        self.title_text, self.choices, self.detail = title, choices, detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(plain(self.title_text), classes="dialog-title")
            if self.detail:
                yield Static(shown(self.detail), classes="dialog-detail")
            yield OptionList(*[
                Option(Text.assemble((f"{n}  ", "dim"), (c.label, "bold"), (f"  {c.help}" if c.help else "", "dim")),
                       id=c.key)
                for n, c in enumerate(self.choices, start=1)
            ], id="choices")
            yield self.buttons(Button("Cancel (esc)", id="cancel", compact=True))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.finish(event.option.id)

    def action_pick(self, index: int) -> None:
        if index < len(self.choices):
            self.finish(self.choices[index].key)

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()


class PickDialog(Dialog[tuple[str, str] | None]):
    """Choose one item of a longer list. Answers ("pick", id), (extra action name, id) or None.
    The list (PickList) applies keys in arrival order: Enter closes it before the next key."""

    AUTO_FOCUS = "#pick-list"

    def __init__(self, title: str, options: Sequence[tuple[str, Text | str]], *, hint: str = "",
                 extra: tuple[str, str, str] | None = None, id: str | None = None,
                 then: Callable[[Any], None] | None = None):
        """``extra`` = (key, action name, description), e.g. ("delete", "discard", "Discard draft")."""
        super().__init__(id=id, then=then)
        self.title_text, self.options, self.hint, self.extra = title, options, hint, extra

    def compose(self) -> ComposeResult:
        extra = self.extra
        with Vertical(classes="dialog-box"):
            yield Label(plain(self.title_text), classes="dialog-title")
            # Labels typed by a person (codes, operators) shown as they are, controls written out.
            yield PickList([(key, plain(label) if isinstance(label, str) else label) for key, label in self.options],
                           on_pick=lambda key: self.finish(("pick", key)),
                           extra=extra[0] if extra else None,
                           on_extra=(lambda key: self.finish((extra[1], key))) if extra else None,
                           id="pick-list")
            keys = "↑↓ choose · Enter open"
            if extra:
                keys += f" · {extra[0].capitalize()} {extra[2].lower()}"
            yield Static(Text(self.hint + ("\n" if self.hint else "") + keys, style="dim"), classes="dialog-detail")
            yield self.buttons(Button("Cancel (esc)", id="cancel", compact=True))

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()


def shown(text: RenderableType) -> RenderableType:
    """Text from code or typed by a person, shown as it is: never read as markup, controls written out."""
    return plain(text) if isinstance(text, str) else text


Page = tuple[str, "str | Callable[[int], str]"]


class TextViewer(Dialog[None]):
    """Read a text (a preview, a list of changes); left/right page through several. A page's
    text may be a function of the width, so a preview fills the dialog exactly."""

    BINDINGS = [
        Binding("escape,ctrl+g,q", "cancel", "Close"),
        # Priority: the focused scroll area would otherwise take left/right for scrolling sideways.
        Binding("left", "page(-1)", "Previous", priority=True),
        Binding("right", "page(1)", "Next", priority=True),
    ]

    def __init__(self, pages: Sequence[Page], start: int = 0, id: str | None = None):
        super().__init__(id=id)
        self.pages = pages
        self.at = max(0, min(start, len(pages) - 1))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box viewer-box"):
            yield Label("", id="viewer-title", classes="dialog-title", markup=False)
            with VerticalScroll(id="viewer-scroll"):
                yield Static("", id="viewer-text", markup=False)
            yield self.buttons(Button("Close (esc)", id="close", variant="primary", compact=True))

    def on_mount(self) -> None:
        self.query_one("#viewer-scroll").focus()
        self.call_after_refresh(self.show)  # the width is known once laid out

    def on_resize(self) -> None:
        self.call_after_refresh(self.show)

    def show(self) -> None:
        title, text = self.pages[self.at]
        paging = f"   ({self.at + 1} of {len(self.pages)}, left/right for others)" if len(self.pages) > 1 else ""
        self.query_one("#viewer-title", Label).update(Text(title + paging))
        if callable(text):
            scroll = self.query_one("#viewer-scroll", VerticalScroll)
            text = text(max(20, scroll.scrollable_content_region.width - 2))
        self.query_one("#viewer-text", Static).update(text)

    def action_page(self, delta: int) -> None:
        self.at = (self.at + delta) % len(self.pages)
        self.show()

    @on(Button.Pressed, "#close")
    def close_pressed(self) -> None:
        self.action_cancel()
