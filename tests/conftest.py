from __future__ import annotations

from pathlib import Path

import pytest

from tui.domain.bundled import bundled_instrument_path
from tui.domain.instrument_toml import load_instrument

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bundled():
    return load_instrument(bundled_instrument_path())


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch):
    # A blinking cursor makes screenshots and snapshots nondeterministic.
    try:
        from textual.widgets import Input
    except ImportError:  # pragma: no cover
        return
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)


@pytest.fixture
def study_2014(tmp_path, bundled):
    """A study file with one wave, 2014, of the bundled instrument."""
    from tui.domain.store import Study

    study = Study.open(tmp_path / "study.db")
    study.add_wave("2014", bundled, operator="RS")
    yield study
    study.close()
