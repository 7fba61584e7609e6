"""Pilot: the instrument builder driven by the keys a researcher would press."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import screen_text
from tui.app import make_app
from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.screens.builder import BuilderScreen
from tui.screens.dialogs import ConfirmDialog, PromptDialog, TextViewer
from tui.widgets.field_editor import FieldArea, FieldInput

SIZE = (140, 48)


def builder_app(tmp_path: Path):
    """The app on a copy of the bundled survey kept in tmp_path/instruments."""
    folder = tmp_path / "instruments"
    folder.mkdir()
    copy = folder / "partnership-survey.toml"
    shutil.copy(bundled_instrument_path(), copy)
    app = make_app(study_path=tmp_path / "study.db", instrument_path=copy)
    app.instruments_dir = folder
    return app, copy


async def open_builder(pilot) -> BuilderScreen:
    await pilot.press("f6")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, BuilderScreen)
    return screen


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, condition, seconds: float = 3.0) -> bool:
    """Pause until ``condition()`` holds (a worker's message and its toast arrive a little later)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def go(pilot, code: str) -> None:
    await pilot.press("g", *code, "enter")
    await pilot.pause()


async def test_build_two_banks_from_the_empty_skeleton_save_and_reload(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("2")  # an empty instrument
        await pilot.pause()
        assert builder.instrument.banks == () and builder.path is None
        assert "the instrument has no banks" in screen_text(app)

        # First bank: a, abbreviation, Tab, title, Enter; then two statements in section A.
        await pilot.press("a", *"JPD", "tab", *"Joint Practice", "enter")
        await pilot.press("down", "a", *"Staff share.", "enter")
        await pilot.press("a", *"Not a priority.", "enter", "n")
        await pilot.press("down", "a", *"Peers observe.", "enter")  # section B
        await pilot.pause()
        assert isinstance(app.screen.focused, type(builder.instrument_tree))
        text = screen_text(app)
        assert "A2    2  Not a priority. (neg)" in text
        assert "B1    3  Peers observe." in text  # codes and running numbers, live

        # Second bank after the first: up to the bank (shift+left twice), a.
        await pilot.press("shift+left", "shift+left", "a", *"HSC", "tab", *"Social Capital", "enter")
        await pilot.press("down", "a", *"Trust.", "enter")
        await pilot.pause()
        built = builder.instrument
        assert [b.id for b in built.banks] == ["jpd", "hsc"]  # ids follow the abbreviations
        assert [r.code for r in built.refs()] == ["JPD A1", "JPD A2", "JPD B1", "HSC A1"]
        assert [r.statement.id for r in built.refs()] == ["jpd.1", "jpd.2", "jpd.3", "hsc.1"]
        assert built.find("JPD A2").statement.negative

        await pilot.press("ctrl+s")  # never saved: asks for a name in instruments/
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("enter")
        await settle(pilot)
        saved = tmp_path / "instruments" / "new-survey.toml"
        assert saved.is_file() and builder.path == saved
        assert load_instrument(saved) == built
        assert "unsaved" not in builder.sub_title

        # Reload it through the open dialog (files in instruments/ are listed after the two starts).
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        assert builder.path == saved and builder.instrument == built
        assert "HSC" in screen_text(app)


@pytest.mark.smoke
async def test_edit_bundled_reword_move_delete_undo_writes_the_toml(tmp_path):
    app, path = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        # Reword JPD B2: Enter edits, the statement is selected whole, typing replaces it.
        await go(pilot, "JPD B2")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen.focused, FieldArea)
        await pilot.press(*"Coaching for all.", "enter")
        # Move HSC C3 to the previous section: it becomes HSC B6.
        await go(pilot, "HSC C3")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert builder.instrument.ref_by_id("hsc.13").code == "HSC B6"
        assert "B6   11  Partners do things" in screen_text(app)  # the tree shows the new code
        # Delete JPD A3, then undo the deletion.
        await go(pilot, "JPD A3")
        await pilot.press("d")
        await pilot.pause()
        assert builder.instrument.banks[0].statement_count == 12
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert builder.instrument.banks[0].statement_count == 13
        assert builder.selected.id == "jpd.3"  # the selection returns to what came back
        # Delete and redo it; then undo once more to keep it.
        await pilot.press("ctrl+y", "ctrl+z")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)

    written = path.read_text(encoding="utf-8")
    saved = load_instrument(path)
    assert saved.find("JPD B2").statement.text == "Coaching for all."
    assert saved.find("JPD B2").statement.id == "jpd.5"
    assert saved.find("HSC B6").statement.id == "hsc.13"
    assert saved.find("HSC C3").statement.id == "hsc.14"
    assert saved.find("JPD A3").statement.id == "jpd.3" and saved.retired_ids == ()
    assert '# HSC B6 = HSC 11\n[[bank.section.statement]]\nid = "hsc.13"' in written
    assert saved.statement_count == 60


async def test_an_invalid_instrument_is_not_saved_and_the_problems_are_shown(tmp_path):
    app, path = builder_app(tmp_path)
    before = path.read_text(encoding="utf-8")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        await go(pilot, "JPD B2")
        await pilot.press("enter", "backspace", "enter")  # select all, delete: an empty statement
        await go(pilot, "HSC")
        await pilot.press("enter")  # abbreviation field of HSC
        await pilot.press(*"JPD", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "statement JPD B2 is empty" in text  # live, before any save
        assert "duplicate bank abbreviation 'JPD'" in text
        assert "  !" in text  # the tree marks the items with errors
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = screen_text(app)
        assert "Not saved: 2 problems" in text
        assert "JPD B2: statement JPD B2 is empty" in text
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == before
        # v then Enter jumps to the first problem's item.
        await pilot.press("v", "enter")
        await pilot.pause()
        assert builder.selected.kind == "statement" and builder.selected.id == "jpd.5"
        await pilot.press("f7")  # a new version is refused the same way
        await pilot.pause()
        assert not isinstance(app.screen, PromptDialog)
        assert sorted(p.name for p in path.parent.iterdir()) == ["partnership-survey.toml"]


async def test_a_version_in_use_by_a_wave_is_saved_as_a_new_version(tmp_path):
    app, path = builder_app(tmp_path)
    before = path.read_text(encoding="utf-8")
    app.study.add_wave("2015", load_instrument(path), operator="RS")  # the wave freezes version 2015
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        await go(pilot, "JPD")
        await pilot.press("enter", "tab", *"Joint Professional Dev", "enter")  # its title
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "frozen copy of wave 2015" in screen_text(app)
        prompt = app.screen
        assert isinstance(prompt, PromptDialog)
        assert prompt.query_one("#prompt-input").value == "2016"
        await pilot.press("enter")
        await settle(pilot)
        new_file = path.parent / "partnership-survey-2016.toml"
        assert path.read_text(encoding="utf-8") == before  # the wave's version is untouched
        saved = load_instrument(new_file)
        assert saved.version == "2016" and saved.banks[0].title == "Joint Professional Dev"
        assert builder.path == new_file and builder.instrument.version == "2016"
    assert app.waves_using("partnership-survey", "2016") == []


async def test_waves_using_is_empty_before_any_wave(tmp_path):
    app, _ = builder_app(tmp_path)
    assert app.waves_using("partnership-survey", "2015") == []


async def test_save_new_version_keeps_the_old_file_and_refuses_existing_versions(tmp_path):
    app, path = builder_app(tmp_path)
    before = path.read_text(encoding="utf-8")
    taken = path.parent / "partnership-survey-2016.toml"
    shutil.copy(path, taken)  # someone saved a 2016 already
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        await go(pilot, "JPD A1")
        await pilot.press("n", "f7")
        await pilot.pause()
        field = app.screen.query_one("#prompt-input")
        assert field.value == "2017"  # the next version whose file does not exist
        field.value = "2016"
        await pilot.press("enter")
        await pilot.pause()
        assert "partnership-survey-2016.toml exists already" in str(app.screen.query_one("#prompt-error").render())
        field.value = "2015"
        await pilot.press("enter")
        await pilot.pause()
        assert "2015 is the version in partnership-survey.toml" in screen_text(app)
        assert isinstance(app.screen, PromptDialog)
        field.value = "2017"
        await pilot.press("enter")
        await settle(pilot)
        assert builder.path == path.parent / "partnership-survey-2017.toml"
    assert path.read_text(encoding="utf-8") == before
    assert taken.read_text(encoding="utf-8") == before
    newer = load_instrument(path.parent / "partnership-survey-2017.toml")
    assert newer.version == "2017" and newer.find("JPD A1").statement.negative


async def test_undo_in_a_field_drops_the_typing_first(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        await go(pilot, "JPD")
        await pilot.press("enter", "tab", *"Renamed", "enter")
        await pilot.pause()
        assert builder.instrument.banks[0].title == "Renamed"
        await pilot.press("enter", "tab", *"Half typed")
        await pilot.pause()
        title = app.screen.query_one("#field-title", FieldInput)
        assert title.value == "Half typed"
        await pilot.press("ctrl+z")  # first: the typing is dropped
        await pilot.pause()
        assert title.value == "Renamed" and builder.instrument.banks[0].title == "Renamed"
        await pilot.press("ctrl+z")  # then: the committed rename is undone
        await pilot.pause()
        assert builder.instrument.banks[0].title == "Joint Practice Development"
        assert app.screen.query_one("#field-title", FieldInput).value == "Joint Practice Development"


async def test_stage_labels_instrument_wide_and_per_bank_and_the_key(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        await go(pilot, "JPD C")  # a section: its stage for all banks, and an override for JPD
        await pilot.press("enter", *"Embedded", "tab", *"Consolidating", "enter")
        await pilot.pause()
        assert builder.instrument.find("JPD C1").stage == "Consolidating"
        assert builder.instrument.find("HSC C1").stage == "Embedded"
        assert "C  Consolidating" in screen_text(app)
        # The participant key: k opens it; add a school F with a secret name, relabel role 4.
        await pilot.press("k", "down", "a")
        await pilot.pause()
        await pilot.press("tab", *"Hillside Primary", "enter")
        await pilot.press("down", "down", "down", "down", "down", "down")  # Roles heading, 1..4 ... role 4
        await pilot.pause()
        assert builder.selected.kind == "role"
        index = builder.selected.index
        await pilot.press("enter", "tab", *"Middle leader", "enter")
        await pilot.pause()
        key = builder.instrument.key
        assert key.school_letters == ("A", "B", "C", "D", "E", "F") and key.schools[5].name == "Hillside Primary"
        assert key.roles[index].label == "Middle leader"
        assert "Hillside" not in screen_text(app)  # the tree does not show secret names


async def test_preview_shows_letters_but_never_stage_labels(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_builder(pilot)
        await go(pilot, "HSC B2")
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, TextViewer)
        assert "High Social Capital: the page as printed" in screen_text(app)
        page = str(app.screen.query_one("#viewer-text").render())
        assert "1. There is limited" in page and "4. There is anxiety among" in page
        assert ["A", "B", "C", "D"] in [line.split() for line in page.splitlines()]
        for label in ("Beginning", "Developing", "Embedding", "Leading"):
            assert label not in page
        await pilot.press("right")
        await pilot.pause()
        assert "Collective Moral Purpose" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BuilderScreen)


async def test_changes_view_lists_the_diff_since_saved(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_builder(pilot)
        await go(pilot, "JPD A1")
        await pilot.press("alt+down")
        await go(pilot, "AA D2")
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        text = screen_text(app)
        assert "moved  JPD A1 -> JPD A2 (jpd.1)" in text
        assert 'added  AA D3 (aa.12): "' in text


async def test_quitting_with_unsaved_edits_asks_first(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_builder(pilot)
        await go(pilot, "JPD A1")
        await pilot.press("n")
        await pilot.press("f2")  # leaving the builder for another mode keeps its edits
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "unsaved changes to Partnership Survey Form 2015" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmDialog)
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
        assert not app.is_running


async def test_quitting_with_nothing_unsaved_just_quits(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_builder(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_opening_another_instrument_over_unsaved_edits_asks_first(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        await go(pilot, "JPD A1")
        await pilot.press("d", "ctrl+o", "2")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert builder.instrument.statement_count == 59  # still there
        await pilot.press("ctrl+o", "2", "y")
        await pilot.pause()
        assert builder.instrument.banks == ()


@pytest.mark.parametrize(("keys", "message"), [
    (("g", *"JPD A", "enter", "d"), "a bank always has sections A-D"),
    (("g", *"JPD A1", "enter", "alt+up"), "JPD A1 is already in the first section of JPD"),
    (("g", *"JPD", "enter", "n"), "only a statement can be marked negative"),
])
async def test_impossible_edits_say_why(tmp_path, keys, message):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        assert message in screen_text(app)
        assert not builder.history.dirty


async def test_palette_lists_the_builder_actions(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        names = [name for name, _, _ in builder.palette_commands()]
        for wanted in ("Builder: Add", "Builder: Delete", "Builder: Duplicate", "Builder: Save",
                       "Builder: New version", "Builder: Preview", "Builder: Compare with a file…",
                       "Builder: To previous section", "Builder: Redo"):
            assert wanted in names
        await pilot.press("ctrl+p", *"builder preview")
        await pilot.pause(0.3)
        assert "Builder: Preview" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, TextViewer)


async def test_move_a_statement_to_another_bank_by_code(tmp_path):
    app, _ = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        await go(pilot, "JPD D3")
        await pilot.press("m", *"AA B1", "enter")
        await pilot.pause()
        assert builder.instrument.find("AA B1").statement.id == "jpd.13"
        assert builder.selected.id == "jpd.13"
        await pilot.press("m", *"XYZ A", "enter")  # a wrong code keeps the dialog open, saying why
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog) and "no bank 'XYZ'" in screen_text(app)


async def test_a_failed_write_keeps_every_edit(tmp_path):
    app, _ = builder_app(tmp_path)
    (tmp_path / "instruments" / "taken.toml").mkdir()  # a folder where the file would go
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        builder.path = None  # as if opened from outside instruments/: saving asks for a name
        await go(pilot, "JPD A1")
        await pilot.press("n", "ctrl+s")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = "taken"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # it exists: replace?
        await pilot.press("y")
        await settle(pilot)
        assert await until(pilot, lambda: "Not saved" in screen_text(app))
        # The toast wraps between the panes, so read its message whole.
        assert any("Is a directory. Nothing was lost" in n.message for n in app._notifications)
        assert builder.history.dirty and builder.instrument.find("JPD A1").statement.negative


async def test_a_saved_instrument_becomes_the_apps_instrument(tmp_path):
    app, path = builder_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_builder(pilot)
        await go(pilot, "JPD")
        await pilot.press("enter", "tab", *"Joint Professional Development", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert load_instrument(path).banks[0].title == "Joint Professional Development"
        assert app.instrument.banks[0].title == "Joint Professional Development"
        await pilot.press("f2")
        await pilot.pause()
        assert "Joint Professional Development" in screen_text(app)


async def test_an_incomplete_statement_is_reported_with_its_line_and_finished_in_the_builder(tmp_path):
    app, path = builder_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        builder = await open_builder(pilot)
        text = screen_text(app)
        assert "2 warnings" in text and "No problems" not in text  # incomplete HSC A5, unsigned letter
        assert "partnership-survey.toml:215  HSC A5: statement HSC A5 is marked incomplete" in text
        await go(pilot, "HSC A5")
        await pilot.press("enter", *"Governors are wary of sharing staff with other schools.", "enter")
        await pilot.pause()
        await pilot.press("enter", "tab", "tab", "space")  # the 'Incomplete wording' box: untick it
        await pilot.pause()
        assert not builder.instrument.find("HSC A5").statement.incomplete
        assert "1 warning" in screen_text(app) and "marked incomplete" not in screen_text(app)
        await pilot.press("escape", "ctrl+s")
        await settle(pilot)
    saved = load_instrument(path)
    assert saved.incomplete_refs() == []
    assert saved.find("HSC A5").statement.text == "Governors are wary of sharing staff with other schools."
    assert "incomplete" not in path.read_text(encoding="utf-8").split('id = "hsc.5"')[1].split("[[")[0]
