"""The installed `surveydesk` in a real terminal (tmux), at 80x24 and 200x50."""

from __future__ import annotations

import pytest

from tests.tmux import Terminal, needs_tmux


@needs_tmux
@pytest.mark.parametrize(("width", "height"), [(80, 24), (200, 50)])
def test_app_opens_shows_the_instrument_and_quits(tmp_path, width, height):
    term = Terminal(["--study", str(tmp_path / "t.db"), "--operator", "JS"], width=width, height=height,
                    cwd=tmp_path)
    try:
        screen = term.wait_for("Joint Practice Development")
        if width >= 200:  # at 80 columns the title bar cuts the study line short
            assert "operator JS" in screen
        assert "Quit" in screen
        term.keys("C-q")
        term.wait_closed()
    finally:
        term.close()
    assert (tmp_path / "t.db").exists()  # the study is created on first run
