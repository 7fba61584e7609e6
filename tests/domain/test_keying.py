"""Keying logic without a terminal: what each keystroke may be, the form walk, drafts' JSON."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tui.domain.entry import (
    IDLE_CAP_S,
    EntryForm,
    KeyingError,
    KeyMeter,
    code_refusal,
    format_section,
    parse_section,
    section_refusal,
    serial_refusal,
    walk,
)
from tui.domain.instrument import Bank, Instrument, ParticipantKey, Role, School, Section, Statement
from tui.domain.returns import answers as ans


def wide_instrument() -> Instrument:
    """Two banks: one with a 12-statement section and an empty section, one ordinary."""
    def statements(prefix: str, n: int) -> tuple[Statement, ...]:
        return tuple(Statement(f"{prefix}.{i}", f"{prefix} statement {i}") for i in range(1, n + 1))

    big = Bank("big", "BIG", "Big bank", sections=(
        Section("A", statements("big.a", 12)), Section("B"), Section("C", statements("big.c", 2)),
        Section("D", statements("big.d", 1))))
    small = Bank("sml", "SML", "Small bank", sections=(
        Section("A", statements("sml.a", 3)), Section("B", statements("sml.b", 2)),
        Section("C", statements("sml.c", 2)), Section("D", statements("sml.d", 2))))
    key = ParticipantKey((School("A"), School("B")), (Role(1, "Head"), Role(2, "Teacher")))
    return Instrument("wide", "Wide", "1", key, (big, small))


@pytest.fixture(scope="module")
def wide():
    return wide_instrument()


# --- sections ---------------------------------------------------------------------------------


def test_walk_of_the_bundled_instrument_is_twenty_sections_in_printed_order(bundled):
    slots = walk(bundled)
    assert len(slots) == 20
    assert [s.label for s in slots[:5]] == ["JPD A", "JPD B", "JPD C", "JPD D", "HSC A"]
    jpd_b = slots[1]
    assert (jpd_b.count, jpd_b.offset, jpd_b.stage) == (4, 3, "Developing")
    assert [r.number_code for r in jpd_b.refs] == ["JPD 4", "JPD 5", "JPD 6", "JPD 7"]


def test_empty_section_is_not_a_stop_and_offsets_count_through_the_bank(wide):
    slots = walk(wide)
    assert [s.label for s in slots] == ["BIG A", "BIG C", "BIG D", "SML A", "SML B", "SML C", "SML D"]
    assert [s.offset for s in slots[:3]] == [0, 12, 14]
    assert slots[0].separated and not slots[1].separated


@pytest.mark.parametrize(("text", "char", "message"), [
    ("7", "7", "JPD B has 4 statements: 7 refused"),
    ("0", "0", "JPD B: there is no statement 0 (1-4)"),
    ("1x", "x", "JPD B: 'x' refused, type statement numbers 1-4"),
    ("33", "3", "JPD B: 3 is already typed"),
    ("1 ", " ", "JPD B: no separators needed"),
])
def test_section_keys_refused_with_a_message_naming_the_section(bundled, text, char, message):
    assert message in section_refusal(walk(bundled)[1], text, char)


def test_section_keys_accepted(bundled):
    slot = walk(bundled)[1]
    for text in ("1", "13", "134", "4321"):
        assert section_refusal(slot, text, text[-1]) is None


def test_section_of_ten_or_more_needs_separators(wide):
    slot = walk(wide)[0]  # 12 statements
    assert section_refusal(slot, "1", "1") is None
    assert section_refusal(slot, "12", "2") is None  # on the way to 12
    assert section_refusal(slot, "13", "3") == "BIG A has 12 statements: 13 refused"
    assert section_refusal(slot, "1 2,1", "1") is None  # 1 may still become 10, 11 or 12
    assert section_refusal(slot, "1 2,1 ", " ") == "BIG A: 1 is already typed"
    assert section_refusal(slot, "1.0", "0") == "BIG A: there is no statement 0 (1-12)"
    assert "a statement number first" in section_refusal(slot, " ", " ")
    assert parse_section(slot, "12 1,3.10") == (1, 3, 10, 12)
    with pytest.raises(KeyingError, match="1 is typed twice"):
        parse_section(slot, "1 1")


def test_parse_refuses_what_a_keystroke_would_have_refused(bundled):
    slot = walk(bundled)[1]
    assert parse_section(slot, "") == ()
    assert parse_section(slot, "41") == (1, 4)
    for text, words in (("5", "4 statements: 5 refused"), ("11", "typed twice"), ("1 2", "no separators")):
        with pytest.raises(KeyingError, match=words):
            parse_section(slot, text)


@given(st.data())
@settings(max_examples=examples(60), deadline=None)
def test_format_then_parse_is_the_identity(data):
    for slot in walk(wide_instrument()):
        positions = data.draw(st.sets(st.integers(1, slot.count)))
        assert parse_section(slot, format_section(slot, positions)) == tuple(sorted(positions))


# --- identity ------------------------------------------------------------------------------------


def test_participant_codes_are_checked_at_each_keystroke(bundled):
    key = bundled.key
    assert code_refusal(key, "e") is None and code_refusal(key, "e5") is None
    assert "school F is not in the key (schools A, B, C, D, E)" in code_refusal(key, "F")
    assert "role 7 is not in the key" in code_refusal(key, "A7")
    assert "role digit" in code_refusal(key, "AB")
    assert "school letter" in code_refusal(key, "?")


def test_serial_keys(bundled):
    assert serial_refusal("000001") is None
    assert "digits only" in serial_refusal("00x")
    assert "at most" in serial_refusal("1" * 20)


def test_key_meter_caps_pauses():
    meter = KeyMeter()
    for now in (0.0, 0.5, 1.0, 1000.0):
        meter.key(now)
    assert meter.keystrokes == 4
    assert meter.seconds == pytest.approx(1.0 + IDLE_CAP_S)


# --- the form -------------------------------------------------------------------------------------


def test_walk_forward_and_back_keeps_what_was_typed(bundled):
    form = EntryForm(bundled)
    form.commit("13")
    form.commit("")
    assert form.slot.label == "JPD C"
    assert form.back() and form.slot.label == "JPD B" and form.line_text() == ""
    assert form.back() and form.line_text() == "13"
    form.commit("2")  # correct JPD A
    assert form.slot.label == "JPD B" and form.positions[0] == (2,)
    assert form.back() and not form.back()  # nothing before the first section


def test_missing_page_skips_the_bank_and_back_stops_on_it(bundled):
    form = EntryForm(bundled)
    for _ in range(4):
        form.commit("1")
    assert form.slot.label == "HSC A"
    form.commit("12")
    assert form.toggle_missing() is True  # from HSC B: the whole page
    assert form.slot.label == "CMP A"
    assert form.state_of(form.slots[4]) == "missing"
    assert form.back() and form.slot.label == "HSC A" and form.at_missing_bank
    with pytest.raises(KeyingError, match="marked missing"):
        form.commit("1")
    assert form.toggle_missing() is False  # un-mark: what was typed is still there
    assert form.slot.label == "HSC A" and form.line_text() == "12"
    assert form.toggle_missing() is True and form.slot.label == "CMP A"
    form.back()
    form.commit("")  # Enter on a missing page goes on
    assert form.slot.label == "CMP A" and not form.keyed(form.slot)


def test_answers_need_every_section_and_map_positions_to_running_numbers(bundled):
    form = EntryForm(bundled)
    with pytest.raises(KeyingError, match="20 sections not keyed yet, the first is JPD A"):
        form.answers()
    texts = ["13", "4", "", "1"] + ["-"] + ["1"] * 4 + [""] * 4 + ["1", "", "", "2"]
    for text in texts:
        if text == "-":
            form.toggle_missing()
        else:
            form.commit(text)
    assert form.at_summary and form.complete
    answers = form.answers()
    assert ans.highlighted_codes(bundled, answers) == [
        "JPD A1", "JPD A3", "JPD B4", "JPD D1", "CMP A1", "CMP B1", "CMP C1", "CMP D1", "AA A1", "AA D2"]
    assert not answers["hsc"].present
    assert form.counts() == {"JPD": "4", "HSC": "missing", "CMP": "4", "E&C": "0", "AA": "2"}


def random_answers(instrument: Instrument, data) -> dict[str, ans.BankAnswer]:
    out = {}
    for bank in instrument.banks:
        if data.draw(st.booleans().filter(lambda _: True)) and data.draw(st.integers(0, 5)) == 0:
            out[bank.id] = ans.BankAnswer.missing()
        else:
            out[bank.id] = ans.BankAnswer(True, frozenset(data.draw(st.sets(st.integers(1, bank.statement_count)))))
    return out


@given(st.data())
@settings(max_examples=examples(60), deadline=None)
def test_answers_survive_the_form_and_the_draft_json(data):
    import json

    from tui.domain.instrument import bundled_instrument_path, load_instrument

    instrument = data.draw(st.sampled_from([wide_instrument(), load_instrument(bundled_instrument_path())]))
    answers = random_answers(instrument, data)
    form = EntryForm.from_answers(instrument, answers)
    assert form.answers() == answers
    form.go_to(data.draw(st.integers(0, len(form.slots))))
    state = json.loads(json.dumps(form.to_state()))
    again = EntryForm.from_state(instrument, state)
    assert again.answers() == answers and again.at == form.at


def test_draft_json_shape_and_a_partial_form(bundled):
    form = EntryForm(bundled)
    form.commit("13")
    form.commit("")
    form.commit("2")
    state = form.to_state()
    assert state == {"done": {"jpd": {"present": True, "sections": {"A": [1, 3], "B": [], "C": [2]}}},
                     "at": ["jpd", "D"]}
    again = EntryForm.from_state(bundled, state)
    assert again.slot.label == "JPD D" and [s.label for s in again.open_sections()][:2] == ["JPD D", "HSC A"]


def test_draft_that_no_longer_fits_is_refused_with_the_reason(bundled):
    with pytest.raises(KeyingError, match="bank 'zzz'"):
        EntryForm.from_state(bundled, {"done": {"zzz": {"present": True, "sections": {}}}})
    with pytest.raises(KeyingError, match="4 statements: 9 refused"):
        EntryForm.from_state(bundled, {"done": {"jpd": {"present": True, "sections": {"B": [9]}}}})


def test_editing_a_missing_page_means_keying_it(bundled):
    answers = ans.from_codes(bundled, ["JPD A1"], missing_banks=["AA"])
    form = EntryForm.from_answers(bundled, answers)
    assert form.complete
    form.go_to(len(form.slots) - 1)  # AA D -> the AA stop
    assert form.slot.label == "AA A" and form.at_missing_bank
    form.toggle_missing()
    assert [s.label for s in form.open_sections()] == ["AA A", "AA B", "AA C", "AA D"]
