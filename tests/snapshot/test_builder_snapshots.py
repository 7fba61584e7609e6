"""SVG snapshots of the builder (pytest-textual-snapshot). Regenerate with --snapshot-update after
checking the change by eye."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tui.app import make_app
from tui.domain.instrument import bundled_instrument_path

SIZE = (130, 40)


@pytest.fixture
def app(tmp_path, monkeypatch):
    # Relative paths, so the title bar reads the same on every machine.
    monkeypatch.chdir(tmp_path)
    Path("instruments").mkdir()
    shutil.copy(bundled_instrument_path(), "instruments/partnership-survey.toml")
    app = make_app(study_path="study.db", instrument_path="instruments/partnership-survey.toml")
    app.instruments_dir = Path("instruments")
    return app


def test_builder_statement_selected_with_a_problem(app, snap_compare):
    # JPD B2 emptied: the editor, the derived codes, the tree's mark and the problem list.
    keys = ["f6", "g", *"JPD B2", "enter", "enter", "backspace", "enter", "_"]
    assert snap_compare(app, press=keys, terminal_size=SIZE)


def test_builder_respondent_preview(app, snap_compare):
    assert snap_compare(app, press=["f6", "g", *"CMP", "enter", "p", "_"], terminal_size=SIZE)
