"""Keys applied in the order they arrive, under any load.

Textual hands a key to the focused widget through that widget's message queue. A key the widget
does not handle itself -- Input's Backspace, and every binding -- bubbles up through the parents'
queues and is applied by the App when it gets there, while the widget is already applying the
keys that came next: in a burst (a barcode scanner, type-ahead while the app saves) ``1 2
Backspace 3 4`` came out as ``123`` (textual/widgets/_input.py: printable keys are inserted in
``_on_key``, Backspace is the ``delete_left`` binding, run by ``App._on_key`` after the bubble).

The widgets here (KeyTaker) take their keys in the App's own queue instead: ``route`` is called
from the App's ``on_event``, applies one key completely -- the widget's own keys, else the
screen's and the App's bindings -- before the App looks at the next one. A key that comes while a
newly pushed screen has not chosen its focus yet waits for it (a dialog opened by the key before),
rather than going to the screen behind.
"""

from __future__ import annotations

import asyncio
import time

from textual import events
from textual.app import App

# How long a key waits for a newly pushed screen to mount and focus its first widget.
SETTLE_S = 2.0


class KeyTaker:
    """Mixed into a Widget (``class KeyingLine(KeyTaker, Widget)``): focusable, and its keys are
    applied synchronously, in the App's queue; see the module docstring. A KeyTaker that takes no
    key itself (``take_key`` returns False) still makes its screen's bindings apply in order."""

    can_focus = True

    def take_key(self, key: str, character: str | None) -> bool:  # pragma: no cover - abstract
        """Apply one key now; False when it is not this widget's (bindings are tried next)."""
        raise NotImplementedError

    def take_paste(self, text: str) -> None:
        for character in (text.splitlines() or [""])[0]:
            if not self.take_key(character, character):
                break


async def _settled(app: App) -> None:
    """Wait (briefly) until the active screen has mounted, so its focus is where keys go."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        screen = app.screen
        if screen.focused is not None or screen.is_mounted or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.002)


async def route(app: App, event: events.Event) -> bool:
    """Apply a key or a paste at once if the focused widget is a KeyTaker (True); False leaves the
    event to Textual's usual path. Called from the App's ``on_event``, so in arrival order."""
    if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
        return False
    if isinstance(event, events.Key) and not app.app_focus:
        app.app_focus = True
    await _settled(app)
    target = app.focused
    if not isinstance(target, KeyTaker) or target.disabled or app.screen.maximized is not None:
        return False
    if isinstance(event, events.Paste):
        target.take_paste(event.text)
        return True
    # The same order Textual keeps: priority bindings (ctrl+q), the widget, then bindings from the
    # widget up to the App -- but here, before the next key.
    if await app._check_bindings(event.key, priority=True):
        return True
    if not target.take_key(event.key, event.character):
        await app._check_bindings(event.key)
    return True
