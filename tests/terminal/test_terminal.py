"""The installed `surveydesk` in a real terminal (tmux), at 80x24 and 200x50."""

from __future__ import annotations

import re
import time

import pytest

from tests.tmux import Terminal, needs_tmux
from tui.domain.returns import BankAnswer
from tui.domain.store import Study

pytestmark = pytest.mark.slow  # the real surveydesk in tmux: not in the fast lane (pytest -m "not slow")


@needs_tmux
@pytest.mark.parametrize(("width", "height"), [(80, 24), (200, 50)])
def test_app_opens_shows_the_instrument_and_quits(tmp_path, width, height):
    term = Terminal(["--study", str(tmp_path / "t.db"), "--operator", "JS"], width=width, height=height,
                    cwd=tmp_path)
    try:
        term.wait_for("Joint Practice Development")  # the first frame; the study opens after it
        screen = term.wait_for("no wave yet")
        if width >= 200:  # at 80 columns the title bar cuts the study line short
            assert "operator JS" in screen
        assert "Quit" in screen
        term.keys("C-q")
        term.wait_closed()
    finally:
        term.close()
    assert (tmp_path / "t.db").exists()  # the study is created on first run


def wait_for_line(term: Terminal, prompt: str, typed: str, timeout: float = 20.0) -> str:
    """Wait until the keying line (``prompt`` then the typed text) shows ``typed``."""
    deadline = time.monotonic() + timeout
    while True:
        screen = term.screen()
        if any(line.split(prompt, 1)[1].strip(" ▏") == typed for line in screen.splitlines() if prompt in line):
            return screen
        if time.monotonic() > deadline:
            raise AssertionError(f"{prompt} {typed!r} did not appear; the screen shows:\n{screen}")
        time.sleep(0.05)


# E5's paper: per section the keys typed, "-" for the HSC page that did not come back.
PAPER = [("JPD A", "13"), ("JPD B", "24"), ("JPD C", ""), ("JPD D", "3"), ("HSC A", "-"),
         ("CMP A", "2"), ("CMP B", "1"), ("CMP C", ""), ("CMP D", "123"),
         ("E&C A", ""), ("E&C B", ""), ("E&C C", ""), ("E&C D", ""),
         ("AA A", "1"), ("AA B", ""), ("AA C", "4"), ("AA D", "12")]
# The same paper by running number within each bank (JPD sections hold 3, 4, 3, 3 statements...).
EXPECTED = {"jpd": BankAnswer(True, frozenset({1, 3, 5, 7, 13})), "hsc": BankAnswer.missing(),
            "cmp": BankAnswer(True, frozenset({2, 3, 6, 7, 8})), "ec": BankAnswer(True, frozenset()),
            "aa": BankAnswer(True, frozenset({1, 9, 10, 11}))}


@needs_tmux
@pytest.mark.parametrize(("width", "height"), [(80, 24), (200, 50)])
def test_a_return_keyed_by_send_keys_is_stored_with_exactly_its_values(tmp_path, bundled, width, height):
    path = tmp_path / "t.db"
    with Study.open(path) as study:
        study.add_wave("2014", bundled, operator="RS")
    term = Terminal(["--study", str(path), "--operator", "JS"], width=width, height=height, cwd=tmp_path)
    try:
        term.wait_for("Joint Practice Development")
        term.keys("F3")
        term.wait_for("Code or serial ›")
        term.type("e5")
        term.wait_for("JPD A ›")
        term.type("13")
        screen = wait_for_line(term, "JPD A ›", "13")
        # Everything needed heads down is on screen, even at 80x24: the paper, the section and its
        # statements (the typed ones marked), the keying line, the keys.
        assert "E5 (Teacher)" in screen
        assert "section A" in screen and "stage Beginning" in screen
        assert "■" in screen and "The school encourages staff" in screen and "Most staff do not" in screen
        assert "Save" in screen and "Missing" in screen
        if width == 80:  # what does not fit in the footer is one key away, and says so
            assert "f1 Keys" in screen and "f9 Resolve" in screen and "^q Quit" in screen, screen
            assert "open discrepancies" in screen and "JS errors" in screen, screen
        for label, keys in PAPER:
            term.wait_for(f"{label} ›")
            if keys == "-":
                term.type("-")
                assert "HSC page marked missing" in term.wait_for("CMP A ›")
                continue
            term.type(keys)
            term.keys("Enter")
        screen = term.wait_for("Save? ›")
        # The counts per bank, to check against the paper before saving.
        for bank, count in [("JPD", "5"), ("HSC", "missing"), ("CMP", "5"), ("E&C", "0"), ("AA", "4")]:
            assert re.search(rf"^ +{re.escape(bank)} +{count}(?!\S)", screen, re.MULTILINE), screen
        term.keys("Enter")
        screen = term.wait_for("Saved #1 E5")
        assert "JPD 5 HSC missing CMP 5 E&C 0 AA 4" in " ".join(screen.split()), screen
        assert "Code or serial ›" in screen  # ready for the next paper
        assert "✗" not in screen
        term.keys("C-q")
        term.wait_closed()
    finally:
        term.close()
    with Study.open(path) as study:
        (record,) = study.find_returns("2014")
        assert (record.participant_code, record.serial, record.created_by) == ("E5", None, "JS")
        assert record.answers == EXPECTED
        assert study.drafts() == []  # the save removed the draft
