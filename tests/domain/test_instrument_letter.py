"""The letter and the form agree: how respondents mark, the sign-off (issue 16)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tui.domain.instrument import check_instrument, dumps_instrument, parse_instrument


def warnings(instrument) -> list[str]:
    return [p.message for p in check_instrument(instrument) if not p.is_error]


def test_the_bundled_letter_asks_for_ticks_as_the_form_prints_boxes(bundled):
    assert bundled.marking == "tick"
    assert "tick the box beside those sentences" in bundled.instructions
    assert "highlight" not in bundled.instructions
    assert not any("instructions ask" in w for w in warnings(bundled))


@pytest.mark.parametrize(("marking", "letter", "asked"), [
    ("tick", "Please highlight the sentences you believe to be true.", "highlight"),
    ("tick", "Highlighted sentences count as true.", "highlighted"),
    ("highlight", "Please tick each sentence you believe to be true.", "tick"),
])
def test_a_letter_that_asks_for_the_other_way_of_marking_is_warned(bundled, marking, letter, asked):
    instrument = replace(bundled, marking=marking, instructions=letter)
    found = [w for w in warnings(instrument) if "instructions ask" in w]
    assert len(found) == 1 and f"ask respondents to {asked} statements" in found[0]
    assert f'marking = "{marking}"' in found[0]


def test_a_letter_that_names_both_or_neither_is_not_warned(bundled):
    for letter in ("Tick the box, or highlight the sentence if you prefer.", "Mark the sentences you agree with."):
        assert not any("instructions ask" in w for w in warnings(replace(bundled, instructions=letter)))


def test_marking_is_tick_or_highlight_and_round_trips(bundled):
    wrong = [p for p in check_instrument(replace(bundled, marking="circle")) if p.is_error]
    assert [p.message for p in wrong] == ['marking = \'circle\': respondents mark by "tick" or "highlight"']
    signed = replace(bundled, marking="highlight", sign_off="A. Researcher\nUCL Institute of Education",
                     instructions=bundled.instructions.replace("tick the box beside", "highlight"))
    again, problems = parse_instrument(dumps_instrument(signed), "x.toml")
    assert again == signed
    assert "marking = \"tick\"" not in dumps_instrument(bundled)  # the default is not written


def test_an_unsigned_letter_is_warned_with_its_line(bundled, tmp_path):
    assert any(w.startswith("the letter is unsigned") for w in warnings(bundled))
    signed = replace(bundled, sign_off="A. Researcher")
    assert not any(w.startswith("the letter is unsigned") for w in warnings(signed))
    text = dumps_instrument(bundled)
    _, problems = parse_instrument(text, "survey.toml")
    unsigned = next(p for p in problems if p.message.startswith("the letter is unsigned"))
    assert text.splitlines()[unsigned.line - 1].startswith("instructions = ")
