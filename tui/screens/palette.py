"""Command palette entries for a screen's own actions (ctrl+p), taken from its key bindings.

A screen lists ``ScreenCommands`` in its COMMANDS and may define ``palette_commands()`` to
add actions that have no key. Every binding with a description becomes an entry named
``<prefix>: <description>`` that shows its key, so the palette teaches the keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

Command = tuple[str, str, str]  # name, help, action string run on the screen


def binding_commands(screen, prefix: str) -> list[Command]:
    commands: list[Command] = []
    seen: set[str] = set()
    for binding in screen.BINDINGS:
        if not isinstance(binding, Binding) or not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        key = screen.app.get_key_display(binding)
        commands.append((f"{prefix}: {binding.description}", f"key {key}", binding.action))
    return commands


class ScreenCommands(Provider):
    def _commands(self) -> Iterable[Command]:
        screen = self.screen
        listed = getattr(screen, "palette_commands", None)
        return listed() if listed else []

    def _run(self, action: str) -> None:
        self.screen.call_later(partial(self.screen.run_action, action))

    async def discover(self) -> Hits:
        for name, help_text, action in self._commands():
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), help=help_text)
