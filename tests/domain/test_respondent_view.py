"""The respondent's page as text: letters only, numbered within sections, no stage labels."""

from __future__ import annotations

import re

from tui.domain.instrument import edit as e
from tui.domain.instrument import render_bank_page


def test_page_shows_letters_numbers_and_text_only(bundled):
    page = render_bank_page(bundled, bundled.bank("JPD"), width=110)
    lines = page.splitlines()
    assert lines[0] == "Joint Practice Development"
    heading = next(line for line in lines if line.startswith("A "))
    assert heading.split() == ["A", "B", "C", "D"]
    assert "1. The school encourages" in page and "3. Most staff do not see" in page
    # no statement codes, running numbers, ids or staff-only flags
    assert not re.search(r"JPD [A-D]?\d", page)
    assert "jpd." not in page and "negative" not in page.lower()


def test_no_stage_label_ever_appears(bundled):
    # Labels that no statement uses, set instrument-wide and as a bank override.
    inst = bundled
    for letter, label in zip("ABCD", ("Zeroth", "Quartz", "Umbral", "Vortex"), strict=True):
        inst = e.set_stage(inst, letter, label)
    inst = e.set_bank_stage(inst, "hsc", "C", "Xylophone")
    for bank in inst.banks:
        page = render_bank_page(inst, bank)
        for label in inst.stage_labels():
            assert label not in page, (bank.abbreviation, label)


def test_each_section_is_numbered_from_one(bundled):
    page = render_bank_page(bundled, bundled.bank("HSC"), width=200)
    column_starts = [line for line in page.splitlines() if line.startswith("1. ")]
    assert column_starts, page
    # HSC has 5 statements in section C: numbers 1-5 appear, 6 does not start a line in any column
    numbers = {token for line in page.splitlines() for token in line.split() if token[:-1].isdigit()
               and token.endswith(".")}
    assert {"1.", "2.", "3.", "4.", "5."} <= numbers and "6." not in numbers


def test_narrow_width_and_empty_bank_do_not_break(bundled):
    inst, bank_id = e.add_bank(bundled, title="Empty bank")
    page = render_bank_page(inst, e.bank_by_id(inst, bank_id), width=10)
    assert page.splitlines()[0] == "Empty bank"
    assert "A" in page and "D" in page
    assert max(len(line) for line in render_bank_page(bundled, bundled.banks[0], 60).splitlines()) <= 60
