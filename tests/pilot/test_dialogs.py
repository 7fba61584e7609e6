"""One dialog family: every dialog at 80x24 shows its buttons with their labels, and Esc or
ctrl+g cancels it with the same answer (None; False for a question)."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from tests.helpers import screen_text
from tui.app import make_app
from tui.screens.dialogs import (
    Choice,
    ChoiceDialog,
    ConfirmDialog,
    Dialog,
    PickDialog,
    PromptDialog,
    TextViewer,
)

DIALOGS = {
    "confirm": (lambda: ConfirmDialog("Quit without saving?", "JPD C2 edited\nctrl+q again also quits.",
                                      yes="Quit", no="Stay"), False),
    "prompt": (lambda: PromptDialog("Save as a new version", "2", detail="Waves 2014 use version 1."), None),
    "choice": (lambda: ChoiceDialog("Open an instrument in the builder",
                                    [Choice("bundled", "The bundled instrument"), Choice("file", "A file")]), None),
    "pick": (lambda: PickDialog("Key returns of which wave?", [("2014", "2014"), ("2015", "2015")]), None),
    "viewer": (lambda: TextViewer([("Changes", "JPD C2 reworded\n" * 40)]), None),
}


@pytest.mark.smoke
def test_every_dialog_class_is_in_the_table():
    def leaves(cls):
        subs = cls.__subclasses__()
        return {c for s in subs for c in leaves(s)} | set(subs)

    import tui.screens.dialogs  # noqa: F401  every dialog lives there
    made = {type(make()) for make, _ in DIALOGS.values()}
    assert {c for c in leaves(Dialog) if c.__module__.startswith("tui.")} <= made


@pytest.mark.parametrize("name", DIALOGS)
@pytest.mark.parametrize("cancel_key", ["escape", "ctrl+g"])
async def test_dialog_buttons_are_visible_with_their_labels_and_cancel_the_same_way(tmp_path, name, cancel_key):
    make, cancelled = DIALOGS[name]
    app = make_app(study_path=tmp_path / "s.db", operator="RS")
    answers = []
    async with app.run_test(size=(80, 24)) as pilot:
        for mode in ("instrument", "print", "builder", "entry", "analysis"):  # every screen's styles loaded
            await app.switch_mode(mode)
            await pilot.pause()
        dialog = make()
        app.push_screen(dialog, answers.append)
        await pilot.pause()
        text = screen_text(app)
        buttons = list(dialog.query(Button))
        assert buttons, name
        for button in buttons:
            label = str(button.label)
            assert label in text, (name, label, text)
            region = button.region
            assert region.height >= 1 and region.width >= len(label)
            assert app.screen.region.contains_region(region), (name, label, region)
        await pilot.press(cancel_key)
        await pilot.pause()
    assert answers == [cancelled]
