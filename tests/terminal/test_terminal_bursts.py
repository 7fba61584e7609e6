"""The installed `surveydesk` in a real terminal (tmux): keys sent in one burst apply in the order
they were sent, and a correction on the keying line survives a SIGKILL (issue 13, points 1, 2)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.terminal.test_terminal import wait_for_line
from tests.tmux import Terminal, needs_tmux
from tui.domain.returns import answers as ans
from tui.domain.store import Study

pytestmark = pytest.mark.slow  # the real surveydesk in tmux: not in the fast lane (pytest -m "not slow")


def start(path: Path, tmp_path: Path) -> Terminal:
    term = Terminal(["--study", str(path), "--operator", "JS"], width=80, height=24, cwd=tmp_path)
    term.wait_for("Joint Practice Development")
    term.keys("F3")
    term.wait_for("Code or serial ›")
    return term


@needs_tmux
def test_a_scanned_serial_and_a_burst_with_backspace_in_one_send_keys(tmp_path, bundled):
    path = tmp_path / "t.db"
    with Study.open(path) as study:
        study.add_wave("2014", bundled, operator="RS")
        (issued,) = study.issue_forms("2014", ["D4"], operator="RS")
    term = start(path, tmp_path)
    try:
        # One send-keys: the scanner's serial and Enter, then at once JPD A `13`, JPD B
        # `1 2 BSpace 3 4` (4 statements: 134 was meant), every other section empty, and the save.
        term.keys(*issued.serial, "Enter", "1", "3", "Enter", "1", "2", "BSpace", "3", "4", "Enter",
                  *["Enter"] * 18, "Enter")
        screen = term.wait_for("Saved #1 D4")
        assert "✗" not in screen, screen
        term.keys("C-q")
        term.wait_closed()
    finally:
        term.close()
    with Study.open(path) as study:
        (record,) = study.find_returns("2014")
        assert record.serial == issued.serial
        assert ans.highlighted_codes(bundled, record.answers) == ["JPD A1", "JPD A3", "JPD B1", "JPD B3", "JPD B4"]


@needs_tmux
def test_a_burst_into_the_operator_dialog(tmp_path, bundled):
    path = tmp_path / "t.db"
    with Study.open(path) as study:
        study.add_wave("2014", bundled, operator="RS")
    term = start(path, tmp_path)
    try:
        term.keys("C-o")
        term.wait_for("Who is at the keyboard?")
        term.keys("BSpace", "BSpace", "K", "L", "Enter")
        term.wait_for("operator is now KL")
        term.keys("C-q")
        term.wait_closed()
    finally:
        term.close()


@needs_tmux
def test_a_correction_on_the_line_survives_a_kill(tmp_path, bundled):
    path = tmp_path / "t.db"
    with Study.open(path) as study:
        study.add_wave("2014", bundled, operator="RS")
    term = start(path, tmp_path)
    try:
        # E5, AA C = 2, to the summary; back to AA C and correct 2 to 3 on the line; no Enter.
        term.keys("e", "5", *["Enter"] * 18, "2", "Enter", "Enter")
        term.wait_for("Save? ›")
        term.keys("BSpace", "BSpace", "BSpace", "3")
        wait_for_line(term, "AA C ›", "3")
        time.sleep(1.0)  # the writer's moment (it writes within 0.2 s of a pause)
        os.kill(term.app_pid(), signal.SIGKILL)
        term.wait_closed()
    finally:
        term.close()
    with Study.open(path) as study:
        (draft,) = study.drafts()
        assert draft.participant_code == "E5" and draft.state["at"] == ["aa", "C"]
        assert draft.state["line"] == "3"
