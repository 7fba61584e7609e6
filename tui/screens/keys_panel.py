"""The keys of the screen you are on, one key away: F1 or ``?`` (F10 too) from any screen.

At 80 columns a footer holds a handful of keys; everything else a screen answers to is listed
here. A screen may describe its keys itself (``keys_help()``: headed groups of key, what it does);
otherwise its bindings are listed with their descriptions. The app's own keys (screens, palette,
quit) close the list.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.styles import stylesheet
from tui.widgets.ordered_keys import KeyTaker

KeyRows = list[tuple[str, list[tuple[str, str]]]]  # (heading, [(key, what it does)])
# Textual's own screen keys (focus moves, copy): not this screen's.
TEXTUAL_DEFAULTS = ("app.focus_next", "app.focus_previous", "screen.copy_text")
CLOSE_KEYS = ("escape", "ctrl+g", "f1", "f10", "question_mark", "enter", "q")


def keys_of(app, screen: Screen) -> KeyRows:
    """What ``screen`` answers to: its own description, else its bindings; then the app's keys."""
    described = getattr(screen, "keys_help", None)
    groups: KeyRows = list(described()) if described is not None else []
    if not groups:
        rows, seen = [], set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if (binding.system or binding.action in seen or active.node is app or not binding.description
                    or binding.action in TEXTUAL_DEFAULTS):
                continue
            seen.add(binding.action)
            rows.append((app.get_key_display(binding), binding.description))
        groups.append(("This screen", rows))
    groups.append(("Anywhere", [
        ("F2 F3 F4 F5 F6", "instrument · entry · print · analysis · builder"),
        ("ctrl+p", "command palette: every action of this screen, by name"),
        ("F1 or ?", "this list (F10 too)"),
        ("ctrl+q", "quit (a form part-way is kept as a draft; other unsaved work asks first)"),
    ]))
    return groups


def keys_table(groups: KeyRows) -> Table:
    """One table for every group, so the descriptions line up down the list."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", max_width=24)  # a long key description wraps in its column
    table.add_column(ratio=1)
    for number, (heading, rows) in enumerate(groups):
        if number:
            table.add_row("", "")
        table.add_row(Text(heading, style="bold underline"), "")
        for key, what in rows:
            table.add_row(Text(key), Text(what))
    return table


class KeysPanel(ModalScreen):
    """The list; Esc, Enter, F1 or ? closes it, ↑↓ PgUp PgDn scroll."""

    AUTO_FOCUS = "#keys-body"
    CSS = stylesheet("keys.tcss")  # scoped to this panel
    BINDINGS = [Binding("escape,ctrl+g", "dismiss", "Close", key_display="Esc")]

    def __init__(self, title: str, groups: KeyRows) -> None:
        super().__init__(id="keys-panel")
        self.title_text, self.groups = title, groups

    def compose(self) -> ComposeResult:
        with Vertical(classes="keys-box"):
            yield Static(Text(self.title_text, style="bold"), classes="keys-title")
            with VerticalScroll(id="keys-scroll"):
                yield KeysBody(keys_table(self.groups), id="keys-body")
            yield Static(Text("↑↓ PgUp PgDn scroll · Esc, Enter, F1 or ? close", style="dim"), classes="keys-hint")


class KeysBody(KeyTaker, Static):
    def take_key(self, key: str, character: str | None) -> bool:
        scroll = self.screen.query_one("#keys-scroll", VerticalScroll)
        if key in CLOSE_KEYS:
            self.screen.dismiss()
        elif key in ("down", "up"):
            scroll.scroll_relative(y=1 if key == "down" else -1, animate=False)
        elif key in ("home", "end"):
            scroll.scroll_to(y=0 if key == "home" else scroll.max_scroll_y, animate=False)
        elif key in ("pagedown", "space", "pageup"):
            scroll.scroll_relative(y=(-1 if key == "pageup" else 1) * max(1, scroll.size.height - 1), animate=False)
        else:
            return False
        return True
