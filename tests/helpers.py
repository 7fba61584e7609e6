"""Helpers shared by the tests: what a person sees on a screen, keys as a terminal sends them, the command run from a shell."""

from __future__ import annotations

import unicodedata


def screen_text(app) -> str:
    """The active screen as the plain text a person would read."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def key_event(key: str):
    """The Key event a terminal sends for ``key`` (a character or a key name), as Pilot makes it."""
    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def burst(pilot, *keys: str) -> None:
    """Send keys the way a barcode scanner or a fast typist does: all at once, into the app's
    queue, with no waiting between them (Pilot's ``press`` waits for the app to go idle after
    each key, which hides any reordering); then wait for the app to settle."""
    driver = pilot.app._driver
    for key in keys:
        event = key_event(key)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await pilot.pause()
    await pilot.pause()


def surveydesk(*args: str, study=None, cwd=None):
    """Run the `surveydesk` command as a researcher would from a shell (operator RS); never a traceback."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "tui", *(("--study", str(study)) if study is not None else ()), *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd,
                            env={"SURVEYDESK_OPERATOR": "RS", "PATH": "/usr/bin:/bin"})
    assert "Traceback" not in result.stderr, result.stderr
    return result
